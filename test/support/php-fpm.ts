import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { type PhpFpmOptions, PhpFpmPools } from '../../src/host/php/php-fpm-pools.js';
import { parsePid } from '../../src/host/pid-file.js';
import type { PhpPoolSpec } from '../../src/host/ports.js';
import { unshareArgs } from './private-etc.js';
import { childrenOf } from './procs.js';

const run = promisify(execFile);

/** PHPFPM_BIN is the php-fpm binary the tests drive (Debian's, installed by scripts/test-deps.sh). */
export const PHPFPM_BIN = process.env.VANTA_TEST_PHPFPM ?? '/usr/sbin/php-fpm8.2';

/** PHP_INI is Debian's php.ini for php-fpm; `-n` instead would drop the extensions (posix among them). */
export const PHP_INI = '/etc/php/8.2/fpm/php.ini';

/** phpFpmSkip says why the php-fpm tests cannot run here, or null when they can. */
export function phpFpmSkip(): string | null {
  if (process.getuid?.() !== 0) return 'php-fpm tests need root (pools switch user)';
  if (!existsSync('/usr/bin/unshare') || !existsSync('/usr/bin/nsenter'))
    return 'php-fpm tests need unshare and nsenter (util-linux)';
  if (!existsSync(PHPFPM_BIN)) return 'php-fpm tests need php8.2-fpm (scripts/test-deps.sh installs it)';
  return null;
}

/**
 * BrokenPoolFor is the real pools driver except that one account's pool gets a directive php-fpm
 * does not know, as a typo would: its own `php-fpm -t` must refuse it and put the previous file back.
 */
export class BrokenPoolFor extends PhpFpmPools {
  constructor(
    private readonly broken: string,
    opts: PhpFpmOptions,
  ) {
    super(opts);
  }

  protected override render(spec: PhpPoolSpec): string {
    const text = super.render(spec);
    return spec.user === this.broken ? `${text}vanta_test_invalid_directive = on\n` : text;
  }
}

/** processTitle reads the first word of a process's command line (php-fpm puts its title there), or null. */
export async function processTitle(pid: number): Promise<string | null> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
  return cmdline === null ? null : (cmdline.split('\0')[0] ?? '').trimEnd();
}

/** pidsOfUid lists the processes whose real or effective uid is `uid`. */
export async function pidsOfUid(uid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    const status = await readFile(`/proc/${name}/status`, 'utf8').catch(() => '');
    const m = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
    if (m && (Number(m[1]) === uid || Number(m[2]) === uid)) pids.push(Number(name));
  }
  return pids;
}

/**
 * PrivatePhpFpm is a php-fpm master of the test's own: its own config, pid file, error log, socket
 * directory and pool directory, run as root so pools switch user. With a private /etc copy it runs
 * inside a private mount namespace that sees the copy over /etc, so it resolves the accounts made
 * there; `inside()` runs other commands (useradd, `php-fpm -t`) in that same namespace. It keeps one
 * stock `www` pool (php-fpm refuses to start with none), configured as Debian's.
 */
export class PrivatePhpFpm {
  readonly conf: string;
  readonly pidFile: string;
  readonly errorLog: string;
  readonly poolDir: string;
  readonly runDir: string;
  readonly wwwSocket: string;
  private child: ChildProcess | null = null;
  private exited: Promise<void> | null = null;

  constructor(
    readonly prefix: string,
    private readonly etc: string | null,
  ) {
    this.conf = join(prefix, 'php-fpm.conf');
    this.pidFile = join(prefix, 'php-fpm.pid');
    this.errorLog = join(prefix, 'error.log');
    this.poolDir = join(prefix, 'pool.d');
    this.runDir = join(prefix, 'run');
    this.wwwSocket = join(this.runDir, 'www.sock');
  }

  /** args are what every php-fpm call of this master needs: its config, prefix and php.ini. */
  get args(): string[] {
    return ['-y', this.conf, '-p', this.prefix, '-c', PHP_INI];
  }

  /** inside is the argv prefix that runs a command in the master's mount namespace (nothing without a private /etc). */
  inside(): string[] {
    if (!this.etc) return [];
    if (!this.child?.pid) throw new Error('the php-fpm master is not running');
    return ['nsenter', `--mount=/proc/${this.child.pid}/ns/mnt`, '--'];
  }

  /**
   * poolOptions are the adapter's options for this master: `php-fpm -t` must resolve the accounts, so
   * it runs in the master's namespace (the configurable binary and arguments are how a deployment
   * wraps it too), and the reload signals this master.
   */
  poolOptions(): PhpFpmOptions {
    const [nsenter, ...nsArgs] = this.inside();
    return {
      poolDir: this.poolDir,
      runDir: this.runDir,
      bin: nsenter ?? PHPFPM_BIN,
      args: [...nsArgs, PHPFPM_BIN, ...this.args],
      reloadCommand: null,
      pidFile: this.pidFile,
      webGroup: 'www-data',
      timeoutMs: 30_000,
      reloadWaitMs: 30_000,
    };
  }

  /** run runs a command in the master's namespace and returns its output. */
  async run(file: string, args: string[]): Promise<string> {
    const [bin, ...rest] = [...this.inside(), file, ...args];
    return (await run(bin ?? file, rest)).stdout;
  }

