import { chmod, mkdir } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join, relative } from 'node:path';
import pino, { type Logger } from 'pino';
import { FailureLimiter, type Limiters } from './app/failure-limiter.js';
import type { DiskMeter } from './app/measure-disk-usage.js';
import { OwnerSignIn } from './app/owner-sign-in.js';
import { CertificateScheduler } from './app/certificate-scheduler.js';
import type { AppContext, CertificateAuthority } from './app/ports.js';
import { phpInUse } from './app/plans.js';
import { SignInLimiter } from './app/sign-in-limiter.js';
import { TokenUsageRecorder } from './app/token-usage.js';
import { ConfigError, type Config } from './config.js';
import type { Keyring } from './domain/keyring.js';
import { DEFAULT_ROTATION, type RotationPolicy } from './domain/traffic.js';
import { Argon2PasswordHasher } from './host/argon2-password-hasher.js';
import { AcmeCertificateAuthority } from './host/acme/acme-certificate-authority.js';
import { DiskUsageMeter } from './host/disk/disk-usage-meter.js';
import { writeFileAtomic } from './host/files.js';
import { parseMysqlUrl } from './host/mariadb/mysql-url.js';
import { NoDatabaseServer } from './host/no-database-server.js';
import { renderSuspendedPage } from './host/pages.js';
import { HostSetupError, createHostDrivers } from './host/host-mode/host-mode-drivers.js';
import type { DatabaseServer, HostDrivers, PasswordHasher } from './host/ports.js';
import { processOwner } from './host/process-owner.js';
import { firstPublicAddress } from './host/public-address.js';
import { createSandboxDrivers } from './host/sandbox/sandbox-drivers.js';
import { loadKeyring } from './host/secret-key-file.js';
import { LOG_SERIALIZERS } from './http/log-redaction.js';
import { openSqliteStore } from './store/sqlite.js';
import type { Store } from './store/store.js';

/** Runtime is a built application: the use-case context plus what the doors and shutdown need. */
export interface Runtime {
  config: Config;
  ctx: AppContext;
  logger: Logger;
  limiters: Limiters;
  tokenUsage: TokenUsageRecorder;
  /** ownerSignIn signs owners in to the user panel, with its own failed sign-in limiter. */
  ownerSignIn: OwnerSignIn;
  /** diskMeter measures the disk use of homes, for the background measurement in `vanta serve`. */
  diskMeter: DiskMeter;
  /**
   * trafficRotation says when `vanta serve` rotates the traffic logs: in host mode daily or at 16 MiB;
   * never in the sandbox, which has no nginx to tell to reopen them.
   */
  trafficRotation: RotationPolicy | null;
  /** certificates is the certificate scheduler `vanta serve` starts; null when certificates are off. */
  certificates: CertificateScheduler | null;
  close(): Promise<void>;
}

/** RuntimeOverrides let tests swap a part while keeping the rest real. */
export interface RuntimeOverrides {
  logger?: Logger;
  hasher?: PasswordHasher;
  now?: () => Date;
  wrapHost?: (drivers: HostDrivers) => HostDrivers;
  wrapStore?: (store: Store) => Store;
  tokenFlushMs?: number;
  trafficRotation?: RotationPolicy | null;
  /** ca replaces the ACME certificate authority (when VANTA_ACME_DIRECTORY is not `off`). */
  ca?: CertificateAuthority;
}

/** createCertificateAuthority builds the ACME client for the configured directory; the panel's account key lives in the data directory. */
export function createCertificateAuthority(config: Config, directory: string): CertificateAuthority {
  return new AcmeCertificateAuthority({
    directory,
    email: config.acme.email,
    caFile: config.acme.caFile,
    accountKeyFile: join(config.dataDir, 'acme-account.key'),
    timeoutMs: config.hostTimeoutMs,
  });
}

/** LOG_BUFFER_BYTES is how much log text is gathered before one write to a file descriptor. */
export const LOG_BUFFER_BYTES = 4096;
/** LOG_FLUSH_MS bounds how long a gathered line waits when the panel is quiet. */
export const LOG_FLUSH_MS = 1000;

/** gathered holds the log destinations that may hold lines not yet written; one exit hook writes them all out. */
const gathered = new Set<ReturnType<typeof pino.destination>>();
let exitHooked = false;

function writeGatheredLines(): void {
  for (const dest of gathered) {
    try {
      dest.flushSync();
    } catch {
      // Closed meanwhile, or its file is gone: nothing more can be done at exit.
    }
  }
}

