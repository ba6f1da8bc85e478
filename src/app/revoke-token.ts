import { DomainError } from '../domain/errors.js';
import type { ApiToken } from '../domain/types.js';
import type { AppContext } from './ports.js';

/** findToken resolves a token by name first, then by numeric id. */
export async function findToken(ctx: AppContext, nameOrId: string): Promise<ApiToken> {
  const byName = await ctx.store.tokens.findByName(nameOrId);
  if (byName) return byName;
  const byId = /^\d{1,15}$/.test(nameOrId) ? await ctx.store.tokens.findById(Number(nameOrId)) : undefined;
  if (byId) return byId;
  throw new DomainError('token_not_found', `no token named or numbered "${nameOrId}"`);
}

/** revokeToken makes a token unusable at once; revoking a revoked token changes nothing. */
export async function revokeToken(ctx: AppContext, nameOrId: string): Promise<{ token: ApiToken; changed: boolean }> {
  const token = await findToken(ctx, nameOrId);
  if (token.revokedAt !== null) return { token, changed: false };
  const at = ctx.now().toISOString();
  await ctx.store.tokens.revoke(token.id, at);
  return { token: { ...token, revokedAt: at }, changed: true };
}

/** listTokens returns every token record, oldest first, with the uses this process has batched so far. */
export async function listTokens(ctx: AppContext): Promise<ApiToken[]> {
  await ctx.tokenUse.flush();
  return ctx.store.tokens.list();
}
