import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Coalesced, Serial } from './coalesce.js';

/** gate is a job whose runs wait until released, so a test decides when each run ends. */
function gate() {
  const releases: (() => void)[] = [];
  const job = () => new Promise<void>((resolve) => releases.push(resolve));
  const releaseAll = () => {
    for (const release of releases.splice(0)) release();
  };
  return { job, releaseAll, pending: () => releases.length };
}

test('a burst of calls costs one run plus one follow-up, and each caller waits for a run started after its call', async () => {
  const g = gate();
  const c = new Coalesced(g.job);
  let firstDone = false;
  const first = c.run().then(() => {
    firstDone = true;
  });
  const burst = Array.from({ length: 10 }, () => c.run());
  assert.equal(c.runs, 1);
  g.releaseAll();
  await first;
  // The burst waits for the follow-up, which starts only now.
  await new Promise((r) => setImmediate(r));
  assert.ok(firstDone);
  assert.equal(c.runs, 2);
  assert.equal(g.pending(), 1);
  g.releaseAll();
  await Promise.all(burst);
  const idle = c.run();
  assert.equal(c.runs, 3, 'an idle runner starts at once');
  g.releaseAll();
  await idle;
});

test('a failed run is reported to every caller that shared it, and the next call runs again', async () => {
  let calls = 0;
  const c = new Coalesced(async () => {
    calls++;
    throw new Error('refused');
  });
  const results = await Promise.allSettled([c.run(), c.run(), c.run()]);
  assert.ok(results.every((r) => r.status === 'rejected'));
  assert.equal(calls, 2);
  await assert.rejects(c.run(), /refused/);
  assert.equal(calls, 3);
});

test('serial sections run one after another, and a failing one does not stop the next', async () => {
  const s = new Serial();
  const log: string[] = [];
  const g = gate();
  const one = s.run(async () => {
    log.push('one starts');
    await g.job();
    log.push('one ends');
  });
  const two = s.run(async () => {
    log.push('two');
    throw new Error('two fails');
  });
  const three = s.run(async () => {
    log.push('three');
    return 3;
  });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(log, ['one starts'], 'nothing else runs while the first section waits');
  g.releaseAll();
  await one;
  await assert.rejects(two, /two fails/);
  assert.equal(await three, 3);
  assert.deepEqual(log, ['one starts', 'one ends', 'two', 'three']);
});

test('with a turn, the calls made while a run waits for its turn share it, and it begins after the sections queued before it', async () => {
  const s = new Serial();
  const log: string[] = [];
  const g = gate();
  const c = new Coalesced(
    async () => {
      log.push('run');
    },
    (fn) => s.run(fn),
  );
  const write = s.run(async () => {
    log.push('write starts');
    await g.job();
    log.push('write ends');
  });
  const calls = Array.from({ length: 5 }, () => c.run());
  await new Promise((r) => setImmediate(r));
  assert.equal(c.runs, 0, 'the run waits for the write');
  g.releaseAll();
  await Promise.all([write, ...calls]);
  assert.equal(c.runs, 1);
  assert.deepEqual(log, ['write starts', 'write ends', 'run']);
});
