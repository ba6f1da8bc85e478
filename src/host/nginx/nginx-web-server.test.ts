import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
