import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import type { LightMyRequestResponse } from 'fastify';
import { purgeIdempotencyKeys } from '../src/app/idempotent-requests.js';
import type { HostDrivers } from '../src/host/ports.js';
import { ALL_SCOPES, type TestApp, apiSuite, makeApp } from './support/app.js';
import { expectAudit } from './support/audit.js';
import { buildPlan } from './support/builders.js';
import { failingHost } from './support/failing-host.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** gate holds `systemUsers.create` of the users named in `held` until `open` is called. */
function gatedHost() {
  const held = new Map<string, { reached: () => void; release: Promise<void> }>();
  const gate = {
    hold(user: string) {
      let open = () => {};
      let reached = () => {};
      const release = new Promise<void>((resolve) => {
        open = resolve;
      });
      const arrived = new Promise<void>((resolve) => {
        reached = resolve;
      });
      held.set(user, { reached, release });
      return { open, arrived };
    },
    wrap: (real: HostDrivers): HostDrivers => {
      const users = real.systemUsers;
      const create = async (spec: Parameters<typeof users.create>[0]) => {
        const hold = held.get(spec.user);
        if (hold) {
          hold.reached();
          await hold.release;
        }
        return users.create(spec);
      };
      const systemUsers = new Proxy(users, {
        get: (target, prop) => (prop === 'create' ? create : Reflect.get(target, prop, target)),
      });
      return { ...real, systemUsers };
    },
  };
  return gate;
}

