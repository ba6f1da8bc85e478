import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import pino from 'pino';
import { type Serving, serve } from '../src/main.js';
import { fastHasher } from './support/app.js';
import { launchChromium, loopbackConfig, portOf, screenshot, watchCsp } from './support/chromium.js';

describe('vWHM in Chromium, as a new admin would use it', () => {
  let dir: string;
  let serving: Serving;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let whmUrl: string;
  let panelUrl: string;
  const cspErrors: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vanta-browser-'));
    const config = loopbackConfig(dir);
    const printed: string[] = [];
    // A long flush interval: the token list must show a use because it flushes pending uses, not because a timer fired.
    serving = await serve(config, (line) => printed.push(line), {
      logger: pino({ level: 'silent' }),
      hasher: fastHasher(),
      tokenFlushMs: 600_000,
    });
    const password = /password: (\S+)$/.exec(printed[0] ?? '')?.[1];
    assert.ok(password, 'serve printed no first admin password');
    whmUrl = `http://127.0.0.1:${portOf(serving.whm)}`;
    panelUrl = `http://127.0.0.1:${portOf(serving.panel)}`;
    browser = await launchChromium();
    context = await browser.newContext({
      httpCredentials: { username: 'admin', password },
      viewport: { width: 1280, height: 860 },
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: whmUrl });
    page = await context.newPage();
    watchCsp(page, cspErrors);
  });

  after(async () => {
    await browser?.close();
    await serving?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const shot = (name: string) => screenshot(page, name);
  const api = (method: string, query: string, token: string, body?: unknown) =>
    fetch(`${panelUrl}/?${query}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  const tokenRow = (name: string) => page.locator(`tr[data-token="${name}"]`);

  it('opens the dashboard with the first admin signed in', async () => {
    await page.goto(`${whmUrl}/`);
    assert.equal(await page.locator('h1').textContent(), 'Dashboard');
    assert.equal(await page.locator('.who strong').textContent(), 'admin');
    await shot('dashboard');
  });

  let secret = '';
  it('issues a read-only token and copies it from the page with the copy button', async () => {
    await page.getByRole('link', { name: 'API Tokens' }).click();
    await page.getByRole('link', { name: 'Issue a token' }).click();
    await page.getByLabel('Name').fill('billing');
    await page.getByRole('checkbox', { name: /accounts:read/ }).check();
    await page.getByRole('button', { name: 'Issue token' }).click();
    await page.getByText('This is the only time it is shown.').waitFor();
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    secret = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(secret, /^vp_[A-Za-z0-9]{32}$/);
    assert.equal((await page.locator('#new-token').textContent())?.trim(), secret);
    await shot('token-issued');
  });

  it('the copied token reads accounts on the user-panel listener but may not create one', async () => {
    const list = await api('GET', 'api=accounts', secret);
    assert.equal(list.status, 200);
    const create = await api('POST', 'api=accounts', secret, { user: 'mallory', domain: 'mallory.example' });
    assert.equal(create.status, 403);
    assert.equal(((await create.json()) as { error: string }).error, 'insufficient_scope');
  });

  it('the token list shows when and from where it was last used, and never the token', async () => {
    await page.goto(`${whmUrl}/tokens`);
    const row = tokenRow('billing');
    assert.equal(await row.locator('[data-field="last-ip"]').textContent(), '127.0.0.1');
    assert.match(
      (await row.locator('[data-field="last-used"]').textContent()) ?? '',
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/,
    );
    assert.equal(await row.locator('[data-field="status"]').textContent(), 'active');
    assert.ok(!(await page.content()).includes(secret));
    await shot('tokens');
  });

  it('revokes the token after confirming, and the API answers token_revoked', async () => {
    await tokenRow('billing').getByRole('link', { name: 'Revoke token billing' }).click();
    await page.getByRole('button', { name: 'Revoke token' }).click();
    await page.getByText('Revoked token "billing".').waitFor();
    assert.equal(await tokenRow('billing').locator('[data-field="status"]').textContent(), 'revoked');
    const res = await api('GET', 'api=accounts', secret);
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: string }).error, 'token_revoked');
  });

  it('creates an account from the pages, with a generated password shown once', async () => {
    await page.getByRole('link', { name: 'Accounts' }).first().click();
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('User name').fill('webshop');
    await page.getByLabel('Domain').fill('webshop.example');
    await page.getByLabel('Contact email (optional)').fill('owner@webshop.example');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Created account webshop' }).waitFor();
    assert.match((await page.locator('#new-password').textContent()) ?? '', /^\S{16,}$/);
    await page.getByRole('link', { name: 'Go to the account' }).click();
    assert.equal(await page.locator('h1 .badge').textContent(), 'active');
  });

  it('finds the account with the live search', async () => {
    await page.goto(`${whmUrl}/accounts`);
    await page.getByLabel('Search user or domain').fill('nothing-like-this');
    await page.getByText('0 accounts match.').waitFor();
    await page.getByLabel('Search user or domain').fill('webs');
    await page.getByText('1 account match.').waitFor();
    assert.match(page.url(), /q=webs/);
    await shot('accounts');
  });

  it('suspends the account with a reason', async () => {
    await page.getByRole('link', { name: 'webshop' }).click();
    await page.getByLabel('Reason (optional)').fill('unpaid invoice 1042');
    await page.getByRole('button', { name: 'Suspend' }).click();
    await page.getByText('Suspended webshop.').waitFor();
    assert.equal(await page.locator('h1 .badge').textContent(), 'suspended');
    assert.ok((await page.content()).includes('unpaid invoice 1042'));
    await shot('account');
  });

  it('terminates the account once its name is typed', async () => {
    await page.getByLabel('Type webshop to confirm').fill('webshop');
    await page.getByRole('button', { name: 'Terminate account' }).click();
    await page.getByText('Terminated webshop.').waitFor();
    assert.match(page.url(), /\/accounts$/);
    const gone = await page.goto(`${whmUrl}/accounts/webshop`);
    assert.equal(gone?.status(), 404);
  });

  it('the audit log shows every change, the admin as actor of the page ones, and an intact chain', async () => {
    await page.getByRole('link', { name: 'Audit Log' }).click();
    const column = (label: string) => page.locator(`td[data-label="${label}"]`).allTextContents();
    const [actors, actions, outcomes] = await Promise.all([column('Actor'), column('Action'), column('Outcome')]);
    const rows = actions.map((action, i) => `${actors[i]} ${action} ${outcomes[i]}`);
    assert.deepEqual(rows, [
      'admin:admin account.terminate ok',
      'admin:admin account.suspend ok',
      'admin:admin account.create ok',
      'admin:admin token.revoke ok',
      'token:billing account.create insufficient_scope',
      'admin:admin token.create ok',
    ]);
    await page.getByText(/^Intact: all 6 entries/).waitFor();
    await shot('audit');
  });

  it('the plans and admins pages render', async () => {
    await page.getByRole('link', { name: 'Plans' }).click();
    await page.getByLabel('Name').fill('starter');
    await page.getByLabel('Disk (MiB)').fill('2048');
    await page.getByRole('button', { name: 'Add plan' }).click();
    await page.getByText('Added plan starter.').waitFor();
    await shot('plans');
    await page.getByRole('link', { name: 'Admins' }).click();
    await page.getByRole('heading', { name: 'Change my password' }).waitFor();
    await shot('admins');
  });

  it('works on a phone-sized screen and in dark mode', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${whmUrl}/tokens`);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, 'rgb(20, 23, 27)');
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.equal(overflow, 0, 'the page scrolls sideways on a phone');
    await shot('tokens-phone-dark');
  });

  it('no page broke the Content-Security-Policy', () => {
    assert.deepEqual(cspErrors, []);
  });
});
