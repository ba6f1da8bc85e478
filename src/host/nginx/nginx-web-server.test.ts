import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { NginxTrafficLogs } from '../traffic/nginx-traffic-logs.js';
import { type NginxOptions, NginxWebServer } from './nginx-web-server.js';

function options(reloadCommand: string[], reopenCommand: string[] | null = null): NginxOptions {
  return {
    sitesDir: '/nonexistent',
    bin: 'nginx',
    args: [],
    reloadCommand,
    listen: '80',
    tlsListen: '443',
    challengeDir: '/srv/acme-challenge',
    suspendedRoot: '/srv/suspended',
    timeoutMs: 10_000,
    reopenCommand,
    logs: new NginxTrafficLogs({ dir: '/nonexistent/traffic', buffer: null, reopen: async () => {} }),
  };
}

function server(reloadCommand: string[], reopenCommand: string[] | null = null): NginxWebServer {
  return new NginxWebServer(options(reloadCommand, reopenCommand));
}

test('a burst of reload requests costs one reload plus one follow-up, and each caller waits for a reload after its call', async () => {
  // A slow stand-in for `nginx -s reload`: the coalescing is what is under test here.
  const web = server(['sleep', '0.3']);
  const first = web.reload();
  const burst = Array.from({ length: 10 }, () => web.reload());
  await Promise.all([first, ...burst]);
  assert.equal(web.reloads, 2);
  await web.reload();
  assert.equal(web.reloads, 3, 'an idle server reloads at once');
});

test('a failed reload is reported to every caller that shared it, and the next one runs again', async () => {
  const web = server(['false']);
  const results = await Promise.allSettled([web.reload(), web.reload(), web.reload()]);
  assert.ok(results.every((r) => r.status === 'rejected'));
  await assert.rejects(web.reload());
});

test('reopens after rotations are coalesced like reloads, and are no reload', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vanta-reopen-'));
  try {
    const count = join(dir, 'reopens');
    // A slow stand-in for `nginx -s reopen` that counts its runs.
    const web = server(['false'], ['sh', '-c', `sleep 0.2; echo >> ${count}`]);
    await Promise.all(Array.from({ length: 5 }, () => web.reopenLogs()));
    assert.equal(readFileSync(count, 'utf8'), '\n\n', 'one reopen plus one follow-up');
    assert.equal(web.reloads, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Recorded is one nginx command the recording runner was asked to run, and what the sites directory held meanwhile. */
interface Recorded {
  argv: string[];
  /** busy is how many other commands were running when this one started. */
  busy: number;
  before: string[];
  after: string[] | null;
}

/**
 * recordingRunner stands in for runCommand: each command waits until the test releases it, and is
 * recorded with the sites directory's listing at its start and at its end.
 */
function recordingRunner(sitesDir: string) {
  const recorded: Recorded[] = [];
  const waiting: (() => void)[] = [];
  let running = 0;
  const list = () => readdirSync(sitesDir).sort();
  const run = (file: string, args: readonly string[]) => {
    const entry: Recorded = { argv: [file, ...args], busy: running, before: list(), after: null };
    recorded.push(entry);
    running++;
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      waiting.push(() => {
        entry.after = list();
        running--;
        resolve({ code: 0, stdout: '', stderr: '' });
      });
    });
  };
  return { run, recorded, waiting };
}

/** until lets the event loop turn (I/O included) until `done` holds. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100_000 && !done(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(done(), 'the awaited state never came');
}

test('a reload failed when a concurrent removal took a block while nginx read the sites directory: every nginx command now takes its turn with block writes, checks and removals', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vanta-nginx-turns-'));
  try {
    const sitesDir = join(dir, 'sites');
    mkdirSync(sitesDir);
    writeFileSync(join(sitesDir, 'old.conf'), '# an account about to be terminated\n');
    const runner = recordingRunner(sitesDir);
    const web = new NginxWebServer({
      ...options(['nginx', '-s', 'reload']),
      sitesDir,
      logs: new NginxTrafficLogs({ dir: join(dir, 'traffic'), buffer: null, reopen: async () => {} }),
      run: runner.run,
    });
    const site = { user: 'new', domain: 'new.example', root: '/srv/new', suspended: false, phpSocket: null, tls: null };
    const ops: Promise<void>[] = [web.writeSite(site)];
    await until(() => runner.recorded.length === 1);
    // While the new block's `nginx -t` runs: a reload, a terminate's removal and its reload, a reopen.
    ops.push(
      web.reload(),
      web.removeSite('old').then(() => web.reload()),
      web.reopenLogs(),
    );
    let settled = false;
    const all = Promise.all(ops).finally(() => {
      settled = true;
    });
    while (!settled) {
      await until(() => settled || runner.waiting.length > 0);
      runner.waiting.shift()?.();
    }
    await all;
    assert.deepEqual(
      runner.recorded.map((r) => r.argv.slice(1).join(' ')),
      ['-t', '-s reload', '-s reopen', '-s reload'],
      "the write's check, the reload asked meanwhile, the reopen (after the removal), then the terminate's own reload",
    );
    for (const r of runner.recorded) {
      assert.equal(r.busy, 0, `${r.argv.join(' ')} started while another nginx command ran`);
      assert.deepEqual(r.after, r.before, `the sites directory changed while ${r.argv.join(' ')} read it`);
    }
    assert.deepEqual(runner.recorded.at(-1)?.before, ['new.conf'], 'the last reload reads the removal');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
