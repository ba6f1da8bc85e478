import type { Account } from '../domain/types.js';

/** AccountJson is the Account object of the API, as every door prints it. */
export interface AccountJson {
  user: string;
  domain: string;
  email: string | null;
  plan: string | null;
  status: Account['status'];
  suspend_reason: string | null;
  created_at: string;
  suspended_at: string | null;
  databases: string[];
  /** ip is the server's public address the domain should point to; null when none is known. */
  ip: string | null;
  /** tls is the account's certificate: `none` until one was asked for; `expires_at` its not-after. */
  tls: { status: Account['tls']['status']; expires_at: string | null };
}

/** accountJson renders an account as the API's Account object, with the server's public address as its `ip`. */
export function accountJson(a: Account, ip: string | null): AccountJson {
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
    ip,
    tls: { status: a.tls.status, expires_at: a.tls.expiresAt },
  };
}
