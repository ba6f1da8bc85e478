// What the PHP steps of each operation leave behind when a step fails in a live run: the error
// names the step, and the completed steps are undone so the account's PHP is as it was (the file on
// disk, what PHP-FPM serves, and the site's `*.php`). Recovery of the same steps after a crash is
// in recover-operations.test.ts.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildAccount, buildPlan } from '../../../test/support/builders.js';
import { type FakeWorld, fakeWorld } from '../../../test/support/fake-world.js';
import type { AppContext } from '../ports.js';
import { setAccountPlan } from '../set-account-plan.js';
import { suspendAccount } from '../suspend-account.js';
import { terminateAccount } from '../terminate-account.js';
import { unsuspendAccount } from '../unsuspend-account.js';

const USER = 'alice';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vanta-php-steps-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** phpState is the account as PHP goes: its row's status and plan, its site's `*.php`, its pool on disk and in PHP-FPM. */
async function phpState(w: FakeWorld) {
  const record = await w.store.accounts.get(USER);
  const site = w.host.state.sites.get(USER);
  const pool = w.host.state.pools.get(USER);
  return {
    status: record?.status ?? 'absent',
    plan: record?.plan ?? null,
    site: site ? `${site.suspended ? 'suspended' : 'active'}${site.php ? ' php' : ''}` : 'absent',
    pool: `${pool ? (pool.disabled ? 'disabled' : 'live') : 'absent'}${w.host.state.phpLoaded.has(USER) ? ' loaded' : ''}`,
  };
}

type PhpState = Awaited<ReturnType<typeof phpState>>;

const ABSENT: PhpState = { status: 'absent', plan: null, site: 'absent', pool: 'absent' };
const ACTIVE: PhpState = { status: 'active', plan: null, site: 'active php', pool: 'live loaded' };
const SUSPENDED: PhpState = { status: 'suspended', plan: null, site: 'suspended php', pool: 'disabled' };
const STATIC: PhpState = { status: 'active', plan: 'static', site: 'active', pool: 'absent' };

const create = (ctx: AppContext) => buildAccount(ctx, USER);
const createStatic = async (ctx: AppContext) => {
  await buildPlan(ctx, 'static', { php: false });
  await buildPlan(ctx, 'big', { phpMaxChildren: 9, phpMemoryMb: 512 });
  await buildAccount(ctx, USER, { plan: 'static' });
};
const createSuspended = async (ctx: AppContext) => {
  await create(ctx);
  await suspendAccount(ctx, USER);
};

/** Failure is one driver call failing during one operation: the step it answers, and how it leaves PHP. */
interface Failure {
  name: string;
  setup: (ctx: AppContext) => Promise<unknown>;
  run: (ctx: AppContext) => Promise<unknown>;
  fault: string;
  step: string;
  end: PhpState;
}

const FAILURES: Failure[] = [
  { name: 'create', setup: async () => {}, run: create, fault: 'php.writePool', step: 'php_pool', end: ABSENT },
  // The failed reload is the one step not undone; the pool step's undo removes the file and reloads.
  { name: 'create', setup: async () => {}, run: create, fault: 'php.reload', step: 'php_reload', end: ABSENT },
  { name: 'create', setup: async () => {}, run: create, fault: 'webServer.writeSite', step: 'web_server', end: ABSENT },
  {
    name: 'suspend',
    setup: create,
    run: (ctx) => suspendAccount(ctx, USER),
    fault: 'php.disablePool',
    step: 'php_pool',
    end: ACTIVE,
  },
  // PHP-FPM never loaded the change, so it still serves the pool, whose file is back in service.
  {
    name: 'suspend',
    setup: create,
    run: (ctx) => suspendAccount(ctx, USER),
    fault: 'php.reload',
    step: 'php_reload',
    end: ACTIVE,
  },
  {
    name: 'suspend',
    setup: create,
    run: (ctx) => suspendAccount(ctx, USER),
    fault: 'databases.lockUsers',
    step: 'database_server',
    end: ACTIVE,
  },
  {
    name: 'unsuspend',
    setup: createSuspended,
    run: (ctx) => unsuspendAccount(ctx, USER),
    fault: 'php.enablePool',
    step: 'php_pool',
    end: SUSPENDED,
  },
  {
    name: 'unsuspend',
    setup: createSuspended,
    run: (ctx) => unsuspendAccount(ctx, USER),
    fault: 'webServer.writeSite',
    step: 'web_server',
    end: SUSPENDED,
  },
  {
    name: 'terminate',
    setup: create,
    run: (ctx) => terminateAccount(ctx, USER),
    fault: 'php.reload',
    step: 'php_reload',
    end: ACTIVE,
  },
  {
    name: 'terminate',
    setup: create,
    run: (ctx) => terminateAccount(ctx, USER),
    fault: 'systemUsers.remove',
    step: 'system_user',
    end: ACTIVE,
  },
  {
    name: 'terminate of a suspended account',
    setup: createSuspended,
    run: (ctx) => terminateAccount(ctx, USER),
    fault: 'systemUsers.remove',
    step: 'system_user',
    end: SUSPENDED,
  },
  {
    name: 'plan turning PHP off',
    setup: async (ctx) => {
      await create(ctx);
      await buildPlan(ctx, 'static', { php: false });
    },
    run: (ctx) => setAccountPlan(ctx, USER, 'static'),
    fault: 'php.reload',
    step: 'php_reload',
    end: ACTIVE,
  },
  {
    name: 'plan turning PHP on',
    setup: createStatic,
    run: (ctx) => setAccountPlan(ctx, USER, 'big'),
    fault: 'php.writePool',
    step: 'php_pool',
    end: STATIC,
  },
  {
    name: 'plan turning PHP on',
    setup: createStatic,
    run: (ctx) => setAccountPlan(ctx, USER, 'big'),
    fault: 'webServer.writeSite',
    step: 'web_server',
    end: STATIC,
  },
];

