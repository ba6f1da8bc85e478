import type { FastifyInstance } from 'fastify';
import type { AdminVerifier } from '../../app/admins.js';
import type { FailureLimiter } from '../../app/failure-limiter.js';
import type { AppContext } from '../../app/ports.js';
import { plainIp } from '../../domain/cidr.js';
import { ACCOUNT_STATUSES } from '../../domain/types.js';
import { escapeHtml, page } from '../html.js';

/** WhmDeps are what the vWHM routes need. */
export interface WhmDeps {
  ctx: AppContext;
  limiter: FailureLimiter;
  verifier: AdminVerifier;
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

/** registerWhm puts every vWHM route behind Basic Auth against the admins table. */
export function registerWhm(app: FastifyInstance, deps: WhmDeps): void {
  app.addHook('onRequest', async (req, reply) => {
    const ip = plainIp(req.ip);
    const wait = deps.limiter.retryAfter(ip);
    if (wait > 0) {
      return reply.code(429).header('retry-after', String(wait)).type('text/plain; charset=utf-8').send('Too many failed sign-ins; try again later.\n');
    }
    const credentials = parseBasic(req.headers.authorization);
    if (credentials && (await deps.verifier.verify(credentials.name, credentials.password))) {
      req.admin = credentials.name;
      return;
    }
    if (credentials) deps.limiter.fail(ip);
    return reply.code(401).header('www-authenticate', CHALLENGE).type('text/plain; charset=utf-8').send('Sign in to vWHM.\n');
  });

  app.get('/', async (req, reply) => {
    const counts = await Promise.all(
      ACCOUNT_STATUSES.map(async (status) => [status, (await deps.ctx.store.accounts.list({ status, limit: 1 })).total] as const),
    );
    const tokens = await deps.ctx.store.tokens.list();
    const rows = counts.map(([s, n]) => `<tr><th scope="row">${s}</th><td>${n}</td></tr>`).join('');
    return reply.type('text/html; charset=utf-8').send(
      page(
        'vWHM',
        `<h1>vWHM</h1>
<p>Signed in as <strong>${escapeHtml(req.admin ?? '')}</strong>.</p>
<h2>Accounts</h2>
<table>${rows}</table>
<h2>API tokens</h2>
<p>${tokens.filter((t) => t.revokedAt === null).length} active of ${tokens.length} issued. Issue tokens with <code>vanta token create</code>.</p>`,
      ),
    );
  });
}
