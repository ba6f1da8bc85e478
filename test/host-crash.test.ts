import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HostRig, hostModeSkip } from './support/host-mode.js';

const skip = hostModeSkip();
const CREATE_STEPS = [
  'record',
  'system_user',
  'password',
  'php_pool',
  'php_reload',
  'web_server',
  'reload',
  'quota',
  'store',
];
const TERMINATE_STEPS = [
  'mark',
  'sessions',
  'database_server',
  'web_server',
  'reload',
  'php_pool',
  'php_reload',
  'system_user',
  'store',
];

function randomUser(prefix: string): string {
  return prefix + Math.random().toString(36).slice(2, 9).replace(/[0-9]/g, 'q');
}

/**
 * assertAllOrNothing checks that an account is fully made (panel, user, home, site, PHP pool and
 * socket) or fully absent, with no orphan pool file, temporary pool file or socket.
 */
async function assertAllOrNothing(rig: HostRig, user: string, domain: string): Promise<'made' | 'absent'> {
  const reply = await rig.api('GET', `api=account&user=${user}`);
  const pw = await rig.passwdEntry(user);
  const home = rig.homeExists(user);
  const site = (await rig.siteFiles()).includes(`${user}.conf`);
  const group = await rig.groupEntry(user);
  const pool = (await rig.poolFiles()).filter((f) => f.startsWith(`vanta-${user}.`));
  if (reply.status === 200) {
    const account = reply.body.account as { status: string };
    assert.equal(account.status, 'active', `${user} is active, never left provisioning or terminating`);
    assert.ok(pw && home && site && group, `${user} is active with user ${!!pw}, home ${home}, site ${site}`);
    assert.deepEqual(pool, [`vanta-${user}.conf`], 'and its pool');
    assert.ok(await rig.settled(domain, (r) => r.status === 200), 'and its site answers');
    assert.ok(rig.socketExists(user), 'and its pool listens');
    return 'made';
  }
  assert.equal(reply.status, 404, JSON.stringify(reply.body));
  assert.deepEqual(
    { user: !!pw, group: !!group, home, site, pool, socket: rig.socketExists(user) },
    { user: false, group: false, home: false, site: false, pool: [], socket: false },
    `${user} is absent with no orphan left`,
  );
  return 'absent';
}

describe('host mode: crash safety and the nginx check', { skip: skip ?? false }, () => {
  let rig: HostRig;

  before(async () => {
    rig = await HostRig.create();
  });
  after(async () => {
    await rig?.close();
  });

  for (const step of CREATE_STEPS) {
    test(`killed right after create step "${step}": the restarted panel leaves the account whole or gone`, async () => {
      const user = randomUser('cr');
      const domain = `${user}.example.test`;
      await rig.startWithHooks({ crashAfter: `account.create:${step}` });
      await rig.api('POST', 'api=accounts', { user, domain }).catch(() => null);
      const died = await rig.waitForExit();
      assert.ok(died.signal === 'SIGTERM' || died.code !== 0, `the panel died (${JSON.stringify(died)})`);
      await rig.start();
      try {
        const end = await assertAllOrNothing(rig, user, domain);
        // Only the last step makes the account whole; before it, the create is undone.
        assert.equal(end, step === 'store' ? 'made' : 'absent');
        if (end === 'made') assert.equal((await rig.api('DELETE', `api=account&user=${user}`)).status, 200);
      } finally {
        await rig.stop();
      }
    });
  }

  for (const step of TERMINATE_STEPS) {
    test(`killed right after terminate step "${step}": the restarted panel finishes the terminate`, async () => {
      const user = randomUser('tr');
      const domain = `${user}.example.test`;
      await rig.start();
      const made = await rig.api('POST', 'api=accounts', { user, domain });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      await rig.stop();
      await rig.startWithHooks({ crashAfter: `account.terminate:${step}` });
      await rig.api('DELETE', `api=account&user=${user}`).catch(() => null);
      await rig.waitForExit();
      await rig.start();
      try {
        assert.equal(await assertAllOrNothing(rig, user, domain), 'absent');
        assert.ok(await rig.settled(domain, (r) => r.status === 404), 'the domain no longer answers with its page');
      } finally {
        await rig.stop();
      }
    });
  }

  test('a server block nginx refuses is caught by nginx -t, rolled back, and other sites keep answering', async () => {
    const good = randomUser('ok');
    const bad = randomUser('br');
    await rig.startWithHooks({ breakSite: bad });
    try {
      const made = await rig.api('POST', 'api=accounts', { user: good, domain: `${good}.example.test` });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      assert.ok(await rig.settled(`${good}.example.test`, (r) => r.status === 200));

      const refused = await rig.api('POST', 'api=accounts', { user: bad, domain: `${bad}.example.test` });
      assert.equal(refused.status, 502, JSON.stringify(refused.body));
      assert.equal(refused.body.error, 'provisioning_failed');
      assert.equal(refused.body.step, 'web_server');
      assert.equal(await rig.passwdEntry(bad), null, 'the system user was taken back');
      assert.equal(rig.homeExists(bad), false);
      assert.deepEqual(await rig.siteFiles(), [`${good}.conf`], 'the refused block is gone');
      assert.equal((await rig.nginx.test()).ok, true, 'the configuration on disk is valid');
      await rig.nginx.reload();
      assert.ok(await rig.settled(`${good}.example.test`, (r) => r.status === 200), 'the other site still answers');

      // A suspend of the good account rewrites its block; the check passes and the old block is not lost.
      const suspended = await rig.api('POST', `api=account&action=suspend&user=${good}`);
      assert.equal(suspended.status, 200);
      assert.equal((await rig.api('DELETE', `api=account&user=${good}`)).status, 200);
    } finally {
      await rig.stop();
    }
  });

  test('a rewrite nginx refuses restores the previous block of the same account', async () => {
    const user = randomUser('rw');
    await rig.start();
    const made = await rig.api('POST', 'api=accounts', { user, domain: `${user}.example.test` });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    await rig.stop();
    await rig.startWithHooks({ breakSite: user });
    try {
      const refused = await rig.api('POST', `api=account&action=suspend&user=${user}`);
      assert.equal(refused.status, 502, JSON.stringify(refused.body));
      assert.equal(refused.body.step, 'web_server');
      const account = (await rig.api('GET', `api=account&user=${user}`)).body.account as { status: string };
      assert.equal(account.status, 'active');
      assert.ok(!(await rig.shadowEntry(user))?.[1]?.startsWith('!'), 'the lock was undone');
      assert.equal((await rig.nginx.test()).ok, true);
      assert.ok(await rig.settled(`${user}.example.test`, (r) => r.status === 200), 'the site still answers');
    } finally {
      await rig.stop();
    }
    await rig.start();
    assert.equal((await rig.api('DELETE', `api=account&user=${user}`)).status, 200);
    await rig.stop();
  });
});
