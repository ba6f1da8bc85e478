import { DomainError } from '../domain/errors.js';
import type { ApiToken } from '../domain/types.js';
import type { AppContext } from './ports.js';

const ID_RE = /^\d{1,15}$/;

/** findToken resolves a token by name first, then by numeric id, or fails with `token_not_found`. */
export async function findToken(ctx: AppContext, nameOrId: string): Promise<ApiToken> {
  const byName = await ctx.store.tokens.findByName(nameOrId);
  if (byName) return byName;
  const byId = ID_RE.test(nameOrId) ? await ctx.store.tokens.findById(Number(nameOrId)) : undefined;
  if (byId) return byId;
  throw new DomainError('token_not_found', `no token named or numbered "${nameOrId}"`);
}

/** findTokenById resolves a token by its numeric id alone (as vWHM's links name it), or fails with `token_not_found`. */
export async function findTokenById(ctx: AppContext, id: string): Promise<ApiToken> {
  const token = ID_RE.test(id) ? await ctx.store.tokens.findById(Number(id)) : undefined;
  if (!token) throw new DomainError('token_not_found', `no token numbered "${id}"`);
  return token;
}
