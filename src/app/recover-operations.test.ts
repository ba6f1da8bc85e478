import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildAccount, buildPlan } from '../../test/support/builders.js';
import { FakeCa } from '../../test/support/fake-ca.js';
import { type FakeWorld, fakeWorld } from '../../test/support/fake-world.js';
import { watchJournal } from '../../test/support/journal-watch.js';
import { changeAccountDomain } from './change-account-domain.js';
import { createDatabase } from './create-database.js';
import { deleteDatabase } from './delete-database.js';
import { issueCertificate } from './issue-certificate.js';
import { OPERATIONS } from './operations/index.js';
import type { AppContext } from './ports.js';
import { recoverOperations } from './recover-operations.js';
import { setAccountPlan } from './set-account-plan.js';
import { suspendAccount } from './suspend-account.js';
import { terminateAccount } from './terminate-account.js';
import { unsuspendAccount } from './unsuspend-account.js';

const USER = 'alice';
const PASSWORD = 'long-enough-secret';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vanta-recovery-'));
});
after(() => rm(dir, { recursive: true, force: true }));

type World = FakeWorld;

const world = () => fakeWorld(dir);

/**
 * killAfter runs `run` as a process killed right after `step` of `op` would: the operation stops
 * there for good, leaving its journal entry, its lock and whatever the steps so far did.
 */
async function killAfter(
  w: World,
  op: string,
  step: string | null,
  run: (ctx: AppContext) => Promise<unknown>,
): Promise<void> {
  let died: () => void = () => {};
  const dead = new Promise<void>((resolve) => {
    died = resolve;
  });
  const store = watchJournal(w.store, async (o, s) => {
    if (o !== op || s !== step) return;
    died();
    await new Promise<never>(() => {});
  });
  const ended = run({ ...w.ctx, store }).then(
    () => assert.fail(`${op} ended without passing step ${step}`),
    (err: unknown) => assert.fail(`${op} failed before step ${step}: ${String(err)}`),
  );
  await Promise.race([dead, ended]);
}

/** recover runs start-up recovery as a new process, and returns what it did and the host calls it made. */
async function recover(w: World): Promise<{ outcome: string; calls: string[] }> {
  w.host.calls.length = 0;
  const done = await recoverOperations({ ...w.ctx, lockOwner: 'process-that-starts' }, () => false);
  assert.equal(done.length, 1, JSON.stringify(done));
  assert.deepEqual(await w.store.operations.list(), [], 'the journal entry is gone');
  assert.deepEqual(await w.store.locks.list(), [], 'the dead process lock is gone');
  return { outcome: done[0]?.outcome ?? '', calls: [...w.host.calls] };
}

/** accountState is what an account looks like from outside: its row, system user, site, PHP, databases and limits. */
async function accountState(w: World) {
  const record = await w.store.accounts.get(USER);
  const user = w.host.state.users.get(USER);
  const site = w.host.state.sites.get(USER);
  const pool = w.host.state.pools.get(USER);
  const dbUsers = [...w.host.state.dbUsers].filter(([name]) => name.startsWith(`${USER}_`));
  return {
    status: record?.status ?? 'absent',
    /** domain is the account's domain in the store and the one its site answers for. */
    domain: record ? `${record.domain}${site ? ` site:${site.domain}` : ''}` : null,
    systemUser: user ? (user.locked ? 'locked' : 'open') : 'absent',
    site: site ? `${site.suspended ? 'suspended' : 'active'}${site.php ? ' php' : ''}` : 'absent',
    /** pool is the PHP pool on disk and whether PHP-FPM serves it (`loaded`, after the last reload). */
    pool: `${pool ? (pool.disabled ? 'disabled' : 'live') : 'absent'}${w.host.state.phpLoaded.has(USER) ? ' loaded' : ''}`,
    databases: [...w.host.state.databases].filter((name) => name.startsWith(`${USER}_`)),
    dbUsers: dbUsers.map(([name, u]) => `${name}:${u.locked ? 'locked' : 'open'}`),
    records: (await w.store.databases.listByAccount(USER)).map((d) => d.name),
    plan: record?.plan ?? null,
    shell: user?.shell ?? null,
    quota: w.host.state.quotas.get(USER) ?? null,
    ownerSession: (await w.store.ownerSessions.get(SESSION)) ? 'open' : 'none',
  };
}

