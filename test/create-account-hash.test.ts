import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { createAccount } from '../src/app/create-account.js';
import type { PasswordHasher } from '../src/host/ports.js';
import { type TestApp, fastHasher, makeApp } from './support/app.js';
import { failingHost } from './support/failing-host.js';

// Regression tests of issue 15 (performance): create hashed the owner password before any system step ran.

/** gatedHasher hashes only once `open` is called, and says what it was asked. */
function gatedHasher(fail = false) {
  const real = fastHasher();
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const hasher: PasswordHasher = {
    async hash(password) {
      await gate;
      if (fail) throw new Error('injected hash failure');
      return real.hash(password);
    },
    verify: (stored, password) => real.verify(stored, password),
  };
  return { hasher, open: () => open() };
}

/** appWhoseUseraddOpens builds an app whose system-user step opens the hasher's gate before it runs. */
async function appWhoseUseraddOpens(gated: ReturnType<typeof gatedHasher>, calls: string[]): Promise<TestApp> {
  return makeApp(
    {},
    {
      hasher: gated.hasher,
      wrapHost: (real) => {
        const wrapped = failingHost({ method: null }, calls)(real);
        const create = wrapped.systemUsers.create.bind(wrapped.systemUsers);
        wrapped.systemUsers.create = (spec) => {
          gated.open();
          return create(spec);
        };
        return wrapped;
      },
    },
  );
}

describe('15.4: the owner password is hashed while the system steps run', () => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('the system user is made before the hash is done, and the active row holds a hash of the password', {
    timeout: 60_000,
  }, async () => {
    const gated = gatedHasher();
    const calls: string[] = [];
    app = await appWhoseUseraddOpens(gated, calls);
    const created = await createAccount(app.rt.ctx, {
      user: 'hashcc1',
      domain: 'hashcc1.test',
      password: 'Pw-9f8e7d6c5b',
    });
    assert.equal(created.account.status, 'active');
    assert.ok(calls.includes('systemUsers.create'));
    const row = await app.rt.ctx.store.accounts.get('hashcc1');
    assert.equal(row?.status, 'active');
    assert.ok(await app.rt.ctx.hasher.verify(row?.passwordHash ?? '', 'Pw-9f8e7d6c5b'));
  });

  it('a hash that fails after the system steps ran undoes all of them', { timeout: 60_000 }, async () => {
    const gated = gatedHasher(true);
    app = await appWhoseUseraddOpens(gated, []);
    await assert.rejects(
      createAccount(app.rt.ctx, { user: 'hashcc2', domain: 'hashcc2.test', password: 'Pw-9f8e7d6c5b' }),
    );
    assert.equal(await app.rt.ctx.store.accounts.get('hashcc2'), undefined);
    assert.equal(existsSync(join(app.dir, 'sandbox', 'users', 'hashcc2.json')), false);
    assert.equal(existsSync(join(app.dir, 'nginx', 'sites', 'hashcc2.conf')), false);
    assert.equal(existsSync(join(app.dir, 'homes', 'hashcc2')), false);
  });

  it('while provisioning, no password verifies against the row', { timeout: 60_000 }, async () => {
    const gated = gatedHasher();
    app = await makeApp({}, { hasher: gated.hasher });
    const ctx = app.rt.ctx;
    const creating = createAccount(ctx, { user: 'hashcc3', domain: 'hashcc3.test', password: 'Pw-9f8e7d6c5b' });
    let row = await ctx.store.accounts.get('hashcc3');
    while (row === undefined) {
      await new Promise((r) => setImmediate(r));
      row = await ctx.store.accounts.get('hashcc3');
    }
    assert.equal(row.status, 'provisioning');
    assert.equal(await ctx.hasher.verify(row.passwordHash, 'Pw-9f8e7d6c5b'), false);
    assert.equal(await ctx.hasher.verify(row.passwordHash, ''), false);
    gated.open();
    await creating;
  });
});
