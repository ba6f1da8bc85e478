import assert from 'node:assert/strict';
import { request } from 'node:http';
import { type Socket, connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Tokens } from '@fastify/csrf';
import { addAdmin } from '../src/app/admins.js';
import type { PasswordHasher } from '../src/host/ports.js';
import { type TestApp, fastHasher, listeningSuite, makeApp } from './support/app.js';
import { auditMark, expectAudit } from './support/audit.js';
import { until } from './support/wait.js';
import { basicAuth, encodeForm, whmClient, whmSuite } from './support/whm.js';

// Regression tests of issue 16 (hardening) for vWHM: each describe names its finding.

/**
 * GatedHasher holds every password check until the test opens its gate, so a test can see how
 * many checks a burst of requests started before any of them ended, without timing anything.
 */
class GatedHasher implements PasswordHasher {
  waiting = 0;
  private release: () => void = () => {};
  private readonly gate = new Promise<void>((resolve) => {
    this.release = resolve;
  });
  private readonly inner = fastHasher();

  hash(password: string): Promise<string> {
    return this.inner.hash(password);
  }

  async verify(hash: string, password: string): Promise<boolean> {
    this.waiting++;
    await this.gate;
    return this.inner.verify(hash, password);
  }

  open(): void {
    this.release();
  }
}

