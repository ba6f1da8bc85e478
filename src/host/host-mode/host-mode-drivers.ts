import { mkdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { HOST_TOOLS, findProgram, includesSitesDir } from './host-checks.js';
import { pidFileOf, readMaster } from '../nginx/nginx-master.js';
import { type NginxOptions, NginxWebServer } from '../nginx/nginx-web-server.js';
import { type PhpFpmSetup, PhpSetupError, setUpPhpFpm } from '../php/php-fpm-setup.js';
import type { DatabaseServer, HostDrivers } from '../ports.js';
import { ProcessLock } from '../process-lock.js';
import { runCommand } from '../exec.js';
import { detectQuota } from '../quota/setquota-quota.js';
import { ShadowSystemUsers } from '../shadow/shadow-system-users.js';
import { NginxTrafficLogs } from '../traffic/nginx-traffic-logs.js';
import { CertificateDir } from '../tls/certificate-dir.js';

/** HostOptions are the paths and commands host mode works with (all configurable, see product.md). */
export interface HostOptions {
  homeBase: string;
  sitesDir: string;
  nginxBin: string;
  nginxArgs: string[];
  nginxReload: string[] | null;
  /** nginxPidFile is nginx's master's pid file (VANTA_NGINX_PID_FILE); found in nginx's configuration when null or omitted. */
  nginxPidFile?: string | null;
  /** nginxReopen replaces `nginx ARGS -s reopen` (after a traffic log rotation) when set. */
  nginxReopen: string[] | null;
  /** trafficDir holds the accounts' traffic logs: panel-owned, nginx's workers pass through it. */
  trafficDir: string;
  listen: string;
  /** tlsListen is what server blocks with a certificate listen on for TLS. */
  tlsListen: string;
  suspendedDir: string;
  /** certDir and challengeDir hold the accounts' certificates and the ACME challenge answers. */
  certDir: string;
  challengeDir: string;
  timeoutMs: number;
  php: PhpFpmSetup;
  /** phpRequired is whether any account has PHP, or can be given it by its plan: php-fpm is checked then. */
  phpRequired: boolean;
  /** warn logs what works but should be looked at (nginx's master not found, a reload given a second try). */
  warn?: (message: string) => void;
  /**
   * lockDir holds the locks every panel process takes for its turn with nginx and with php-fpm (the
   * data directory: `vanta serve`, the CLI and `vanta recover` share it).
   */
  lockDir: string;
}

/** HostSetupError is a start-up check that failed; its message is one line an operator can act on. */
export class HostSetupError extends Error {
  override readonly name = 'HostSetupError';
}

/** HostModeDrivers are the real drivers plus what the startup log reports about them. */
export type HostModeDrivers = HostDrivers & {
  webServer: NginxWebServer;
  quotaNote: string | null;
  /** phpChecked is false when no plan has PHP, so php-fpm was not looked at. */
  phpChecked: boolean;
  phpWarnings: string[];
};

/** openLock opens one of the machine's turns in the lock directory; one it cannot open stops the start. */
function openLock(dir: string, name: string): ProcessLock {
  const path = join(dir, name);
  try {
    return new ProcessLock(path);
  } catch (err) {
    throw new HostSetupError(`cannot open the lock file ${path}: ${(err as Error).message}`);
  }
}

/**
 * createHostDrivers checks that host mode can work here (root, the shadow tools, nginx with a valid
 * configuration that includes the sites directory, the homes base, and php-fpm when a plan has PHP)
 * and builds the real drivers.
 */
export async function createHostDrivers(opts: HostOptions, databases: DatabaseServer): Promise<HostModeDrivers> {
  if (process.getuid?.() !== 0)
    throw new HostSetupError(`VANTA_MODE=host must run as root (running as uid ${process.getuid?.()})`);
  const missing: string[] = [];
  for (const tool of HOST_TOOLS) if (!(await findProgram(tool))) missing.push(tool);
  if (!(await findProgram(opts.nginxBin))) missing.push(opts.nginxBin);
  if (missing.length > 0)
    throw new HostSetupError(`VANTA_MODE=host needs these programs on PATH: ${missing.join(', ')}`);
  const base = await stat(opts.homeBase).catch(() => null);
  if (!base?.isDirectory()) throw new HostSetupError(`VANTA_HOME_BASE ${opts.homeBase} is not a directory`);
  await mkdir(opts.sitesDir, { recursive: true, mode: 0o755 });
  // nginx's master reads the keys as root; its workers read the challenge answers.
  await mkdir(opts.certDir, { recursive: true, mode: 0o700 });
  await mkdir(opts.challengeDir, { recursive: true, mode: 0o755 });
  // The logs reopen through the web server, which coalesces the reopens as it does reloads.
  const trafficLogs = new NginxTrafficLogs({
    dir: opts.trafficDir,
    buffer: null,
    reopen: () => webServer.reopenLogs(),
  });
  const nginxOptions: NginxOptions = {
    sitesDir: opts.sitesDir,
    bin: opts.nginxBin,
    args: opts.nginxArgs,
    reloadCommand: opts.nginxReload,
    pidFile: null,
    // A reload's wait for the new workers is bounded as any host command is.
    reloadWaitMs: opts.timeoutMs,
    listen: opts.listen,
    tlsListen: opts.tlsListen,
    challengeDir: opts.challengeDir,
    suspendedRoot: opts.suspendedDir,
    timeoutMs: opts.timeoutMs,
    reopenCommand: opts.nginxReopen,
    logs: trafficLogs,
    lock: openLock(opts.lockDir, 'nginx.lock'),
    ...(opts.warn ? { warn: opts.warn } : {}),
  };
  const checker = new NginxWebServer(nginxOptions);
  let dump: string;
  try {
    await checker.writeLogFormat();
    await checker.check();
    dump = await checker.dump();
  } catch (err) {
    const detail = (err as Error).message.split('\n')[0];
    throw new HostSetupError(`nginx configuration is not valid (nginx -t): ${detail}`);
  }
  if (!includesSitesDir(dump, opts.sitesDir)) {
    throw new HostSetupError(
      `nginx does not include the sites directory; add "include ${opts.sitesDir}/*.conf;" to its http block`,
    );
  }
  const webServer: NginxWebServer = new NginxWebServer({ ...nginxOptions, pidFile: await nginxPidFile(opts, dump) });
  const phpLock = openLock(opts.lockDir, 'php-fpm.lock');
  const php = await setUpPhpFpm({ ...opts.php, lock: phpLock }, opts.phpRequired).catch((err) => {
    throw err instanceof PhpSetupError ? new HostSetupError(err.message) : err;
  });
  const webGid = await groupId(opts.php.webGroup, opts.timeoutMs);
  if (webGid === null) {
    throw new HostSetupError(
      `nginx's worker group ${opts.php.webGroup} does not exist: set VANTA_PHP_WEB_GROUP to the group nginx's workers run as`,
    );
  }
  const quota = await detectQuota(opts.homeBase, opts.timeoutMs);
  return {
    mode: 'host',
    systemUsers: new ShadowSystemUsers(opts.homeBase, opts.timeoutMs, webGid),
    webServer,
    databases,
    quota,
    quotaNote: quota.enabled ? null : (quota.reason ?? 'quotas are off'),
    php: php.pools,
    trafficLogs,
    phpChecked: php.checked,
    phpWarnings: php.warnings,
    certificates: new CertificateDir(opts.certDir, opts.challengeDir),
    homeOf: (user) => join(opts.homeBase, user),
  };
}

/**
 * nginxPidFile is the pid file whose master's new workers confirm a reload: VANTA_NGINX_PID_FILE, or
 * the one `nginx -s reload` itself reads (the `pid` of the configuration, or nginx's compiled-in
 * path; `nginx -t` has already opened it). With nginx's own reload, a VANTA_NGINX_PID_FILE naming
 * another file is refused: the panel would wait for workers of a master that never gets the signal.
 * A master not running yet, or not found behind an operator's reload command, is only warned of.
 */
async function nginxPidFile(opts: HostOptions, dump: string): Promise<string> {
  const version = await runCommand(opts.nginxBin, ['-V'], { timeoutMs: opts.timeoutMs }).then(
    (r) => r.stderr,
    () => '',
  );
  const own = pidFileOf(dump, version, opts.nginxArgs);
  const pidFile = opts.nginxPidFile ?? own;
  const reloadsItself = opts.nginxReload === null;
  if (reloadsItself && !(await samePath(pidFile, own)))
    throw new HostSetupError(
      `nginx -s reload signals the pid in ${own}, but VANTA_NGINX_PID_FILE is ${pidFile}: the panel would wait for ` +
        `workers of a master that never reloads; set it to ${own}, or unset it`,
    );
  const master = await readMaster(pidFile);
  if ('missing' in master)
    opts.warn?.(
      reloadsItself
        ? `nginx's master is not found (${master.missing}): reloads fail until nginx runs`
        : `nginx's master is not found (${master.missing}): reloads are not confirmed until it runs ` +
            '(VANTA_NGINX_PID_FILE names the pid file of the nginx that VANTA_NGINX_RELOAD reloads)',
    );
  return pidFile;
}

/** samePath tells whether two paths name the same file, through links in their directories (/var/run and /run). */
async function samePath(a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  const real = async (p: string) => join(await realpath(dirname(p)).catch(() => dirname(p)), basename(p));
  return (await real(a)) === (await real(b));
}

/** groupId looks a group up the way the shadow tools do (any NSS source); null when there is none. */
async function groupId(group: string, timeoutMs: number): Promise<number | null> {
  const out = await runCommand('getent', ['group', group], { okCodes: [2], timeoutMs });
  if (out.code !== 0) return null;
  const gid = Number(out.stdout.split(':')[2]);
  return Number.isInteger(gid) ? gid : null;
}
