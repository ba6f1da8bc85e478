import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Periodic } from './periodic.js';

const logged: object[] = [];
const logger = { debug() {}, info() {}, warn() {}, error: (obj: object) => void logged.push(obj) };

it('a run in progress is shared, a failed run is logged and the task runs again, stop waits for the run', async () => {
  let runs = 0;
  let release: () => void = () => {};
  const task = async () => {
    runs++;
    if (runs === 1) throw new Error('disk gone');
    await new Promise<void>((resolve) => {
      release = resolve;
    });
  };
  const periodic = new Periodic('test', 3_600_000, task, logger);
  await periodic.runNow();
  assert.equal(runs, 1);
  assert.equal(logged.length, 1);
  const first = periodic.runNow();
  const second = periodic.runNow();
  assert.equal(first, second, 'one run at a time');
  assert.equal(runs, 2);
  let stopped = false;
  const stopping = periodic.stop().then(() => {
    stopped = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(stopped, false, 'stop waits for the run in progress');
  release();
  await stopping;
  assert.equal(stopped, true);
});
