import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { AppContext } from '../../src/app/ports.js';
import { SignInLimiter } from '../../src/app/sign-in-limiter.js';
import { generateKeyBytes, makeKeyring } from '../../src/domain/keyring.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { fastHasher } from './app.js';
import { type FakeHost, fakeHost } from './fake-host.js';

/** OwnerWorld is a real store, a fake host and a clock the test moves, for the user panel's use cases. */
export interface OwnerWorld {
  ctx: AppContext;
  host: FakeHost;
  /** clock is the time `ctx.now()` answers, in milliseconds; tests move it forward. */
  clock: { ms: number };
  /** limiter is a sign-in limiter on the same clock. */
  limiter: SignInLimiter;
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * ownerWorlds registers hooks making a temporary directory and returns a function that builds a
 * fresh world in it: each test gets its own store, so none sees another's sessions or limits.
 */
export function ownerWorlds(): () => Promise<OwnerWorld> {
  let dir = '';
  let seq = 0;
  const opened: AppContext[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vanta-owner-'));
  });
  after(async () => {
    for (const ctx of opened) await ctx.store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return async () => {
    const store = await openSqliteStore(join(dir, `vanta-${++seq}.db`));
    const host = fakeHost();
    const clock = { ms: Date.parse('2026-06-01T12:00:00.000Z') };
    const ring = makeKeyring([generateKeyBytes()]);
    const ctx: AppContext = {
      store,
      host: host.drivers,
      hasher: fastHasher(),
      logger: silent,
      now: () => new Date(clock.ms),
      tokenUse: { record() {}, flush: async () => {} },
      lockOwner: `owner-test-${seq}`,
      lockTtlMs: 600_000,
      keyring: async () => ring,
      publicIp: null,
      acme: null,
    };
    opened.push(ctx);
    return { ctx, host, clock, limiter: new SignInLimiter(() => clock.ms) };
  };
}
