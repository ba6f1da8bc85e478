import { createRequire } from 'node:module';
import { DomainError, type ErrorCode, isDomainError } from '../domain/errors.js';

// Required, not `import … from 'node:http'`: an ES import of node:http reads every export, and its lazy
// WebSocket export compiles Node's bundled fetch library (undici), about 3 MiB resident kept for nothing.
// (process.getBuiltinModule would do too, from Node 22.3 on.)
const { STATUS_CODES } = createRequire(import.meta.url)('node:http') as typeof import('node:http');

/** STATUS_BY_CODE is the one table from error code to HTTP status. */
export const STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  missing_token: 401,
  invalid_token: 401,
  token_expired: 401,
  token_revoked: 401,
  ip_not_allowed: 403,
  insufficient_scope: 403,
  rate_limited: 429,
  conflicting_credentials: 400,
  unknown_api: 404,
  method_not_allowed: 405,
  unknown_action: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  invalid_json: 400,
  unknown_field: 400,
  bad_request: 400,
  headers_too_large: 431,
  request_timeout: 408,
  cross_origin: 403,
  missing_parameter: 400,
  invalid_parameter: 400,
  conflicting_parameters: 400,
  invalid_user: 400,
  invalid_domain: 400,
  invalid_email: 400,
  weak_password: 400,
  unknown_plan: 400,
  account_not_found: 404,
  account_exists: 409,
  domain_exists: 409,
  account_busy: 409,
  provisioning_failed: 502,
  invalid_database: 400,
  database_exists: 409,
  database_not_found: 404,
  databases_unavailable: 503,
  invalid_credentials: 401,
  invalid_code: 401,
  invalid_login_link: 401,
  // 409 like limit_reached: the credentials were right; the account's state is what refuses.
  account_suspended: 409,
  two_factor_enabled: 409,
  two_factor_disabled: 409,
  // 409, not 403: in this API 403 means the credentials may not do this; a full plan is a
  // state of the account that deleting a database or changing the plan resolves.
  limit_reached: 409,
  token_not_found: 404,
  token_exists: 409,
  plan_exists: 409,
  plan_in_use: 409,
  admin_not_found: 404,
  admin_exists: 409,
  // 409: the panel's configuration (VANTA_ACME_DIRECTORY=off), not the request, refuses.
  acme_disabled: 409,
  // 502 like provisioning_failed: the CA (or the web server) refused; the CA's text is in the message.
  certificate_failed: 502,
  certificate_not_found: 404,
  not_found: 404,
  invalid_idempotency_key: 400,
  // 422 as Stripe answers it: the request is well-formed, but the key already stands for another.
  idempotency_key_reused: 422,
  request_in_progress: 409,
  internal_error: 500,
};

/** ErrorReply is an error rendered for the API: status, headers and the JSON body. */
export interface ErrorReply {
  status: number;
  code: ErrorCode;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** toErrorReply renders any thrown value; what is not a DomainError becomes a bare `internal_error`. */
export function toErrorReply(err: unknown): ErrorReply {
  const known: DomainError = isDomainError(err)
    ? err
    : new DomainError('internal_error', 'an unexpected error occurred');
  const status = STATUS_BY_CODE[known.code];
  const headers: Record<string, string> = {};
  const { allow, retryAfter, ...details } = known.details as { allow?: string[]; retryAfter?: number } & Record<
    string,
    unknown
  >;
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="vanta", error="invalid_token"';
  if (known.code === 'insufficient_scope') {
    headers['www-authenticate'] =
      `Bearer realm="vanta", error="insufficient_scope", scope="${String(details.required_scope)}"`;
  }
  if (allow) headers.allow = allow.join(', ');
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  return {
    status,
    code: known.code,
    headers,
    body: { ok: false, error: known.code, message: known.message, ...details },
  };
}

/** PROTOCOL_MESSAGES are the fixed messages to requests refused before they are requests: no URL, no internals. */
const PROTOCOL_MESSAGES = {
  bad_request: 'the request is not valid HTTP',
  headers_too_large: 'the request headers are too large',
  request_timeout: 'the request did not arrive in time',
} as const;

/** ProtocolErrorCode is an error answered at the HTTP level, before a request reaches a route. */
export type ProtocolErrorCode = keyof typeof PROTOCOL_MESSAGES;

/** protocolError is the DomainError of a protocol-level refusal, with its fixed message. */
export function protocolError(code: ProtocolErrorCode): DomainError {
  return new DomainError(code, PROTOCOL_MESSAGES[code]);
}

/**
 * rawErrorResponse is a whole HTTP answer, written straight to a socket whose request could not
 * be parsed (no request object exists to answer through): the documented JSON error shape, and
 * the connection closed after it.
 */
export function rawErrorResponse(code: ProtocolErrorCode): string {
  const rendered = toErrorReply(protocolError(code));
  const body = JSON.stringify(rendered.body);
  return [
    `HTTP/1.1 ${rendered.status} ${STATUS_CODES[rendered.status] ?? 'Error'}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'cache-control: no-store',
    'x-content-type-options: nosniff',
    'connection: close',
    '',
    body,
  ].join('\r\n');
}

/**
 * frameworkError names a failure of the framework or the parser from its HTTP status alone, with a
 * fixed message: its own text may echo the URL or name the framework.
 */
export function frameworkError(status: number): DomainError {
  if (status === 413) return new DomainError('payload_too_large', 'the body is too large');
  if (status === 415) return new DomainError('unsupported_media_type', 'this media type is not accepted');
  if (status === 408) return protocolError('request_timeout');
  if (status === 431) return protocolError('headers_too_large');
  if (status >= 400 && status < 500) return protocolError('bad_request');
  return new DomainError('internal_error', 'an unexpected error occurred');
}