type State = Awaited<ReturnType<typeof accountState>>;

const ABSENT: State = {
  status: 'absent',
  domain: null,
  systemUser: 'absent',
  site: 'absent',
  pool: 'absent',
  databases: [],
  dbUsers: [],
  records: [],
  plan: null,
  shell: null,
  quota: null,
  ownerSession: 'none',
};
const ACTIVE: State = {
  ...ABSENT,
  status: 'active',
  domain: 'alice.example site:alice.example',
  systemUser: 'open',
  site: 'active php',
  pool: 'live loaded',
  shell: false,
};
const WITH_DB: State = { ...ACTIVE, databases: ['alice_wp'], dbUsers: ['alice_wp:open'], records: ['alice_wp'] };
const SUSPENDED: State = {
  ...WITH_DB,
  status: 'suspended',
  systemUser: 'locked',
  site: 'suspended php',
  pool: 'disabled',
  dbUsers: ['alice_wp:locked'],
};
const BIG: State = { ...ACTIVE, plan: 'big', shell: true, quota: 500 };
const STATIC: State = { ...ACTIVE, plan: 'static', site: 'active', pool: 'absent' };
const MOVED: State = { ...ACTIVE, domain: 'shop.example site:shop.example' };

const create = (ctx: AppContext) => buildAccount(ctx, USER);
const SESSION = 'hash-of-an-owner-session';
/** withSession is withDatabase and an owner signed in to the user panel, whose session the operation must end. */
const withSession = async (ctx: AppContext) => {
  await withDatabase(ctx);
  const at = ctx.now().toISOString();
  await ctx.store.ownerSessions.insert({
    idHash: SESSION,
    account: USER,
    createdAt: at,
    lastSeenAt: at,
    ip: null,
    userAgent: null,
    via: 'password',
  });
};
const withDatabase = async (ctx: AppContext) => {
  await create(ctx);
  await createDatabase(ctx, { user: USER, name: 'wp', password: PASSWORD });
};

/** Case is one operation killed after each of its steps in turn: what recovery does, and how it leaves the account. */
interface Case {
  op: string;
  setup: (ctx: AppContext) => Promise<unknown>;
  run: (ctx: AppContext) => Promise<unknown>;
  /** steps maps each step (null: before the first) to the outcome, the host calls recovery makes and the end state. */
  steps: Array<[string | null, string, string[], State]>;
}

const lock = ['systemUsers.lock alice'];
const site = ['webServer.writeSite alice'];
const reload = ['webServer.reload'];
const removeSite = ['webServer.removeSite alice'];
const removeUser = ['systemUsers.remove alice'];
const removeCerts = ['certificates.removeAll alice'];
const lockDb = ['databases.lockUsers alice'];
const unlockDb = ['databases.unlockUsers alice'];
const unlock = ['systemUsers.unlock alice'];
const limits = ['systemUsers.setShell alice', 'systemUsers.closeWebRoot alice', 'quota.apply alice'];
/** dropPool, parkPool, unparkPool and startPool are PHP driver calls as the php_pool and php_reload steps make them. */
const dropPool = ['php.removePool alice', 'php.reload', 'php.endWorkers alice'];
const parkPool = ['php.disablePool alice', 'php.reload', 'php.endWorkers alice'];
const unparkPool = ['php.writePool alice', 'php.enablePool alice', 'php.reload'];
const startPool = ['php.writePool alice', 'php.reload'];

