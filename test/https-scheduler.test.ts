import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { runCertificatePass } from '../src/app/certificate-scheduler.js';
import { requestCertificateFor } from '../src/app/request-certificate.js';
import type { CertificateFiles, HostDrivers } from '../src/host/ports.js';
import { ALL_SCOPES, type TestApp, makeApp } from './support/app.js';
import { FakeCa } from './support/fake-ca.js';
import { panelClient } from './support/panel.js';
import { type WhmClient, whmClient } from './support/whm.js';

const HOUR = 3_600_000;

/** counting wraps the certificate files so that a test sees every call the scheduler makes to them. */
function counting(calls: string[]) {
  return (host: HostDrivers): HostDrivers => {
    const real = host.certificates;
    const seen =
      <A extends unknown[], R>(name: string, fn: (...a: A) => R) =>
      (...a: A): R => {
        calls.push(name);
        return fn(...a);
      };
    const wrapped: CertificateFiles = {
      challengeDir: real.challengeDir,
      pathsOf: (user, version) => real.pathsOf(user, version),
      install: seen('install', (u: string, v: string, k: string, c: string) => real.install(u, v, k, c)),
      remove: seen('remove', (u: string, v: string) => real.remove(u, v)),
      removeAll: seen('removeAll', (u: string) => real.removeAll(u)),
      users: seen('users', () => real.users()),
      sweep: seen('sweep', (u: string, keep: string | null) => real.sweep(u, keep)),
      putChallenge: seen('putChallenge', (t: string, k: string) => real.putChallenge(t, k)),
      removeChallenge: seen('removeChallenge', (t: string) => real.removeChallenge(t)),
    };
    return { ...host, certificates: wrapped };
  };
}

