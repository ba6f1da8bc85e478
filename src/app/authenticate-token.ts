import { cidrMatcher } from '../domain/cidr.js';
import { DomainError } from '../domain/errors.js';
import { isWellFormedToken, sha256Hex } from '../domain/secrets.js';
import type { ApiToken } from '../domain/types.js';
import type { AppContext } from './ports.js';

/** authenticateToken checks a presented token and the caller's address, and records the use. */
export async function authenticateToken(ctx: AppContext, presented: string, ip: string): Promise<ApiToken> {
  // The checksum lets typos and scanners be turned away without touching the store.
  if (!isWellFormedToken(presented)) throw new DomainError('invalid_token', 'the token is malformed');
  const token = await ctx.store.tokens.findByHash(sha256Hex(presented));
  if (!token) throw new DomainError('invalid_token', 'the token is not known');
  const now = ctx.now();
  if (token.revokedAt !== null) throw new DomainError('token_revoked', 'the token has been revoked');
  if (token.expiresAt !== null && Date.parse(token.expiresAt) <= now.getTime()) {
    throw new DomainError('token_expired', 'the token has expired');
  }
  if (token.allowedCidrs.length > 0 && !cidrMatcher(token.allowedCidrs)(ip)) {
    throw new DomainError('ip_not_allowed', 'the token may not be used from this address');
  }
  ctx.tokenUse.record(token.id, now.toISOString(), ip);
  return token;
}