/** NOW is how the CLI issues a certificate: at once, failing loudly. */
const NOW = { audit: false, throwOnFailure: true };

const CASES: Case[] = [
  {
    op: 'account.create',
    setup: async () => {},
    run: create,
    steps: [
      [null, 'undone', [], ABSENT],
      ['record', 'undone', [], ABSENT],
      ['system_user', 'undone', removeUser, ABSENT],
      ['password', 'undone', removeUser, ABSENT],
      ['php_pool', 'undone', [...dropPool, ...removeUser], ABSENT],
      ['php_reload', 'undone', [...dropPool, ...removeUser], ABSENT],
      ['web_server', 'undone', [...removeSite, ...dropPool, ...removeUser], ABSENT],
      ['reload', 'undone', [...removeSite, ...dropPool, ...removeUser, ...reload], ABSENT],
      ['quota', 'undone', [...removeSite, ...dropPool, ...removeUser, ...reload], ABSENT],
      ['store', 'finished', [], ACTIVE],
    ],
  },
  {
    op: 'account.suspend',
    setup: withSession,
    run: (ctx) => suspendAccount(ctx, USER, 'unpaid'),
    steps: [
      [null, 'finished', [...lock, ...site, ...reload, ...parkPool, ...lockDb], SUSPENDED],
      ['sessions', 'finished', [...lock, ...site, ...reload, ...parkPool, ...lockDb], SUSPENDED],
      ['system_user', 'finished', [...lock, ...site, ...reload, ...parkPool, ...lockDb], SUSPENDED],
      ['web_server', 'finished', [...site, ...reload, ...parkPool, ...lockDb], SUSPENDED],
      ['reload', 'finished', [...reload, ...parkPool, ...lockDb], SUSPENDED],
      ['php_pool', 'finished', [...parkPool, ...lockDb], SUSPENDED],
      ['php_reload', 'finished', ['php.reload', 'php.endWorkers alice', ...lockDb], SUSPENDED],
      ['database_server', 'finished', lockDb, SUSPENDED],
      ['store', 'finished', [], SUSPENDED],
    ],
  },
  {
    op: 'account.unsuspend',
    setup: async (ctx) => {
      await withDatabase(ctx);
      await suspendAccount(ctx, USER);
    },
    run: (ctx) => unsuspendAccount(ctx, USER),
    steps: [
      [null, 'finished', [...unlockDb, ...unparkPool, ...site, ...reload, ...unlock], WITH_DB],
      ['database_server', 'finished', [...unlockDb, ...unparkPool, ...site, ...reload, ...unlock], WITH_DB],
      ['php_pool', 'finished', [...unparkPool, ...site, ...reload, ...unlock], WITH_DB],
      ['php_reload', 'finished', ['php.reload', ...site, ...reload, ...unlock], WITH_DB],
      ['web_server', 'finished', [...site, ...reload, ...unlock], WITH_DB],
      ['reload', 'finished', [...reload, ...unlock], WITH_DB],
      ['system_user', 'finished', unlock, WITH_DB],
      ['store', 'finished', [], WITH_DB],
    ],
  },
  {
    op: 'account.plan',
    setup: async (ctx) => {
      await create(ctx);
      await buildPlan(ctx, 'big', { diskMb: 500, shell: true });
    },
    run: (ctx) => setAccountPlan(ctx, USER, 'big'),
    steps: [
      [null, 'finished', [...limits, ...startPool, ...site, ...reload], BIG],
      ['store', 'finished', [...limits, ...startPool, ...site, ...reload], BIG],
      ['system_user', 'finished', [...limits, ...startPool, ...site, ...reload], BIG],
      ['quota', 'finished', ['quota.apply alice', ...startPool, ...site, ...reload], BIG],
      ['php_pool', 'finished', [...startPool, ...site, ...reload], BIG],
      ['php_reload', 'finished', ['php.reload', ...site, ...reload], BIG],
      ['web_server', 'finished', [...site, ...reload], BIG],
      ['reload', 'finished', reload, BIG],
    ],
  },
  {
    // PHP goes off: the site stops passing .php to the pool first, then the pool goes, with a reload
    // because the journal recorded that PHP was on before.
    op: 'account.plan',
    setup: async (ctx) => {
      await create(ctx);
      await buildPlan(ctx, 'static', { php: false });
    },
    run: (ctx) => setAccountPlan(ctx, USER, 'static'),
    steps: [
      [null, 'finished', [...limits, ...site, ...reload, ...dropPool], STATIC],
      ['store', 'finished', [...limits, ...site, ...reload, ...dropPool], STATIC],
      ['system_user', 'finished', [...limits, ...site, ...reload, ...dropPool], STATIC],
      ['quota', 'finished', ['quota.apply alice', ...site, ...reload, ...dropPool], STATIC],
      ['web_server', 'finished', [...site, ...reload, ...dropPool], STATIC],
      ['reload', 'finished', [...reload, ...dropPool], STATIC],
      ['php_pool', 'finished', dropPool, STATIC],
      ['php_reload', 'finished', ['php.reload', 'php.endWorkers alice'], STATIC],
    ],
  },
  {
    op: 'account.domain',
    setup: create,
    run: (ctx) => changeAccountDomain(ctx, USER, 'shop.example'),
    steps: [
      [null, 'finished', [...site, ...reload], MOVED],
      ['store', 'finished', [...site, ...reload], MOVED],
      ['web_server', 'finished', [...site, ...reload], MOVED],
      ['reload', 'finished', reload, MOVED],
      ['certificate', 'finished', [], MOVED],
    ],
  },
  {
    op: 'account.terminate',
    setup: withSession,
    run: (ctx) => terminateAccount(ctx, USER),
    steps: [
      [
        null,
        'finished',
        ['databases.dropAll alice', ...removeSite, ...reload, ...removeCerts, ...dropPool, ...removeUser],
        ABSENT,
      ],
      [
        'mark',
        'finished',
        ['databases.dropAll alice', ...removeSite, ...reload, ...removeCerts, ...dropPool, ...removeUser],
        ABSENT,
      ],
      [
        'sessions',
        'finished',
        ['databases.dropAll alice', ...removeSite, ...reload, ...removeCerts, ...dropPool, ...removeUser],
        ABSENT,
      ],
      [
        'database_server',
        'finished',
        ['databases.dropAll alice', ...removeSite, ...reload, ...removeCerts, ...dropPool, ...removeUser],
        ABSENT,
      ],
      ['web_server', 'finished', [...removeSite, ...reload, ...removeCerts, ...dropPool, ...removeUser], ABSENT],
      ['reload', 'finished', [...reload, ...removeCerts, ...dropPool, ...removeUser], ABSENT],
      ['certificates', 'finished', [...removeCerts, ...dropPool, ...removeUser], ABSENT],
      ['php_pool', 'finished', [...dropPool, ...removeUser], ABSENT],
      ['php_reload', 'finished', ['php.reload', 'php.endWorkers alice', ...removeUser], ABSENT],
      ['system_user', 'finished', removeUser, ABSENT],
      ['store', 'finished', [], ABSENT],
    ],
  },
  {
    op: 'certificate.install',
    setup: create,
    run: (ctx) => issueCertificate({ ...ctx, acme: { ca: new FakeCa(), wake: () => {} } }, USER, NOW),
    steps: [
      [null, 'finished', [...site, ...reload], ACTIVE],
      ['record', 'finished', [...site, ...reload], ACTIVE],
      ['web_server', 'finished', [...site, ...reload], ACTIVE],
      ['reload', 'finished', reload, ACTIVE],
      ['cleanup', 'finished', [], ACTIVE],
    ],
  },
  {
    op: 'database.create',
    setup: create,
    run: (ctx) => createDatabase(ctx, { user: USER, name: 'wp', password: PASSWORD }),
    steps: [
      [null, 'undone', [], ACTIVE],
      ['database', 'undone', ['databases.dropDatabase alice_wp'], ACTIVE],
      ['database_user', 'undone', ['databases.dropUser alice_wp', 'databases.dropDatabase alice_wp'], ACTIVE],
      ['grant', 'undone', ['databases.dropUser alice_wp', 'databases.dropDatabase alice_wp'], ACTIVE],
      ['store', 'finished', [], WITH_DB],
    ],
  },
  {
    op: 'database.delete',
    setup: withDatabase,
    run: (ctx) => deleteDatabase(ctx, USER, 'wp'),
    steps: [
      [null, 'finished', ['databases.dropUser alice_wp', 'databases.dropDatabase alice_wp'], ACTIVE],
      ['database_user', 'finished', ['databases.dropUser alice_wp', 'databases.dropDatabase alice_wp'], ACTIVE],
      ['database', 'finished', ['databases.dropDatabase alice_wp'], ACTIVE],
      ['store', 'finished', [], ACTIVE],
    ],
  },
];

