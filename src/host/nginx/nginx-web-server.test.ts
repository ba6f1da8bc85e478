import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { NginxTrafficLogs } from '../traffic/nginx-traffic-logs.js';
import { NginxWebServer } from './nginx-web-server.js';

function server(reloadCommand: string[], reopenCommand: string[] | null = null): NginxWebServer {
  return new NginxWebServer({
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
  });
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

/** checkingServer writes real blocks to a temp dir, checked by a slow stand-in for `nginx -t` that refuses any block naming `broken.test`. */
function checkingServer(dir: string): NginxWebServer {
  const sitesDir = join(dir, 'sites');
  const script = `sleep 0.2; ! grep -qs 'broken.test' ${sitesDir}/*.conf`;
  return new NginxWebServer({
    sitesDir,
    bin: 'sh',
    args: ['-c', script, 'nginx'],
    reloadCommand: ['true'],
    listen: '80',
    tlsListen: '443',
    challengeDir: '/srv/acme-challenge',
    suspendedRoot: '/srv/suspended',
    timeoutMs: 10_000,
    reopenCommand: null,
    logs: new NginxTrafficLogs({ dir: join(dir, 'traffic'), buffer: null, reopen: async () => {} }),
  });
}

const site = (user: string, domain = `${user}.test`) => ({
  user,
  domain,
  root: `/home/${user}/public_html`,
  suspended: false,
  phpSocket: null,
  tls: null,
});

test('15.4: blocks written while a check runs share one nginx -t', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vanta-nginx-batch-'));
  try {
    const web = checkingServer(dir);
    const first = web.writeSite(site('first'));
    // The first check is running (a slow stand-in): the burst waits for it and then shares one check.
    const burst = Array.from({ length: 7 }, (_, i) => web.writeSite(site(`burst${i}`)));
    await Promise.all([first, ...burst]);
    assert.equal(web.checks, 2);
    for (let i = 0; i < 7; i++)
      assert.match(readFileSync(join(dir, 'sites', `burst${i}.conf`), 'utf8'), /burst\d\.test/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('15.4: a block refused in a burst is refused alone, names its account and is restored; the others are kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vanta-nginx-batch-'));
  try {
    const web = checkingServer(dir);
    await web.writeSite(site('keeper'));
    const before = readFileSync(join(dir, 'sites', 'keeper.conf'), 'utf8');
    const first = web.writeSite(site('first'));
    const burst = [
      web.writeSite(site('good1')),
      web.writeSite(site('keeper', 'broken.test')),
      web.writeSite(site('fresh', 'broken.test')),
      web.writeSite(site('good2')),
    ];
    const results = await Promise.allSettled([first, ...burst]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled'],
    );
    const reasons = results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error).message)] : []));
    assert.deepEqual(reasons, [
      'nginx -t refused the server block of keeper',
      'nginx -t refused the server block of fresh',
    ]);
    assert.equal(readFileSync(join(dir, 'sites', 'keeper.conf'), 'utf8'), before);
    assert.equal(existsSync(join(dir, 'sites', 'fresh.conf')), false);
    for (const user of ['first', 'good1', 'good2']) assert.ok(existsSync(join(dir, 'sites', `${user}.conf`)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
