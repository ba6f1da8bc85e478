import type { ApiToken } from './types.js';

/** TokenStatus is how a token stands right now. */
export type TokenStatus = 'active' | 'expired' | 'revoked';

/** tokenStatus tells whether a token is active, expired or revoked at `now`; revoked wins over expired. */
export function tokenStatus(token: Pick<ApiToken, 'revokedAt' | 'expiresAt'>, now: Date): TokenStatus {
  if (token.revokedAt !== null) return 'revoked';
  if (token.expiresAt !== null && Date.parse(token.expiresAt) <= now.getTime()) return 'expired';
  return 'active';
}