describe('start-up recovery of an operation killed after each of its steps', () => {
  for (const c of CASES) {
    for (const [step, outcome, calls, state] of c.steps) {
      it(`${c.op} killed after ${step ?? 'it began, before any step'} → ${outcome}`, async () => {
        const w = await world();
        try {
          await c.setup(w.ctx);
          await killAfter(w, c.op, step, c.run);
          const done = await recover(w);
          assert.deepEqual(done, { outcome, calls });
          assert.deepEqual(await accountState(w), state);
          const [entry] = await w.store.audit.list({ limit: 1, action: 'account.recover' });
          assert.deepEqual(entry?.params, { operation: c.op, step, result: outcome });
        } finally {
          await w.store.close();
        }
      });
    }
  }

  it('every journalled operation has its case above, with a row for each of its steps', async () => {
    assert.deepEqual([...new Set(CASES.map((c) => c.op))].sort(), [...OPERATIONS.keys()].sort());
    for (const c of CASES) {
      const w = await world();
      try {
        await c.setup(w.ctx);
        const passed: Array<string | null> = [];
        const store = watchJournal(w.store, (op, step) => {
          if (op === c.op) passed.push(step);
        });
        await c.run({ ...w.ctx, store });
        assert.deepEqual(
          c.steps.map(([step]) => step),
          passed,
          `${c.op}: a row for each step`,
        );
      } finally {
        await w.store.close();
      }
    }
  });
});

