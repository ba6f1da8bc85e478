import type { FastifyRequest } from 'fastify';

/**
 * requestOrigin is the origin a request was made to: its scheme and its Host (as a trusted proxy
 * reports them), where links back to this listener point when no public URL is configured.
 */
export function requestOrigin(req: FastifyRequest): string {
  return new URL(`${req.protocol}://${req.host}`).origin;
}

/** originWithPort is the origin of a request with another port: the user panel's, seen from vWHM on the same host. */
export function originWithPort(req: FastifyRequest, port: number): string {
  const url = new URL(`${req.protocol}://${req.host}`);
  url.port = String(port);
  return url.origin;
}
