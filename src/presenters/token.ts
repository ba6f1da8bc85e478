import type { ApiToken } from '../domain/types.js';

/** TokenJson is a token record as the doors print it: never its secret, which is not kept. */
export interface TokenJson {
  id: number;
  name: string;
  prefix: string;
  scopes: string[];
  allowed_cidrs: string[];
  created_at: string;
  created_by: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  last_used_ip: string | null;
}

/** tokenJson renders a token record with snake_case keys, as the API spells them. */
export function tokenJson(t: ApiToken): TokenJson {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    scopes: t.scopes,
    allowed_cidrs: t.allowedCidrs,
    created_at: t.createdAt,
    created_by: t.createdBy,
    expires_at: t.expiresAt,
    revoked_at: t.revokedAt,
    last_used_at: t.lastUsedAt,
    last_used_ip: t.lastUsedIp,
  };
}
