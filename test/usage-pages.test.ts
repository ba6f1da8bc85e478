import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { meterAccountsTraffic } from '../src/app/meter-traffic.js';
import { type TestApp, makeApp } from './support/app.js';
import { expectAudit } from './support/audit.js';
import { BUILT_PASSWORD, buildAccount, buildPlan } from './support/builders.js';
import { panelClient } from './support/panel.js';
import { type WhmClient, whmClient } from './support/whm.js';

/** fieldError returns the error shown next to a form field, or null. */
const fieldError = (html: string, field: string) =>
  new RegExp(`id="f-${field}-error">([^<]*)<`).exec(html)?.[1] ?? null;

/** logLine renders a request the way the panel's nginx log format records it. */
const logLine = (ms: number, sent: number) =>
  `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')} ${sent} 90\n`;

describe('usage and the domain change in vWHM and the user panel', () => {
  let app: TestApp;
  let whm: WhmClient;
  before(async () => {
    app = await makeApp();
    whm = await whmClient(app);
    await buildPlan(app.rt.ctx, 'starter', { diskMb: 100, bandwidthMb: 2048, maxDatabases: 3 });
    await buildAccount(app.rt.ctx, 'gina', { plan: 'starter' });
    await buildAccount(app.rt.ctx, 'hugo');
    // What nginx would have logged for gina: 3 MiB this month and 1 MiB last month.
    const now = Date.now();
    const lastMonth = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1) - 60_000;
    appendFileSync(
      join(app.dir, 'traffic', 'gina.log'),
      logLine(lastMonth, 1024 * 1024) + logLine(now, 2 * 1024 * 1024) + logLine(now, 1024 * 1024),
    );
  });
  after(() => app.close());

  it('shows "not measured yet" before the first pass, then the bandwidth of this month next to the limit', async () => {
    assert.match((await whm.get('/accounts/gina')).body, /not measured yet; the limit is 2,048 MiB/);
    await meterAccountsTraffic(app.rt.ctx, null);
    const page = await whm.get('/accounts/gina');
    assert.match(page.body, /Bandwidth this month<\/th><td>3 MiB of 2,048 MiB<meter/);
    const list = await whm.get('/accounts');
    assert.match(list.body, /<td data-label="Bandwidth this month">3 MiB of 2,048 MiB<\/td>/);
    assert.match(list.body, /<td data-label="Bandwidth this month">0 MiB, no limit<\/td>/);

    const owner = panelClient(app);
    await owner.signIn('gina', BUILT_PASSWORD);
    const dashboard = await owner.get('/');
    assert.match(dashboard.body, /Bandwidth this month<\/th><td>3 MiB of 2,048 MiB<meter/);
  });

  it('changes the domain from the account page, with its CSRF token, audited as the admin', async () => {
    const res = await whm.post('/accounts/gina/domain', { domain: 'gina-shop.example' }, { from: '/accounts/gina' });
    assert.equal(res.statusCode, 303);
    assert.equal((await app.rt.ctx.store.accounts.get('gina'))?.domain, 'gina-shop.example');
    assert.match((await whm.get('/accounts/gina')).body, /gina is now on gina-shop\.example\./);
    await expectAudit(app, {
      action: 'account.domain',
      target: 'gina',
      params: { user: 'gina', domain: 'gina-shop.example' },
      actor: { name: whm.name },
    });

    const taken = await whm.post('/accounts/gina/domain', { domain: 'hugo.example' }, { from: '/accounts/gina' });
    assert.equal(taken.statusCode, 409);
    assert.match(fieldError(taken.body, 'domain') ?? '', /already used/);
    const forged = await whm.post('/accounts/gina/domain', { domain: 'forged.example' }, { csrf: null });
    assert.equal(forged.statusCode, 403);
    assert.equal((await app.rt.ctx.store.accounts.get('gina'))?.domain, 'gina-shop.example');
  });
});
