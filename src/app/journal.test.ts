import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { buildAccount } from '../../test/support/builders.js';
import { fakeWorld } from '../../test/support/fake-world.js';
import { terminateAccount } from './terminate-account.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vanta-journal-'));
});
after(() => rm(dir, { recursive: true, force: true }));

it("a failed operation whose clean-up failed too answered the clean-up's error and closed its journal entry: it now answers its own, and leaves the entry to recovery", async () => {
  const w = await fakeWorld(dir);
  try {
    await buildAccount(w.ctx, 'alice');
    w.host.fault.method = 'systemUsers.remove';
    // terminate's onFailure puts the account's status back: make that store write fail once.
    const update = w.store.accounts.update.bind(w.store.accounts);
    let failures = 0;
    w.store.accounts.update = async (user, patch) => {
      if (patch.status === 'active' && failures++ === 0) throw new Error('the store is gone for a moment');
      return update(user, patch);
    };
    await assert.rejects(terminateAccount(w.ctx, 'alice'), {
      code: 'provisioning_failed',
      details: { step: 'system_user' },
    });
    assert.equal(failures, 1, 'the clean-up was tried and failed');
    const open = await w.store.operations.list();
    assert.deepEqual(
      open.map((o) => [o.op, o.account]),
      [['account.terminate', 'alice']],
      'the entry is left for recovery to finish',
    );
  } finally {
    await w.store.close();
  }
});
