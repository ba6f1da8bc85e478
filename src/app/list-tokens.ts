import type { ApiToken } from '../domain/types.js';
import type { AppContext } from './ports.js';

/** listTokens returns every token record, oldest first, with the uses this process has batched so far. */
export async function listTokens(ctx: AppContext): Promise<ApiToken[]> {
  await ctx.tokenUse.flush();
  return ctx.store.tokens.list();
}