describe('HTTPS: the certificate scheduler, its back-off and its doors (sandbox, a stand-in CA)', () => {
  const ca = new FakeCa();
  const calls: string[] = [];
  let clock = new Date();
  let app: TestApp;
  let token: string;
  let whm: WhmClient;

  before(async () => {
    app = await makeApp(
      { VANTA_ACME_DIRECTORY: 'https://ca.invalid/directory' },
      { ca, now: () => clock, wrapHost: counting(calls) },
    );
    token = await app.token(ALL_SCOPES);
    whm = await whmClient(app);
  });
  after(() => app?.close());

  const ctx = () => app.rt.ctx;
  const cert = async (user: string) => {
    const state = await ctx().store.certificates.get(user);
    assert.ok(state, `${user} has a certificate row`);
    return state;
  };
  const siteOf = (user: string) => readFile(join(app.dir, 'nginx', 'sites', `${user}.conf`), 'utf8');
  const filesOf = async (user: string) => (await readdir(join(app.dir, 'certs', user)).catch(() => [])).sort();
  const lastAudit = async (action: string) => (await ctx().store.audit.list({ limit: 1, action }))[0];

  test('create asks for a certificate without waiting; the next pass issues and installs it', async () => {
    const made = await app.api('POST', 'api=accounts', { token, body: { user: 'alice', domain: 'alice.example' } });
    assert.equal(made.statusCode, 201);
    assert.deepEqual(made.json().account.tls, { status: 'pending', expires_at: null });
    assert.equal(ca.orders.length, 0, 'create did not contact the CA');

    const pass = await runCertificatePass(ctx());
    assert.deepEqual(
      pass.attempts.map((a) => [a.user, a.outcome]),
      [['alice', 'issued']],
    );
    assert.deepEqual(ca.orders[0], ['alice.example', 'www.alice.example']);
    const state = await cert('alice');
    assert.equal(state.status, 'valid');
    assert.ok(state.version);
    const site = await siteOf('alice');
    assert.match(site, new RegExp(`ssl_certificate "${join(app.dir, 'certs', 'alice', state.version)}\\.crt";`));
    assert.match(site, /return 301 https:\/\/\$host\$request_uri;/, 'force_https is on by default');
    const shown = await app.api('GET', 'api=account&user=alice', { token });
    assert.deepEqual(shown.json().account.tls, { status: 'valid', expires_at: state.notAfter });
    const entry = await lastAudit('certificate.issue');
    assert.deepEqual([entry?.actor.type, entry?.actor.name, entry?.outcome], ['system', 'acme', 'ok']);
  });

  test('renewal is due when a third of the lifetime remains, not before', async () => {
    const state = await cert('alice');
    const lifetime = Date.parse(state.notAfter ?? '') - Date.parse(state.notBefore ?? '');
    const due = Date.parse(state.nextAttemptAt ?? '');
    assert.equal(due, Date.parse(state.notAfter ?? '') - Math.floor(lifetime / 3));
    const orders = ca.orders.length;
    clock = new Date(due - 60_000);
    calls.length = 0;
    assert.deepEqual((await runCertificatePass(ctx())).attempts, []);
    assert.equal(ca.orders.length, orders, 'nothing is renewed before its time');
    assert.deepEqual(calls, [], 'a pass with nothing due touches no certificate file');

    const before = await filesOf('alice');
    clock = new Date(due + 60_000);
    const pass = await runCertificatePass(ctx());
    assert.deepEqual(
      pass.attempts.map((a) => a.outcome),
      ['issued'],
    );
    const renewed = await cert('alice');
    assert.notEqual(renewed.version, state.version);
    const after = await filesOf('alice');
    assert.deepEqual(after, [`${renewed.version}.crt`, `${renewed.version}.key`]);
    for (const f of before) assert.ok(!after.includes(f), `the old ${f} is gone`);
    assert.equal((await lastAudit('certificate.renew'))?.outcome, 'ok');
  });

  test("the CA's renewal window is followed where it offers one", async () => {
    const start = new Date(clock.getTime() + 10 * 24 * HOUR);
    const end = new Date(start.getTime() + 2 * 24 * HOUR);
    ca.window = { start, end };
    try {
      await ctx().store.certificates.request('alice', ['alice.example', 'www.alice.example'], clock.toISOString());
      await runCertificatePass(ctx());
      const state = await cert('alice');
      const next = Date.parse(state.nextAttemptAt ?? '');
      assert.ok(next >= start.getTime() && next <= end.getTime(), `${state.nextAttemptAt} is inside the window`);
      assert.equal(state.ariStart, start.toISOString());
    } finally {
      ca.window = null;
    }
  });

  test('failures keep the certificate, record the CA text and back off 1 h, 2 h, 4 h … up to 24 h', async () => {
    const good = await cert('alice');
    const problem =
      'urn:ietf:params:acme:error:connection: 127.0.0.2: Fetching http://alice.example/: Connection refused';
    ca.failWith = problem;
    try {
      const waits: number[] = [];
      clock = new Date(Date.parse(good.nextAttemptAt ?? '') + 1000);
      for (let i = 0; i < 7; i++) {
        const pass = await runCertificatePass(ctx());
        assert.deepEqual(
          pass.attempts.map((a) => a.outcome),
          ['failed'],
        );
        const state = await cert('alice');
        assert.equal(state.status, 'failed');
        assert.equal(state.lastError, problem, "the CA's own text is kept");
        assert.equal(state.version, good.version, 'the working certificate is kept');
        const next = Date.parse(state.nextAttemptAt ?? '');
        waits.push((next - clock.getTime()) / HOUR);
        clock = new Date(next + 1000);
      }
      assert.deepEqual(waits, [1, 2, 4, 8, 16, 24, 24]);
      assert.match(await siteOf('alice'), new RegExp(`${good.version}\\.crt`), 'the site still serves it');
      const entry = await lastAudit('certificate.renew');
      assert.deepEqual([entry?.actor.name, entry?.outcome], ['acme', 'certificate_failed']);
      assert.equal(entry?.params.error, problem);

      const dashboard = await whm.get('/');
      assert.equal(dashboard.statusCode, 200);
      assert.match(dashboard.body, /Certificates to check/);
      assert.match(dashboard.body, /alice\.example<\/a> failed/);
      assert.ok(dashboard.body.includes('Connection refused'), 'the dashboard shows the CA text');
      const page = await whm.get('/accounts/alice');
      assert.match(page.body, /<h2 id="h-https">HTTPS<\/h2>/);
      assert.ok(page.body.includes('Connection refused'));
    } finally {
      ca.failWith = null;
    }
  });

  test('the vWHM button asks for a certificate now; the redirect can be turned off', async () => {
    const posted = await whm.post('/accounts/alice/certificate', {}, { from: '/accounts/alice' });
    assert.equal(posted.statusCode, 303);
    const state = await cert('alice');
    assert.equal(state.nextAttemptAt, clock.toISOString(), 'due at once');
    assert.equal(state.failures, 0, 'the back-off starts over');
    assert.deepEqual(
      (await runCertificatePass(ctx())).attempts.map((a) => a.outcome),
      ['issued'],
    );
    assert.equal((await cert('alice')).status, 'valid');

    const off = await whm.post('/accounts/alice/https', { force_https: 'off' }, { from: '/accounts/alice' });
    assert.equal(off.statusCode, 303);
    const site = await siteOf('alice');
    assert.doesNotMatch(site, /return 301/);
    assert.match(site, /ssl http2;/, 'TLS is still served');
    assert.equal((await lastAudit('certificate.force_https'))?.outcome, 'ok');
  });

  test('a certificate is never served for names it does not carry, and terminate removes key and certificate', async () => {
    const made = await app.api('POST', 'api=accounts', { token, body: { user: 'bob', domain: 'bob.example' } });
    assert.equal(made.statusCode, 201);
    await runCertificatePass(ctx());
    const state = await cert('bob');
    assert.equal(state.status, 'valid');
    assert.equal((await filesOf('bob')).length, 2);
    const gone = await app.api('DELETE', 'api=account&user=bob', { token });
    assert.equal(gone.statusCode, 200);
    assert.equal(existsSync(join(app.dir, 'certs', 'bob')), false, 'the files went with the account');
    assert.equal(await ctx().store.certificates.get('bob'), undefined);

    // A new account of the same name and another domain starts from nothing.
    const again = await app.api('POST', 'api=accounts', { token, body: { user: 'bob', domain: 'other.example' } });
    assert.equal(again.statusCode, 201);
    assert.deepEqual(again.json().account.tls, { status: 'pending', expires_at: null });
    assert.doesNotMatch(await siteOf('bob'), /ssl_certificate/);
  });
});