/** getStatus sends one GET on a connection of its own and resolves to the status. */
function getStatus(port: number, authorization: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { authorization }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** GatedWhm is a vWHM listening on a loopback port, with the admin alice and a gated hasher. */
interface GatedWhm {
  app: TestApp;
  hasher: GatedHasher;
  port: number;
}

const PASSWORD = 'correct-horse-battery-9';

/** gatedWhm registers before/after hooks that start a GatedWhm with `env`, and close it. */
function gatedWhm(env: Record<string, string>): GatedWhm {
  const suite = {} as GatedWhm;
  before(async () => {
    suite.hasher = new GatedHasher();
    suite.app = await makeApp(env, { hasher: suite.hasher });
    await addAdmin(suite.app.rt.ctx, 'alice', PASSWORD);
    await suite.app.whm.listen({ host: '127.0.0.1', port: 0 });
    const address = suite.app.whm.server.address();
    assert.ok(address && typeof address === 'object');
    suite.port = address.port;
  });
  after(() => suite.app.close());
  return suite;
}

describe('16.2: the vWHM sign-in limiter counts an attempt before the password is checked', () => {
  const t = gatedWhm({ VANTA_AUTH_FAIL_LIMIT: '20', VANTA_MAX_CONNECTIONS: '5000' });

  it('1,000 parallel wrong passwords from one address: at most 20 are checked, the rest get 429', async () => {
    const statuses: number[] = [];
    const burst = Array.from({ length: 1000 }, () =>
      getStatus(t.port, basicAuth('alice', 'wrong-password-x')).then((s) => {
        statuses.push(s);
        return s;
      }),
    );
    // Every request has arrived once each is either held in a password check or answered.
    await until(() => t.hasher.waiting + statuses.length >= 1000);
    t.hasher.open();
    const all = await Promise.all(burst);
    assert.equal(all.filter((s) => s === 401).length + all.filter((s) => s === 429).length, 1000);
    assert.ok(all.filter((s) => s === 401).length <= 20, `${all.filter((s) => s === 401).length} were checked`);
    assert.ok(t.hasher.waiting <= 20, `${t.hasher.waiting} password checks ran`);
  });
});

describe('16.2: a right password inside a burst that passed the limit gets 429', () => {
  const t = gatedWhm({ VANTA_AUTH_FAIL_LIMIT: '20' });

  it('100 parallel wrong passwords, then the right one while they are still being checked', async () => {
    let answered = 0;
    const wrong = Array.from({ length: 100 }, () =>
      getStatus(t.port, basicAuth('alice', 'wrong-password-x')).finally(() => {
        answered++;
      }),
    );
    await until(() => t.hasher.waiting + answered >= 100);
    const right = getStatus(t.port, basicAuth('alice', PASSWORD)).finally(() => {
      answered++;
    });
    // The right password is answered at once, or waits in a check like the others.
    await until(() => t.hasher.waiting + answered >= 101);
    t.hasher.open();
    assert.equal(await right, 429);
    const statuses = await Promise.all(wrong);
    assert.ok(statuses.filter((s) => s === 401).length <= 20);
  });
});

describe('16.11: vWHM refuses an unauthenticated request before reading its body', () => {
  const t = listeningSuite();

  for (const [name, authorization] of [
    ['no credentials', ''],
    ['wrong credentials', `Authorization: ${basicAuth('nobody', 'wrong-password-x')}\r\n`],
  ]) {
    it(`${name}: a 100 MB upload is answered 401 and the connection closed before the body is sent`, async () => {
      const socket = await new Promise<Socket>((resolve, reject) => {
        const s = connect(t.port('whm'), '127.0.0.1', () => resolve(s));
        s.on('error', reject);
      });
      let received = '';
      let sent = 0;
      socket.on('data', (d: Buffer) => {
        received += d.toString('latin1');
      });
      socket.on('error', () => {});
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      const head = `POST /plans HTTP/1.1\r\nHost: x\r\n${authorization}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000000\r\n\r\n`;
      socket.write(head);
      // Send the body in pieces, as a client would, for as long as the connection stays open.
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      while (!socket.destroyed && !socket.writableEnded && sent < 100_000_000) {
        await new Promise<void>((resolve) => socket.write(chunk, () => resolve()));
        sent += chunk.length;
        if (sent >= 8 * 1024 * 1024) break;
      }
      await closed;
      assert.match(received, /^HTTP\/1\.1 401 /, received);
      assert.match(received, /\r\nconnection: close\r\n/i);
      assert.ok(sent < 8 * 1024 * 1024, `the server read on until ${sent} bytes were sent`);
    });
  }
});

describe('16.9: every vWHM POST must come from vWHM itself, with a CSRF token bound to the signed-in admin', () => {
  const t = whmSuite();
  const form = (name: string, csrf: string) => encodeForm({ name, _csrf: csrf });
  const post = (headers: Record<string, string>, payload: string) =>
    t.app.whm.inject({
      method: 'POST',
      url: '/plans',
      headers: {
        authorization: basicAuth('alice', 'correct-horse-battery-9'),
        'content-type': 'application/x-www-form-urlencoded',
        ...headers,
      },
      payload,
    });
  /** aliceForm returns a real CSRF cookie and token of alice's, as her browser holds them. */
  const aliceForm = async () => {
    const token = await t.whm.csrfFrom('/plans');
    return { cookie: `vwhm_csrf=${t.whm.cookies.get('vwhm_csrf')}`, token };
  };

  for (const [name, headers] of [
    ['Origin of another site', { origin: 'http://evil.example' }],
    ['Origin null', { origin: 'null' }],
    ['Origin with another port', { origin: 'http://localhost:8080' }],
    ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site same-site', { 'sec-fetch-site': 'same-site' }],
  ] as const) {
    it(`${name}: 403 with a page that says why, an audit entry, and nothing changed`, async () => {
      const { cookie, token } = await aliceForm();
      const mark = await auditMark(t.app);
      const res = await post({ cookie, ...headers }, form('crossplan', token));
      assert.equal(res.statusCode, 403, res.body);
      assert.match(res.body, /came from another site/);
      assert.equal(await t.app.rt.ctx.store.plans.get('crossplan'), undefined);
      await expectAudit(
        t.app,
        { action: 'whm.form', outcome: 'cross_origin', status: 403, actor: { type: 'admin', name: 'alice' } },
        mark,
      );
    });
  }

  it('the own origin, or a same-origin or user-initiated fetch, is accepted', async () => {
    let i = 0;
    const accepted: Record<string, string>[] = [
      { origin: 'http://localhost' },
      { origin: 'http://localhost:80' },
      { 'sec-fetch-site': 'same-origin' },
      { 'sec-fetch-site': 'none' },
      {},
    ];
    for (const headers of accepted) {
      const { cookie, token } = await aliceForm();
      const res = await post({ cookie, ...headers }, form(`own${++i}`, token));
      assert.equal(res.statusCode, 303, `${JSON.stringify(headers)}: ${res.body}`);
    }
  });

  it('a CSRF cookie and token planted by someone else do not validate', async () => {
    // The attacker makes a secret and a token with the same library, without the server's key.
    const tokens = new Tokens({ userInfo: false });
    const secret = tokens.secretSync();
    const res = await post({ cookie: `vwhm_csrf=${secret}` }, form('planted', tokens.create(secret)));
    assert.equal(res.statusCode, 403);
    assert.equal(await t.app.rt.ctx.store.plans.get('planted'), undefined);
  });

  it("another admin's CSRF cookie and token do not validate for alice", async () => {
    const bob = await whmClient(t.app, 'bob', 'another-strong-pass-7');
    const token = await bob.csrfFrom('/plans');
    const res = await post({ cookie: `vwhm_csrf=${bob.cookies.get('vwhm_csrf')}` }, form('bobs', token));
    assert.equal(res.statusCode, 403);
    assert.equal(await t.app.rt.ctx.store.plans.get('bobs'), undefined);
  });
});
