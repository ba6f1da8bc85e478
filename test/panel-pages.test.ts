import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDatabase } from '../src/app/create-database.js';
import { measureDiskUsage } from '../src/app/measure-disk-usage.js';
import { type TestApp, makeApp } from './support/app.js';
import { auditMark, expectAudit } from './support/audit.js';
import { BUILT_PASSWORD, buildAccount, buildPlan } from './support/builders.js';
import { MYSQL_URL, MariaDbFixture, errnoOf } from './support/mariadb.js';
import { type PanelClient, panelClient } from './support/panel.js';

const ER_ACCESS_DENIED = 1045;

function fieldError(html: string, field: string): string | null {
  return new RegExp(`id="f-${field}-error">([^<]*)<`).exec(html)?.[1] ?? null;
}

function shownPassword(html: string): string {
  const password = /id="db-password">\s*([^<\s]+)\s*</.exec(html)?.[1];
  assert.ok(password, 'the page shows no password');
  return password;
}

describe('the owner dashboard', () => {
  let app: TestApp;
  let browser: PanelClient;
  before(async () => {
    app = await makeApp();
    await buildPlan(app.rt.ctx, 'starter', { diskMb: 100, maxDatabases: 3 });
    await buildAccount(app.rt.ctx, 'alice', { plan: 'starter' });
    browser = panelClient(app, '192.0.2.5');
  });
  after(() => app.close());

  it('shows the domain as a link, the status and the plan with each limit next to its use', async () => {
    await browser.signIn('alice', BUILT_PASSWORD);
    const res = await browser.get('/');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<a href="http:\/\/alice\.example\/">alice\.example<\/a>/);
    assert.match(res.body, /<span class="badge s-active">active<\/span>/);
    assert.match(res.body, /Plan starter/);
    assert.match(res.body, /not measured yet; the limit is 100 MiB/);
    assert.match(res.body, /0 of 3/);
    assert.match(res.body, /none before this one/);
  });

  it('shows the disk use measured in the background, never measuring for the request', async () => {
    await writeFile(join(app.dir, 'homes', 'alice', 'public_html', 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 1));
    assert.match((await browser.get('/')).body, /not measured yet/);
    await measureDiskUsage(app.rt.ctx, app.rt.diskMeter);
    const res = await browser.get('/');
    const used = Number(/([\d.]+) MiB of 100 MiB/.exec(res.body)?.[1]);
    assert.ok(used >= 3 && used < 4, res.body);
    assert.match(res.body, /<meter /);
  });

  it('shows the previous sign-in: its time and address', async () => {
    const again = panelClient(app, '198.51.100.23');
    await again.signIn('alice', BUILT_PASSWORD);
    const res = await again.get('/');
    assert.match(res.body, /\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC from 192\.0\.2\.5/);
  });

  it('every owner page is labelled, strict about its CSP, and never cached', async () => {
    for (const url of ['/', '/databases', '/password', '/two-factor']) {
      const res = await browser.get(url);
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.headers['cache-control'], 'no-store', url);
      assert.match(String(res.headers['content-security-policy']), /default-src 'self'/, url);
      assert.doesNotMatch(res.body, /<script>| style=/, url);
      for (const [, id] of res.body.matchAll(/<input id="([^"]+)"/g))
        assert.match(res.body, new RegExp(`<label for="${id}"`), `${url} ${id}`);
    }
  });
});

describe('the owner password page', () => {
  let app: TestApp;
  before(async () => {
    app = await makeApp();
    await buildAccount(app.rt.ctx, 'alice');
  });
  after(() => app.close());

  it('needs the current password, ends the other sessions, keeps this one, and is audited with the owner', async () => {
    const mine = panelClient(app);
    const other = panelClient(app, '192.0.2.9');
    await mine.signIn('alice', BUILT_PASSWORD);
    await other.signIn('alice', BUILT_PASSWORD);
    const mark = await auditMark(app);
    const wrong = await mine.post('/password', { current: 'not-it-at-all', new_password: 'a-new-long-secret' });
    assert.equal(wrong.statusCode, 400);
    assert.equal(fieldError(wrong.body, 'current'), 'the current password is not correct');
    await expectAudit(
      app,
      {
        action: 'owner.password',
        outcome: 'invalid_parameter',
        status: 400,
        actor: { type: 'owner', name: 'alice' },
        params: {},
      },
      mark,
    );
    const weak = await mine.post('/password', { current: BUILT_PASSWORD, new_password: 'short' });
    assert.equal(weak.statusCode, 400);
    assert.ok(fieldError(weak.body, 'new_password'));
    const done = await mine.post('/password', { current: BUILT_PASSWORD, new_password: 'a-new-long-secret' });
    assert.equal(done.statusCode, 303);
    const entry = await expectAudit(app, {
      action: 'owner.password',
      actor: { type: 'owner', name: 'alice' },
      target: 'alice',
    });
    assert.ok(!JSON.stringify(entry).includes('a-new-long-secret'));
    assert.equal((await mine.get('/password')).statusCode, 200, 'this session stays');
    assert.equal((await other.get('/password')).statusCode, 303, 'the other one ended');
    assert.equal((await panelClient(app).signIn('alice', 'a-new-long-secret')).statusCode, 303);
  });
});

