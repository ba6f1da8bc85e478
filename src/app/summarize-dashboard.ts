import { ACCOUNT_STATUSES, type AccountStatus, type ApiToken, type AuditEntry } from '../domain/types.js';
import type { CertificateListing } from '../store/store.js';
import { certificatesNeedingAttention } from './list-certificates.js';
import { type PlanUsage, listPlanUsage } from './plans.js';
import type { AppContext } from './ports.js';
import { listTokens } from './list-tokens.js';

/** DashboardSummary is what the vWHM dashboard shows at a glance. */
export interface DashboardSummary {
  accountsByStatus: Record<AccountStatus, number>;
  plans: PlanUsage[];
  recentAudit: AuditEntry[];
  /** tokensToWatch are usable tokens that expire within the warning window or were never used. */
  tokensToWatch: { token: ApiToken; expiresSoon: boolean; neverUsed: boolean }[];
  /** certificates are those that failed, expired or end within two weeks; null when certificates are off. */
  certificates: CertificateListing[] | null;
}

const WEEK_MS = 7 * 86_400_000;

/** summarizeDashboard counts accounts and plan use, takes the latest audit entries and flags tokens worth a look. */
export async function summarizeDashboard(ctx: AppContext, recent = 10): Promise<DashboardSummary> {
  const counts = await Promise.all(
    ACCOUNT_STATUSES.map(
      async (status) => [status, (await ctx.store.accounts.list({ status, limit: 1 })).total] as const,
    ),
  );
  const now = ctx.now().getTime();
  const tokensToWatch = (await listTokens(ctx))
    .filter((t) => t.revokedAt === null && (t.expiresAt === null || Date.parse(t.expiresAt) > now))
    .map((token) => ({
      token,
      expiresSoon: token.expiresAt !== null && Date.parse(token.expiresAt) <= now + WEEK_MS,
      neverUsed: token.lastUsedAt === null,
    }))
    .filter((t) => t.expiresSoon || t.neverUsed);
  return {
    accountsByStatus: Object.fromEntries(counts) as Record<AccountStatus, number>,
    plans: await listPlanUsage(ctx),
    recentAudit: await ctx.store.audit.list({ limit: recent }),
    tokensToWatch,
    certificates: ctx.acme === null ? null : await certificatesNeedingAttention(ctx),
  };
}
