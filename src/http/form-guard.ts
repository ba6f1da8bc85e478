import { createHmac, randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { leaveBodyUnread } from './unread-body.js';

declare module 'fastify' {
  interface FastifyReply {
    /** formToken is the CSRF token for a form on this page, bound to the signed-in user. */
    formToken(): string;
  }
}

/** CrossOrigin says why a state-changing request did not come from the site's own pages. */
export interface CrossOrigin {
  reason: string;
  origin: string | null;
  secFetchSite: string | null;
}

/** FormGuardOptions say how a site's forms are guarded: vWHM now, the user panel next. */
export interface FormGuardOptions {
  /** cookieKey names the cookie holding the CSRF secret. */
  cookieKey: string;
  /** userOf names the signed-in user; every form token is bound to it. */
  userOf(req: FastifyRequest): string;
  /** refuseCrossOrigin records and answers a request that came from another site (its body is never read). */
  refuseCrossOrigin(req: FastifyRequest, reply: FastifyReply, why: CrossOrigin): Promise<unknown>;
  /**
   * formKey signs the form tokens: kept across restarts (`vanta serve` reads it from the data directory),
   * a form opened before a restart still posts after it. Without it a key is made for this process.
   */
  formKey?: Buffer;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

function single(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * crossOrigin tells whether a state-changing request came from another site: its `Origin`, when
 * sent, must be the site's own origin (scheme, host and port the request was made to), and its
 * `Sec-Fetch-Site`, when sent, must be `same-origin` or `none` (typed or bookmarked by the user).
 * A client that sends neither (curl, an old browser) passes here and still needs the CSRF token.
 */
export function crossOrigin(req: FastifyRequest): CrossOrigin | null {
  const origin = single(req.headers.origin);
  const secFetchSite = single(req.headers['sec-fetch-site']);
  if (origin !== null) {
    const own = originOf(`${req.protocol}://${req.host}`);
    if (own === null || originOf(origin) !== own) {
      return { reason: `the request came from ${origin}, not from ${own ?? 'this site'}`, origin, secFetchSite };
    }
  }
  if (secFetchSite !== null && secFetchSite !== 'same-origin' && secFetchSite !== 'none') {
    return { reason: `the browser says the request was ${secFetchSite}`, origin, secFetchSite };
  }
  return null;
}

/**
 * siteKey is one site's own key, made from the shared form key and the site's CSRF cookie name: a token
 * vWHM made for an admin never validates on the user panel (nor the other way), whatever the names.
 */
export function siteKey(formKey: Buffer, cookieKey: string): Buffer {
  return createHmac('sha256', formKey).update(`vanta form tokens: ${cookieKey}`).digest();
}

/**
 * registerFormGuard guards every state-changing request of a scope whose users are signed in:
 * first (before the body is read) it must come from the site's own pages, then (once the form is
 * parsed) it must carry a CSRF token made for the same signed-in user with the server's key, so
 * a cookie and token planted by someone else, or another user's, do not validate.
 */
export async function registerFormGuard(scope: FastifyInstance, opts: FormGuardOptions): Promise<void> {
  await scope.register(formbody);
  await scope.register(cookie);
  await scope.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: opts.cookieKey,
    cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true, secure: 'auto' },
    getUserInfo: (req) => opts.userOf(req),
    csrfOpts: { hmacKey: opts.formKey ? siteKey(opts.formKey, opts.cookieKey) : randomBytes(32) },
  });
  scope.decorateReply('formToken', function (this: FastifyReply) {
    return this.generateCsrf({ userInfo: opts.userOf(this.request) });
  });
  scope.addHook('onRequest', async (req, reply) => {
    if (SAFE_METHODS.has(req.method)) return;
    const why = crossOrigin(req);
    if (why === null) return;
    leaveBodyUnread(req, reply);
    return opts.refuseCrossOrigin(req, reply, why);
  });
  // With `no-referrer` a browser sends `Origin: null` on the site's own form posts; `same-origin`
  // keeps the Origin (and any referrer) within the site.
  scope.addHook('onSend', async (_req, reply) => {
    reply.header('referrer-policy', 'same-origin');
  });
  // A preHandler, not onRequest: the form body, which carries the token, is parsed by then.
  scope.addHook('preHandler', (req, reply, done) => {
    if (!SAFE_METHODS.has(req.method)) return scope.csrfProtection(req, reply, done);
    done();
  });
}
