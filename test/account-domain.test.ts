import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ALL_SCOPES, type TestApp, makeApp } from './support/app.js';
import { expectAudit } from './support/audit.js';
import { runVanta } from './support/cli.js';
import { type StepFault, failingHost } from './support/failing-host.js';
import { PrivateNginx, eventually, freePort, get } from './support/nginx.js';

const block = (app: TestApp, user: string) => readFileSync(join(app.dir, 'nginx', 'sites', `${user}.conf`), 'utf8');

describe('POST /?api=account&action=domain', () => {
  const fault: StepFault = { method: null };
  let app: TestApp;
  let token: string;
  before(async () => {
    app = await makeApp({}, { wrapHost: failingHost(fault) });
    token = await app.token(ALL_SCOPES);
    for (const user of ['alice', 'bob']) {
      const res = await app.api('POST', 'api=accounts', { token, body: { user, domain: `${user}.example` } });
      assert.equal(res.statusCode, 201, res.body);
    }
  });
  after(() => app.close());

  const change = (user: string, body: unknown) =>
    app.api('POST', `api=account&action=domain&user=${user}`, { token, body });

  it('gives the account its new domain, normalized as at create, rewrites its server block and audits it', async () => {
    const res = await change('alice', { domain: 'Shop.ALICE.example.' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().account.domain, 'shop.alice.example');
    assert.equal(res.json().changed, true);
    assert.equal((await app.rt.ctx.store.accounts.get('alice'))?.domain, 'shop.alice.example');
    assert.match(block(app, 'alice'), /server_name shop\.alice\.example www\.shop\.alice\.example;/);
    assert.doesNotMatch(block(app, 'alice'), / alice\.example/);
    await expectAudit(app, {
      action: 'account.domain',
      target: 'alice',
      status: 200,
      params: { action: 'domain', user: 'alice', domain: 'Shop.ALICE.example.' },
    });
  });

  it('answers the domain the account already has with nothing changed', async () => {
    const res = await change('alice', { domain: 'shop.alice.example' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual([res.json().changed, res.json().account.domain], [false, 'shop.alice.example']);
  });

  it('refuses a domain another account has (domain_exists), a bad one, and a missing one', async () => {
    const rows: [unknown, number, string][] = [
      [{ domain: 'bob.example' }, 409, 'domain_exists'],
      [{ domain: 'BOB.example' }, 409, 'domain_exists'],
      [{ domain: 'not a domain' }, 400, 'invalid_domain'],
      [{ domain: '127.0.0.1' }, 400, 'invalid_domain'],
      [{ domain: 'localhost' }, 400, 'invalid_domain'],
      [{}, 400, 'missing_parameter'],
      [{ domain: 7 }, 400, 'invalid_parameter'],
      [{ domain: 'x.example', plan: 'p' }, 400, 'unknown_field'],
    ];
    for (const [body, status, error] of rows) {
      const res = await change('alice', body);
      assert.deepEqual([res.statusCode, res.json().error], [status, error], JSON.stringify(body));
    }
    assert.equal((await app.rt.ctx.store.accounts.get('alice'))?.domain, 'shop.alice.example');
    await expectAudit(app, { action: 'account.domain', outcome: 'unknown_field', status: 400 });
  });

  it("refuses www. of another account's domain and the domain of another account's www.: one site answers both names", async () => {
    for (const domain of ['www.bob.example', 'WWW.bob.example']) {
      const res = await change('alice', { domain });
      assert.deepEqual([res.statusCode, res.json().error], [409, 'domain_exists'], domain);
    }
    const made = await app.api('POST', 'api=accounts', { token, body: { user: 'wendy', domain: 'www.wendy.example' } });
    assert.equal(made.statusCode, 201, made.body);
    const bare = await change('alice', { domain: 'wendy.example' });
    assert.deepEqual([bare.statusCode, bare.json().error], [409, 'domain_exists']);
    const create = await app.api('POST', 'api=accounts', { token, body: { user: 'bobby', domain: 'www.bob.example' } });
    assert.deepEqual([create.statusCode, create.json().error], [409, 'domain_exists']);
    assert.equal(await app.rt.ctx.store.accounts.get('bobby'), undefined);
    assert.equal((await app.rt.ctx.store.accounts.get('alice'))?.domain, 'shop.alice.example');
    // An account may move between its own domain and www. of it.
    const own = await change('wendy', { domain: 'wendy.example' });
    assert.deepEqual([own.statusCode, own.json().account.domain], [200, 'wendy.example']);
    const app2 = await app.api('DELETE', 'api=account&user=wendy', { token });
    assert.equal(app2.statusCode, 200, app2.body);
  });

  it('answers account_not_found and invalid_user like the other calls', async () => {
    const ghost = await change('ghost', { domain: 'ghost.example' });
    assert.deepEqual([ghost.statusCode, ghost.json().error], [404, 'account_not_found']);
    const bad = await change('Bad-Name', { domain: 'ghost.example' });
    assert.deepEqual([bad.statusCode, bad.json().error], [400, 'invalid_user']);
  });

  const faults: [string, string][] = [
    ['webServer.writeSite', 'web_server'],
    ['webServer.reload', 'reload'],
  ];
  for (const [method, step] of faults) {
    it(`failing at ${method} answers provisioning_failed (step ${step}) and puts the old domain back`, async () => {
      const before = block(app, 'bob');
      fault.method = method;
      const res = await change('bob', { domain: 'new-bob.example' });
      fault.method = null;
      assert.deepEqual([res.statusCode, res.json().error, res.json().step], [502, 'provisioning_failed', step]);
      assert.equal((await app.rt.ctx.store.accounts.get('bob'))?.domain, 'bob.example');
      assert.equal(block(app, 'bob'), before);
      assert.deepEqual(await app.rt.ctx.store.operations.list(), []);
      await expectAudit(app, { action: 'account.domain', outcome: 'provisioning_failed', status: 502 });
      // The domain it did not get is free again.
      const other = await change('alice', { domain: 'new-bob.example' });
      assert.equal(other.statusCode, 200);
      assert.equal((await change('alice', { domain: 'shop.alice.example' })).statusCode, 200);
    });
  }

  it('keeps a suspended account suspended: its new domain answers with the suspended page', async () => {
    assert.equal((await app.api('POST', 'api=account&action=suspend&user=bob', { token })).statusCode, 200);
    const res = await change('bob', { domain: 'bob-suspended.example' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().account.status, 'suspended');
    assert.match(block(app, 'bob'), /server_name bob-suspended\.example www\.bob-suspended\.example;/);
    assert.match(block(app, 'bob'), /return 503;/);
    assert.match(block(app, 'bob'), /access_log "[^"]+\/bob\.log" vanta_traffic;/, 'and still logs its traffic');
    assert.equal((await app.api('POST', 'api=account&action=unsuspend&user=bob', { token })).statusCode, 200);
    assert.doesNotMatch(block(app, 'bob'), /return 503;/);
    assert.match(block(app, 'bob'), /server_name bob-suspended\.example /, 'unsuspend keeps the new domain');
  });

  it('is `vanta account domain USER DOMAIN` on the command line, audited as the operator', async () => {
    const out = await runVanta(app.dir, ['account', 'domain', 'bob', 'bob.example.org', '--json']);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(JSON.parse(out.stdout).account.domain, 'bob.example.org');
    const taken = await runVanta(app.dir, ['account', 'domain', 'bob', 'shop.alice.example']);
    assert.notEqual(taken.code, 0);
    assert.match(taken.stderr, /already used/);
    const entries = await app.rt.ctx.store.audit.list({ limit: 2, action: 'account.domain' });
    assert.deepEqual(
      entries.map((e) => [e.actor.type, e.outcome]),
      [
        ['cli', 'domain_exists'],
        ['cli', 'ok'],
      ],
    );
  });
});

describe('a domain change, served by a real nginx', () => {
  let app: TestApp;
  let nginx: PrivateNginx;
  let port: number;
  before(async () => {
    port = await freePort();
    app = await makeApp({ VANTA_NGINX_LISTEN: `127.0.0.1:${port}` });
    const token = await app.token(ALL_SCOPES);
    assert.equal(
      (await app.api('POST', 'api=accounts', { token, body: { user: 'erin', domain: 'erin.example' } })).statusCode,
      201,
    );
    nginx = new PrivateNginx(join(app.dir, 'test-nginx'), port, join(app.dir, 'nginx', 'sites'));
    await nginx.start();
    const res = await app.api('POST', 'api=account&action=domain&user=erin', {
      token,
      body: { domain: 'erin-shop.example' },
    });
    assert.equal(res.statusCode, 200, res.body);
    const check = await nginx.test();
    assert.ok(check.ok, check.output);
    await nginx.reload();
  });
  after(async () => {
    await nginx?.stop();
    await app?.close();
  });

  it('serves the account page for the new domain and its www. name, and no longer for the old one', async () => {
    let streak = 0;
    assert.ok(
      await eventually(async () => {
        streak = (await get(port, 'erin.example')).status === 404 ? streak + 1 : 0;
        return streak >= 3;
      }),
    );
    for (const name of ['erin-shop.example', 'www.erin-shop.example']) {
      const page = await get(port, name);
      assert.equal(page.status, 200, name);
      assert.match(page.body, /<h1>erin\.example<\/h1>/, 'the same public_html');
    }
  });
});
