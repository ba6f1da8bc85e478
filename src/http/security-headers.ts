import type { FastifyInstance } from 'fastify';

/**
 * CONTENT_SECURITY_POLICY allows only the panel's own files, on vWHM and the user panel alike: no
 * inline script or style, no framing, forms posted to the page's own origin only.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/** registerPageHeaders gives every page of a scope the policy above and, unless a page says otherwise, no caching. */
export function registerPageHeaders(scope: FastifyInstance): void {
  scope.addHook('onSend', async (_req, reply) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });
}
