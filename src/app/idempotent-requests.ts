import { DomainError } from '../domain/errors.js';
import { IDEMPOTENCY_TTL_MS, idempotencyKeyHash, openResponse, sealResponse } from '../domain/idempotency.js';
import type { Keyring } from '../domain/keyring.js';
import type { AppContext } from './ports.js';

/** IdempotentRequest is a POST sent with an Idempotency-Key, by one token. */
export interface IdempotentRequest {
  tokenId: number;
  key: string;
  fingerprint: string;
}

/** KeptResponse is the status and body of a finished request. */
export interface KeptResponse {
  status: number;
  body: Record<string, unknown>;
}

/** Claim is what to do with an idempotent request: run it (and then keep or release it), or answer the kept response. */
export type Claim = { kind: 'run'; ring: Keyring } | { kind: 'replay'; response: KeptResponse };

const contextOf = (r: IdempotentRequest) => `idempotency:${r.tokenId}:${idempotencyKeyHash(r.key)}`;

/**
 * claimIdempotentRequest takes the key for this request, or answers what an earlier request with the
 * same key did: its kept response when the body was the same, `idempotency_key_reused` (422) when
 * it was another, `request_in_progress` (409) while the first one still runs. A key older than 24 h
 * is free again; so is a running one whose process has held it past the lock lifetime (it died).
 */
export async function claimIdempotentRequest(ctx: AppContext, r: IdempotentRequest): Promise<Claim> {
  // The keys first: once the request has run, keeping its answer must not depend on reading a file.
  const ring = await ctx.keyring();
  const now = ctx.now().getTime();
  const keyHash = idempotencyKeyHash(r.key);
  const existing = await ctx.store.idempotency.claim(
    {
      tokenId: r.tokenId,
      keyHash,
      fingerprint: r.fingerprint,
      owner: ctx.lockOwner,
      status: null,
      response: null,
      createdAt: new Date(now).toISOString(),
    },
    new Date(now - IDEMPOTENCY_TTL_MS).toISOString(),
    new Date(now - ctx.lockTtlMs).toISOString(),
  );
  if (!existing) return { kind: 'run', ring };
  if (existing.fingerprint !== r.fingerprint) {
    throw new DomainError(
      'idempotency_key_reused',
      'this Idempotency-Key was used for a different request in the last 24 hours; use a new key for a new request',
    );
  }
  if (existing.status === null || existing.response === null) {
    throw new DomainError(
      'request_in_progress',
      'a request with this Idempotency-Key is still running; retry shortly',
      {
        retryAfter: 1,
      },
    );
  }
  const body = JSON.parse(openResponse(ring, r.key, contextOf(r), existing.response)) as Record<string, unknown>;
  return { kind: 'replay', response: { status: existing.status, body } };
}

/** keepIdempotentResponse keeps a finished request's answer for 24 h, the body sealed under the Idempotency-Key. */
export async function keepIdempotentResponse(
  ctx: AppContext,
  r: IdempotentRequest,
  ring: Keyring,
  response: KeptResponse,
): Promise<void> {
  const sealed = sealResponse(ring, r.key, contextOf(r), JSON.stringify(response.body));
  await ctx.store.idempotency.complete(r.tokenId, idempotencyKeyHash(r.key), ctx.lockOwner, response.status, sealed);
}

/** releaseIdempotentRequest forgets a claimed request that failed, so that a retry with the key runs it again. */
export async function releaseIdempotentRequest(ctx: AppContext, r: IdempotentRequest): Promise<void> {
  await ctx.store.idempotency.release(r.tokenId, idempotencyKeyHash(r.key), ctx.lockOwner);
}

/** purgeIdempotencyKeys erases the kept answers older than 24 h (their sealed bodies with them). */
export async function purgeIdempotencyKeys(ctx: AppContext): Promise<number> {
  return ctx.store.idempotency.purge(new Date(ctx.now().getTime() - IDEMPOTENCY_TTL_MS).toISOString());
}
