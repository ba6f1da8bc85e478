import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listPlans } from '../src/app/plans.js';
import { planJson } from '../src/presenters/plan.js';
import { type ApiScenario, runApiScenarios } from './support/api-scenarios.js';
import { ALL_SCOPES, type TestApp, makeApp } from './support/app.js';
import { expectAudit } from './support/audit.js';

const DEFAULTS = {
  disk_mb: null,
  max_databases: null,
  bandwidth_mb: null,
  max_addon_domains: null,
  max_email_accounts: null,
  shell: false,
  php: true,
  php_max_children: 5,
  php_memory_mb: 256,
};

describe('plans over the API', () => {
  let app: TestApp;
  let token: string;
  let createdAt = '';
  before(async () => {
    app = await makeApp();
    token = await app.token(ALL_SCOPES, { name: 'billing' });
  });
  after(() => app.close());

  const plan = (b: Record<string, unknown>) => b.plan as Record<string, unknown>;
  const invalid = (name: string, body: Record<string, unknown>, param: string, error = 'invalid_parameter') => ({
    name,
    method: 'POST',
    query: 'api=plans',
    body,
    status: 400,
    error,
    param,
    audit: 'plan.save',
  });

  const scenarios: ApiScenario[] = [
    {
      name: 'list with no plans',
      method: 'GET',
      query: 'api=plans',
      status: 200,
      check: (b) => assert.deepEqual(b.plans, []),
    },
    {
      name: 'create with the name alone: every default',
      method: 'POST',
      query: 'api=plans',
      body: { name: 'basic' },
      status: 201,
      audit: 'plan.save',
      check: (b) => {
        assert.equal(b.created, true);
        const { created_at, ...rest } = plan(b);
        assert.deepEqual(rest, { name: 'basic', ...DEFAULTS });
        assert.equal(typeof created_at, 'string');
      },
    },
    {
      name: 'create with every field',
      method: 'POST',
      query: 'api=plans',
      body: {
        name: 'gold',
        disk_mb: 10240,
        max_databases: 10,
        bandwidth_mb: 102400,
        max_addon_domains: 5,
        max_email_accounts: 50,
        shell: true,
        php: false,
        php_max_children: 8,
        php_memory_mb: 512,
      },
      status: 201,
      audit: 'plan.save',
      check: (b) => {
        assert.equal(b.created, true);
        assert.equal(plan(b).disk_mb, 10240);
        assert.equal(plan(b).shell, true);
        assert.equal(plan(b).php, false);
        createdAt = String(plan(b).created_at);
      },
    },
    {
      name: 'update by name replaces every setting: what the body leaves out takes its default',
      method: 'POST',
      query: 'api=plans',
      body: { name: 'gold', disk_mb: 20480 },
      status: 200,
      audit: 'plan.save',
      check: (b) => {
        assert.equal(b.created, false);
        assert.deepEqual(plan(b), { name: 'gold', ...DEFAULTS, disk_mb: 20480, created_at: createdAt });
      },
    },
    {
      name: 'list: every plan by name, as `vanta plan list --json` prints them',
      method: 'GET',
      query: 'api=plans',
      status: 200,
      check: async (b) => {
        assert.deepEqual(b.plans, (await listPlans(app.rt.ctx)).map(planJson));
        assert.deepEqual(
          (b.plans as { name: string }[]).map((p) => p.name),
          ['basic', 'gold'],
        );
      },
    },
    invalid('a name that breaks the rules', { name: 'Gold Plan' }, 'name'),
    invalid('no name', { disk_mb: 5 }, 'name', 'missing_parameter'),
    invalid('a name that is not a string', { name: 5 }, 'name'),
    invalid('a negative limit', { name: 'x', disk_mb: -1 }, 'disk_mb'),
    invalid('a fractional limit', { name: 'x', max_databases: 1.5 }, 'max_databases'),
    invalid('a limit as text', { name: 'x', bandwidth_mb: '10' }, 'bandwidth_mb'),
    invalid('a limit past what is safe to count', { name: 'x', disk_mb: 2 ** 60 }, 'disk_mb'),
    invalid('too few PHP workers', { name: 'x', php_max_children: 0 }, 'php_max_children'),
    invalid('too little PHP memory', { name: 'x', php_memory_mb: 8 }, 'php_memory_mb'),
    invalid('PHP workers set to null', { name: 'x', php_max_children: null }, 'php_max_children'),
    invalid('shell as text', { name: 'x', shell: 'yes' }, 'shell'),
    invalid('a field the Plan object does not have', { name: 'x', disk: 5 }, 'disk', 'unknown_field'),
  ];
  runApiScenarios({ app: () => app, token: () => token, actor: 'billing' }, scenarios);

  it('a Plan object read from the list is accepted back as it is (created_at is ignored)', async () => {
    const listed = (await app.api('GET', 'api=plans', { token })).json().plans as Record<string, unknown>[];
    const gold = listed.find((p) => p.name === 'gold');
    assert.ok(gold);
    const res = await app.api('POST', 'api=plans', {
      token,
      body: { ...gold, created_at: '1999-01-01T00:00:00.000Z' },
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().plan, gold);
  });

  it('the audit entry names the plan as its target and keeps the settings sent', async () => {
    await app.api('POST', 'api=plans', { token, body: { name: 'silver', disk_mb: 512, shell: true } });
    await expectAudit(app, {
      action: 'plan.save',
      target: 'silver',
      status: 201,
      params: { name: 'silver', disk_mb: 512, shell: true },
      actor: { type: 'token', name: 'billing' },
    });
  });

  it('no plan is made or changed by a refused body', async () => {
    const before = await listPlans(app.rt.ctx);
    await app.api('POST', 'api=plans', { token, body: { name: 'gold', disk_mb: -5 } });
    await app.api('POST', 'api=plans', { token, body: { name: 'bad plan' } });
    assert.deepEqual(await listPlans(app.rt.ctx), before);
  });

  it('parallel creates of one new plan: one makes it (201), the others update it (200)', async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => app.api('POST', 'api=plans', { token, body: { name: 'rush', disk_mb: 1 } })),
    );
    assert.deepEqual(answers.map((r) => r.statusCode).sort(), [200, 200, 200, 200, 200, 201]);
    assert.equal(answers.filter((r) => r.json().created === true).length, 1);
  });

  it('an account can be put on a plan made over the API', async () => {
    await app.api('POST', 'api=plans', { token, body: { name: 'starter', max_databases: 1 } });
    const res = await app.api('POST', 'api=accounts', {
      token,
      body: { user: 'planned', domain: 'planned.example', plan: 'starter' },
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().account.plan, 'starter');
  });
});
