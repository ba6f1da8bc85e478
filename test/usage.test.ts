import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { measureDiskUsage } from '../src/app/measure-disk-usage.js';
import { meterAccountsTraffic } from '../src/app/meter-traffic.js';
import { monthOf } from '../src/domain/traffic.js';
import { bytesToMb } from '../src/domain/usage.js';
import { NginxTrafficLogs } from '../src/host/traffic/nginx-traffic-logs.js';
import { rotatedPath } from '../src/host/traffic/traffic-log-reader.js';
import { nginxReopen } from '../src/host/traffic/traffic-log-rotator.js';
import { ALL_SCOPES, type TestApp, makeApp } from './support/app.js';
import { buildPlan } from './support/builders.js';
import { NGINX_BIN, PrivateNginx, type Wire, eventually, freePort, rawGet, zeroWire } from './support/nginx.js';

const bytesThisMonth = async (app: TestApp, user: string) =>
  (await app.rt.ctx.store.traffic.month(user, monthOf(Date.now()))).bytesSent;

describe('GET /?api=usage', () => {
  let app: TestApp;
  let token: string;
  before(async () => {
    app = await makeApp();
    token = await app.token(ALL_SCOPES);
  });
  after(() => app.close());

  it('lists nothing before there is an account', async () => {
    const res = await app.api('GET', 'api=usage', { token });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { ok: true, usage: [] });
  });

  it("gives every account's figures next to its plan's limits; null where nothing was measured yet", async () => {
    await buildPlan(app.rt.ctx, 'small', { diskMb: 500, bandwidthMb: 10_000, maxDatabases: 3 });
    for (const [user, plan] of [
      ['alice', 'small'],
      ['bob', null],
    ]) {
      const res = await app.api('POST', 'api=accounts', {
        token,
        body: { user, domain: `${user}.example`, plan, password: 'a long enough secret' },
      });
      assert.equal(res.statusCode, 201, res.body);
    }
    const res = await app.api('GET', 'api=usage', { token });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {
      ok: true,
      usage: [
        {
          user: 'alice',
          disk_used_mb: null,
          disk_limit_mb: 500,
          bandwidth_used_mb: null,
          bandwidth_limit_mb: 10_000,
          databases: 0,
          max_databases: 3,
          as_of: null,
        },
        {
          user: 'bob',
          disk_used_mb: null,
          disk_limit_mb: null,
          bandwidth_used_mb: null,
          bandwidth_limit_mb: null,
          databases: 0,
          max_databases: null,
          as_of: null,
        },
      ],
    });
  });

  it('shows the disk walked and the traffic metered in the background, as_of the older of the two', async () => {
    writeFileSync(join(app.dir, 'homes', 'alice', 'public_html', 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 1));
    await measureDiskUsage(app.rt.ctx, app.rt.diskMeter);
    const disk = await app.rt.ctx.store.diskUsage.get('alice');
    assert.ok(disk && disk.bytes >= 3 * 1024 * 1024);
    const metered = await meterAccountsTraffic(app.rt.ctx, null);
    assert.deepEqual([metered.accounts, metered.failed], [2, []]);
    const res = await app.api('GET', 'api=usage&user=alice', { token });
    assert.equal(res.statusCode, 200);
    const [entry, ...rest] = res.json().usage;
    assert.deepEqual(rest, []);
    assert.equal(entry.disk_used_mb, bytesToMb(disk.bytes));
    assert.equal(entry.bandwidth_used_mb, 0, 'a log read and empty is 0, not null');
    assert.equal(entry.as_of, disk.measuredAt, 'the disk was measured before the traffic was read');
  });

  it('answers invalid_user for a name that cannot be an account and account_not_found for one that is not', async () => {
    const bad = await app.api('GET', 'api=usage&user=Not-A-User', { token });
    assert.deepEqual([bad.statusCode, bad.json().error], [400, 'invalid_user']);
    const ghost = await app.api('GET', 'api=usage&user=ghost', { token });
    assert.deepEqual([ghost.statusCode, ghost.json().error], [404, 'account_not_found']);
    const twice = await app.api('GET', 'api=usage&user=alice&user=bob', { token });
    assert.deepEqual([twice.statusCode, twice.json().error], [400, 'invalid_parameter']);
  });

  it('needs accounts:read', async () => {
    const writer = await app.token(['accounts:write']);
    const res = await app.api('GET', 'api=usage', { token: writer });
    assert.deepEqual([res.statusCode, res.json().error], [403, 'insufficient_scope']);
  });
});