describe('Idempotency-Key: safe retries of POST calls', () => {
  let app: TestApp;
  let token: string;
  let other: string;
  const clock = { ms: Date.parse('2026-11-28T08:00:00.000Z') };
  const calls: string[] = [];
  const gate = gatedHost();
  before(async () => {
    app = await makeApp(
      { VANTA_PUBLIC_IP: '203.0.113.7' },
      { now: () => new Date(clock.ms), wrapHost: (real) => failingHost({ method: null }, calls)(gate.wrap(real)) },
    );
    token = await app.token(ALL_SCOPES, { name: 'billing' });
    other = await app.token(ALL_SCOPES, { name: 'other-billing' });
  });
  after(() => app.close());

  const post = (query: string, body: unknown, key?: string, use = token) =>
    app.api('POST', query, { token: use, body, headers: key === undefined ? {} : { 'idempotency-key': key } });
  const creates = () => calls.filter((c) => c === 'systemUsers.create').length;
  const auditOf = async (action: string, target: string) =>
    (await app.rt.ctx.store.audit.list({ limit: 100, action, target })).map((e) => [e.outcome, e.status]).reverse();
  const rows = () => {
    const db = new BetterSqlite3(join(app.dir, 'vanta.db'), { readonly: true });
    try {
      return db.prepare('select * from idempotency_keys').all() as Record<string, unknown>[];
    } finally {
      db.close();
    }
  };

  it('a retried create answers the first answer again, generated password included; the account is made once, audited once', async () => {
    const body = { user: 'alice', domain: 'alice.example', email: 'owner@alice.example' };
    const first = await post('api=accounts', body, 'order-1001-create');
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(first.headers['idempotent-replayed'], undefined);
    const password = first.json().password as string;
    assert.equal(typeof password, 'string');
    const retry = await post('api=accounts', body, 'order-1001-create');
    assert.equal(retry.statusCode, 201);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.deepEqual(retry.json(), first.json());
    assert.equal(creates(), 1, 'the system user was made once');
    const record = await app.rt.ctx.store.accounts.get('alice');
    assert.ok(
      record && (await app.rt.ctx.hasher.verify(record.passwordHash, password)),
      'the replayed password is the real one',
    );
    assert.deepEqual(await auditOf('account.create', 'alice'), [
      ['ok', 201],
      ['replayed', 201],
    ]);
  });

  it('the same key with another body answers 422 idempotency_key_reused and changes nothing', async () => {
    const res = await post('api=accounts', { user: 'mallory', domain: 'mallory.example' }, 'order-1001-create');
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().error, 'idempotency_key_reused');
    assert.equal(await app.rt.ctx.store.accounts.get('mallory'), undefined);
    await expectAudit(app, {
      action: 'account.create',
      target: 'mallory',
      outcome: 'idempotency_key_reused',
      status: 422,
    });
  });

  it('the same key with the same query and body in another order is the same request', async () => {
    const res = await post(
      'api=accounts',
      { email: 'owner@alice.example', domain: 'alice.example', user: 'alice' },
      'order-1001-create',
    );
    assert.equal(res.statusCode, 201);
    assert.equal(res.headers['idempotent-replayed'], 'true');
  });

  it('another query (another account, another action) under the same key is another request: 422', async () => {
    const res = await post('api=account&action=suspend&user=alice', {}, 'order-1001-create');
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().error, 'idempotency_key_reused');
    assert.equal((await app.rt.ctx.store.accounts.get('alice'))?.status, 'active');
  });

  it("a key is the token's own: another token's request with it runs", async () => {
    const res = await post(
      'api=accounts',
      { user: 'alice', domain: 'alice.example', email: 'owner@alice.example' },
      'order-1001-create',
      other,
    );
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().error, 'account_exists');
    assert.equal(res.headers['idempotent-replayed'], undefined);
  });

  it('a retry while the first request still runs answers 409 request_in_progress; once it is done, the answer', async () => {
    const hold = gate.hold('bob');
    const body = { user: 'bob', domain: 'bob.example' };
    const first = post('api=accounts', body, 'bob-create');
    await hold.arrived;
    const during = await post('api=accounts', body, 'bob-create');
    assert.equal(during.statusCode, 409);
    assert.equal(during.json().error, 'request_in_progress');
    assert.equal(during.headers['retry-after'], '1');
    const reused = await post('api=accounts', { ...body, email: 'x@bob.example' }, 'bob-create');
    assert.equal(reused.statusCode, 422, 'another body is refused even while the first runs');
    hold.open();
    const done = await first;
    assert.equal(done.statusCode, 201);
    const after = await post('api=accounts', body, 'bob-create');
    assert.equal(after.statusCode, 201);
    assert.equal(after.json().password, done.json().password);
    assert.deepEqual(await auditOf('account.create', 'bob'), [
      ['request_in_progress', 409],
      ['idempotency_key_reused', 422],
      ['ok', 201],
      ['replayed', 201],
    ]);
  });

  it('a failed request is not kept: once the cause is fixed, a retry with the same key runs and succeeds', async () => {
    const body = { user: 'carol', domain: 'carol.example', plan: 'hosting-s' };
    const first = await post('api=accounts', body, 'carol-create');
    assert.equal(first.statusCode, 400);
    assert.equal(first.json().error, 'unknown_plan');
    await buildPlan(app.rt.ctx, 'hosting-s');
    const retry = await post('api=accounts', body, 'carol-create');
    assert.equal(retry.statusCode, 201, retry.body);
    assert.equal(retry.headers['idempotent-replayed'], undefined);
  });

  it('a generated password of the password action is answered again to a retry', async () => {
    const first = await post('api=account&action=password&user=alice', {}, 'alice-reset-7');
    assert.equal(first.statusCode, 200);
    const retry = await post('api=account&action=password&user=alice', undefined, 'alice-reset-7');
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.equal(retry.json().password, first.json().password);
    const record = await app.rt.ctx.store.accounts.get('alice');
    assert.ok(record && (await app.rt.ctx.hasher.verify(record.passwordHash, first.json().password)));
  });

  it('a plan saved with a key: the retry answers 201 created, as the first did', async () => {
    const first = await post('api=plans', { name: 'reseller', disk_mb: 5 }, 'plan-reseller');
    const retry = await post('api=plans', { name: 'reseller', disk_mb: 5 }, 'plan-reseller');
    assert.equal(first.statusCode, 201);
    assert.equal(retry.statusCode, 201);
    assert.equal(retry.json().created, true);
  });

  it('the store keeps neither the key nor the answer in plain text: no password in the SQLite files', async () => {
    const res = await post('api=accounts', { user: 'dave', domain: 'dave.example' }, 'dave-create-key');
    const password = res.json().password as string;
    const row = rows().find(
      (r) => r.status === 201 && String(r.response).length > 0 && !String(r.response).includes('{'),
    );
    assert.ok(row, 'a kept row');
    for (const r of rows()) {
      assert.match(String(r.response), /^s1\./, 'sealed');
      assert.match(String(r.key_hash), /^[0-9a-f]{64}$/);
    }
    const files = await Promise.all(
      ['vanta.db', 'vanta.db-wal'].map((f) => readFile(join(app.dir, f)).catch(() => Buffer.alloc(0))),
    );
    for (const bytes of files) {
      assert.equal(bytes.includes(password), false, 'the generated password is in the store');
      assert.equal(bytes.includes('dave-create-key'), false, 'the Idempotency-Key is in the store');
    }
  });

  it('after 24 hours the answer is gone: a retry runs again, and the purge erases the rows', async () => {
    const before = rows().length;
    assert.ok(before > 0);
    clock.ms += DAY_MS + 1;
    const retry = await post('api=accounts', { user: 'dave', domain: 'dave.example' }, 'dave-create-key');
    assert.equal(retry.statusCode, 409, 'ran again: the account exists now');
    assert.equal(retry.json().error, 'account_exists');
    assert.equal(
      await purgeIdempotencyKeys(app.rt.ctx),
      before - 1,
      'the retry took its expired row and, failing, released it; the purge erased the others',
    );
    assert.equal(rows().length, 0);
  });
});