  async start(): Promise<void> {
    await mkdir(this.poolDir, { recursive: true });
    await mkdir(this.runDir, { recursive: true, mode: 0o755 });
    await chmod(this.prefix, 0o755);
    await writeFile(
      this.conf,
      `[global]
pid = ${this.pidFile}
error_log = ${this.errorLog}
daemonize = no
process_control_timeout = 10s
include = ${this.poolDir}/*.conf

[www]
user = www-data
group = www-data
listen = ${this.wwwSocket}
listen.owner = www-data
listen.group = www-data
pm = dynamic
pm.max_children = 5
pm.start_servers = 2
pm.min_spare_servers = 1
pm.max_spare_servers = 3
`,
    );
    const argv = ['-F', ...this.args];
    const child = this.etc
      ? spawn('unshare', unshareArgs(this.etc, [PHPFPM_BIN, ...argv]), { stdio: 'ignore' })
      : spawn(PHPFPM_BIN, argv, { stdio: 'ignore' });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    let gone = false;
    void this.exited.then(() => {
      gone = true;
    });
    for (let i = 0; i < 200 && !gone; i++) {
      if (existsSync(this.pidFile) && existsSync(this.wwwSocket)) return;
      await sleep(50);
    }
    const log = await readFile(this.errorLog, 'utf8').catch(() => '');
    throw new Error(`the private php-fpm did not start: ${log}`);
  }

  /**
   * masterPid reads the master's pid from its pid file, waiting while a reload has it truncated: an
   * empty read taken for pid 0 would make `kill -USR2 0` signal the test's whole process group.
   */
  async masterPid(): Promise<number> {
    for (let i = 0; i < 400; i++) {
      const pid = parsePid(await readFile(this.pidFile, 'utf8').catch(() => ''));
      if (pid !== null) return pid;
      await sleep(10);
    }
    throw new Error(`no pid in ${this.pidFile}`);
  }

  /** reload sends SIGUSR2 to the master and waits until its pid file holds its pid again (its new configuration is read). */
  async reload(): Promise<void> {
    const pid = await this.masterPid();
    const before = (await stat(this.pidFile, { bigint: true })).mtimeNs;
    process.kill(pid, 'SIGUSR2');
    for (let i = 0; i < 400; i++) {
      const st = await stat(this.pidFile, { bigint: true }).catch(() => null);
      const now = parsePid(await readFile(this.pidFile, 'utf8').catch(() => ''));
      if (st && st.mtimeNs !== before && now === pid) return;
      await sleep(25);
    }
    throw new Error('the private php-fpm did not reload');
  }

  /** stop ends the master gracefully (SIGQUIT) and checks that none of its workers is left. */
  async stop(): Promise<void> {
    if (!this.child) return;
    const pid = await this.masterPid().catch(() => null);
    const master = pid !== null && (await processTitle(pid))?.startsWith('php-fpm: master') ? pid : null;
    const workers = master ? childrenOf(master) : [];
    // A master that died (a test that broke it) leaves only the namespace helper to end.
    if (master) process.kill(master, 'SIGQUIT');
    else this.child.kill('SIGTERM');
    await this.exited;
    this.child = null;
    const left: number[] = [];
    for (const pid of workers) {
      if ((await processTitle(pid))?.startsWith('php-fpm')) {
        left.push(pid);
        process.kill(pid, 'SIGKILL');
      }
    }
    if (left.length > 0) throw new Error(`php-fpm workers outlived their master: ${left.join(' ')}`);
  }

  /** errorText is the master's error log so far, for failure messages. */
  async errorText(): Promise<string> {
    return readFile(this.errorLog, 'utf8').catch(() => '');
  }
}

/** TestAccount is a Linux user made in the private /etc, with its home and public_html. */
export interface TestAccount {
  user: string;
  uid: number;
  gid: number;
  home: string;
  web: string;
}

/**
 * makeAccount makes a Linux user with useradd in the master's namespace (so in the private /etc),
 * laid out as the panel lays homes out: home 0711, public_html 0755, both the account's.
 */
export async function makeAccount(fpm: PrivatePhpFpm, etc: string, homes: string, user: string): Promise<TestAccount> {
  const home = join(homes, user);
  await fpm.run('useradd', ['--create-home', '--home-dir', home, '--user-group', '--shell', '/usr/sbin/nologin', user]);
  const line = (await readFile(join(etc, 'passwd'), 'utf8')).split('\n').find((l) => l.startsWith(`${user}:`));
  const fields = line?.split(':') ?? [];
  const uid = Number(fields[2]);
  const gid = Number(fields[3]);
  if (!Number.isInteger(uid) || uid < 1000) throw new Error(`useradd did not make ${user}`);
  await chmod(home, 0o711);
  const web = join(home, 'public_html');
  await mkdir(web, { mode: 0o755 });
  await chown(web, uid, gid);
  return { user, uid, gid, home, web };
}

/** writeAs writes a file owned by the account, as the panel's customers' uploads are. */
export async function writeAs(account: TestAccount, path: string, text: string, mode = 0o644): Promise<void> {
  await writeFile(path, text, { mode });
  await chmod(path, mode);
  await chown(path, account.uid, account.gid);
}
