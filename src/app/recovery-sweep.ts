import type { AppContext } from './ports.js';
import { recoverOperations } from './recover-operations.js';

/** RecoverySweep is the periodic recovery of a running server; stop ends it, waiting for a sweep in progress. */
export interface RecoverySweep {
  stop(): Promise<void>;
}

/**
 * startRecoverySweep runs recoverOperations every `everyMs` while the server runs, so that what a
 * process killed meanwhile left (a `vanta` command, a server that crashed and was restarted while
 * the old one was still a zombie) is finished or undone without a restart. Operations of live
 * owners, this server's own in-flight ones included, are left to them. One sweep at a time: the
 * next is scheduled when the last one ends.
 */
export function startRecoverySweep(
  ctx: AppContext,
  isAlive: (owner: string) => boolean,
  everyMs: number,
): RecoverySweep {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = recoverOperations(ctx, isAlive)
        .then(
          () => {},
          (err: unknown) => ctx.logger.error({ err }, 'the recovery sweep failed; it runs again at the next interval'),
        )
        .finally(schedule);
    }, everyMs);
  };
  schedule();
  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