/**
 * logDestination gathers lines and writes them a few KiB at a time, instead of one write per line (one per request);
 * the lines gathered are written when the process exits, an uncaught error included, and a timer writes a quiet
 * panel's lines within LOG_FLUSH_MS. Only a SIGKILL can lose the last lines. The writes block: an asynchronous write
 * still in flight at exit is neither waited for nor written again by the exit's flush, so its lines were lost or
 * landed after later ones.
 */
export function logDestination(fd: number): ReturnType<typeof pino.destination> {
  const dest = pino.destination({ dest: fd, sync: true, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_MS });
  // pino flushes at exit only the destinations it writes asynchronously.
  if (!exitHooked) process.once('exit', writeGatheredLines);
  exitHooked = true;
  gathered.add(dest);
  dest.once('close', () => gathered.delete(dest));
  return dest;
}

/** createLogger builds the panel's logger; secrets are redacted by path as a second line of defence. */
export function createLogger(level: string, destination: number | pino.DestinationStream = 1): Logger {
  return pino(
    {
      level,
      serializers: LOG_SERIALIZERS,
      redact: {
        paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'password', '*.password', 'token', '*.token'],
        censor: '[redacted]',
      },
    },
    typeof destination === 'number' ? logDestination(destination) : destination,
  );
}

/**
 * createDatabaseServer picks the database driver: MariaDB when VANTA_MYSQL_URL is set, in every mode. The MariaDB
 * driver (mysql2, about 20 MiB resident) is loaded only then.
 */
export async function createDatabaseServer(config: Config): Promise<DatabaseServer> {
  if (config.mysqlUrl === null) return new NoDatabaseServer();
  let target: ReturnType<typeof parseMysqlUrl>;
  try {
    target = parseMysqlUrl(config.mysqlUrl);
  } catch (err) {
    throw new ConfigError(`VANTA_MYSQL_URL ${err instanceof Error ? err.message : String(err)}`);
  }
  const { MariaDbDatabaseServer } = await import('./host/mariadb/mariadb-database-server.js');
  return new MariaDbDatabaseServer(target);
}

/** createRuntime is the composition root: config in, a wired application out. */
export async function createRuntime(config: Config, overrides: RuntimeOverrides = {}): Promise<Runtime> {
  // Built first so that a bad VANTA_MYSQL_URL stops start-up before anything is opened; the pool
  // connects only when a database call needs it.
  const databases = await createDatabaseServer(config);
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const now = overrides.now ?? (() => new Date());
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const opened: Store = await openSqliteStore(join(config.dataDir, 'vanta.db'));
  const store = overrides.wrapStore ? overrides.wrapStore(opened) : opened;
  await mkdir(config.suspendedDir, { recursive: true, mode: 0o755 });
  await writeFileAtomic(join(config.suspendedDir, 'suspended.html'), renderSuspendedPage());
  let drivers: HostDrivers;
  try {
    drivers = await buildDrivers(config, databases, now, logger, opened);
  } catch (err) {
    await store.close();
    await databases.close();
    throw err;
  }
  const host = overrides.wrapHost ? overrides.wrapHost(drivers) : drivers;
  const tokenUsage = new TokenUsageRecorder(store, logger, overrides.tokenFlushMs ?? 2000);
  const ctx: AppContext = {
    store,
    host,
    hasher: overrides.hasher ?? new Argon2PasswordHasher(),
    logger,
    now,
    tokenUse: tokenUsage,
    lockOwner: processOwner(),
    lockTtlMs: 10 * 60_000,
    keyring: keyringLoader(config.secretKeyFile, store),
    publicIp: config.publicIp ?? firstPublicAddress(networkInterfaces()),
    acme: null,
  };
  let scheduler: CertificateScheduler | null = null;
  if (config.acme.directory !== null) {
    const ca = overrides.ca ?? createCertificateAuthority(config, config.acme.directory);
    scheduler = new CertificateScheduler(ctx, config.acme.checkIntervalMs, logger);
    const started = scheduler;
    ctx.acme = { ca, wake: () => started.wake() };
  }
  const limiter = () => new FailureLimiter(config.authFailLimit, config.authFailWindowMs, () => now().getTime());
  return {
    config,
    ctx,
    logger,
    limiters: { api: limiter(), whm: limiter() },
    tokenUsage,
    ownerSignIn: new OwnerSignIn(ctx, new SignInLimiter(() => now().getTime())),
    // Where the homes' filesystem has user quotas, their figures replace the walks.
    diskMeter: new DiskUsageMeter({ quota: host.quota.enabled ? host.quota : null, walkMs: DISK_WALK_MS }),
    trafficRotation:
      overrides.trafficRotation !== undefined
        ? overrides.trafficRotation
        : drivers.mode === 'host'
          ? DEFAULT_ROTATION
          : null,
    certificates: scheduler,
    close: async () => {
      await tokenUsage.flush();
      await databases.close();
      await store.close();
    },
  };
}

