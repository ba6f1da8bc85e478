import { isIP } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { plainIp } from '../domain/cidr.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** clientIp is the client's address (see resolveClientIp), worked out once per request. */
    clientIp: string;
  }
}

/**
 * resolveClientIp is the client address: the TCP peer, or the address a trusted proxy names in
 * X-Forwarded-For (Fastify's `req.ip`) when that is an IP address at all. A proxy passing on
 * garbage (`unknown`, a name, markup) must not put it in the audit log, the limiter or a token's
 * last use: the peer is used instead, and the log says so.
 */
export function resolveClientIp(req: FastifyRequest): string {
  const ip = plainIp(req.ip);
  if (isIP(ip) !== 0) return ip;
  const peer = plainIp(req.socket.remoteAddress ?? '');
  req.log.warn(
    { forwarded: ip.slice(0, 100), peer },
    'X-Forwarded-For from a trusted proxy is not an address: the proxy itself is taken as the client',
  );
  return peer;
}

/** registerClientIp sets `req.clientIp` on every request, before any other hook needs it. */
export function registerClientIp(app: FastifyInstance): void {
  app.decorateRequest('clientIp', '');
  // A callback hook: an async one costs a promise and a turn of the microtask queue on every request.
  app.addHook('onRequest', (req, _reply, done) => {
    req.clientIp = resolveClientIp(req);
    done();
  });
}
