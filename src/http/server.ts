import { randomUUID } from 'node:crypto';
import { METHODS } from 'node:http';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { AdminVerifier } from '../app/admins.js';
import type { Limiters } from '../app/failure-limiter.js';
import type { AppContext } from '../app/ports.js';
import { DomainError } from '../domain/errors.js';
import { toErrorReply } from './errors.js';
import { handleApi } from './api/handle-api.js';
import { MAX_BODY_BYTES } from './api/request.js';
import { renderPanelHome } from './panel/home.js';
import { leaveBodyUnread } from './unread-body.js';
import { registerWhm } from './whm/index.js';

/** ServerDeps are what both listeners need besides the use cases' context. */
export interface ServerDeps {
  ctx: AppContext;
  logger: FastifyBaseLogger;
  limiters: Limiters;
  trustedProxies: readonly string[];
}

// Bodies up to this size are buffered so the size check can come after authentication, as the
// contract orders; larger ones are refused while reading.
const HARD_BODY_LIMIT = 16 * MAX_BODY_BYTES;

function baseServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger,
    genReqId: () => randomUUID(),
    trustProxy: deps.trustedProxies.length > 0 ? [...deps.trustedProxies] : false,
    bodyLimit: HARD_BODY_LIMIT,
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: HARD_BODY_LIMIT }, (_req, body, done) =>
    done(null, body),
  );
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
  });
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    let code: 'payload_too_large' | 'unsupported_media_type' | 'invalid_json' | 'internal_error' = 'internal_error';
    if (status === 413) code = 'payload_too_large';
    else if (status === 415) code = 'unsupported_media_type';
    else if (status === 400) code = 'invalid_json';
    if (code === 'internal_error') req.log.error({ err, reqId: req.id }, 'request failed unexpectedly');
    const rendered = toErrorReply(
      new DomainError(code, code === 'internal_error' ? 'an unexpected error occurred' : err.message),
    );
    void reply.code(rendered.status).header('cache-control', 'no-store').send(rendered.body);
  });
  app.setNotFoundHandler((req, reply) => {
    const rendered = toErrorReply(new DomainError('not_found', `nothing at ${req.method} ${req.url.split('?')[0]}`));
    void reply.code(rendered.status).send(rendered.body);
  });
  return app;
}

/** API_METHODS are the methods some API call accepts; HEAD is answered as GET. */
const API_METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'DELETE'];

/** buildPanelServer builds the user-panel listener: the account API at `/?api=` and the owners' pages. */
export function buildPanelServer(deps: ServerDeps): FastifyInstance {
  const app = baseServer(deps);
  // Every method Node parses reaches `/` (CONNECT opens a tunnel, never a request to a path).
  const methods = METHODS.filter((m) => m !== 'CONNECT');
  for (const m of methods) if (!app.supportedMethods.includes(m)) app.addHttpMethod(m);
  const answer = async (req: FastifyRequest, reply: FastifyReply) => {
    const query = req.query as Record<string, unknown>;
    if (query.api !== undefined) return handleApi({ ctx: deps.ctx, limiter: deps.limiters.api }, req, reply);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return reply
        .code(405)
        .header('allow', 'GET, HEAD')
        .send({ ok: false, error: 'method_not_allowed', message: 'use GET' });
    }
    return reply.type('text/html; charset=utf-8').send(renderPanelHome());
  };
  app.route({
    method: methods,
    url: '/',
    // A method no call accepts is answered here, before its body is read (or parsed).
    onRequest: async (req, reply) => {
      if (API_METHODS.includes(req.method)) return;
      leaveBodyUnread(req, reply);
      return answer(req, reply);
    },
    handler: answer,
  });
  return app;
}

/** buildWhmServer builds the vWHM (admin) listener, every request behind HTTP Basic Auth. */
export function buildWhmServer(deps: ServerDeps): FastifyInstance {
  const app = baseServer(deps);
  registerWhm(app, { ctx: deps.ctx, limiter: deps.limiters.whm, verifier: new AdminVerifier(deps.ctx) });
  return app;
}