describe('Idempotency-Key: the header', () => {
  const suite = apiSuite();

  const send = (
    method: string,
    query: string,
    headers: Record<string, string | string[]>,
  ): Promise<LightMyRequestResponse> =>
    suite.app.panel.inject({
      method: method as 'POST',
      url: `/?${query}`,
      headers: { authorization: `Bearer ${suite.token}`, ...headers },
      remoteAddress: '127.0.0.1',
    });

  for (const [name, value] of [
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
    ['not ASCII', 'clé-1'],
    ['sent twice', ['a', 'b']],
  ] as const) {
    it(`${name}: 400 invalid_idempotency_key, before anything runs`, async () => {
      const res = await send('POST', 'api=plans', {
        'idempotency-key': value as string,
        'content-type': 'application/json',
      });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error, 'invalid_idempotency_key');
      assert.deepEqual(await suite.app.rt.ctx.store.plans.list(), []);
    });
  }

  it('255 printable ASCII characters are a key', async () => {
    const key = `${' ~!'.repeat(85)}`;
    const res = await suite.app.api('POST', 'api=plans', {
      token: suite.token,
      body: { name: 'edge' },
      headers: { 'idempotency-key': key },
    });
    assert.equal(res.statusCode, 201, res.body);
  });

  it('GET and DELETE do not read the header', async () => {
    const get = await send('GET', 'api=plans', { 'idempotency-key': '' });
    assert.equal(get.statusCode, 200);
    const del = await send('DELETE', 'api=account&user=ghost', { 'idempotency-key': 'k'.repeat(300) });
    assert.equal(del.json().error, 'account_not_found');
  });

  it('a request refused before its key is looked at leaves no row: the key is still free', async () => {
    const bad = await suite.app.api('POST', 'api=plans', {
      token: suite.token,
      body: { name: 'free', shell: 'yes' },
      headers: { 'idempotency-key': 'free-1' },
    });
    assert.equal(bad.json().error, 'invalid_parameter');
    const good = await suite.app.api('POST', 'api=plans', {
      token: suite.token,
      body: { name: 'free' },
      headers: { 'idempotency-key': 'free-1' },
    });
    assert.equal(good.statusCode, 201);
  });
});
