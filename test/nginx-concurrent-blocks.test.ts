import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NginxWebServer } from '../src/host/nginx/nginx-web-server.js';
import { NginxTrafficLogs } from '../src/host/traffic/nginx-traffic-logs.js';
import { NGINX_BIN, PrivateNginx, eventually, freePort, get } from './support/nginx.js';

const ACCOUNTS = 16;
const ROUNDS = 8;

/**
 * A reload answered 502 in a bulk terminate when another terminate removed its block while
 * `nginx -s reload` was reading the sites directory: the reload's read must take the same turn as
 * the writes, checks and removals of blocks.
 */
describe('a terminate answered 502 at reload when another removed its block while nginx read the sites directory (real nginx)', () => {
  let dir: string;
  let port: number;
  let nginx: PrivateNginx;
  let web: NginxWebServer;
  const users = Array.from({ length: ACCOUNTS }, (_, i) => `race${i}`);
  const domain = (user: string) => `${user}.example`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vanta-nginx-race-'));
    port = await freePort();
    const sitesDir = join(dir, 'sites');
    mkdirSync(sitesDir, { recursive: true });
    nginx = new PrivateNginx(join(dir, 'nginx'), port, sitesDir);
    web = new NginxWebServer({
      sitesDir,
      bin: NGINX_BIN,
      args: nginx.args,
      reloadCommand: null,
      pidFile: nginx.pidFile,
      reloadWaitMs: 30_000,
      listen: `127.0.0.1:${port}`,
      tlsListen: `127.0.0.1:${await freePort()}`,
      challengeDir: join(dir, 'challenges'),
      suspendedRoot: join(dir, 'suspended'),
      timeoutMs: 30_000,
      reopenCommand: null,
      logs: new NginxTrafficLogs({ dir: join(dir, 'traffic'), buffer: null, reopen: () => web.reopenLogs() }),
    });
    for (const user of users) {
      mkdirSync(join(dir, 'homes', user), { recursive: true });
      writeFileSync(join(dir, 'homes', user, 'index.html'), `<h1>${user}</h1>\n`);
    }
    await web.writeLogFormat();
    await nginx.start();
  });
  after(async () => {
    await nginx?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const create = async (user: string) => {
    await web.writeSite({
      user,
      domain: domain(user),
      root: join(dir, 'homes', user),
      suspended: false,
      phpSocket: null,
      tls: null,
    });
    await web.reload();
  };
  const terminate = async (user: string) => {
    await web.removeSite(user);
    await web.reload();
  };
  /** failures runs each user's operation at once and lists those that failed, with their errors. */
  const failures = async (ops: (readonly [string, (user: string) => Promise<void>])[]) => {
    const results = await Promise.allSettled(ops.map(([user, op]) => op(user)));
    return results.flatMap((r, i) =>
      r.status === 'rejected' ? [`${ops[i]?.[0]}: ${(r.reason as Error).message}`] : [],
    );
  };

  it('no create or terminate of a burst fails, and nginx ends up serving exactly the sites left', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      assert.deepEqual(await failures(users.map((u) => [u, create])), [], `creates of round ${round}`);
      // Half of them go while the other half is written again: removals and writes interleave.
      const [gone, kept] = [users.filter((_, i) => i % 2 === 0), users.filter((_, i) => i % 2 === 1)];
      assert.deepEqual(
        await failures([...gone.map((u) => [u, terminate] as const), ...kept.map((u) => [u, create] as const)]),
        [],
        `terminates beside rewrites of round ${round}`,
      );
      assert.deepEqual(await failures(kept.map((u) => [u, terminate])), [], `terminates of round ${round}`);
    }
    await create('race0');
    assert.ok(await eventually(async () => (await get(port, domain('race0'))).body === '<h1>race0</h1>\n'));
    for (const user of users.slice(1))
      assert.ok(await eventually(async () => (await get(port, domain(user))).status === 404), `${user} is gone`);
  });
});
