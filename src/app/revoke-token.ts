import type { ApiToken } from '../domain/types.js';
import { findToken } from './find-token.js';
import type { AppContext } from './ports.js';

/** revokeToken makes a token unusable at once; revoking a revoked token changes nothing. */
export async function revokeToken(ctx: AppContext, nameOrId: string): Promise<{ token: ApiToken; changed: boolean }> {
  const token = await findToken(ctx, nameOrId);
  if (token.revokedAt !== null) return { token, changed: false };
  const at = ctx.now().toISOString();
  await ctx.store.tokens.revoke(token.id, at);
  return { token: { ...token, revokedAt: at }, changed: true };
}
