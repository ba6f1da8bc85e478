// What nginx serves once a failed operation has been undone: the undos put the site back as it was,
// and nginx must be reloaded after them, not before, or it goes on serving what the undone steps made.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildAccount } from '../../../test/support/builders.js';
import { fakeWorld } from '../../../test/support/fake-world.js';
import { suspendAccount } from '../suspend-account.js';
import { terminateAccount } from '../terminate-account.js';

const USER = 'alice';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vanta-reload-undo-'));
});
after(() => rm(dir, { recursive: true, force: true }));

describe('an undone operation reloads nginx after the undos that change its sites', () => {
  it('a create whose php_reload fails alongside the nginx reload leaves nginx without the site', async () => {
    const w = await fakeWorld(dir);
    try {
      w.host.fault.method = 'php.reload';
      await assert.rejects(buildAccount(w.ctx, USER), { code: 'provisioning_failed', details: { step: 'php_reload' } });
      w.host.fault.method = null;
      assert.equal(w.host.state.sites.has(USER), false, 'the site file is gone');
      assert.equal(w.host.state.nginxLoaded.has(USER), false, 'nginx no longer serves the site');
    } finally {
      await w.store.close();
    }
  });

  it('a create whose reload nginx confirmed too late (taken after the wait) leaves nginx without the site', async () => {
    const w = await fakeWorld(dir);
    try {
      // The master takes the reload, but only after the panel stopped waiting for it.
      const web = w.ctx.host.webServer;
      const reload = web.reload.bind(web);
      web.reload = async () => {
        await reload();
        throw new Error('no new worker of the master within the wait');
      };
      await assert.rejects(buildAccount(w.ctx, USER), { code: 'provisioning_failed', details: { step: 'reload' } });
      web.reload = reload;
      assert.equal(w.host.state.sites.has(USER), false, 'the site file is gone');
      assert.equal(w.host.state.nginxLoaded.has(USER), false, 'nginx no longer serves the site');
    } finally {
      await w.store.close();
    }
  });

  it('a terminate failing after the reload leaves nginx serving the restored site', async () => {
    const w = await fakeWorld(dir);
    try {
      await buildAccount(w.ctx, USER);
      w.host.fault.method = 'systemUsers.remove';
      await assert.rejects(terminateAccount(w.ctx, USER), {
        code: 'provisioning_failed',
        details: { step: 'system_user' },
      });
      w.host.fault.method = null;
      assert.deepEqual(w.host.state.nginxLoaded.get(USER), w.host.state.sites.get(USER));
      assert.equal(w.host.state.nginxLoaded.get(USER)?.suspended, false);
    } finally {
      await w.store.close();
    }
  });

  it('a suspend failing after the reload leaves nginx serving the active site, not the 503', async () => {
    const w = await fakeWorld(dir);
    try {
      await buildAccount(w.ctx, USER);
      w.host.fault.method = 'databases.lockUsers';
      await assert.rejects(suspendAccount(w.ctx, USER), {
        code: 'provisioning_failed',
        details: { step: 'database_server' },
      });
      w.host.fault.method = null;
      assert.equal(w.host.state.nginxLoaded.get(USER)?.suspended, false);
    } finally {
      await w.store.close();
    }
  });
});