describe('HTTPS: an account whose domain changes during an issuance', () => {
  let app: TestApp;
  const ca = new FakeCa();
  before(async () => {
    app = await makeApp({ VANTA_ACME_DIRECTORY: 'https://ca.invalid/directory' }, { ca });
  });
  after(() => app?.close());

  test('the certificate for the old names is not installed and the request for the new names stays due, without back-off', async () => {
    const token = await app.token(ALL_SCOPES);
    const made = await app.api('POST', 'api=accounts', { token, body: { user: 'erin', domain: 'old.example' } });
    assert.equal(made.statusCode, 201);
    const ctx = app.rt.ctx;
    const issue = ca.issue.bind(ca);
    ca.issue = async (domains, answers) => {
      const issued = await issue(domains, answers);
      // What a domain change (made by its own use case, under the account's lock) leaves behind.
      const db = new BetterSqlite3(join(app.dir, 'vanta.db'));
      try {
        db.prepare('update accounts set domain = ? where user = ?').run('new.example', 'erin');
      } finally {
        db.close();
      }
      await requestCertificateFor(ctx, 'erin', 'new.example');
      ca.issue = issue;
      return issued;
    };
    const first = await runCertificatePass(ctx);
    assert.deepEqual(
      first.attempts.map((a) => a.outcome),
      ['skipped'],
    );
    const state = await ctx.store.certificates.get('erin');
    assert.deepEqual(state?.domains, ['new.example', 'www.new.example']);
    assert.equal(state?.version, null, 'nothing was installed for the old names');
    assert.equal(state?.failures, 0);
    assert.ok(Date.parse(state?.nextAttemptAt ?? '') <= Date.now(), 'the new request is due at once');
    assert.deepEqual(await readdir(join(app.dir, 'certs', 'erin')), [], 'the pair for the old names is gone');
    const second = await runCertificatePass(ctx);
    assert.deepEqual(
      second.attempts.map((a) => a.outcome),
      ['issued'],
    );
    assert.deepEqual(ca.orders.at(-1), ['new.example', 'www.new.example']);
  });
});

describe('HTTPS: a domain change of an account that has a certificate', () => {
  let app: TestApp;
  const ca = new FakeCa();
  before(async () => {
    app = await makeApp({ VANTA_ACME_DIRECTORY: 'https://ca.invalid/directory' }, { ca });
  });
  after(() => app?.close());

  test('the pair for the old names is never served for the new domain; the change asks for one and the next pass installs it', async () => {
    const token = await app.token(ALL_SCOPES);
    const ctx = app.rt.ctx;
    const site = () => readFile(join(app.dir, 'nginx', 'sites', 'fern.conf'), 'utf8');
    const made = await app.api('POST', 'api=accounts', { token, body: { user: 'fern', domain: 'fern.example' } });
    assert.equal(made.statusCode, 201);
    await runCertificatePass(ctx);
    const old = await ctx.store.certificates.get('fern');
    assert.equal(old?.status, 'valid');
    assert.match(await site(), /ssl_certificate /);

    const changed = await app.api('POST', 'api=account&action=domain&user=fern', {
      token,
      body: { domain: 'fern-new.example' },
    });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.doesNotMatch(await site(), /ssl_certificate/, 'the old pair does not carry the new names');
    // Any later rewrite of the block (a suspend, an unsuspend) must not bring the old pair back.
    for (const action of ['suspend', 'unsuspend']) {
      const res = await app.api('POST', `api=account&action=${action}&user=fern`, { token });
      assert.equal(res.statusCode, 200, res.body);
      assert.doesNotMatch(await site(), /ssl_certificate/, `after ${action}`);
    }
    const due = await ctx.store.certificates.get('fern');
    assert.ok(Date.parse(due?.nextAttemptAt ?? '') <= Date.now(), 'the change made a certificate due at once');

    const pass = await runCertificatePass(ctx);
    assert.deepEqual(
      pass.attempts.map((a) => [a.user, a.outcome]),
      [['fern', 'issued']],
    );
    assert.deepEqual(ca.orders.at(-1), ['fern-new.example', 'www.fern-new.example']);
    const now = await ctx.store.certificates.get('fern');
    assert.deepEqual(now?.domains, ['fern-new.example', 'www.fern-new.example']);
    assert.match(await site(), /server_name fern-new\.example www\.fern-new\.example;[\s\S]*ssl_certificate /);
  });
});

