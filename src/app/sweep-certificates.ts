import type { AppContext } from './ports.js';

/**
 * sweepCertificates removes what killed issuances left in the certificate directory: temporary
 * files, pairs the store does not name (written, never installed) and the pairs of accounts that
 * are gone. Run at start-up after recovery, so that an install cut short is finished first; an
 * account whose certificate another live process is issuing is left alone.
 */
export async function sweepCertificates(ctx: AppContext): Promise<{ user: string; removed: string[] }[]> {
  const out: { user: string; removed: string[] }[] = [];
  for (const user of await ctx.host.certificates.users()) {
    const key = `certificate:${user}`;
    if (!(await ctx.store.locks.acquire(key, ctx.lockOwner, ctx.now().getTime(), ctx.lockTtlMs))) continue;
    try {
      const account = await ctx.store.accounts.get(user);
      if (!account) {
        await ctx.host.certificates.removeAll(user);
        out.push({ user, removed: ['*'] });
        continue;
      }
      const state = await ctx.store.certificates.get(user);
      const removed = await ctx.host.certificates.sweep(user, state?.version ?? null);
      if (removed.length > 0) out.push({ user, removed });
    } finally {
      await ctx.store.locks.release(key, ctx.lockOwner);
    }
  }
  return out;
}
