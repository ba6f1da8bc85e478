import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { type HostRig, childrenOf, hostModeSkip, hostRigSuite, processState } from './support/host-mode.js';
import { until } from './support/wait.js';

// Chaos test of issue 16: the real `vanta serve` in host mode is killed with SIGKILL during bursts
// of creates, suspends and terminates and restarted at once, while the killed one is still a zombie;
// `vanta` commands are killed mid-operation while the server runs. Each time, no account is left
// provisioning or terminating (the sweep runs every second here) and the host matches the store.

const skip = hostModeSkip();
const SWEEP = { VANTA_RECOVERY_INTERVAL: '1' };

let seq = 0;
function newUser(prefix: string): string {
  seq++;
  return `${prefix}${'abcdefghij'[seq % 10]}${Math.random().toString(36).slice(2, 7).replace(/[0-9]/g, 'k')}`;
}

interface StoredAccount {
  user: string;
  status: string;
}

/** readStore reads the accounts and the journal of the rig's store directly, as another process would. */
function readStore(rig: HostRig): { accounts: StoredAccount[]; journal: { account: string; owner: string }[] } {
  const db = new BetterSqlite3(join(rig.data, 'vanta.db'), { readonly: true, fileMustExist: true });
  try {
    return {
      accounts: db.prepare('select user, status from accounts order by user').all() as StoredAccount[],
      journal: db.prepare('select account, owner from operations').all() as { account: string; owner: string }[],
    };
  } finally {
    db.close();
  }
}

/** settled tells whether no account is provisioning or terminating and the journal is empty. */
function settled(rig: HostRig): boolean {
  const { accounts, journal } = readStore(rig);
  return journal.length === 0 && accounts.every((a) => a.status === 'active' || a.status === 'suspended');
}

/** assertHostMatchesStore checks users, groups, homes and server blocks against the accounts the store holds. */
async function assertHostMatchesStore(rig: HostRig): Promise<void> {
  const { accounts } = readStore(rig);
  const users = new Set(accounts.map((a) => a.user));
  for (const a of accounts) {
    assert.ok(await rig.passwdEntry(a.user), `${a.user} (${a.status}) has a system user`);
    assert.ok(await rig.groupEntry(a.user), `${a.user} has its group`);
    assert.ok(existsSync(join(rig.homes, a.user, 'public_html', 'index.html')), `${a.user} has its home and page`);
    const site = readFileSync(join(rig.sites, `${a.user}.conf`), 'utf8');
    assert.equal(/return 503/.test(site), a.status === 'suspended', `${a.user}'s server block matches ${a.status}`);
  }
  const passwd = readFileSync(join(rig.etc, 'passwd'), 'utf8').split('\n');
  const made = passwd.filter((l) => l.includes(':Vanta account ')).map((l) => l.split(':')[0] ?? '');
  assert.deepEqual(
    made.filter((u) => !users.has(u)),
    [],
    'no system user without an account',
  );
  assert.deepEqual(
    readdirSync(rig.homes).filter((h) => !users.has(h)),
    [],
    'no home without an account',
  );
  assert.deepEqual(
    (await rig.siteFiles()).filter((f) => !users.has(f.replace(/\.conf$/, ''))),
    [],
    'no server block without an account',
  );
  assert.equal((await rig.nginx.test()).ok, true, 'the nginx configuration is valid');
}

/** ownerPid reads the pid out of a journal owner string (`boot:pid@start-random`). */
function ownerPid(owner: string): number {
  return Number(/^[^:]+:(\d+)/.exec(owner)?.[1]);
}

describe('chaos: SIGKILL of vanta serve and of vanta commands, mid-operation', { skip: skip ?? false }, () => {
  const host = hostRigSuite(SWEEP);
  const releases: Array<() => Promise<void>> = [];
  after(async () => {
    for (const release of releases) await release();
  });

  for (const round of [1, 2, 3]) {
    test(`round ${round}: the server is killed during a burst and restarted at once, next to its zombie`, async () => {
      const rig = host.rig;
      const base = [newUser('b'), newUser('b'), newUser('b'), newUser('b')];
      for (const user of base) {
        const made = await rig.api('POST', 'api=accounts', { user, domain: `${user}.example.test` });
        assert.equal(made.status, 201, JSON.stringify(made.body));
      }
      const burst = [
        ...Array.from({ length: 6 }, () => {
          const user = newUser('c');
          return rig.api('POST', 'api=accounts', { user, domain: `${user}.example.test` });
        }),
        rig.api('POST', `api=account&action=suspend&user=${base[0]}`),
        rig.api('POST', `api=account&action=suspend&user=${base[1]}`),
        rig.api('DELETE', `api=account&user=${base[2]}`),
        rig.api('DELETE', `api=account&user=${base[3]}`),
      ].map((p) => p.catch(() => null));
      await until(() => readStore(rig).journal.length >= 2);
      const killed = rig.panelPid();
      releases.push(await rig.crash());
      await rig.start(SWEEP);
      assert.equal(processState(killed), 'Z', 'the killed server is still a zombie when the new one starts');
      await Promise.all(burst);
      await until(() => settled(rig));
      await assertHostMatchesStore(rig);
    });
  }

  for (const [name, args] of [
    ['create', (user: string) => ['account', 'create', user, `${user}.example.test`]],
    ['terminate', (user: string) => ['account', 'terminate', user]],
    ['suspend', (user: string) => ['account', 'suspend', user]],
  ] as const) {
    test(`a vanta account ${name} killed mid-operation is recovered by the running server's sweep`, async () => {
      const rig = host.rig;
      let caught = false;
      // The command may finish before it is caught mid-way: try again with another account.
      for (let attempt = 0; attempt < 5 && !caught; attempt++) {
        const user = newUser('k');
        if (name !== 'create') {
          const made = await rig.api('POST', 'api=accounts', { user, domain: `${user}.example.test` });
          assert.equal(made.status, 201, JSON.stringify(made.body));
        }
        const helper: ChildProcess = rig.cli(args(user));
        const ended = new Promise((resolve) => helper.once('exit', resolve));
        const helperPid = helper.pid ?? 0;
        let cliPid = 0;
        await until(() => {
          cliPid = childrenOf(helperPid)[0] ?? 0;
          const midway = readStore(rig).journal.some((j) => j.account === user && ownerPid(j.owner) === cliPid);
          return (cliPid !== 0 && midway) || helper.exitCode !== null;
        });
        if (helper.exitCode === null) {
          helper.kill('SIGSTOP');
          // Let go of the helper whatever happens next, so that a failure does not leave it stopped.
          const release = async () => {
            helper.kill('SIGCONT');
            await ended;
          };
          releases.push(release);
          process.kill(cliPid, 'SIGKILL');
          await until(() => processState(cliPid) === 'Z');
          caught = true;
          // The command is still a zombie: only the running server's sweep can recover its operation.
          await until(() => settled(rig));
          await release();
        }
        await ended;
        await assertHostMatchesStore(rig);
      }
      assert.ok(caught, `no vanta account ${name} was caught mid-operation in 5 tries`);
    });
  }
});
