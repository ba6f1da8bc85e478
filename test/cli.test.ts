import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { CSV_COLUMNS } from '../src/http/whm/audit/csv.js';
import { type Serving, serve } from '../src/main.js';
import { fastHasher } from './support/app.js';
import { runVanta } from './support/cli.js';

describe('the vanta binary against the data directory of a running server', () => {
  let dir: string;
  let serving: Serving;
  let base: string;
  const printed: string[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vanta-cli-'));
    const config = loadConfig({
      VANTA_DATA_DIR: dir,
      VANTA_ACME_DIRECTORY: 'off',
      VANTA_PANEL_PORT: '0',
      VANTA_WHM_PORT: '0',
    });
    serving = await serve(config, (line) => printed.push(line), {
      logger: pino({ level: 'silent' }),
      hasher: fastHasher(),
    });
    const address = serving.panel.server.address();
    assert.ok(address && typeof address === 'object');
    base = `http://127.0.0.1:${address.port}`;
  });
  after(async () => {
    await serving.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const call = (method: string, query: string, token: string, body?: unknown) =>
    fetch(`${base}/?${query}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  it('serve printed the first admin password once, and it opens vWHM', async () => {
    assert.equal(printed.length, 2);
    const password = /password: (\S+)$/.exec(printed[0] ?? '')?.[1];
    assert.ok(password);
    const whm = serving.whm.server.address();
    assert.ok(whm && typeof whm === 'object');
    const url = `http://127.0.0.1:${whm.port}/`;
    assert.equal((await fetch(url)).status, 401);
    assert.equal(
      (
        await fetch(url, {
          headers: { authorization: `Basic ${Buffer.from('admin:wrong-password').toString('base64')}` },
        })
      ).status,
      401,
    );
    const ok = await fetch(url, {
      headers: { authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` },
    });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /Signed in as <strong>admin<\/strong>/);
  });

  let token = '';
  it('token create --json issues a token the running server accepts at once', async () => {
    const r = await runVanta(dir, [
      'token',
      'create',
      '--name',
      'billing',
      '--scopes',
      'accounts:read,accounts:write,accounts:delete',
      '--expires',
      '30d',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out).sort(), ['expires_at', 'id', 'name', 'scopes', 'token']);
    assert.match(out.token, /^vp_[A-Za-z0-9]{32}$/);
    assert.ok(Date.parse(out.expires_at) > Date.now() + 29 * 86_400_000);
    token = out.token;
    const res = await call('GET', 'api=ping', token);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).token.name, 'billing');
  });

  it('account create from the CLI is seen by the API, and an API create by the CLI', async () => {
    const r = await runVanta(dir, [
      'account',
      'create',
      'alice',
      'alice.example',
      '--email',
      'o@alice.example',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.account.status, 'active');
    assert.match(out.password, /^[A-Za-z0-9]{20,}$/);
    const res = await call('GET', 'api=account&user=alice', token);
    assert.equal((await res.json()).account.email, 'o@alice.example');

    assert.equal((await call('POST', 'api=accounts', token, { user: 'bob', domain: 'bob.example' })).status, 201);
    const list = await runVanta(dir, ['account', 'list', '--json']);
    assert.deepEqual(
      JSON.parse(list.stdout).accounts.map((a: { user: string }) => a.user),
      ['alice', 'bob'],
    );
  });

  it('--password-stdin takes the password from stdin and prints none', async () => {
    const r = await runVanta(dir, ['account', 'password', 'alice', '--password-stdin', '--json'], 'stdin-secret-123\n');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { ok: true, user: 'alice' });
  });

  it('suspend, plan and terminate through the CLI', async () => {
    assert.equal(
      (await runVanta(dir, ['plan', 'add', 'starter', '--disk-mb', '1024', '--max-databases', '3'])).code,
      0,
    );
    const plans = JSON.parse((await runVanta(dir, ['plan', 'list', '--json'])).stdout);
    assert.equal(plans[0].disk_mb, 1024);
    assert.equal(plans[0].bandwidth_mb, null);
    const s = JSON.parse((await runVanta(dir, ['account', 'suspend', 'bob', '--reason', 'abuse', '--json'])).stdout);
    assert.equal(s.account.status, 'suspended');
    assert.equal((await runVanta(dir, ['account', 'plan', 'bob', 'starter'])).code, 0);
    assert.equal((await (await call('GET', 'api=account&user=bob', token)).json()).account.plan, 'starter');
    const t = await runVanta(dir, ['account', 'terminate', 'bob', '--json']);
    assert.deepEqual(JSON.parse(t.stdout), { ok: true, user: 'bob', dropped_databases: [] });
    assert.equal((await call('GET', 'api=account&user=bob', token)).status, 404);
  });

  it('plan add takes the PHP settings: on with 5 workers of 256 MiB by default, --no-php turns it off', async () => {
    const on = await runVanta(dir, ['plan', 'add', 'php-default', '--json']);
    assert.equal(on.code, 0, on.stderr);
    const plan = JSON.parse(on.stdout).plan;
    assert.deepEqual([plan.php, plan.php_max_children, plan.php_memory_mb], [true, 5, 256]);
    const off = await runVanta(dir, [
      'plan',
      'add',
      'php-off',
      '--no-php',
      '--php-max-children',
      '3',
      '--php-memory-mb',
      '128',
      '--json',
    ]);
    assert.equal(off.code, 0, off.stderr);
    const offPlan = JSON.parse(off.stdout).plan;
    assert.deepEqual([offPlan.php, offPlan.php_max_children, offPlan.php_memory_mb], [false, 3, 128]);
    const listed = await runVanta(dir, ['plan', 'list']);
    assert.match(listed.stdout, /php-default .* 5 x 256 MiB\n/);
    assert.match(listed.stdout, /php-off .* off\n/);
    for (const [flag, value] of [
      ['--php-max-children', '0'],
      ['--php-memory-mb', '8'],
    ]) {
      const r = await runVanta(dir, ['plan', 'add', 'php-bad', flag ?? '', value ?? '', '--json']);
      assert.equal(r.code, 5, r.stdout + r.stderr);
      assert.equal(JSON.parse(r.stdout).error, 'invalid_parameter');
    }
    for (const name of ['php-default', 'php-off'])
      assert.equal((await runVanta(dir, ['plan', 'delete', name])).code, 0);
  });

  const failures: Array<[string, string[], number, string]> = [
    ['an unknown account', ['account', 'show', 'ghost'], 3, 'account_not_found'],
    ['a bad user name', ['account', 'create', 'Root', 'x.example'], 5, 'invalid_user'],
    ['a taken user', ['account', 'create', 'alice', 'other.example'], 4, 'account_exists'],
    ['a duplicate plan', ['plan', 'add', 'starter'], 4, 'plan_exists'],
    ['an unknown plan', ['plan', 'delete', 'nothing-here'], 5, 'unknown_plan'],
    ['an unknown scope', ['token', 'create', '--name', 'x', '--scopes', 'accounts:all'], 5, 'invalid_parameter'],
    [
      'an expiry in the past',
      ['token', 'create', '--name', 'x', '--scopes', 'accounts:read', '--expires', '2001-01-01'],
      5,
      'invalid_parameter',
    ],
    [
      'a duplicate token name',
      ['token', 'create', '--name', 'billing', '--scopes', 'accounts:read'],
      4,
      'token_exists',
    ],
    ['an unknown token', ['token', 'revoke', 'nope'], 3, 'token_not_found'],
  ];
  for (const [name, args, code, error] of failures) {
    it(`exits ${code} with ${error} for ${name}`, async () => {
      const r = await runVanta(dir, [...args, '--json']);
      assert.equal(r.code, code, r.stdout + r.stderr);
      assert.equal(JSON.parse(r.stdout).error, error);
      assert.match(r.stderr, new RegExp(`\\(${error}\\)`));
    });
  }

  it('refuses to delete a plan in use, then deletes it once free', async () => {
    assert.equal((await runVanta(dir, ['account', 'plan', 'alice', 'starter'])).code, 0);
    const r = await runVanta(dir, ['plan', 'delete', 'starter', '--json']);
    assert.equal(r.code, 4);
    assert.equal(JSON.parse(r.stdout).error, 'plan_in_use');
    assert.equal((await runVanta(dir, ['account', 'plan', 'alice', '--none'])).code, 0);
    assert.equal((await runVanta(dir, ['plan', 'delete', 'starter'])).code, 0);
  });

  it('exits 2 on a usage error', async () => {
    assert.equal((await runVanta(dir, ['account', 'frobnicate'])).code, 2);
    assert.equal((await runVanta(dir, ['token', 'create', '--name', 'x'])).code, 2);
  });

  it('admin add and passwd read the password from the first line of stdin, as passwd does', async () => {
    assert.equal((await runVanta(dir, ['admin', 'add', 'ops'], 'first-password-1\n')).code, 0);
    // printf 'pw\npw\n' | vanta admin passwd ops: the password typed twice, as for passwd.
    const passwd = await runVanta(dir, ['admin', 'passwd', 'ops'], 'second-password-2\nsecond-password-2\n');
    assert.equal(passwd.code, 0, passwd.stderr);
    const whm = serving.whm.server.address();
    assert.ok(whm && typeof whm === 'object');
    const auth = (p: string) => ({ authorization: `Basic ${Buffer.from(`ops:${p}`).toString('base64')}` });
    assert.equal((await fetch(`http://127.0.0.1:${whm.port}/`, { headers: auth('second-password-2') })).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${whm.port}/`, { headers: auth('first-password-1') })).status, 401);
    assert.equal((await runVanta(dir, ['admin', 'add', 'ops'], 'third-password-3\n')).code, 4);
    assert.equal((await runVanta(dir, ['admin', 'add', 'weak'], 'short\n')).code, 5);
  });

  it('token revoke from the CLI stops the token in the running server at once', async () => {
    const r = await runVanta(dir, ['token', 'revoke', 'billing']);
    assert.equal(r.code, 0, r.stderr);
    const res = await call('GET', 'api=ping', token);
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error, 'token_revoked');
    const list = JSON.parse((await runVanta(dir, ['token', 'list', '--json'])).stdout);
    assert.equal(list[0].name, 'billing');
    assert.ok(list[0].revoked_at);
    assert.equal(JSON.stringify(list).includes(token), false, 'token list never shows a secret');
  });

  it('the audit log holds the CLI changes with the actor "cli", and verifies', async () => {
    const r = await runVanta(dir, ['audit', 'list', '--json', '--actor', 'cli', '--limit', '100']);
    assert.equal(r.code, 0, r.stderr);
    const entries = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const actions = new Set(entries.map((e: { action: string }) => e.action));
    for (const a of [
      'token.create',
      'token.revoke',
      'account.create',
      'account.suspend',
      'account.plan',
      'account.terminate',
      'account.password',
      'plan.add',
      'plan.delete',
      'admin.add',
      'admin.passwd',
    ]) {
      assert.ok(actions.has(a), `missing ${a}`);
    }
    assert.ok(entries.every((e: { actor_type: string }) => e.actor_type === 'cli'));
    assert.deepEqual(Object.keys(entries[0]), CSV_COLUMNS, 'one shape: the same fields as the vWHM exports');
    assert.ok(
      entries.some((e: { outcome: string }) => e.outcome === 'account_exists'),
      'failed CLI changes are audited too',
    );
    assert.equal(r.stdout.includes('stdin-secret-123'), false);
    const v = await runVanta(dir, ['audit', 'verify']);
    assert.equal(v.code, 0, v.stdout);
  });
});
