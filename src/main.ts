import type { FastifyInstance } from 'fastify';
import { ensureFirstAdmin } from './app/admins.js';
import type { AppContext, Logger } from './app/ports.js';
import { purgeIdempotencyKeys } from './app/idempotent-requests.js';
import { measureDiskUsage, measureNewAccounts } from './app/measure-disk-usage.js';
import { meterAccountsTraffic } from './app/meter-traffic.js';
import { sweepOwnerSessions } from './app/owner-sessions.js';
import { Periodic } from './app/periodic.js';
import { recoverOperations } from './app/recover-operations.js';
import { startRecoverySweep } from './app/recovery-sweep.js';
import { sweepCertificates } from './app/sweep-certificates.js';
import { repairDatabaseUsers } from './app/repair-database-users.js';
import { type Runtime, type RuntimeOverrides, createRuntime, describeDrivers } from './compose.js';
import { ownerAlive } from './host/process-owner.js';
import { FORM_KEY_FILE, loadFormKey } from './host/secret-key-file.js';
import { type Config, ConfigError } from './config.js';
import { join } from 'node:path';
import { buildServers } from './http/server.js';

/** Serving is a running panel: both listeners and a way to stop them cleanly. */
export interface Serving {
  /** ctx is the context the server's use cases run with. */
  ctx: AppContext;
  panel: FastifyInstance;
  whm: FastifyInstance;
  stop(): Promise<void>;
}

/** NEW_ACCOUNTS_MS is how often `vanta serve` looks for accounts whose disk use was never measured (a new one). */
const NEW_ACCOUNTS_MS = 30_000;

/** SESSION_SWEEP_MS is how often ended user-panel sessions and expired sign-on links are forgotten. */
const SESSION_SWEEP_MS = 10 * 60_000;

/** IDEMPOTENCY_SWEEP_MS is how often the answers kept for Idempotency-Key retries are erased once 24 hours old. */
const IDEMPOTENCY_SWEEP_MS = 10 * 60_000;

/**
 * startBackground starts what `vanta serve` does on its own, off every request's path: the disk use
 * of every account (every VANTA_DISK_USAGE_INTERVAL, and of new accounts within half a minute), kept
 * in the store for the dashboards, the bandwidth metered from the accounts' traffic logs (every
 * VANTA_TRAFFIC_INTERVAL), the sweep of ended sessions, and the purge of expired Idempotency-Key
 * answers.
 */
function startBackground(rt: Runtime): Periodic[] {
  const { ctx, diskMeter, config } = rt;
  const logFailures = (what: string) => (pass: { measured: number; failed: { user: string; error: string }[] }) => {
    if (pass.failed.length > 0) ctx.logger.warn({ failed: pass.failed }, `${what}: some homes could not be measured`);
  };
  const tasks = [
    new Periodic(
      'disk usage',
      config.diskUsageIntervalMs,
      async () => {
        logFailures('disk usage')(await measureDiskUsage(ctx, diskMeter));
      },
      ctx.logger,
    ),
    new Periodic(
      'disk usage of new accounts',
      NEW_ACCOUNTS_MS,
      async () => {
        logFailures('disk usage of new accounts')(await measureNewAccounts(ctx, diskMeter));
      },
      ctx.logger,
    ),
    new Periodic(
      'traffic metering',
      config.trafficIntervalMs,
      async () => {
        const report = await meterAccountsTraffic(ctx, rt.trafficRotation);
        if (report.failed.length > 0 || report.rotationError !== null || report.events.length > 0) {
          ctx.logger.warn(
            { failed: report.failed, rotationError: report.rotationError, events: report.events },
            'traffic metering: some logs could not be read or rotated',
          );
        }
      },
      ctx.logger,
    ),
    new Periodic(
      'session sweep',
      SESSION_SWEEP_MS,
      async () => {
        await sweepOwnerSessions(ctx);
      },
      ctx.logger,
    ),
    new Periodic(
      'idempotency purge',
      IDEMPOTENCY_SWEEP_MS,
      async () => {
        await purgeIdempotencyKeys(ctx);
      },
      ctx.logger,
    ),
  ];
  for (const task of tasks) task.start();
  return tasks;
}

/**
 * completeDatabaseUsers gives database users made by older versions (for `localhost` alone) their
 * TCP forms at start-up; a database server that cannot be reached now is reported, not fatal.
 */