describe('bandwidth metered from the traffic logs of a real nginx serving the accounts', () => {
  let app: TestApp;
  let token: string;
  let nginx: PrivateNginx;
  let port: number;
  const wire: Record<string, Wire> = { carol: zeroWire(), dan: zeroWire() };
  // Rotate at every pass once a log has a line: the tightest schedule the rotation allows.
  const everyPass = { maxBytes: 1, maxAgeMs: 86_400_000, minIntervalMs: 0 };

  /** linesLogged counts the lines of a user's log and of the log rotated away. */
  const linesLogged = (user: string) =>
    [join(trafficDir, `${user}.log`), rotatedPath(join(trafficDir, `${user}.log`))]
      .filter((p) => existsSync(p))
      .reduce((n, p) => n + readFileSync(p, 'utf8').split('\n').length - 1, 0);
  // nginx writes a request's line only after its answer went out: under load the client can see an answer before
  // its line is written, so each burst waits for its lines.
  const traffic = async (user: string, count: number) => {
    const before = linesLogged(user);
    for (let i = 0; i < count; i++) {
      const path = ['/', '/big.bin', '/missing'][i % 3] ?? '/';
      const status = await rawGet(port, `${user}.example`, path, wire[user] ?? zeroWire());
      assert.equal(status, path === '/missing' ? 404 : 200);
    }
    assert.ok(await eventually(async () => linesLogged(user) >= before + count, 200), `${user}'s lines are written`);
  };
  const usage = async (user: string) => {
    const res = await app.api('GET', `api=usage&user=${user}`, { token });
    assert.equal(res.statusCode, 200);
    return res.json().usage[0];
  };

  let trafficDir: string;
  before(async () => {
    port = await freePort();
    trafficDir = mkdtempSync(join(tmpdir(), 'vanta-usage-traffic-'));
    app = await makeApp(
      { VANTA_NGINX_LISTEN: `127.0.0.1:${port}`, VANTA_TRAFFIC_DIR: trafficDir },
      {
        trafficRotation: everyPass,
        // The sandbox has no nginx to tell to reopen the logs; this test has one.
        wrapHost: (drivers) => ({
          ...drivers,
          trafficLogs: new NginxTrafficLogs({
            dir: trafficDir,
            buffer: null,
            reopen: () => nginxReopen({ bin: NGINX_BIN, args: nginx.args, command: null, timeoutMs: 10_000 })(),
          }),
        }),
      },
    );
    token = await app.token(ALL_SCOPES);
    for (const user of ['carol', 'dan']) {
      const res = await app.api('POST', 'api=accounts', { token, body: { user, domain: `${user}.example` } });
      assert.equal(res.statusCode, 201, res.body);
      writeFileSync(join(app.dir, 'homes', user, 'public_html', 'big.bin'), Buffer.alloc(200_000 + user.length, 7));
    }
    nginx = new PrivateNginx(join(app.dir, 'test-nginx'), port, join(app.dir, 'nginx', 'sites'));
    const check = await nginx.test();
    assert.ok(check.ok, check.output);
    await nginx.start();
  });
  after(async () => {
    await nginx?.stop();
    await app?.close();
    rmSync(trafficDir, { recursive: true, force: true });
  });

  it("counts exactly the bytes each account's visitors received, and only the new ones at the next pass", async () => {
    const log = join(trafficDir, 'carol.log');
    assert.equal(statSync(log).mode & 0o777, 0o600, 'the panel made the log before nginx opened it');
    await traffic('carol', 6);
    await traffic('dan', 2);
    const first = await meterAccountsTraffic(app.rt.ctx, null);
    assert.deepEqual([first.failed, first.rotated], [[], []]);
    assert.equal(await bytesThisMonth(app, 'carol'), wire.carol?.received);
    assert.equal(await bytesThisMonth(app, 'dan'), wire.dan?.received);

    await traffic('carol', 4);
    const size = statSync(log).size;
    const offset = (await app.rt.ctx.store.traffic.state('carol')).current?.offset ?? 0;
    const second = await meterAccountsTraffic(app.rt.ctx, null);
    assert.equal(second.bytesRead, size - offset, 'only what nginx appended since the last pass is read');
    assert.equal(await bytesThisMonth(app, 'carol'), wire.carol?.received);
    assert.equal((await meterAccountsTraffic(app.rt.ctx, null)).bytesRead, 0);
    assert.equal((await usage('carol')).bandwidth_used_mb, bytesToMb(wire.carol?.received ?? 0));
  });

  it('rotates the logs with one reopen of nginx, losing and doubling nothing', async () => {
    const log = join(trafficDir, 'carol.log');
    await traffic('carol', 5);
    const pass = await meterAccountsTraffic(app.rt.ctx, app.rt.trafficRotation);
    assert.deepEqual([pass.rotationError, pass.rotated], [null, ['carol', 'dan']]);
    assert.ok(existsSync(rotatedPath(log)));
    await traffic('carol', 7);
    await traffic('dan', 3);
    // The workers write the new log once they have reopened it; until then lines go to `.1`.
    assert.ok(
      await eventually(async () => {
        await traffic('carol', 1);
        return statSync(log).size > 0;
      }),
      'nginx reopened the log',
    );
    const again = await meterAccountsTraffic(app.rt.ctx, app.rt.trafficRotation);
    assert.equal(again.rotationError, null);
    await traffic('carol', 2);
    await meterAccountsTraffic(app.rt.ctx, app.rt.trafficRotation);
    assert.equal(await bytesThisMonth(app, 'carol'), wire.carol?.received);
    assert.equal(await bytesThisMonth(app, 'dan'), wire.dan?.received);
    assert.equal((await usage('dan')).bandwidth_used_mb, bytesToMb(wire.dan?.received ?? 0));
  });

  it("a suspended account's site still logs what it serves", async () => {
    assert.equal((await app.api('POST', 'api=account&action=suspend&user=dan', { token })).statusCode, 200);
    await nginx.reload();
    let status = 0;
    assert.ok(
      await eventually(async () => {
        status = await rawGet(port, 'dan.example', '/', wire.dan ?? zeroWire());
        return status === 503;
      }),
    );
    assert.ok(
      await eventually(async () => {
        await meterAccountsTraffic(app.rt.ctx, null);
        return (await bytesThisMonth(app, 'dan')) === wire.dan?.received;
      }, 200),
    );
    assert.equal(await bytesThisMonth(app, 'dan'), wire.dan?.received);
  });
});
