import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { authenticateToken } from '../../app/authenticate-token.js';
import { type AuditContext, recordAudit } from '../../app/audit.js';
import type { FailureLimiter } from '../../app/failure-limiter.js';
import {
  type IdempotentRequest,
  claimIdempotentRequest,
  keepIdempotentResponse,
  releaseIdempotentRequest,
} from '../../app/idempotent-requests.js';
import type { AppContext } from '../../app/ports.js';
import { DomainError, isDomainError } from '../../domain/errors.js';
import { checkIdempotencyKey, requestFingerprint } from '../../domain/idempotency.js';
import type { ApiToken } from '../../domain/types.js';
import { toErrorReply } from '../errors.js';
import { requestOrigin } from '../origin.js';
import { headerValues } from '../raw-headers.js';
import type { ResponseCache } from './response-cache.js';
import { type CallResult, auditAction, auditTarget, isDocumentCall, resolveEndpoint } from './endpoints.js';
import {
  type JsonBody,
  type Query,
  auditParams,
  checkBody,
  peekJsonBody,
  readCredentials,
  readJsonBody,
} from './request.js';

const GUESSING_CODES = new Set(['invalid_token', 'token_expired', 'token_revoked']);

/** ApiDeps are the long-lived parts the API handler shares across requests. */
export interface ApiDeps {
  ctx: AppContext;
  limiter: FailureLimiter;
  /** panelUrl is VANTA_PANEL_URL, the origin of sign-on links; null: the request's own origin. */
  panelUrl: string | null;
  /** openapi gives the OpenAPI document, answered to `GET ?api=openapi` without a token. */
  openapi: () => Promise<Record<string, unknown>>;
  /** responses keeps the answers of read calls that name them (`Endpoint.cacheKey`) until the store changes. */
  responses: ResponseCache;
}

/** JSON_TYPE is the media type Fastify gives an object answer, given here to a kept answer's bytes. */
const JSON_TYPE = 'application/json; charset=utf-8';

function firstString(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * handleApi answers one `/?api=` call (`query` is the call's query, which an alias path
 * `/api/NAME[/ACTION]` makes up) in the contract's order: authenticate (failing credentials
 * from an address past its limit answer 429 instead), route, scope, validate, act. Every call
 * other than GET and HEAD is audited whatever its outcome.
 */
