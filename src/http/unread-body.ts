import type { FastifyReply, FastifyRequest } from 'fastify';

/** hasBody tells whether a request announces a body (a length above zero, or chunks). */
export function hasBody(req: FastifyRequest): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * leaveBodyUnread makes an answer given before the body was read the last on its connection:
 * Node would otherwise read the rest of the body (up to any size) only to throw it away, so that
 * the connection could serve another request.
 */
export function leaveBodyUnread(req: FastifyRequest, reply: FastifyReply): void {
  if (hasBody(req)) reply.header('connection', 'close');
}
