import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { AdminVerifier } from '../app/admins.js';
import type { Limiters } from '../app/failure-limiter.js';
import type { OwnerSignIn } from '../app/owner-sign-in.js';
import type { AppContext } from '../app/ports.js';
import type { Config, ListenerLimits } from '../config.js';
import { DomainError } from '../domain/errors.js';
import { registerClientIp } from './client-ip.js';
import { LAZY_SCHEMA_COMPILERS } from './schema-compilers.js';
import { type ProtocolErrorCode, frameworkError, rawErrorResponse, toErrorReply } from './errors.js';
import { type ApiDeps, handleApi } from './api/handle-api.js';
import { MAX_BODY_BYTES, type Query } from './api/request.js';
import { ResponseCache } from './api/response-cache.js';
import { originWithPort } from './origin.js';
import { PANEL_PAGE_CONSTRAINT, registerPanel } from './panel/index.js';
import { type UiAssets, loadUiAssets } from './ui/assets.js';
import { lazyChildLogger } from './lazy-child-logger.js';
import { leaveBodyUnread } from './unread-body.js';
import { registerWhm } from './whm/index.js';

// Required, not imported: see errors.ts.
const { METHODS } = createRequire(import.meta.url)('node:http') as typeof import('node:http');

/** ServerDeps are what both listeners need besides the use cases' context. */
export interface ServerDeps {
  ctx: AppContext;
  logger: FastifyBaseLogger;
  limiters: Limiters;
  trustedProxies: readonly string[];
  limits: ListenerLimits;
  assets: UiAssets;
  ownerSignIn: OwnerSignIn;
  /** panelUrl is VANTA_PANEL_URL: where single sign-on links point (null: worked out per request). */
  panelUrl: string | null;
  /** panelPort is the user panel's port, for links vWHM makes when no panelUrl is configured. */
  panelPort: number;
  /** formKey signs both sites' form tokens (see FormGuardOptions); one per process when omitted. */
  formKey?: Buffer;
}

// Bodies up to this size are buffered so the size check can come after authentication, as the
// contract orders; larger ones are refused while reading.
const HARD_BODY_LIMIT = 16 * MAX_BODY_BYTES;

/** clientErrorCode names the protocol error of a request Node's parser refused. */
function clientErrorCode(err: NodeJS.ErrnoException): ProtocolErrorCode {
  if (err.code === 'HPE_HEADER_OVERFLOW') return 'headers_too_large';
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'request_timeout';
  return 'bad_request';
}

function baseServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger,
    genReqId: () => randomUUID(),
    childLoggerFactory: (logger, bindings, options) => lazyChildLogger(() => logger.child(bindings, options)),
    schemaController: LAZY_SCHEMA_COMPILERS,
    // One line per request, written when it is answered (see the onResponse hook), instead of two.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: deps.trustedProxies.length > 0 ? [...deps.trustedProxies] : false,
    bodyLimit: HARD_BODY_LIMIT,
    // Slow clients are closed: headers within one limit, the whole request within another,
    // checked every second, and kept-alive connections closed once idle.
    requestTimeout: deps.limits.bodyTimeoutMs,
    keepAliveTimeout: deps.limits.idleTimeoutMs,
    http: { headersTimeout: deps.limits.headerTimeoutMs, connectionsCheckingInterval: 1000 },
    // A request Node cannot parse gets the documented JSON error shape, written to the socket.
    clientErrorHandler: (err: NodeJS.ErrnoException, socket: Socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const code = clientErrorCode(err);
      // Only the parser's code: the error also holds the raw bytes, which may carry a secret.
      deps.logger.info({ code: err.code, answer: code }, 'refused a request that is not valid HTTP');
      const pending = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
      if (socket.writable && !pending?.headersSent) socket.write(rawErrorResponse(code));
      socket.destroy();
    },
    // A URL the router cannot read: the same shape, without echoing it.
    frameworkErrors: (err, req, reply) => {
      req.log.info({ code: err.code }, 'refused a request the router cannot read');
      sendError(reply, frameworkError(err.statusCode ?? 400));
    },
  });
  // Past the cap Node closes a new connection as soon as it is accepted; established ones go on.
  app.server.maxConnections = deps.limits.maxConnections;
  registerClientIp(app);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: HARD_BODY_LIMIT }, (_req, body, done) =>
    done(null, body),
  );
  // Callback hooks: an async one costs a promise and a turn of the microtask queue on every request.
  app.addHook('onSend', (req, reply, payload, done) => {
    reply.header('x-request-id', req.id);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    done(null, payload);
  });
  // The request line holds only what LOG_SERIALIZERS keep of a request (no header, secret query values
  // redacted) and its status and time, none of which a redaction path can name: it is written without the
  // path redaction, which every other line keeps and which cost more than the rest of the line.
  const requestLog = deps.logger.child({}, { redact: [] });
  app.addHook('onResponse', (req, reply, done) => {
    requestLog.info(
      { reqId: req.id, req, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime },
      'request answered',
    );
    done();
  });
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    const known = frameworkError(status);
    if (known.code === 'internal_error') req.log.error({ err, reqId: req.id }, 'request failed unexpectedly');
    sendError(reply, known);
  });
  app.setNotFoundHandler((_req, reply) => {
    sendError(reply, new DomainError('not_found', 'nothing here; the account API is at /?api=NAME'));
  });
  return app;
}

