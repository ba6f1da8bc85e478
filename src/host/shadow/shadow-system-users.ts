import { lstat, readFile, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError } from '../../domain/errors.js';
import { closeWebRoot, makeWebRoot } from '../account-files.js';
import { CommandError, runCommand } from '../exec.js';
import { homeToRemove } from '../home-removal.js';
import type { SystemUserSpec, SystemUsers } from '../ports.js';
import { scanProcesses } from '../proc-scan.js';
import {
  type PasswdEntry,
  chpasswdInput,
  lockArgs,
  parsePasswdLine,
  shellArgs,
  unlockArgs,
  useraddArgs,
  userdelArgs,
} from './shadow-commands.js';

/** MIN_ACCOUNT_UID guards process killing and removal: the panel never touches system accounts. */
const MIN_ACCOUNT_UID = 1000;

/** ShadowSystemUsers makes real Linux users with the shadow tools (useradd, usermod, chpasswd, userdel). */
export class ShadowSystemUsers implements SystemUsers {
  constructor(
    private readonly homeBase: string,
    private readonly timeoutMs: number,
    /** webGid is nginx's worker group, given each account's public_html (see makeWebRoot). */
    private readonly webGid: number,
  ) {}

  /**
   * exists reads the local user and group files, which useradd writes. A name only another source of names knows
   * (LDAP, systemd's user records) is refused by useradd itself, which asks every source through NSS, and create
   * reports it as the same `invalid_user`: asking them here took two getent processes on every create.
   */
  async exists(user: string): Promise<boolean> {
    const [passwd, group] = await Promise.all([localLine(PASSWD_FILE, user), localLine(GROUP_FILE, user)]);
    return passwd !== null || group !== null;
  }

  async create(spec: SystemUserSpec): Promise<void> {
    // useradd would adopt a leftover directory (and its files, owned by whoever made them): refuse it.
    if (await lstat(spec.home).catch(() => null)) throw new Error(`${spec.home} already exists`);
    await runCommand('useradd', useraddArgs(spec), { timeoutMs: this.timeoutMs }).catch((err: unknown) => {
      if (err instanceof CommandError && err.code === USERADD_NAME_IN_USE)
        throw new DomainError('invalid_user', `"${spec.user}" already exists on this server`, { param: 'user' });
      throw err;
    });
    try {
      const entry = await this.require(spec.user);
      // Others may pass through the home but not list or read it, and only nginx's group enters
      // public_html: another local user must not read a site's files (wp-config.php is 0644). The
      // home belongs to the account from here on: nothing in it is followed (see makeWebRoot).
      await makeWebRoot({
        home: spec.home,
        domain: spec.domain,
        homeMode: 0o711,
        owner: { uid: entry.uid, gid: entry.gid },
        webGid: this.webGid,
      });
    } catch (err) {
      // The step failed after useradd succeeded: take the user back so nothing is left half-made.
      await this.remove(spec.user, spec.home).catch(() => {});
      throw err;
    }
  }

  async setPassword(user: string, password: string): Promise<void> {
    await runCommand('chpasswd', [], { input: chpasswdInput(user, password), timeoutMs: this.timeoutMs });
  }

  async lock(user: string): Promise<void> {
    const entry = await this.require(user);
    await runCommand('usermod', lockArgs(user), { timeoutMs: this.timeoutMs });
    await killProcesses(entry.uid);
  }

  async unlock(user: string): Promise<void> {
    await this.require(user);
    await runCommand('usermod', unlockArgs(user), { timeoutMs: this.timeoutMs });
  }

  async setShell(user: string, shell: boolean): Promise<void> {
    await this.require(user);
    await runCommand('usermod', shellArgs(user, shell), { timeoutMs: this.timeoutMs });
  }

  async closeWebRoot(user: string, home: string): Promise<void> {
    const entry = await this.require(user);
    await closeWebRoot(home, { uid: entry.uid, gid: entry.gid }, this.webGid);
  }

