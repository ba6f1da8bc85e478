import type { FastifyRequest } from 'fastify';
import { isSecretName } from '../domain/secrets.js';

/** REDACTED replaces a secret wherever the panel would otherwise write it down. */
export const REDACTED = '[redacted]';

function decodedName(raw: string): string {
  if (!raw.includes('%') && !raw.includes('+')) return raw;
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/**
 * redactUrl replaces the value of every query parameter whose name says it is a secret (see
 * isSecretName), so that a token put in a URL by mistake is not kept in the log. The rest of the
 * URL is left exactly as sent.
 */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  if (at === -1) return url;
  const params = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      return isSecretName(decodedName(name)) ? `${name}=${REDACTED}` : pair;
    });
  return `${url.slice(0, at + 1)}${params.join('&')}`;
}

/** LOG_SERIALIZERS shape what the server log keeps of a request: its URL with secrets redacted, never a header. */
export const LOG_SERIALIZERS = {
  req: (req: FastifyRequest) => ({
    method: req.method,
    url: redactUrl(req.url),
    host: req.host,
    remoteAddress: req.clientIp || req.ip,
    remotePort: req.socket?.remotePort,
  }),
};
