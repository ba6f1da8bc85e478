/** ERROR_CODES lists every stable error code the panel can answer with. */
export const ERROR_CODES = [
  'missing_token',
  'invalid_token',
  'token_expired',
  'token_revoked',
  'ip_not_allowed',
  'insufficient_scope',
  'rate_limited',
  'conflicting_credentials',
  'unknown_api',
  'method_not_allowed',
  'unknown_action',
  'unsupported_media_type',
  'payload_too_large',
  'invalid_json',
  'unknown_field',
  'bad_request',
  'headers_too_large',
  'request_timeout',
  'cross_origin',
  'missing_parameter',
  'invalid_parameter',
  'conflicting_parameters',
  'invalid_user',
  'invalid_domain',
  'invalid_email',
  'weak_password',
  'unknown_plan',
  'account_not_found',
  'account_exists',
  'domain_exists',
  'account_busy',
  'provisioning_failed',
  'invalid_database',
  'database_exists',
  'database_not_found',
  'databases_unavailable',
  'invalid_credentials',
  'invalid_code',
  'invalid_login_link',
  'account_suspended',
  'two_factor_enabled',
  'two_factor_disabled',
  'limit_reached',
  'token_not_found',
  'token_exists',
  'plan_exists',
  'plan_in_use',
  'admin_not_found',
  'admin_exists',
  'acme_disabled',
  'certificate_failed',
  'certificate_not_found',
  'not_found',
  'invalid_idempotency_key',
  'idempotency_key_reused',
  'request_in_progress',
  'internal_error',
] as const;

/** ErrorCode is one stable, snake_case error code. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** DomainError is a failure with a stable code and no HTTP knowledge; doors map it. */
export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra fields safe to show to the caller, such as `param` or `step`. */
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** isDomainError narrows an unknown thrown value. */
export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}