async function completeDatabaseUsers(rt: Runtime): Promise<void> {
  try {
    const repaired = await repairDatabaseUsers(rt.ctx);
    if (repaired.added.length > 0)
      rt.logger.info({ added: repaired.added }, 'database users completed with their TCP forms');
    if (repaired.skipped.length > 0) {
      rt.logger.warn(
        { skipped: repaired.skipped },
        'database users without a stored password: set a new one to complete them',
      );
    }
  } catch (err) {
    rt.logger.warn({ err }, 'database users could not be checked for their TCP forms; vanta db repair does it later');
  }
}

/** cleanCertificates runs the start-up sweep of the certificate directory; a failure is reported, not fatal. */
async function cleanCertificates(rt: Runtime): Promise<void> {
  try {
    const swept = await sweepCertificates(rt.ctx);
    if (swept.length > 0) rt.logger.warn({ swept }, 'certificate files left by an interrupted issuance were removed');
  } catch (err) {
    rt.logger.warn({ err }, 'the certificate directory could not be swept');
  }
}

/**
 * compactAfterStart runs one last-resort major collection once both listeners are up, when Node was
 * started with --expose-gc. Loading the panel leaves the heap's young generation grown, compiled
 * start-up code and caches behind, which only a memory-reducing collection gives back: an idle panel
 * otherwise waits for V8's memory reducer, about 100 s, and a plain gc() keeps them. npm start does
 * not give the flag: after the collection V8 keeps the old generation's limit low, and under load the
 * panel answers fewer requests a second (see the README).
 */
function compactAfterStart(logger: Logger): void {
  if (typeof globalThis.gc !== 'function') {
    logger.debug({ exposeGc: false }, 'heap not compacted after start: Node runs without --expose-gc');
    return;
  }
  const rssBefore = process.memoryUsage.rss();
  const started = performance.now();
  globalThis.gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  const ms = Math.round(performance.now() - started);
  logger.debug({ exposeGc: true, ms, rssBefore, rssAfter: process.memoryUsage.rss() }, 'heap compacted after start');
}

/** serveUntilStopped serves until SIGINT or SIGTERM, then stops cleanly: what `vanta serve` runs. */
export async function serveUntilStopped(
  config: Config,
  print: (line: string) => void,
  overrides: RuntimeOverrides = {},
): Promise<void> {
  const serving = await serve(config, print, overrides);
  compactAfterStart(serving.ctx.logger);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void serving.stop().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** serve starts both listeners; `print` receives the first admin's generated password, shown once. */
export async function serve(
  config: Config,
  print: (line: string) => void,
  overrides: RuntimeOverrides = {},
): Promise<Serving> {
  const rt = await createRuntime(config, overrides);
  let formKey: Buffer;
  try {
    formKey = await loadFormKey(join(config.dataDir, FORM_KEY_FILE)).catch((err: unknown) => {
      throw new ConfigError(`VANTA_DATA_DIR: ${err instanceof Error ? err.message : String(err)}`);
    });
    // Before any listener opens: an operation cut short by a crash is finished or undone first.
    await recoverOperations(rt.ctx, ownerAlive);
    // After recovery (an install cut short is finished first): what a killed issuance left goes.
    await cleanCertificates(rt);
    // Once an owner has a two-factor secret, a missing key file stops the start (a new key would
    // open nothing) instead of turning up at the owner's next sign-in.
    if ((await rt.ctx.store.twoFactor.count()) > 0) await rt.ctx.keyring();
  } catch (err) {
    await rt.close();
    throw err;
  }
  const first = await ensureFirstAdmin(rt.ctx);
  if (first) {
    print(`Created the first vWHM admin "${first.name}" with password: ${first.password}`);
    print('This password is shown once. Change it with: vanta admin passwd admin');
  }
  const { panel, whm } = buildServers({ ...rt, formKey });
  try {
    await panel.listen({ host: config.host, port: config.panelPort });
    await whm.listen({ host: config.host, port: config.whmPort });
  } catch (err) {
    await Promise.allSettled([panel.close(), whm.close()]);
    await rt.close();
    throw err;
  }
  const sweep = startRecoverySweep(rt.ctx, ownerAlive, config.recoveryIntervalMs);
  await completeDatabaseUsers(rt);
  const background = startBackground(rt);
  rt.certificates?.start();
  rt.logger.info({ panel: panel.addresses(), whm: whm.addresses() }, `Vanta Panel started: ${describeDrivers(rt)}`);
  let stopping: Promise<void> | null = null;
  return {
    ctx: rt.ctx,
    panel,
    whm,
    stop: () => {
      stopping ??= (async () => {
        await Promise.allSettled([panel.close(), whm.close()]);
        await sweep.stop();
        await Promise.all(background.map((task) => task.stop()));
        await rt.certificates?.stop();
        await rt.close();
      })();
      return stopping;
    },
  };
}