describe('start-up recovery where the step in progress is not known', () => {
  it('undoes every step of a create whose journal names a step this version does not have', async () => {
    const w = await world();
    try {
      await killAfter(w, 'account.create', 'quota', create);
      const [op] = await w.store.operations.list();
      assert.ok(op);
      await w.store.operations.setStep(op.id, 'step_of_another_version');
      assert.deepEqual(await recover(w), {
        outcome: 'undone',
        calls: [...removeSite, ...dropPool, ...removeUser, ...reload],
      });
      assert.deepEqual(await accountState(w), ABSENT);
    } finally {
      await w.store.close();
    }
  });

  it('re-runs every step of a suspend whose journal names a step this version does not have', async () => {
    const w = await world();
    try {
      await withDatabase(w.ctx);
      await killAfter(w, 'account.suspend', 'store', (ctx) => suspendAccount(ctx, USER));
      const [op] = await w.store.operations.list();
      assert.ok(op);
      await w.store.operations.setStep(op.id, '7');
      const done = await recover(w);
      assert.deepEqual(done.calls, [...lock, ...site, ...reload, ...parkPool, ...lockDb]);
      assert.deepEqual(await accountState(w), SUSPENDED);
    } finally {
      await w.store.close();
    }
  });

  it('undoes a whole create for an account left provisioning with no journal entry', async () => {
    const w = await world();
    try {
      await killAfter(w, 'account.create', 'reload', create);
      const [op] = await w.store.operations.list();
      assert.ok(op);
      await w.store.operations.finish(op.id);
      // The journal recorded neither the step nor whether PHP was on: the pool that is there is taken back whole.
      assert.deepEqual(await recover(w), {
        outcome: 'undone',
        calls: [...removeSite, ...dropPool, ...removeUser, ...reload],
      });
      assert.deepEqual(await accountState(w), ABSENT);
      const [entry] = await w.store.audit.list({ limit: 1, action: 'account.recover' });
      assert.deepEqual(entry?.params, { operation: 'account.create', step: null, result: 'undone' });
    } finally {
      await w.store.close();
    }
  });

  it('gives up on an operation it does not know, and drops its journal entry', async () => {
    const w = await world();
    try {
      await w.store.operations.begin({
        op: 'account.teleport',
        account: USER,
        params: {},
        owner: 'gone',
        startedAt: 'x',
      });
      assert.deepEqual(await recover(w), { outcome: 'failed', calls: [] });
      const [entry] = await w.store.audit.list({ limit: 1, action: 'account.recover' });
      assert.equal(entry?.outcome, 'provisioning_failed');
    } finally {
      await w.store.close();
    }
  });
});

