import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AdminVerifier } from '../../app/admins.js';
import type { FailureLimiter } from '../../app/failure-limiter.js';
import type { AppContext } from '../../app/ports.js';
import { registerAccountPages } from './accounts/routes.js';
import { registerAdminPages } from './admins/routes.js';
import { registerAuditPages } from './audit/routes.js';
import { registerDashboard } from './dashboard/routes.js';
import { registerFormGuard } from '../form-guard.js';
import { headerValues } from '../raw-headers.js';
import { registerPageHeaders } from '../security-headers.js';
import { leaveBodyUnread } from '../unread-body.js';
import { type UiAssets, registerAssets } from '../ui/assets.js';
import { registerErrorPages } from '../ui/error-page.js';
import { refuseCrossOrigin } from './error-page.js';
import { type PageDeps, adminOf, sendPage } from './kit.js';
import { registerPlanPages } from './plans/routes.js';
import { registerTokenPages } from './tokens/routes.js';

/** WhmDeps are what the vWHM routes need. */
export interface WhmDeps {
  ctx: AppContext;
  limiter: FailureLimiter;
  verifier: AdminVerifier;
  assets: UiAssets;
  panelUrl: (req: FastifyRequest) => string;
  /** formKey signs the form tokens (see FormGuardOptions). */
  formKey?: Buffer;
}

const CHALLENGE = 'Basic realm="vWHM", charset="UTF-8"';

/** parseBasic reads `Authorization: Basic` credentials; null when absent or malformed. */
export function parseBasic(header: string | undefined): { name: string; password: string } | null {
  const match = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return null;
  return { name: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

declare module 'fastify' {
  interface FastifyRequest {
    admin?: string;
  }
}

/**
 * registerWhm puts every vWHM route behind Basic Auth against the admins table, and every POST
 * behind the form guard: same origin, and a CSRF token bound to the signed-in admin.
 */
export function registerWhm(app: FastifyInstance, deps: WhmDeps): void {
  app.addHook('onRequest', async (req, reply) => {
    // Decided after the bytes already read have all been parsed: a request the parser refuses further on (a
    // malformed chunk in the same packet) is answered 400 bad_request, not 401.
    await null;
    // Sent twice, Basic credentials are none: which of the two would be meant is not known.
    const sent = headerValues(req.raw.rawHeaders, 'authorization');
    const credentials = sent.length === 1 ? parseBasic(sent[0]) : null;
    if (credentials) {
      // Counted before the check: a burst of parallel guesses gets no more checks than the limit,
      // and a right password from an address past it is refused like a wrong one.
      const attempt = deps.limiter.attempt(req.clientIp);
      if (!attempt.allowed) {
        leaveBodyUnread(req, reply);
        return reply
          .code(429)
          .header('retry-after', String(attempt.retryAfter))
          .type('text/plain; charset=utf-8')
          .send('Too many failed sign-ins; try again later.\n');
      }
      if (await deps.verifier.verify(credentials.name, credentials.password)) {
        attempt.release();
        req.admin = credentials.name;
        return;
      }
    }
    // Refused before the body is read: an unauthenticated upload of any size costs nothing.
    leaveBodyUnread(req, reply);
    return reply
      .code(401)
      .header('www-authenticate', CHALLENGE)
      .type('text/plain; charset=utf-8')
      .send('Sign in to vWHM.\n');
  });

  const pageDeps: PageDeps = { ctx: deps.ctx, assets: deps.assets, panelUrl: deps.panelUrl };
  app.register(async (scope) => {
    await registerFormGuard(scope, {
      cookieKey: 'vwhm_csrf',
      userOf: adminOf,
      ...(deps.formKey ? { formKey: deps.formKey } : {}),
      refuseCrossOrigin: (req, reply, why) => refuseCrossOrigin(pageDeps, req, reply, why),
    });
    registerPageHeaders(scope);
    registerErrorPages(scope, 'vWHM', (req, reply, title, content, status) =>
      sendPage(pageDeps, req, reply, title, content, status),
    );
    registerAssets(scope, pageDeps.assets);
    registerDashboard(scope, pageDeps);
    registerAccountPages(scope, pageDeps);
    registerPlanPages(scope, pageDeps);
    registerTokenPages(scope, pageDeps);
    registerAuditPages(scope, pageDeps);
    registerAdminPages(scope, pageDeps);
  });
}
