import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import pino from 'pino';
import { issueToken } from '../src/app/issue-token.js';
import { measureDiskUsage } from '../src/app/measure-disk-usage.js';
import { addPlan } from '../src/app/plans.js';
import { createRuntime } from '../src/compose.js';
import { parseScopes } from '../src/domain/scopes.js';
import { DiskUsageMeter } from '../src/host/disk/disk-usage-meter.js';
import { totpCode } from '../src/domain/totp.js';
import { type Serving, serve } from '../src/main.js';
import { fastHasher } from './support/app.js';
import { UNLIMITED } from './support/builders.js';
import { launchChromium, loopbackConfig, portOf, screenshot, watchCsp } from './support/chromium.js';
import { MYSQL_URL, MariaDbFixture } from './support/mariadb.js';

describe('the user panel in Chromium, as an account owner would use it', () => {
  const db = new MariaDbFixture();
  const user = db.account();
  const firstPassword = 'first-owner-secret-7';
  const secondPassword = 'second-owner-secret-8';
  let dir: string;
  let serving: Serving;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let panelUrl: string;
  let token: string;
  const cspErrors: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vanta-panel-browser-'));
    const config = loopbackConfig(dir, { VANTA_MYSQL_URL: MYSQL_URL });
    // What `vanta token create` and `vanta plan add` would do, on the same data directory.
    const cli = await createRuntime(config, { logger: pino({ level: 'silent' }), hasher: fastHasher() });
    try {
      token = (
        await issueToken(cli.ctx, {
          name: 'billing',
          scopes: parseScopes(['accounts:read', 'accounts:write']),
          expiresAt: null,
          allowedCidrs: [],
          createdBy: 'test',
        })
      ).secret;
      await addPlan(cli.ctx, 'starter', { ...UNLIMITED, diskMb: 1024, maxDatabases: 2 });
    } finally {
      await cli.close();
    }
    serving = await serve(config, () => {}, { logger: pino({ level: 'silent' }), hasher: fastHasher() });
    panelUrl = `http://127.0.0.1:${portOf(serving.panel)}`;
    const made = await api('POST', 'api=accounts', {
      user,
      domain: `${user}.example`,
      password: firstPassword,
      plan: 'starter',
    });
    assert.equal(made.status, 201, await made.text());
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    watchCsp(page, cspErrors);
  });

  after(async () => {
    await browser?.close();
    await serving?.stop();
    await rm(dir, { recursive: true, force: true });
    await db.cleanup();
  });

  const shot = (name: string, on: Page = page) => screenshot(on, `panel-${name}`);
  function api(method: string, query: string, body?: unknown) {
    return fetch(`${panelUrl}/?${query}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  }
  const signIn = async (password: string) => {
    await page.goto(`${panelUrl}/`);
    await page.getByLabel('User name').fill(user);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  const signOut = async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out.').waitFor();
  };

  it('signs in with the account password and shows the dashboard with the plan next to the use', async () => {
    await page.goto(`${panelUrl}/`);
    await shot('sign-in');
    await signIn(firstPassword);
    await page.getByRole('heading', { name: `${user}.example` }).waitFor();
    assert.equal(await page.locator('.who strong').textContent(), user);
    const plan = page.locator('table.usage');
    assert.match((await plan.locator('tr', { hasText: 'Databases' }).textContent()) ?? '', /0 of 2/);
    assert.match((await plan.locator('tr', { hasText: 'Disk' }).textContent()) ?? '', /the limit is 1,024 MiB/);
  });

  it('shows the disk use next to the limit once the background measurement ran', async () => {
    await measureDiskUsage(serving.ctx, new DiskUsageMeter({ quota: null, walkMs: 60_000 }));
    await page.reload();
    const disk = (await page.locator('table.usage tr', { hasText: 'Disk' }).textContent()) ?? '';
    assert.match(disk, /[\d.]+ MiB of 1,024 MiB/);
    await shot('dashboard');
  });

  let dbPassword = '';
  it('creates a database with a generated password, shown once, that logs in over the socket and TCP', async () => {
    await page.getByRole('link', { name: 'Databases' }).first().click();
    await page.getByText('You have 0 databases of the 2 your plan allows').waitFor();
    await page.getByLabel('Name').fill('shop');
    await page.getByRole('button', { name: 'Create database' }).click();
    await page.getByText('This is the only time it is shown.').waitFor();
    dbPassword = ((await page.locator('#db-password').textContent()) ?? '').trim();
    assert.match(dbPassword, /^\S{20,}$/);
    await shot('database-created');
    const overSocket = await db.connectOver('socket', `${user}_shop`, dbPassword, `${user}_shop`);
    await overSocket.query('CREATE TABLE orders (id INT)');
    const overTcp = await db.connectOver('127.0.0.1', `${user}_shop`, dbPassword, `${user}_shop`);
    await overTcp.query('INSERT INTO orders VALUES (1)');
    await page.getByRole('link', { name: /go to the database/ }).click();
    await page.goto(`${panelUrl}/databases`);
    await page.getByText('1 more can be created').waitFor();
    await shot('databases');
  });

  it('changes the password; the old one no longer signs in, the new one does', async () => {
    await page.getByRole('link', { name: 'Password' }).first().click();
    await page.getByLabel('Current password').fill(firstPassword);
    await page.getByLabel('New password').fill(secondPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password is changed.').waitFor();
    await signOut();
    await signIn(firstPassword);
    await page.getByText('The user name or password is not correct.').waitFor();
    await signIn(secondPassword);
    await page.getByRole('heading', { name: `${user}.example` }).waitFor();
  });

  let totpSecret = '';
  it('turns on two-factor sign-in with a code computed from the shown key', async () => {
    await page.getByRole('link', { name: 'Two-factor' }).first().click();
    await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    await page.locator('.qr svg').waitFor();
    totpSecret = ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s+/g, '');
    assert.match(totpSecret, /^[A-Z2-7]{32}$/);
    await shot('two-factor-setup');
    await page.getByLabel('Code', { exact: true }).fill(totpCode(totpSecret, Date.now()));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('heading', { name: 'Two-factor sign-in is on' }).waitFor();
    assert.equal(await page.locator('#recovery-codes li').count(), 10);
    await shot('recovery-codes');
  });

  it('signs in with the password and a code', async () => {
    await page.goto(`${panelUrl}/`);
    await signOut();
    await signIn(secondPassword);
    await page.getByRole('heading', { name: 'Two-factor sign-in' }).waitFor();
    await shot('sign-in-code');
    // The code of the next step: the one of this step turned two-factor on and is not accepted twice.
    await page.getByLabel('Code', { exact: true }).fill(totpCode(totpSecret, Date.now() + 30_000));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: `${user}.example` }).waitFor();
  });

  it('opens a single sign-on link made through the API, once', async () => {
    const res = await api('POST', `api=account&action=login&user=${user}`);
    assert.equal(res.status, 200);
    const { url } = (await res.json()) as { url: string };
    assert.ok(url.startsWith(`${panelUrl}/sign-on?token=`), url);
    const fresh = await browser.newContext();
    const other = await fresh.newPage();
    await other.goto(url);
    await other.getByRole('heading', { name: `${user}.example` }).waitFor();
    assert.equal(new URL(other.url()).pathname, '/');
    assert.ok(!other.url().includes('token='), 'the link does not stay in the address bar');
    await shot('sso', other);
    const again = await (await browser.newContext()).newPage();
    const second = await again.goto(url);
    assert.equal(second?.status(), 401);
    await again.getByText('already been used').waitFor();
    await fresh.close();
  });

  it('works on a phone-sized screen and in dark mode', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${panelUrl}/databases`);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, 'rgb(20, 23, 27)');
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.equal(overflow, 0, 'the page scrolls sideways on a phone');
    await shot('databases-phone-dark');
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('a suspended account gets the suspended page and no session', async () => {
    const res = await api('POST', `api=account&action=suspend&user=${user}`);
    assert.equal(res.status, 200);
    await page.goto(`${panelUrl}/`);
    await page.getByLabel('User name').waitFor();
    await signIn(secondPassword);
    await page.getByRole('heading', { name: 'Account suspended' }).waitFor();
    assert.equal((await context.cookies()).filter((c) => c.name === 'vanta_session').length, 0);
    await shot('suspended');
  });

  it('no page broke the Content-Security-Policy', () => {
    assert.deepEqual(cspErrors, []);
  });
});