describe('the owner databases pages, on the real MariaDB', () => {
  const db = new MariaDbFixture();
  const user = db.account();
  const other = db.account();
  let app: TestApp;
  let browser: PanelClient;
  before(async () => {
    app = await makeApp({ VANTA_MYSQL_URL: MYSQL_URL });
    await buildPlan(app.rt.ctx, 'duo', { maxDatabases: 2 });
    await buildAccount(app.rt.ctx, user, { plan: 'duo' });
    await buildAccount(app.rt.ctx, other);
    browser = panelClient(app);
    assert.equal((await browser.signIn(user, BUILT_PASSWORD)).statusCode, 303);
  });
  after(async () => {
    await app.close();
    await db.cleanup();
  });

  it('lists none and says how many the plan allows before any is made', async () => {
    const res = await browser.get('/databases');
    assert.match(res.body, /You have 0 databases of the 2 your plan allows: 2 more can be created\./);
    assert.match(res.body, /Create a database/);
  });

  let generated = '';
  it('creates a database with a generated password shown once, which logs in over the socket and TCP', async () => {
    const mark = await auditMark(app);
    const res = await browser.post('/databases', { name: 'shop', password_mode: 'generate', password: '' });
    assert.equal(res.statusCode, 200);
    generated = shownPassword(res.body);
    const entry = await expectAudit(
      app,
      {
        action: 'database.create',
        actor: { type: 'owner', name: user },
        target: user,
        params: { name: 'shop', password_generated: true },
      },
      mark,
    );
    assert.ok(!JSON.stringify(entry).includes(generated));
    for (const route of ['socket', '127.0.0.1'] as const) {
      const conn = await db.connectOver(route, `${user}_shop`, generated, `${user}_shop`);
      await conn.query('CREATE TABLE IF NOT EXISTS t (a INT)');
    }
    assert.ok(!(await browser.get('/databases')).body.includes(generated), 'shown once');
  });

  it('creates one with a given password, and then the limit is shown and the form gone', async () => {
    const res = await browser.post('/databases', { name: 'blog', password_mode: 'set', password: 'a-given-db-secret' });
    assert.equal(res.statusCode, 303);
    await db.connectOver('127.0.0.1', `${user}_blog`, 'a-given-db-secret', `${user}_blog`);
    const list = await browser.get('/databases');
    assert.match(list.body, /You have 2 databases of the 2 your plan allows: delete one to create another\./);
    assert.doesNotMatch(list.body, /Create a database/);
    const mark = await auditMark(app);
    const over = await browser.post('/databases', { name: 'more', password_mode: 'generate' }, { from: '/databases' });
    assert.equal(over.statusCode, 409);
    await expectAudit(app, { action: 'database.create', outcome: 'limit_reached', status: 409 }, mark);
  });

  it('a bad name is shown next to the field and makes nothing', async () => {
    await browser.post('/databases/blog/delete', { confirm: `${user}_blog` });
    const res = await browser.post('/databases', { name: 'no spaces', password_mode: 'generate' });
    assert.equal(res.statusCode, 400);
    assert.ok(fieldError(res.body, 'name'));
    assert.deepEqual(await db.databases(`${user}_`), [`${user}_shop`]);
  });

  it("sets a database user's password (generated, shown once) and the old one stops working", async () => {
    const res = await browser.post(`/databases/${user}_shop/password`, { password_mode: 'generate' });
    assert.equal(res.statusCode, 200);
    const next = shownPassword(res.body);
    assert.equal(await errnoOf(db.connectOver('127.0.0.1', `${user}_shop`, generated)), ER_ACCESS_DENIED);
    await db.connectOver('socket', `${user}_shop`, next, `${user}_shop`);
    await expectAudit(app, { action: 'database.password', params: { name: `${user}_shop`, password_generated: true } });
  });

  it('deletes a database only when its name is typed, and audits the refusal', async () => {
    const mark = await auditMark(app);
    const wrong = await browser.post(`/databases/${user}_shop/delete`, { confirm: 'shop' });
    assert.equal(wrong.statusCode, 400);
    assert.ok(fieldError(wrong.body, 'confirm'));
    await expectAudit(app, { action: 'database.delete', outcome: 'invalid_parameter', actor: { name: user } }, mark);
    assert.deepEqual(await db.databases(`${user}_`), [`${user}_shop`]);
    const right = await browser.post(`/databases/${user}_shop/delete`, { confirm: `${user}_shop` });
    assert.equal(right.statusCode, 303);
    assert.deepEqual(await db.databases(`${user}_`), []);
    assert.deepEqual(await db.users(`${user}_`), []);
  });

  it("another owner's database cannot be named, and nothing of it changes", async () => {
    await createDatabase(app.rt.ctx, { user: other, name: 'private', password: 'their-db-secret-1' });
    // Named with another account's prefix, it is not a name this owner's databases can have.
    const page = await browser.get(`/databases/${other}_private`);
    assert.equal(page.statusCode, 400);
    const del = await browser.post(
      `/databases/${other}_private/delete`,
      { confirm: `${other}_private` },
      { from: '/databases' },
    );
    assert.equal(del.statusCode, 400);
    await expectAudit(app, { action: 'database.delete', outcome: 'invalid_database', actor: { name: user } });
    assert.deepEqual(await db.databases(`${other}_`), [`${other}_private`]);
  });
});

describe('the owner databases pages without a database server', () => {
  let app: TestApp;
  before(async () => {
    app = await makeApp();
    await buildAccount(app.rt.ctx, 'alice');
  });
  after(() => app.close());

  it('say databases are not available here and refuse a create with 503', async () => {
    const browser = panelClient(app);
    await browser.signIn('alice', BUILT_PASSWORD);
    const page = await browser.get('/databases');
    assert.match(page.body, /no database server set up/);
    const res = await browser.post('/databases', { name: 'shop', password_mode: 'generate' });
    assert.equal(res.statusCode, 503);
    await expectAudit(app, { action: 'database.create', outcome: 'databases_unavailable', status: 503 });
  });
});