/** DISK_WALK_MS is how long the walk of one home may take before it stops with a lower bound. */
const DISK_WALK_MS = 60_000;

/**
 * keyringLoader reads the secret key file the first time a two-factor secret is sealed or opened.
 * The file is made then only while no owner has a secret stored: once one has, a missing file is an
 * error (a new key would open nothing), which `vanta serve` reports at start-up.
 */
function keyringLoader(path: string, store: Store): () => Promise<Keyring> {
  let loading: Promise<Keyring> | null = null;
  return () => {
    loading ??= (async () => {
      const create = (await store.twoFactor.count()) === 0;
      try {
        return (await loadKeyring(path, { create })).ring;
      } catch (err) {
        loading = null;
        throw new ConfigError(`VANTA_SECRET_KEY_FILE: ${err instanceof Error ? err.message : String(err)}`);
      }
    })();
    return loading;
  };
}

async function buildDrivers(
  config: Config,
  databases: DatabaseServer,
  now: () => Date,
  logger: Logger,
  store: Store,
): Promise<HostDrivers> {
  if (config.mode === 'sandbox') {
    return createSandboxDrivers(
      {
        dataDir: config.dataDir,
        listen: config.nginxListen,
        tlsListen: config.nginxTlsListen,
        suspendedDir: config.suspendedDir,
        trafficDir: config.trafficDir,
        certDir: config.acme.certDir,
        challengeDir: config.acme.challengeDir,
        phpWebGroup: config.php.webGroup,
      },
      databases,
      now,
    );
  }
  if (
    isInside(config.suspendedDir, config.dataDir) ||
    isInside(config.trafficDir, config.dataDir) ||
    isInside(config.acme.challengeDir, config.dataDir)
  ) {
    // nginx workers must reach the suspended page, the challenge answers and reopen the traffic logs; the data directory
    // stays unlistable and the store 0600.
    await chmod(config.dataDir, 0o711);
  }
  try {
    const host = await createHostDrivers(
      {
        homeBase: config.homeBase,
        sitesDir: config.nginxSitesDir,
        nginxBin: config.nginxBin,
        nginxArgs: config.nginxArgs,
        nginxReload: config.nginxReload,
        nginxReopen: config.nginxReopen,
        nginxPidFile: config.nginxPidFile,
        warn: (message) => logger.warn(message),
        lockDir: config.dataDir,
        trafficDir: config.trafficDir,
        listen: config.nginxListen,
        tlsListen: config.nginxTlsListen,
        suspendedDir: config.suspendedDir,
        certDir: config.acme.certDir,
        challengeDir: config.acme.challengeDir,
        timeoutMs: config.hostTimeoutMs,
        php: {
          poolDir: config.php.poolDir,
          runDir: config.php.runDir,
          bin: config.php.bin,
          args: config.php.args,
          reloadCommand: config.php.reload,
          pidFile: config.php.pidFile,
          webGroup: config.php.webGroup,
          timeoutMs: config.hostTimeoutMs,
        },
        // With PHP off in every plan (and no account without a plan), php-fpm is not needed.
        phpRequired: await phpInUse(store),
      },
      databases,
    );
    if (host.quotaNote) logger.warn(`disk quotas are not applied: ${host.quotaNote}`);
    for (const warning of host.phpWarnings) logger.warn(warning);
    if (!host.phpChecked) logger.info('PHP is off in every plan: php-fpm is not checked and not called');
    return host;
  } catch (err) {
    if (err instanceof HostSetupError) throw new ConfigError(err.message);
    throw err;
  }
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith('/');
}

/** describeDrivers is the one startup line saying which mode and drivers are active. */
export function describeDrivers(rt: Runtime): string {
  const { mode, databases } = rt.ctx.host;
  const users = mode === 'host' ? 'shadow' : 'sandbox';
  const web = mode === 'host' ? `nginx (${rt.config.nginxSitesDir})` : 'sandbox';
  const quota = rt.ctx.host.quota.enabled ? 'setquota' : 'off';
  const php = mode === 'host' ? `php-fpm (${rt.config.php.poolDir})` : 'sandbox';
  const acme = rt.ctx.acme ? rt.ctx.acme.ca.label : 'off';
  return `mode=${mode} system-users=${users} web-server=${web} php=${php} quota=${quota} databases=${databases.label} acme=${acme}`;
}