/** sendError answers with the documented JSON error shape. */
function sendError(reply: FastifyReply, err: DomainError): void {
  const rendered = toErrorReply(err);
  void reply.code(rendered.status).headers(rendered.headers).header('cache-control', 'no-store').send(rendered.body);
}

/** API_METHODS are the methods some API call accepts; HEAD is answered as GET. */
const API_METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'DELETE'];

/** isApiUrl tells whether a request URL names an API call: `api` among its query parameters, with any value. */
export function isApiUrl(url: string): boolean {
  const q = url.indexOf('?');
  if (q === -1) return false;
  const query = url.slice(q + 1);
  // Names with escapes (`%61pi`, `+`) are decoded by the parser; plain ones are compared as they are.
  if (query.includes('%') || query.includes('+')) return new URLSearchParams(query).has('api');
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if ((eq === -1 ? pair : pair.slice(0, eq)) === 'api') return true;
  }
  return false;
}

type ConstraintStrategy = Parameters<FastifyInstance['addConstraintStrategy']>[0];
type RouteHandler = Parameters<ReturnType<ConstraintStrategy['storage']>['set']>[1];

/**
 * panelPage is the route constraint that sends a request to `/` without `api` to the user panel's
 * pages; every other request to `/` reaches the API route exactly as before.
 */
const panelPage: ConstraintStrategy = {
  name: PANEL_PAGE_CONSTRAINT,
  storage() {
    const handlers = new Map<unknown, RouteHandler>();
    return {
      get: (value) => handlers.get(value) ?? null,
      set: (value, handler) => {
        handlers.set(value, handler);
      },
    };
  },
  deriveConstraint: (req) => (isApiUrl(req.url ?? '/') ? 'api' : 'page'),
  mustMatchWhenDerived: false,
};

/**
 * openApiOnFirstCall loads the OpenAPI module and builds the document when it is first asked for,
 * not at start: most panels are never asked, and the document stays in memory once built.
 */
function openApiOnFirstCall(): () => Promise<Record<string, unknown>> {
  let document: Promise<Record<string, unknown>> | null = null;
  return () => {
    document ??= import('./api/openapi.js')
      .then(({ buildOpenApi }) => buildOpenApi())
      .catch((err: unknown) => {
        document = null;
        throw err;
      });
    return document;
  };
}