describe("HTTPS: the owner's dashboard card", () => {
  const ca = new FakeCa();
  let app: TestApp;
  before(async () => {
    app = await makeApp({ VANTA_ACME_DIRECTORY: 'https://ca.invalid/directory' }, { ca });
  });
  after(() => app?.close());

  test('shows the certificate and asks for one with a CSRF-checked form', async () => {
    const token = await app.token(ALL_SCOPES);
    const password = 'correct-horse-battery-9';
    const made = await app.api('POST', 'api=accounts', {
      token,
      body: { user: 'dave', domain: 'dave.example', password },
    });
    assert.equal(made.statusCode, 201);
    const owner = panelClient(app);
    assert.equal((await owner.signIn('dave', password)).statusCode, 303);
    const home = await owner.get('/');
    assert.match(home.body, /<h2 id="h-https">HTTPS<\/h2>/);
    assert.match(home.body, /<dd>pending<\/dd>/);

    const forged = await owner.post('/certificate', {}, { from: '/', csrf: 'not-the-token' });
    assert.equal(forged.statusCode, 403, 'a form without its CSRF token is refused');
    await runCertificatePass(app.rt.ctx);
    assert.match((await owner.get('/')).body, /<dd>valid<\/dd>/);

    const asked = await owner.post('/certificate', {}, { from: '/' });
    assert.equal(asked.statusCode, 303);
    const state = await app.rt.ctx.store.certificates.get('dave');
    assert.ok(state && Date.parse(state.nextAttemptAt ?? '') <= Date.now(), 'due at once');
    const [entry] = await app.rt.ctx.store.audit.list({ limit: 1, action: 'certificate.request' });
    assert.deepEqual([entry?.actor.type, entry?.actor.name, entry?.outcome], ['owner', 'dave', 'ok']);
  });
});

describe('HTTPS: certificates off', () => {
  let app: TestApp;
  before(async () => {
    app = await makeApp();
  });
  after(() => app?.close());

  test('with VANTA_ACME_DIRECTORY=off, no certificate is asked for and vWHM shows no HTTPS section', async () => {
    const token = await app.token(ALL_SCOPES);
    const made = await app.api('POST', 'api=accounts', { token, body: { user: 'carol', domain: 'carol.example' } });
    assert.equal(made.statusCode, 201);
    assert.deepEqual(made.json().account.tls, { status: 'none', expires_at: null });
    assert.equal(await app.rt.ctx.store.certificates.get('carol'), undefined);
    const whm = await whmClient(app);
    const page = await whm.get('/accounts/carol');
    assert.doesNotMatch(page.body, /h-https/);
  });
});

// The finding: stop waited for the whole pass in progress, up to 100 attempts one after the other,
// each of which can take minutes when the CA does not answer (acme-client retries on its own), so
// `vanta serve` did not stop on SIGTERM until its service manager killed it.
describe('HTTPS: stopping during a pass', () => {
  let app: TestApp;
  const ca = new FakeCa();
  before(async () => {
    app = await makeApp({ VANTA_ACME_DIRECTORY: 'https://ca.invalid/directory' }, { ca });
  });
  after(() => app?.close());

  test('stop waits for the attempt in progress only; the rest of the pass stays due', async () => {
    const token = await app.token(ALL_SCOPES);
    for (const user of ['stopa', 'stopb', 'stopc']) {
      const made = await app.api('POST', 'api=accounts', { token, body: { user, domain: `${user}.example` } });
      assert.equal(made.statusCode, 201);
    }
    const scheduler = app.rt.certificates;
    assert.ok(scheduler, 'certificates are on');
    const issue = ca.issue.bind(ca);
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = () => {};
    const firstStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    ca.issue = async (domains, answers) => {
      started();
      await released;
      return issue(domains, answers);
    };
    scheduler.start();
    await firstStarted;
    const stopped = scheduler.stop();
    release();
    await stopped;
    assert.equal(ca.orders.length, 1, 'one attempt was made, the one under way when stop came');
    const due = await app.rt.ctx.store.certificates.due(new Date().toISOString(), 10);
    assert.equal(due.length, 2, 'the two the pass had left are still due');
  });
});
