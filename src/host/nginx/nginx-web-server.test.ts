import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NginxWebServer } from './nginx-web-server.js';

function server(reloadCommand: string[]): NginxWebServer {
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