describe('start-up recovery that cannot finish', () => {
  it('puts a terminate it cannot finish back to the status the account had, and says so', async () => {
    const w = await world();
    try {
      await withDatabase(w.ctx);
      await suspendAccount(w.ctx, USER);
      await killAfter(w, 'account.terminate', 'web_server', (ctx) => terminateAccount(ctx, USER));
      assert.equal((await accountState(w)).status, 'terminating');
      w.host.fault.method = 'systemUsers.remove';
      const done = await recover(w);
      assert.deepEqual(done, {
        outcome: 'failed',
        calls: [
          ...removeSite,
          ...reload,
          ...removeCerts,
          ...dropPool,
          ...removeUser,
          'php.writePool alice',
          'php.disablePool alice',
          'php.reload',
          ...site,
          ...reload,
        ],
      });
      const state = await accountState(w);
      assert.equal(state.status, 'suspended');
      assert.equal(state.site, 'suspended php', 'the site removed by this recovery is written back as it was');
      assert.equal(state.pool, 'disabled', 'and the pool, kept aside as a suspended one is');
      const [entry] = await w.store.audit.list({ limit: 1, action: 'account.recover' });
      assert.equal(entry?.outcome, 'provisioning_failed');
    } finally {
      await w.store.close();
    }
  });
});

describe('a recovery sweep while the server runs', () => {
  it('leaves alone an account whose live operation began after the sweep read the journal and ended before it took the lock', async () => {
    const w = await world();
    try {
      await create(w.ctx);
      // The sweep reads the journal (nothing yet), then a live terminate marks the account, fails
      // and puts it back as it was, ending its journal entry and releasing the lock, all while the
      // sweep lists the accounts left `terminating`.
      const store = {
        ...w.store,
        accounts: {
          ...w.store.accounts,
          list: async (filter: Parameters<typeof w.store.accounts.list>[0]) => {
            if (filter.status !== 'terminating') return w.store.accounts.list(filter);
            await w.store.accounts.update(USER, { status: 'terminating' });
            const found = await w.store.accounts.list(filter);
            await w.store.accounts.update(USER, { status: 'active' });
            return found;
          },
        },
      };
      w.host.calls.length = 0;
      const done = await recoverOperations({ ...w.ctx, store, lockOwner: 'server-sweeping' }, () => true);
      assert.deepEqual(done, []);
      assert.deepEqual(w.host.calls, [], 'the host is not touched');
      assert.deepEqual(await accountState(w), ACTIVE);
    } finally {
      await w.store.close();
    }
  });
});
