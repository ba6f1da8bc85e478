import type { Account } from '../../domain/types.js';

/** accountJson renders an account as the API's Account object. */
export function accountJson(a: Account): Record<string, unknown> {
  return {
    user: a.user,
    domain: a.domain,
    email: a.email,
    plan: a.plan,
    status: a.status,
    suspend_reason: a.suspendReason,
    created_at: a.createdAt,
    suspended_at: a.suspendedAt,
    databases: a.databases,
  };
}
