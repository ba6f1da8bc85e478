import { withLockedAccount } from './account-lock.js';
import { accountPhp } from './account-php.js';
import { requireAccount } from './get-account.js';
import { runJournalled } from './journal.js';
import { accountTerminate, settledStatus } from './operations/account-terminate.js';
import type { AppContext } from './ports.js';

/**
 * terminateAccount drops the account's databases, site, system user and home, then its rows.
 * Dropped databases cannot come back, so a failure leaves the account in its former status with
 * the remaining steps still to do; calling it again finishes the job.
 */
export async function terminateAccount(
  ctx: AppContext,
  user: string,
): Promise<{ user: string; droppedDatabases: string[] }> {
  await requireAccount(ctx, user);
  return withLockedAccount(ctx, user, async (record) => {
    const out = { dropped: [] as string[] };
    const php = await accountPhp(ctx, record.plan);
    await runJournalled(ctx, accountTerminate, user, {
      record,
      previousStatus: settledStatus(record.status),
      php,
      out,
    });
    return { user, droppedDatabases: out.dropped };
  });
}