describe('a failing step of an operation takes the PHP steps before it back', () => {
  for (const f of FAILURES) {
    it(`${f.name} failing at ${f.fault} answers step ${f.step} and leaves PHP as it was`, async () => {
      const w = await fakeWorld(dir);
      try {
        await f.setup(w.ctx);
        w.host.fault.method = f.fault;
        await assert.rejects(f.run(w.ctx), { code: 'provisioning_failed', details: { step: f.step } });
        w.host.fault.method = null;
        assert.deepEqual(await phpState(w), f.end);
      } finally {
        await w.store.close();
      }
    });
  }
});

describe('a suspended account pool is never in service, even for a moment', () => {
  it('a plan change of a suspended account writes its new pool aside before another operation reload can load it', async () => {
    const w = await fakeWorld(dir);
    try {
      await createStatic(w.ctx);
      await suspendAccount(w.ctx, USER);
      const php = w.host.drivers.php;
      const write = php.writePool.bind(php);
      const reload = php.reload.bind(php);
      let served = false;
      php.reload = async () => {
        await reload();
        served ||= w.host.state.phpLoaded.has(USER);
      };
      // Another account's operation reloads PHP-FPM as soon as the pool write has ended, before
      // this one's next call: its reload takes its turn after the write, ahead of what follows.
      php.writePool = async (spec) => {
        await write(spec);
        await php.reload();
      };
      await setAccountPlan(w.ctx, USER, 'big');
      assert.equal(w.host.state.pools.get(USER)?.disabled, true);
      assert.equal(served, false, 'PHP-FPM never served the pool of the suspended account');
    } finally {
      await w.store.close();
    }
  });
});

describe('PHP follows the plan', () => {
  it('an account without a plan, or on a plan with PHP, gets a pool with its limits; PHP off gets none', async () => {
    const w = await fakeWorld(dir);
    try {
      await create(w.ctx);
      assert.deepEqual(w.host.state.pools.get(USER), { maxChildren: 5, memoryMb: 256, disabled: false });
      assert.equal(w.host.state.sites.get(USER)?.php, '/fake/run/vanta-alice.sock');
      await buildPlan(w.ctx, 'big', { phpMaxChildren: 9, phpMemoryMb: 512 });
      await buildAccount(w.ctx, 'bob', { plan: 'big' });
      assert.deepEqual(w.host.state.pools.get('bob'), { maxChildren: 9, memoryMb: 512, disabled: false });
      await buildPlan(w.ctx, 'static', { php: false });
      w.host.calls.length = 0;
      await buildAccount(w.ctx, 'carol', { plan: 'static' });
      assert.equal(w.host.state.pools.has('carol'), false);
      assert.equal(w.host.state.sites.get('carol')?.php, null, 'the site refuses .php: it has no socket to pass it to');
      assert.deepEqual(
        w.host.calls.filter((c) => c.startsWith('php.')),
        [],
        'with PHP off, PHP-FPM is never called: it need not be installed',
      );
    } finally {
      await w.store.close();
    }
  });

  it('suspend, terminate and a plan change of an account without PHP never call PHP-FPM', async () => {
    const w = await fakeWorld(dir);
    try {
      await createStatic(w.ctx);
      w.host.calls.length = 0;
      await suspendAccount(w.ctx, USER);
      await unsuspendAccount(w.ctx, USER);
      await setAccountPlan(w.ctx, USER, 'static');
      await terminateAccount(w.ctx, USER);
      assert.deepEqual(
        w.host.calls.filter((c) => c.startsWith('php.') && !/^php\.(removePool|endWorkers) /.test(c)),
        [],
        'only the file and process clean-ups, which need no PHP-FPM',
      );
    } finally {
      await w.store.close();
    }
  });

  it('a plan change of a suspended account writes its new pool out of service; unsuspend puts it back', async () => {
    const w = await fakeWorld(dir);
    try {
      await createStatic(w.ctx);
      await suspendAccount(w.ctx, USER);
      await setAccountPlan(w.ctx, USER, 'big');
      assert.deepEqual(w.host.state.pools.get(USER), { maxChildren: 9, memoryMb: 512, disabled: true });
      assert.equal(w.host.state.phpLoaded.has(USER), false, 'PHP-FPM does not serve it');
      assert.deepEqual(w.host.state.sites.get(USER), {
        domain: 'alice.example',
        suspended: true,
        php: '/fake/run/vanta-alice.sock',
      });
      await unsuspendAccount(w.ctx, USER);
      assert.deepEqual(w.host.state.pools.get(USER), { maxChildren: 9, memoryMb: 512, disabled: false });
      assert.equal(w.host.state.phpLoaded.has(USER), true);
    } finally {
      await w.store.close();
    }
  });

  it('unsuspend rewrites the pool with the limits the plan has now, and makes one that is missing', async () => {
    const w = await fakeWorld(dir);
    try {
      await buildPlan(w.ctx, 'big', { phpMaxChildren: 9, phpMemoryMb: 512 });
      await buildAccount(w.ctx, USER, { plan: 'big' });
      await suspendAccount(w.ctx, USER);
      const plan = await w.store.plans.get('big');
      assert.ok(plan);
      await w.store.plans.update({ ...plan, phpMaxChildren: 2 });
      w.host.state.pools.delete(USER);
      await unsuspendAccount(w.ctx, USER);
      assert.deepEqual(w.host.state.pools.get(USER), { maxChildren: 2, memoryMb: 512, disabled: false });
      assert.equal(w.host.state.phpLoaded.has(USER), true);
    } finally {
      await w.store.close();
    }
  });
});
