import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { type BurstSetup, burst, burstServer, createSite, startBurst } from './support/nginx-burst.js';
import { NGINX_BIN, type PrivateNginx, eventually, get } from './support/nginx.js';

const BURST = fileURLToPath(new URL('./support/nginx-burst.ts', import.meta.url));

/** gone holds once none of the users' sites is served. */
async function gone(setup: BurstSetup, users: string[]): Promise<void> {
  for (const user of users)
    assert.ok(
      await eventually(async () => (await get(setup.port, `${user}.example`)).status === 404),
      `${user} is gone`,
    );
}

/**
 * A reload answered 502 in a bulk terminate when another terminate removed its block while
 * `nginx -s reload` was reading the sites directory: the reload's read must take the same turn as
 * the writes, checks and removals of blocks.
 */
describe('a terminate answered 502 at reload when another removed its block while nginx read the sites directory (real nginx)', () => {
  let setup: BurstSetup;
  let nginx: PrivateNginx;
  const users = Array.from({ length: 16 }, (_, i) => `race${i}`);

  before(async () => {
    // One process: its own turn is what keeps its commands apart, no lock between processes.
    ({ setup, nginx } = await startBurst(false));
  });
  after(async () => {
    await nginx?.stop();
    if (setup) rmSync(setup.dir, { recursive: true, force: true });
  });

  it('no create or terminate of a burst fails, and nginx ends up serving exactly the sites left', async () => {
    const web = burstServer(setup);
    assert.deepEqual(await burst(setup, web, users, 8), []);
    await createSite(setup, web, 'race0', 'race0');
    assert.ok(await eventually(async () => (await get(setup.port, 'race0.example')).body === '<h1>race0</h1>\n'));
    await gone(setup, users.slice(1));
  });
});

/**
 * `vanta serve` and a CLI command are two processes, each of which kept its nginx commands apart from
 * its own block writes only: one's `nginx -t` or reload could read the sites directory while the
 * other removed a block from it, and fail. Both now take the machine's turn (a lock in the data directory).
 */
describe('two panel processes writing, removing and reloading blocks of one sites directory at once (real nginx)', () => {
  let setup: BurstSetup;
  let nginx: PrivateNginx;
  let runs = '';

  before(async () => {
    // nginx as the web servers run it, noting when each run starts and ends, and slower: a run of one
    // process that overlapped one of the other's would not go unseen.
    ({ setup, nginx } = await startBurst(true, (dir) => {
      runs = join(dir, 'runs');
      const bin = join(dir, 'nginx-noted');
      const script = [
        '#!/bin/sh',
        `echo "start $$" >> '${runs}'`,
        'sleep 0.05',
        `'${NGINX_BIN}' "$@"`,
        'rc=$?',
        `echo "end $$" >> '${runs}'`,
        'exit $rc',
      ];
      writeFileSync(bin, `${script.join('\n')}\n`, { mode: 0o755 });
      return bin;
    }));
    writeFileSync(runs, '');
  });
  after(async () => {
    await nginx?.stop();
    if (setup) rmSync(setup.dir, { recursive: true, force: true });
  });

  it('no operation of either process fails, no nginx command of one runs beside one of the other, and nginx serves what they left', async () => {
    const mine = Array.from({ length: 8 }, (_, i) => `serve${i}`);
    const theirs = Array.from({ length: 8 }, (_, i) => `cli${i}`);
    const other = spawn(
      process.execPath,
      ['--import', 'tsx', BURST, JSON.stringify({ setup, users: theirs, rounds: 6 })],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let out = '';
    const ready = new Promise<void>((resolve) => {
      other.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.startsWith('ready\n')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => other.once('exit', resolve));
    const web = burstServer(setup);
    await ready;
    other.stdin.end('go\n');
    const failedHere = await burst(setup, web, mine, 6);
    assert.equal(await exited, 0);
    assert.deepEqual(
      { here: failedHere, there: JSON.parse(out.slice('ready\n'.length)) as string[] },
      { here: [], there: [] },
    );
    let running = 0;
    let most = 0;
    for (const line of readFileSync(runs, 'utf8').split('\n').filter(Boolean)) {
      running += line.startsWith('start ') ? 1 : -1;
      most = Math.max(most, running);
    }
    assert.equal(most, 1, 'two nginx commands ran at once');
    await createSite(setup, web, 'last', 'serve0');
    assert.equal((await get(setup.port, 'last.example')).body, '<h1>serve0</h1>\n');
    await gone(setup, [...mine, ...theirs]);
  });
});
