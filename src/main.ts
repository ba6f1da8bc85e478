import type { FastifyInstance } from 'fastify';
import { ensureFirstAdmin } from './app/admins.js';
import type { AppContext } from './app/ports.js';
import { recoverOperations } from './app/recover-operations.js';
import { startRecoverySweep } from './app/recovery-sweep.js';
import { type RuntimeOverrides, createRuntime, describeDrivers } from './compose.js';
import { ownerAlive } from './host/process-owner.js';
import type { Config } from './config.js';
import { buildServers } from './http/server.js';

/** Serving is a running panel: both listeners and a way to stop them cleanly. */
export interface Serving {
  /** ctx is the context the server's use cases run with. */
  ctx: AppContext;
  panel: FastifyInstance;
  whm: FastifyInstance;
  stop(): Promise<void>;
}

/** serveUntilStopped serves until SIGINT or SIGTERM, then stops cleanly: what `vanta serve` runs. */
export async function serveUntilStopped(
  config: Config,
  print: (line: string) => void,
  overrides: RuntimeOverrides = {},
): Promise<void> {
  const serving = await serve(config, print, overrides);
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
  try {
    // Before any listener opens: an operation cut short by a crash is finished or undone first.
    await recoverOperations(rt.ctx, ownerAlive);
  } catch (err) {
    await rt.close();
    throw err;
  }
  const first = await ensureFirstAdmin(rt.ctx);
  if (first) {
    print(`Created the first vWHM admin "${first.name}" with password: ${first.password}`);
    print('This password is shown once. Change it with: vanta admin passwd admin');
  }
  const { panel, whm } = buildServers(rt);
  try {
    await panel.listen({ host: config.host, port: config.panelPort });
    await whm.listen({ host: config.host, port: config.whmPort });
  } catch (err) {
    await Promise.allSettled([panel.close(), whm.close()]);
    await rt.close();
    throw err;
  }
  const sweep = startRecoverySweep(rt.ctx, ownerAlive, config.recoveryIntervalMs);
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
        await rt.close();
      })();
      return stopping;
    },
  };
}