/** buildPanelServer builds the user-panel listener: the account API at `/?api=` and the owners' pages. */
export function buildPanelServer(deps: ServerDeps): FastifyInstance {
  const app = baseServer(deps);
  app.addConstraintStrategy(panelPage);
  // Every method Node parses reaches `/` (CONNECT opens a tunnel, never a request to a path).
  const methods = METHODS.filter((m) => m !== 'CONNECT');
  for (const m of methods) if (!app.supportedMethods.includes(m)) app.addHttpMethod(m);
  const api: ApiDeps = {
    ctx: deps.ctx,
    limiter: deps.limiters.api,
    panelUrl: deps.panelUrl,
    openapi: openApiOnFirstCall(),
    responses: new ResponseCache(),
  };
  const answer = async (req: FastifyRequest, reply: FastifyReply) => {
    const query = req.query as Record<string, unknown>;
    if (query.api !== undefined) return handleApi(api, req, reply);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return reply
        .code(405)
        .header('allow', 'GET, HEAD')
        .send({ ok: false, error: 'method_not_allowed', message: 'use GET' });
    }
    // A query the constraint read as an API call that the query parser does not: the pages are at `/`.
    return reply.code(303).redirect('/');
  };
  // `/api/NAME[/ACTION]` is `/?api=NAME[&action=ACTION]` under a path of its own, as the OpenAPI
  // document describes each call (OpenAPI paths cannot tell calls apart by their query).
  const answerAlias = async (req: FastifyRequest, reply: FastifyReply) => {
    const { name, action } = req.params as { name: string; action?: string };
    const query = { ...(req.query as Query) };
    // Only `account` has actions: anything else under a second segment is no call.
    query.api = action !== undefined && name !== 'account' ? `${name}/${action}` : name;
    if (action !== undefined) query.action = action;
    return handleApi(api, req, reply, query);
  };
  const route = (url: string, handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
    app.route({
      method: methods,
      url,
      // A method no call accepts is answered here, before its body is read (or parsed).
      // Not async: the calls every request makes go on without a promise; only the rare refusal returns one.
      onRequest: (req, reply, done) => {
        if (API_METHODS.includes(req.method)) {
          done();
          return;
        }
        leaveBodyUnread(req, reply);
        return handler(req, reply);
      },
      handler,
    });
  route('/', answer);
  route('/api/:name', answerAlias);
  route('/api/:name/:action', answerAlias);
  app.register(async (scope) =>
    registerPanel(scope, {
      ctx: deps.ctx,
      assets: deps.assets,
      signIn: deps.ownerSignIn,
      panelUrl: deps.panelUrl,
      hostMode: deps.ctx.host.mode === 'host',
      ...(deps.formKey ? { formKey: deps.formKey } : {}),
    }),
  );
  return app;
}

/** ServerSource is what the two listeners are built from: a runtime and its configuration. */
export interface ServerSource {
  ctx: AppContext;
  logger: FastifyBaseLogger;
  limiters: Limiters;
  ownerSignIn: OwnerSignIn;
  config: Pick<Config, 'trustedProxies' | 'listener' | 'panelUrl' | 'panelPort'>;
  /** formKey signs both sites' form tokens, kept across restarts (see FormGuardOptions). */
  formKey?: Buffer;
}

/** buildServers builds both listeners (neither listens yet) over one runtime. */
export function buildServers(rt: ServerSource): { panel: FastifyInstance; whm: FastifyInstance } {
  const deps: ServerDeps = {
    ctx: rt.ctx,
    logger: rt.logger,
    limiters: rt.limiters,
    trustedProxies: rt.config.trustedProxies,
    limits: rt.config.listener,
    assets: loadUiAssets(),
    ownerSignIn: rt.ownerSignIn,
    panelUrl: rt.config.panelUrl,
    panelPort: rt.config.panelPort,
    ...(rt.formKey ? { formKey: rt.formKey } : {}),
  };
  return { panel: buildPanelServer(deps), whm: buildWhmServer(deps) };
}

/** buildWhmServer builds the vWHM (admin) listener, every request behind HTTP Basic Auth. */
export function buildWhmServer(deps: ServerDeps): FastifyInstance {
  const app = baseServer(deps);
  registerWhm(app, {
    ctx: deps.ctx,
    limiter: deps.limiters.whm,
    verifier: new AdminVerifier(deps.ctx),
    assets: deps.assets,
    panelUrl: (req) => deps.panelUrl ?? originWithPort(req, deps.panelPort),
    ...(deps.formKey ? { formKey: deps.formKey } : {}),
  });
  return app;
}
