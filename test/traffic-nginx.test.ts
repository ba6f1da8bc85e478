import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EMPTY_TRAFFIC_STATE, type MonthTraffic, type TrafficLogState } from '../src/domain/traffic.js';
import { renderServerBlock } from '../src/host/nginx/server-block.js';
import { NginxTrafficLogs } from '../src/host/traffic/nginx-traffic-logs.js';
import { rotatedPath } from '../src/host/traffic/traffic-log-reader.js';
import { nginxReopen } from '../src/host/traffic/traffic-log-rotator.js';
import { NGINX_BIN, PrivateNginx, type Wire, eventually, freePort, rawGet, zeroWire as zero } from './support/nginx.js';

const sum = (months: readonly MonthTraffic[]): Wire => ({
  requests: months.reduce((s, m) => s + m.requests, 0),
  sent: months.reduce((s, m) => s + m.requestBytes, 0),
  received: months.reduce((s, m) => s + m.bytesSent, 0),
});

const add = (a: Wire, b: Wire): Wire => ({
  requests: a.requests + b.requests,
  sent: a.sent + b.sent,
  received: a.received + b.received,
});

/** Account is one site of the test and what the panel has counted of it so far. */
interface Account {
  user: string;
  domain: string;
  wire: Wire;
  counted: Wire;
  state: TrafficLogState;
}

