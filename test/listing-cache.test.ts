import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import type { Store } from '../src/store/store.js';
import { ALL_SCOPES, type TestApp, makeApp } from './support/app.js';

// Issue 15 (performance): every listing read three queries and serialised a page of accounts again, even when
// nothing had changed since the last one; a billing system polls it.

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** counting wraps a store so that listings read from it are counted; everything else is the store itself. */
function counting(store: Store, reads: { n: number }): Store {
  const accounts: Store['accounts'] = {
    ...store.accounts,
    list: (filter) => {
      reads.n++;
      return store.accounts.list(filter);
    },
  };
  return Object.assign(Object.create(Object.getPrototypeOf(store)) as Store, store, { accounts });
}

/** comparable drops what differs on every answer (the request id, the date) from an answer's raw headers. */
function comparable(rawHeaders: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    if (name !== 'x-request-id' && name !== 'date') out.push([name, rawHeaders[i + 1] ?? '']);
  }
  return out;
}

/** rawGet makes one GET on a fresh connection and keeps the answer's raw header list. */
function rawGet(port: number, path: string, token: string): Promise<{ rawHeaders: string[]; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${token}` }, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ rawHeaders: res.rawHeaders, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('15.3: a listing is read from the store once per change, and answered from memory in between', () => {
  const reads = { n: 0 };
  let app: TestApp;
  let token: string;
  const list = async (query = 'api=accounts&limit=2', as = token) => {
    const res = await app.api('GET', query, { token: as });
    return { res, body: res.json() as { ok: boolean; accounts: { user: string; email: string | null }[] } };
  };
  before(async () => {
    app = await makeApp({}, { wrapStore: (store) => counting(store, reads) });
    token = await app.token(ALL_SCOPES);
    for (const user of ['alice', 'bob', 'carol']) {
      const res = await app.api('POST', 'api=accounts', { token, body: { user, domain: `${user}.example` } });
      assert.equal(res.statusCode, 201, res.body);
    }
  });
  after(() => app.close());

  it('the same page twice on a socket: one read, and the same bytes and headers in the same order', async () => {
    await app.panel.listen({ host: '127.0.0.1', port: 0 });
    const address = app.panel.server.address();
    assert.ok(address && typeof address === 'object');
    await nextTurn();
    const before = reads.n;
    const first = await rawGet(address.port, '/?api=accounts&limit=2', token);
    const second = await rawGet(address.port, '/?api=accounts&limit=2', token);
    assert.equal(reads.n - before, 1);
    assert.equal(second.body, first.body);
    assert.deepEqual(comparable(second.rawHeaders), comparable(first.rawHeaders));
    assert.deepEqual(comparable(first.rawHeaders).slice(0, 2), [
      ['cache-control', 'no-store'],
      ['content-type', 'application/json; charset=utf-8'],
    ]);
    assert.deepEqual(
      (JSON.parse(first.body) as { accounts: { user: string }[] }).accounts.map((a) => a.user),
      ['alice', 'bob'],
    );
    const other = await list('api=accounts&limit=1');
    assert.deepEqual(
      other.body.accounts.map((a) => a.user),
      ['alice'],
      'another query is another answer',
    );
  });

  it('a change made through this panel is in the very next listing', async () => {
    await list();
    const res = await app.api('POST', 'api=account&action=suspend', { token, body: { user: 'alice' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((await list()).body.accounts[0]?.user, 'alice');
    assert.equal(
      ((await list()).body.accounts[0] as unknown as { status: string }).status,
      'suspended',
      'the suspension is listed',
    );
  });

  it('a write to another table (a database of the account) is in the next listing', async () => {
    await list();
    await app.rt.ctx.store.databases.insert({
      name: 'alice_shop',
      account: 'alice',
      dbUser: 'alice_shop',
      createdAt: new Date().toISOString(),
    });
    const listed = (await list()).body.accounts[0] as unknown as { databases: string[] };
    assert.deepEqual(listed.databases, ['alice_shop']);
  });

  it('a commit by another process is in the listing of a request read after it', async () => {
    await list();
    const other = new BetterSqlite3(join(app.dir, 'vanta.db'), { timeout: 5000 });
    try {
      other.prepare("update accounts set email = 'new@bob.example' where user = 'bob'").run();
    } finally {
      other.close();
    }
    await nextTurn();
    assert.equal((await list()).body.accounts[1]?.email, 'new@bob.example');
  });

  it('a kept answer is still refused to a token without accounts:read, and to no token', async () => {
    await list();
    const writer = await app.token(['plans:write']);
    const refused = await app.api('GET', 'api=accounts&limit=2', { token: writer });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().error, 'insufficient_scope');
    assert.equal((await app.api('GET', 'api=accounts&limit=2')).statusCode, 401);
  });

  it('a refused query is not kept: the same query is refused again', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await app.api('GET', 'api=accounts&limit=0', { token });
      assert.equal(res.statusCode, 400, res.body);
    }
  });
});
