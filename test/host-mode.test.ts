import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runVanta } from './support/cli.js';
import { hostModeSkip, hostRigSuite } from './support/host-mode.js';
import { unshareArgs } from './support/private-etc.js';
import { MYSQL_URL, MariaDbFixture } from './support/mariadb.js';

const skip = hostModeSkip();

/** asNobody runs a command as `nobody` (no group of the account's, not nginx's) and returns how it ended. */
function asNobody(file: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { uid: 65534, gid: 65534, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

function randomUser(prefix: string): string {
  return prefix + Math.random().toString(36).slice(2, 8).replace(/[0-9]/g, 'x');
}

describe('host mode: real users in a private /etc, a private nginx', { skip: skip ?? false }, () => {
  const host = hostRigSuite();

  test('the startup line names host mode and its drivers', () => {
    assert.match(host.rig.output, /mode=host system-users=shadow web-server=nginx/);
    assert.match(host.rig.output, /disk quotas are not applied|quota=setquota/);
  });

  test("the machine's turns with nginx and php-fpm are locks in the data directory only root can open", () => {
    for (const lock of ['nginx.lock', 'php-fpm.lock']) {
      const made = statSync(join(host.rig.data, lock));
      assert.deepEqual([made.uid, made.mode & 0o777], [0, 0o600], lock);
    }
  });

  test('create, password, suspend, unsuspend, plan, terminate change the host as a person would see it', async () => {
    const user = randomUser('hm');
    const domain = `${user}.example.test`;
    const password = 'correct-horse-battery-9';
    const made = await host.rig.api('POST', 'api=accounts', { user, domain, email: `ops@${domain}`, password });
    assert.equal(made.status, 201, JSON.stringify(made.body));

    const pw = await host.rig.passwdEntry(user);
    assert.ok(pw, 'the user is in the private passwd file');
    assert.equal(pw[5], join(host.rig.homes, user));
    assert.equal(pw[6], '/usr/sbin/nologin');
    assert.ok(Number(pw[2]) >= 40000, 'the uid comes from the private range');
    assert.ok(await host.rig.groupEntry(user), 'the user has its own group');
    assert.equal(await host.rig.passwordWorks(user, password), true, 'the password works against shadow');
    assert.equal(await host.rig.passwordWorks(user, 'not-the-password-1'), false);

    const index = await readFile(join(host.rig.homes, user, 'public_html', 'index.html'), 'utf8');
    assert.ok(await host.rig.settled(domain, (r) => r.body === index), 'the domain serves public_html/index.html');
    assert.ok(await host.rig.settled(`www.${domain}`, (r) => r.body === index), 'and so does www.');
    assert.deepEqual(await host.rig.siteFiles(), [`${user}.conf`]);
    // Finding: public_html was 0755, so any other local user could read a site's files (its
    // wp-config.php with the database password). nginx, running as www-data, served it above.
    const web = join(host.rig.homes, user, 'public_html');
    for (const args of [
      ['ls', web],
      ['cat', join(web, 'index.html')],
    ] as const) {
      const other = await asNobody(args[0], [args[1]]);
      assert.notEqual(other.code, 0, `${args.join(' ')} as another local user`);
      assert.match(other.stderr, /Permission denied/);
    }

    // A process of the account (a customer's cron job, say) must end with the suspend.
    const uid = Number(pw[2]);
    const job = spawn('sleep', ['600'], { uid, gid: Number(pw[3]), stdio: 'ignore' });
    const jobEnd = new Promise<NodeJS.Signals | null>((resolve) =>
      job.once('exit', (_code, signal) => resolve(signal)),
    );
    const suspended = await host.rig.api('POST', `api=account&action=suspend&user=${user}`, {
      reason: 'unpaid invoice',
    });
    assert.equal(suspended.status, 200, JSON.stringify(suspended.body));
    // Finding: an operation answered before nginx served its change; it now answers once nginx does.
    assert.equal((await host.rig.site(domain)).status, 503, 'read once, the moment the suspend answers');
    assert.ok(
      await host.rig.settled(domain, (r) => r.status === 503 && /suspended/i.test(r.body)),
      'a suspended site answers 503 with the suspended page',
    );
    assert.equal(await jobEnd, 'SIGKILL', "the account's process was ended");
    const locked = await host.rig.shadowEntry(user);
    assert.ok(locked?.[1]?.startsWith('!'), 'the password is locked');
    assert.equal(locked?.[7], '1', 'the account is expired, so key logins stop too');

    const back = await host.rig.api('POST', `api=account&action=unsuspend&user=${user}`);
    assert.equal(back.status, 200, JSON.stringify(back.body));
    assert.deepEqual(await host.rig.site(domain), { status: 200, body: index }, 'read once, as the unsuspend answers');
    assert.ok(await host.rig.settled(domain, (r) => r.status === 200 && r.body === index), 'the site is back');
    const unlocked = await host.rig.shadowEntry(user);
    assert.ok(!unlocked?.[1]?.startsWith('!'), 'the password is unlocked');
    assert.equal(unlocked?.[7], '', 'no expiry date');
    assert.equal(await host.rig.passwordWorks(user, password), true, 'the same password works again');

    const newPassword = 'another-fine-secret-7';
    const changed = await host.rig.api('POST', `api=account&action=password&user=${user}`, { password: newPassword });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(await host.rig.passwordWorks(user, newPassword), true);

    const late = spawn('sleep', ['600'], { uid, gid: Number(pw[3]), stdio: 'ignore' });
    const lateEnd = new Promise<NodeJS.Signals | null>((resolve) =>
      late.once('exit', (_code, signal) => resolve(signal)),
    );
    const gone = await host.rig.api('DELETE', `api=account&user=${user}`);
    assert.equal(gone.status, 200, JSON.stringify(gone.body));
    assert.equal((await host.rig.site(domain)).status, 404, 'read once, the moment the terminate answers');
    assert.equal(await lateEnd, 'SIGKILL', "terminate ends the account's processes before removing it");
    assert.equal(await host.rig.passwdEntry(user), null, 'the user is gone');
    assert.equal(await host.rig.groupEntry(user), null, 'its group is gone');
    assert.equal(host.rig.homeExists(user), false, 'the home is gone');
    assert.deepEqual(await host.rig.siteFiles(), []);
    assert.ok(
      await host.rig.settled(domain, (r) => r.status === 404),
      'the domain falls through to the default server',
    );
  });

  test('databases of a host-mode account are locked on suspend and dropped on terminate', async (t) => {
    const db = new MariaDbFixture();
    t.after(() => db.cleanup());
    const user = db.account();
    const made = await host.rig.api('POST', 'api=accounts', { user, domain: `${user}.example.test` });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const created = await runVanta(host.rig.data, ['db', 'create', user, 'wp', '--json'], undefined, {
      VANTA_MYSQL_URL: MYSQL_URL,
    });
    assert.equal(created.code, 0, created.stderr);
    const { db_user: dbUser, password } = JSON.parse(created.stdout) as { db_user: string; password: string };
    (await db.connectAs(dbUser, password, `${user}_wp`)).destroy();

    assert.equal((await host.rig.api('POST', `api=account&action=suspend&user=${user}`)).status, 200);
    await assert.rejects(db.connectAs(dbUser, password), 'the database user of a suspended account cannot log in');
    assert.equal((await host.rig.api('POST', `api=account&action=unsuspend&user=${user}`)).status, 200);
    (await db.connectAs(dbUser, password)).destroy();

    const gone = await host.rig.api('DELETE', `api=account&user=${user}`);
    assert.equal(gone.status, 200, JSON.stringify(gone.body));
    assert.deepEqual(gone.body.dropped_databases, [`${user}_wp`]);
    assert.deepEqual(await db.databases(`${user}_`), []);
    assert.deepEqual(await db.users(`${user}_`), []);
    assert.equal(await host.rig.passwdEntry(user), null);
  });

  test('a plan with shell access gives a login shell; changing the plan takes it away', async () => {
    const user = randomUser('sh');
    const added = await runVanta(host.rig.data, ['plan', 'add', `${user}-shell`, '--shell']);
    assert.equal(added.code, 0, added.stderr);
    const noShell = await runVanta(host.rig.data, ['plan', 'add', `${user}-web`]);
    assert.equal(noShell.code, 0, noShell.stderr);
    const made = await host.rig.api('POST', 'api=accounts', {
      user,
      domain: `${user}.example.test`,
      plan: `${user}-shell`,
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal((await host.rig.passwdEntry(user))?.[6], '/bin/bash');
    // The layout of an account made before public_html was closed to other local users.
    const web = join(host.rig.homes, user, 'public_html');
    const pw = (await host.rig.passwdEntry(user)) ?? [];
    await chown(web, Number(pw[2]), Number(pw[3]));
    await chmod(web, 0o755);
    assert.equal((await asNobody('ls', [web])).code, 0, 'open before the plan is re-applied');
    const moved = await host.rig.api('POST', `api=account&action=plan&user=${user}`, { plan: `${user}-web` });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.equal((await host.rig.passwdEntry(user))?.[6], '/usr/sbin/nologin');
    const closed = await stat(web);
    assert.equal(closed.mode & 0o777, 0o750, 're-applying a plan closes public_html');
    assert.equal(closed.gid, Number((await host.rig.groupEntry('www-data'))?.[2]), "nginx's group");
    assert.notEqual((await asNobody('ls', [web])).code, 0, 'another local user is kept out');
    assert.equal((await host.rig.api('DELETE', `api=account&user=${user}`)).status, 200);
  });

  test('a name that exists on the system but not in the panel is refused and left alone', async () => {
    // "daemon" is reserved by validation; pick a real user of the private /etc that validation allows.
    const before = await readFile(join(host.rig.etc, 'passwd'), 'utf8');
    const candidates = (await readFile('/etc/passwd', 'utf8'))
      .split('\n')
      .map((l) => l.split(':')[0] ?? '')
      .filter((n) => /^[a-z][a-z0-9]{0,15}$/.test(n) && !n.startsWith('test'));
    let refused = 0;
    for (const name of candidates) {
      const r = await host.rig.api('POST', 'api=accounts', { user: name, domain: `${name}.example.test` });
      assert.equal(r.status, 400, `${name}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error, 'invalid_user');
      refused++;
    }
    assert.ok(refused > 0);
    assert.equal(await readFile(join(host.rig.etc, 'passwd'), 'utf8'), before);
  });

  test('a name only another source of names knows (a systemd user record) is refused by useradd as invalid_user, and nothing is made', async (t) => {
    // The panel reads only the local files before a create; useradd asks every source through NSS and refuses.
    const user = randomUser('nss');
    await mkdir(join(host.rig.etc, 'userdb'), { recursive: true });
    const record = join(host.rig.etc, 'userdb', `${user}.user`);
    await writeFile(
      record,
      JSON.stringify({
        userName: user,
        uid: 61999,
        gid: 61999,
        homeDirectory: '/nonexistent',
        shell: '/usr/sbin/nologin',
      }),
    );
    try {
      const known = await new Promise<number | null>((resolve, reject) => {
        const child = spawn('unshare', unshareArgs(host.rig.etc, ['getent', 'passwd', user]), { stdio: 'ignore' });
        child.once('error', reject);
        child.once('close', resolve);
      });
      if (known !== 0) {
        t.skip('this machine has no nss-systemd: a user record names no user here');
        return;
      }
      const before = await readFile(join(host.rig.etc, 'passwd'), 'utf8');
      const r = await host.rig.api('POST', 'api=accounts', { user, domain: `${user}.example.test` });
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.error, 'invalid_user');
      assert.equal(await readFile(join(host.rig.etc, 'passwd'), 'utf8'), before);
      assert.equal(await host.rig.groupEntry(user), null);
      assert.equal((await host.rig.api('GET', `api=account&user=${user}`)).status, 404);
      await assert.rejects(stat(join(host.rig.homes, user)), { code: 'ENOENT' });
    } finally {
      await rm(record, { force: true });
    }
  });

  test('a leftover directory where the home would go is refused, not adopted, and left as it was', async () => {
    const user = randomUser('lo');
    const home = join(host.rig.homes, user);
    await mkdir(home);
    await writeFile(join(home, 'someone-elses-file'), 'keep me\n');
    const r = await host.rig.api('POST', 'api=accounts', { user, domain: `${user}.example.test` });
    assert.equal(r.status, 502, JSON.stringify(r.body));
    assert.deepEqual([r.body.error, r.body.step], ['provisioning_failed', 'system_user']);
    assert.equal(await host.rig.passwdEntry(user), null);
    assert.equal(await readFile(join(home, 'someone-elses-file'), 'utf8'), 'keep me\n');
    assert.equal((await host.rig.api('GET', `api=account&user=${user}`)).status, 404);
    await rm(home, { recursive: true });
  });

  test('20 parallel creates of one name make one account and one system user', async () => {
    const user = randomUser('cc');
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        host.rig.api('POST', 'api=accounts', {
          user,
          domain: i === 0 ? `${user}.example.test` : `${user}-${i}.example.test`,
        }),
      ),
    );
    const created = replies.filter((r) => r.status === 201);
    assert.equal(created.length, 1, JSON.stringify(replies.map((r) => r.body)));
    for (const r of replies.filter((x) => x.status !== 201)) {
      assert.ok(['account_exists', 'account_busy'].includes(String(r.body.error)), JSON.stringify(r.body));
    }
    const passwd = await readFile(join(host.rig.etc, 'passwd'), 'utf8');
    assert.equal(passwd.split('\n').filter((l) => l.startsWith(`${user}:`)).length, 1);
    assert.equal((await host.rig.siteFiles()).filter((f) => f === `${user}.conf`).length, 1);
    assert.equal((await host.rig.api('DELETE', `api=account&user=${user}`)).status, 200);
    assert.equal(await host.rig.passwdEntry(user), null);
  });
});
