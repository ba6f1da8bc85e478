import { join } from 'node:path';
import type { AppContext } from '../../src/app/ports.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { type FakeHost, fakeHost } from './fake-host.js';

/** FakeWorld is a real store in a temp dir and a fake host, with the context a process would build over them. */
export interface FakeWorld {
  ctx: AppContext;
  host: FakeHost;
  store: Store;
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };
let seq = 0;

/** fakeWorld opens a fresh store in `dir` over an empty fake host; `lockOwner` names the process. */
export async function fakeWorld(dir: string, lockOwner = 'process-that-dies'): Promise<FakeWorld> {
  const store = await openSqliteStore(join(dir, `vanta-${++seq}.db`));
  const host = fakeHost();
  const ctx: AppContext = {
    store,
    host: host.drivers,
    hasher: { hash: async () => 'not-a-real-hash', verify: async () => false },
    logger: silent,
    now: () => new Date('2026-03-04T05:06:07.000Z'),
    tokenUse: { record() {}, flush: async () => {} },
    lockOwner,
    lockTtlMs: 600_000,
    keyring: async () => {
      throw new Error('recovery never needs the secret keys');
    },
    publicIp: null,
    acme: null,
  };
  return { ctx, host, store };
}