export async function handleApi(
  deps: ApiDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  query: Query = req.query as Query,
): Promise<void> {
  const { ctx, limiter } = deps;
  const api = firstString(query.api);
  const action = firstString(query.action);
  if (isDocumentCall(api, req.method)) {
    reply
      .header('cache-control', 'no-store')
      .code(200)
      .send(await deps.openapi());
    return;
  }
  const ip = req.clientIp;
  const mutating = req.method !== 'GET' && req.method !== 'HEAD';
  // The audit entry names the target and inputs even when the call is refused before its body is
  // checked; a body that does not parse simply contributes nothing.
  const peeked = mutating ? peekJsonBody(req.body) : null;
  const audit: AuditContext = {
    actor: { type: 'anonymous', id: null, name: 'anonymous' },
    action: auditAction(api, req.method, action),
    target: auditTarget(api, query, peeked),
    params: auditParams(query, peeked),
    requestId: req.id,
    ip,
  };

  let status: number;
  let payload: Record<string, unknown>;
  let outcome = 'ok';
  try {
    let token: ApiToken;
    try {
      token = await authenticateToken(ctx, readCredentials(req.raw.rawHeaders), ip);
    } catch (err) {
      // Only failing credentials are throttled: a valid token is served whatever its address did.
      if (isDomainError(err) && GUESSING_CODES.has(err.code)) {
        const attempt = limiter.attempt(ip);
        if (!attempt.allowed) {
          throw new DomainError('rate_limited', 'too many failed authentication attempts from this address', {
            retryAfter: attempt.retryAfter,
          });
        }
      }
      throw err;
    }
    audit.actor = { type: 'token', id: String(token.id), name: token.name };
    const endpoint = resolveEndpoint(api, req.method, action);
    if (endpoint.scope !== null && !token.scopes.includes(endpoint.scope)) {
      throw new DomainError('insufficient_scope', `this call needs the ${endpoint.scope} scope`, {
        required_scope: endpoint.scope,
      });
    }
    // A read whose answer is kept at the store's current version is answered from memory, after the token and
    // scope checks like any other call.
    // Only reads are kept: a change is audited and run every time.
    const version = endpoint.cacheKey === undefined || mutating ? undefined : ctx.store.version?.();
    const kept = version === undefined ? null : { key: endpoint.cacheKey?.(query) ?? '', version };
    if (kept !== null) {
      const bytes = deps.responses.get(kept.key, kept.version);
      if (bytes !== undefined) {
        reply.header('cache-control', 'no-store').code(200).type(JSON_TYPE).send(bytes);
        return;
      }
    }
    // Only a POST takes a key (as with Stripe): GET and DELETE change nothing twice anyway.
    const key = req.method === 'POST' ? idempotencyKeyOf(req.raw.rawHeaders) : null;
    let body: JsonBody = {};
    if (endpoint.body) {
      body = checkBody(readJsonBody(req.body, req.headers['content-type']), endpoint.body);
    }
    const panelUrl = () => deps.panelUrl ?? requestOrigin(req);
    const run = () => endpoint.run({ ctx, token, query, body, panelUrl });
    const result: CallResult & { replayed?: boolean } =
      key === null
        ? await run()
        : await runIdempotent(
            ctx,
            { tokenId: token.id, key, fingerprint: requestFingerprint({ method: req.method, query, body }) },
            run,
            req.log,
          );
    status = result.status;
    payload = result.body;
    // Kept only when nothing was written while it was read (the version is the same after).
    if (kept !== null && status === 200 && ctx.store.version?.() === kept.version) {
      const bytes = deps.responses.set(kept.key, kept.version, JSON.stringify(payload));
      reply.header('cache-control', 'no-store').code(200).type(JSON_TYPE).send(bytes);
      return;
    }
    if (result.replayed) {
      outcome = 'replayed';
      reply.header('idempotent-replayed', 'true');
    }
  } catch (err) {
    const rendered = toErrorReply(err);
    if (rendered.code === 'internal_error') {
      req.log.error({ err, reqId: req.id }, 'API call failed unexpectedly');
    } else if (isDomainError(err) && err.cause !== undefined) {
      req.log.warn({ err: err.cause, code: rendered.code, reqId: req.id }, 'API call failed');
    }
    status = rendered.status;
    payload = rendered.body;
    outcome = rendered.code;
    reply.headers(rendered.headers);
  }
  if (mutating) await recordAudit(ctx, audit, outcome, status);
  reply.header('cache-control', 'no-store').code(status).send(payload);
}

function idempotencyKeyOf(rawHeaders: readonly string[]): string | null {
  const values = headerValues(rawHeaders, 'idempotency-key');
  return values.length === 0 ? null : checkIdempotencyKey(values);
}

/**
 * runIdempotent runs a call under its Idempotency-Key: the first request runs and its success is
 * kept (sealed) for 24 h; a retry with the same key and body gets that answer again, marked
 * replayed. A failure is not kept: the panel undoes a failed change, so a retry runs it again.
 */
async function runIdempotent(
  ctx: AppContext,
  request: IdempotentRequest,
  run: () => Promise<CallResult>,
  log: FastifyBaseLogger,
): Promise<CallResult & { replayed?: boolean }> {
  const claim = await claimIdempotentRequest(ctx, request);
  if (claim.kind === 'replay') return { ...claim.response, replayed: true };
  let result: CallResult;
  try {
    result = await run();
  } catch (err) {
    await releaseIdempotentRequest(ctx, request);
    throw err;
  }
  try {
    await keepIdempotentResponse(ctx, request, claim.ring, result);
  } catch (err) {
    // The change is made: answer it. A retry gets request_in_progress until the claim goes stale.
    log.error({ err }, 'the answer to an idempotent request could not be kept');
  }
  return result;
}
