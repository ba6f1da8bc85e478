/** PHP_FPM_ERROR_CODES are the stable codes of the php-fpm adapter's failures, for the app layer to map. */
export const PHP_FPM_ERROR_CODES = [
  /** A value would not be a safe single line of the pool file or the nginx snippet. */
  'invalid_pool_value',
  /** `php-fpm -t` refused the configuration; the previous pool file is back in place. */
  'php_check_failed',
  /** The php-fpm master could not be signalled, died, or did not re-read its configuration in time. */
  'php_reload_failed',
  /** The home or its tmp dir is not what root may touch (a symlink, a foreign owner, not a directory). */
  'unsafe_home',
  /** Workers of a pool taken out of service were still running after being killed. */
  'php_workers_remain',
  /** There is no pool of that account to put back into service. */
  'pool_not_found',
] as const;

/** PhpFpmErrorCode is one stable code of a php-fpm adapter failure. */
export type PhpFpmErrorCode = (typeof PHP_FPM_ERROR_CODES)[number];

/** PhpFpmError is a failure of the php-fpm adapter with a stable code; its message names no secret. */
export class PhpFpmError extends Error {
  override readonly name = 'PhpFpmError';

  constructor(
    readonly code: PhpFpmErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
