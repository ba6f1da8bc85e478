import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { FailureLimiter } from './app/failure-limiter.js';
import type { AppContext, PasswordHasher } from './app/ports.js';
import { TokenUsageRecorder } from './app/token-usage.js';
import { ConfigError, type Config } from './config.js';
import { Argon2PasswordHasher } from './host/argon2-password-hasher.js';
import { writeFileAtomic } from './host/files.js';
import { MariaDbDatabaseServer } from './host/mariadb/mariadb-database-server.js';
import { parseMysqlUrl } from './host/mariadb/mysql-url.js';
import { NoDatabaseServer } from './host/no-database-server.js';
import { renderSuspendedPage } from './host/pages.js';
import type { DatabaseServer, HostDrivers } from './host/ports.js';
import { createSandboxDrivers } from './host/sandbox/sandbox-drivers.js';
import { openSqliteStore } from './store/sqlite.js';
import type { Store } from './store/store.js';

/** Runtime is a built application: the use-case context plus what the doors and shutdown need. */
export interface Runtime {
  config: Config;
  ctx: AppContext;
  logger: Logger;
  limiter: FailureLimiter;
  tokenUsage: TokenUsageRecorder;
  close(): Promise<void>;
}

/** RuntimeOverrides let tests swap a part while keeping the rest real. */
export interface RuntimeOverrides {
  logger?: Logger;
  hasher?: PasswordHasher;
  now?: () => Date;
  wrapHost?: (drivers: HostDrivers) => HostDrivers;
  tokenFlushMs?: number;
}

/** createLogger builds the panel's logger; secrets are redacted by path as a second line of defence. */
export function createLogger(level: string, destination = 1): Logger {
  return pino(
    {
      level,
      redact: {
        paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'password', '*.password', 'token', '*.token'],
        censor: '[redacted]',
      },
    },
    pino.destination(destination),
  );
}

/** createDatabaseServer picks the database driver: MariaDB when VANTA_MYSQL_URL is set, in every mode. */
export function createDatabaseServer(config: Config): DatabaseServer {
  if (config.mysqlUrl === null) return new NoDatabaseServer();
  try {
    return new MariaDbDatabaseServer(parseMysqlUrl(config.mysqlUrl));
  } catch (err) {
    throw new ConfigError(`VANTA_MYSQL_URL ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** createRuntime is the composition root: config in, a wired application out. */
export async function createRuntime(config: Config, overrides: RuntimeOverrides = {}): Promise<Runtime> {
  if (config.mode === 'host') {
    throw new ConfigError('VANTA_MODE=host is not available in this version yet; use sandbox mode');
  }
  // Built first so that a bad VANTA_MYSQL_URL stops start-up before anything is opened; the pool
  // connects only when a database call needs it.
  const databases = createDatabaseServer(config);
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const now = overrides.now ?? (() => new Date());
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const store: Store = await openSqliteStore(join(config.dataDir, 'vanta.db'));
  await mkdir(config.suspendedDir, { recursive: true });
  await writeFileAtomic(join(config.suspendedDir, 'suspended.html'), renderSuspendedPage());
  const sandbox = createSandboxDrivers(
    { dataDir: config.dataDir, listen: config.nginxListen, suspendedDir: config.suspendedDir },
    databases,
    now,
  );
  const host = overrides.wrapHost ? overrides.wrapHost(sandbox) : sandbox;
  const tokenUsage = new TokenUsageRecorder(store, logger, overrides.tokenFlushMs ?? 2000);
  const ctx: AppContext = {
    store,
    host,
    hasher: overrides.hasher ?? new Argon2PasswordHasher(),
    logger,
    now,
    tokenUse: tokenUsage,
    lockOwner: `${process.pid}-${randomBytes(4).toString('hex')}`,
    lockTtlMs: 10 * 60_000,
  };
  const limiter = new FailureLimiter(config.authFailLimit, config.authFailWindowMs, () => now().getTime());
  return {
    config,
    ctx,
    logger,
    limiter,
    tokenUsage,
    close: async () => {
      await tokenUsage.flush();
      await databases.close();
      await store.close();
    },
  };
}

/** describeDrivers is the one startup line saying which mode and drivers are active. */
export function describeDrivers(rt: Runtime): string {
  const { mode, databases } = rt.ctx.host;
  return `mode=${mode} system-users=${mode} web-server=${mode} databases=${databases.label}`;
}