  async remove(user: string, home: string): Promise<void> {
    let entry = await this.lookup(user);
    // No user yet: a useradd started by a process killed mid-create (whose operation recovery is
    // undoing now) may still run, and would make the user, its group and its home after this removal.
    if (entry === null && (await untilUseraddEnds(user, this.timeoutMs))) entry = await this.lookup(user);
    const real = await homeToRemove(this.homeBase, user, home);
    if (entry) {
      if (entry.uid < MIN_ACCOUNT_UID)
        throw new Error(`refusing to remove ${user}: uid ${entry.uid} is a system account`);
      if (entry.home !== home)
        throw new Error(`refusing to remove ${user}: its home is ${entry.home}, expected ${home}`);
      // userdel refuses while the user runs processes; end them, then retry once for stragglers.
      await killProcesses(entry.uid);
      try {
        await runCommand('userdel', userdelArgs(user), { timeoutMs: this.timeoutMs, okCodes: [6] });
      } catch (err) {
        if (!(err instanceof CommandError) || err.code !== 8) throw err;
        await killProcesses(entry.uid);
        await runCommand('userdel', userdelArgs(user), { timeoutMs: this.timeoutMs, okCodes: [6] });
      }
    }
    // A step cut short (a crash mid-create) can leave a home or group without its user.
    if (real !== null) await rm(real, { recursive: true, force: true });
    if ((await localLine(GROUP_FILE, user)) !== null) {
      await runCommand('groupdel', [user], { okCodes: [6], timeoutMs: this.timeoutMs });
    }
  }

  /**
   * lookup reads the user's entry in the local passwd file, or null when there is none. The panel's users are
   * made by useradd, which writes that file, so it is read directly rather than through getent (a process each).
   */
  async lookup(user: string): Promise<PasswdEntry | null> {
    const line = await localLine(PASSWD_FILE, user);
    return line === null ? null : parsePasswdLine(line);
  }

  private async require(user: string): Promise<PasswdEntry> {
    const entry = await this.lookup(user);
    if (!entry) throw new Error(`system user ${user} does not exist`);
    return entry;
  }
}

/** USERADD_POLL_MS is how often a removal looks again for a useradd of the same user still running. */
const USERADD_POLL_MS = 20;

/**
 * untilUseraddEnds waits, up to `timeoutMs`, while a `useradd` making `user` runs (the user's name is its
 * last argument), and tells whether one ran. A killed process's commands run on: its useradd, reparented,
 * still writes the user files after the process that started it is gone.
 */
export async function untilUseraddEnds(user: string, timeoutMs: number): Promise<boolean> {
  const running = async () =>
    (
      await scanProcesses((pid, read) => {
        const args = read('cmdline').split('\0');
        if (args.at(-1) === '') args.pop();
        return basename(args[0] ?? '') === 'useradd' && args.at(-1) === user ? pid : null;
      })
    ).length > 0;
  if (!(await running())) return false;
  const end = performance.now() + timeoutMs;
  do await sleep(USERADD_POLL_MS);
  while (performance.now() < end && (await running()));
  return true;
}

/** USERADD_NAME_IN_USE is useradd's exit status when the user or (with --user-group) the group name is taken. */
const USERADD_NAME_IN_USE = 9;

/** PASSWD_FILE and GROUP_FILE are the local user and group files the shadow tools write. */
const PASSWD_FILE = '/etc/passwd';
const GROUP_FILE = '/etc/group';

/** localLine finds the line of `name` in a colon-separated file such as /etc/passwd, or null. */
export async function localLine(file: string, name: string): Promise<string | null> {
  const text = await readFile(file, 'utf8');
  const prefix = `${name}:`;
  for (const line of text.split('\n')) if (line.startsWith(prefix)) return line;
  return null;
}

/** killProcesses ends every process whose real or effective uid is `uid`, read from /proc. */
export async function killProcesses(uid: number): Promise<number> {
  if (uid < MIN_ACCOUNT_UID) throw new Error(`refusing to kill processes of system uid ${uid}`);
  let killed = 0;
  for (let round = 0; round < 3; round++) {
    // Each process is killed as soon as its own status is read, so a pid is never signalled long after it was looked at.
    const found = (
      await scanProcesses((pid, read) => {
        if (pid === process.pid) return null;
        const uids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(read('status'));
        if (!uids || (Number(uids[1]) !== uid && Number(uids[2]) !== uid)) return null;
        try {
          process.kill(pid, 'SIGKILL');
          killed++;
        } catch {
          // Already gone.
        }
        return pid;
      })
    ).length;
    if (found === 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return killed;
}