describe('traffic metered from the logs of a real nginx', () => {
  let dir: string;
  let port: number;
  let nginx: PrivateNginx;
  let logs: NginxTrafficLogs;
  const files = ['/tiny.txt', '/page.html', '/big.bin'];
  const accounts: Account[] = ['alice', 'bob'].map((user) => ({
    user,
    domain: `${user}.example`,
    wire: zero(),
    counted: zero(),
    state: EMPTY_TRAFFIC_STATE,
  }));
  const [alice, bob] = accounts as [Account, Account];
  const now = () => new Date();

  const read = async (a: Account) => {
    const r = await logs.read(a.user, a.state, now());
    a.state = r.state;
    a.counted = add(a.counted, sum(r.months));
    return r;
  };
  /**
   * caughtUp reads an account's log until every answered request is counted: nginx writes a request's line only
   * after its answer went out, so under load the client can see an answer whose line is not written yet.
   */
  const caughtUp = async (a: Account) => {
    await eventually(async () => {
      await read(a);
      return a.counted.requests >= a.wire.requests;
    }, 200);
  };
  const traffic = async (a: Account, count: number) => {
    for (let i = 0; i < count; i++) assert.equal(await rawGet(port, a.domain, files[i % 3] ?? '/', a.wire), 200);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vanta-traffic-nginx-'));
    // nginx's workers run as nobody here, as www-data in production: they must reach the logs.
    chmodSync(dir, 0o711);
    port = await freePort();
    const sites = join(dir, 'sites');
    mkdirSync(sites);
    nginx = new PrivateNginx(join(dir, 'nginx'), port, sites);
    // Two workers, not running as root: a rotation must reach every worker, as on a real server.
    const conf = join(nginx.prefix, 'nginx.conf');
    const asRoot = process.getuid?.() === 0;
    writeFileSync(
      conf,
      readFileSync(conf, 'utf8')
        .replace(/^user root;\n/, asRoot ? 'user nobody nogroup;\n' : '')
        .replace('worker_processes 1;', 'worker_processes 2;'),
    );
    assert.match(
      readFileSync(conf, 'utf8'),
      asRoot ? /^user nobody nogroup;\nworker_processes 2;/ : /^worker_processes 2;/,
    );
    logs = new NginxTrafficLogs({
      dir: join(dir, 'traffic'),
      buffer: null,
      reopen: nginxReopen({ bin: NGINX_BIN, args: nginx.args, command: null, timeoutMs: 10_000 }),
    });
    const buffered = new NginxTrafficLogs({
      dir: join(dir, 'traffic'),
      buffer: { bytes: 8192, flushSeconds: 3600 },
      reopen: async () => {},
    });
    await logs.writeLogFormat(sites);
    for (const a of accounts) {
      const root = join(dir, 'homes', a.user);
      mkdirSync(root, { recursive: true, mode: 0o755 });
      writeFileSync(join(root, 'tiny.txt'), 'x');
      writeFileSync(join(root, 'page.html'), `<h1>${a.user}</h1>\n`.repeat(40));
      writeFileSync(join(root, 'big.bin'), Buffer.alloc(300_000 + a.user.length * 7777, 7));
      // bob's log is buffered in the workers: only a reopen (or the flush timer) writes it out.
      const directive = (a === bob ? buffered : logs).accessLog(a.user);
      const block = renderServerBlock({
        user: a.user,
        domain: a.domain,
        listen: `127.0.0.1:${port}`,
        tlsListen: '443',
        challengeDir: join(root, '.acme-challenge'),
        tls: null,
        root,
        suspended: false,
        suspendedRoot: root,
        phpSocket: null,
        accessLog: directive,
      });
      writeFileSync(join(sites, `${a.user}.conf`), block);
      await logs.prepare(a.user);
    }
    const check = await nginx.test();
    assert.ok(check.ok, check.output);
    await nginx.start();
  });

  after(async () => {
    await nginx?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts exactly the bytes each request sent and received, per account', async () => {
    await traffic(alice, 9);
    await traffic(bob, 4);
    const r = await read(alice);
    await caughtUp(alice);
    assert.deepEqual(alice.counted, alice.wire);
    assert.equal(alice.state.current?.offset, statSync(join(dir, 'traffic', 'alice.log')).size);
    assert.deepEqual([r.malformed, r.drained, r.events], [0, true, []]);
    assert.ok(alice.wire.received > 3 * 300_000, 'the big file was counted with its headers');
  });

  it('reads only the bytes appended since the last read', async () => {
    const before = alice.state.current?.offset ?? -1;
    await traffic(alice, 5);
    let [bytesRead, lines] = [0, 0];
    await eventually(async () => {
      const r = await read(alice);
      [bytesRead, lines] = [bytesRead + r.bytesRead, lines + r.lines];
      return lines >= 5;
    }, 200);
    const size = statSync(join(dir, 'traffic', 'alice.log')).size;
    assert.equal(bytesRead, size - before);
    assert.equal(lines, 5);
    assert.deepEqual(alice.counted, alice.wire);
    assert.equal((await read(alice)).bytesRead, 0);
  });

  it('loses and doubles nothing when the logs rotate in the middle of traffic', async () => {
    for (const a of accounts) await read(a);
    let busy = true;
    const keepBusy = async (a: Account) => {
      while (busy) await traffic(a, 1);
    };
    const load = Promise.all([keepBusy(alice), keepBusy(alice), keepBusy(bob), keepBusy(bob)]);
    while (alice.wire.requests < 30) await new Promise((r) => setTimeout(r, 10));
    for (const a of accounts) await read(a);
    const states = await logs.rotate(accounts, now());
    accounts.forEach((a, i) => {
      a.state = states[i] ?? a.state;
      assert.ok(a.state.rotated, `${a.user}'s log was rotated`);
    });
    for (const a of accounts) await read(a);
    // Traffic goes on until the workers write to the new log, so that both files get lines.
    const aliceLog = join(dir, 'traffic', 'alice.log');
    assert.ok(
      await eventually(async () => statSync(aliceLog).size > 0, 400),
      'workers that are not root reopen the new log: the traffic directory must be 0711, not 0700',
    );
    busy = false;
    for (const a of accounts) await read(a);
    await load;
    await caughtUp(alice);
    assert.deepEqual(alice.counted, alice.wire);

    // A second rotation deletes the first's `.1`: safe only once every worker writes the new log.
    await traffic(alice, 7);
    await traffic(bob, 7);
    for (const a of accounts) await read(a);
    const again = await logs.rotate(accounts, now());
    accounts.forEach((a, i) => {
      assert.notEqual(again[i]?.rotated?.ino, a.state.rotated?.ino);
      a.state = again[i] ?? a.state;
    });
    await traffic(alice, 11);
    await caughtUp(alice);
    assert.deepEqual(alice.counted, alice.wire);
    // bob's buffered lines reach a file when the workers reopen, which they do on their own time.
    assert.ok(
      await eventually(async () => {
        await read(bob);
        return bob.counted.requests >= bob.wire.requests;
      }, 200),
      `bob: counted ${JSON.stringify(bob.counted)}, sent ${JSON.stringify(bob.wire)}`,
    );
    assert.deepEqual(bob.counted, bob.wire);
    assert.ok(statSync(rotatedPath(join(dir, 'traffic', 'bob.log'))).size > 0);
  });
});
