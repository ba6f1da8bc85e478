import { normalizeCidr } from '../domain/cidr.js';
import { DomainError } from '../domain/errors.js';
import type { Scope } from '../domain/scopes.js';
import { generateToken, sha256Hex, tokenDisplayPrefix } from '../domain/secrets.js';
import type { ApiToken } from '../domain/types.js';
import { validateTokenName } from '../domain/validation.js';
import type { AppContext } from './ports.js';

/** IssueTokenInput describes a new token; `expiresAt` is an ISO time or null for none. */
export interface IssueTokenInput {
  name: string;
  scopes: Scope[];
  expiresAt: string | null;
  allowedCidrs: readonly string[];
  createdBy: string;
}

/** MAX_ALLOWED_CIDRS bounds a token's allowed addresses: each is checked on every call made with it. */
export const MAX_ALLOWED_CIDRS = 100;

/** issueToken creates a token and returns its secret, which nothing can show again. */
export async function issueToken(
  ctx: AppContext,
  input: IssueTokenInput,
): Promise<{ token: ApiToken; secret: string }> {
  const name = validateTokenName(input.name);
  if (input.allowedCidrs.length > MAX_ALLOWED_CIDRS) {
    throw new DomainError('invalid_parameter', `a token allows at most ${MAX_ALLOWED_CIDRS} addresses or blocks`, {
      param: 'allowed_cidrs',
    });
  }
  const allowedCidrs = input.allowedCidrs.map(normalizeCidr);
  if (input.expiresAt !== null && Date.parse(input.expiresAt) <= ctx.now().getTime()) {
    throw new DomainError('invalid_parameter', 'expiry must be in the future', { param: 'expires' });
  }
  if (await ctx.store.tokens.findByName(name)) {
    throw new DomainError('token_exists', `a token named "${name}" already exists`, { param: 'name' });
  }
  const secret = generateToken();
  const token = await ctx.store.tokens.insert({
    name,
    hash: sha256Hex(secret),
    prefix: tokenDisplayPrefix(secret),
    scopes: input.scopes,
    allowedCidrs,
    createdAt: ctx.now().toISOString(),
    createdBy: input.createdBy,
    expiresAt: input.expiresAt,
  });
  return { token, secret };
}
