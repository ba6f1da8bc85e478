/** PhpPoolSpec is one account's PHP pool as the plan and the account define it. */
export interface PhpPoolSpec {
  user: string;
  home: string;
  /** maxChildren is the plan's `php_max_children`. */
  maxChildren: number;
  /** memoryMb is the plan's `php_memory_mb`. */
  memoryMb: number;
}

/**
 * PhpPools is the port for the accounts' PHP-FPM pools. Every method is idempotent, so a journalled
 * step can run again after a crash. Written, removed, disabled or enabled pools take effect at the
 * next `reload()`.
 */
export interface PhpPools {
  /**
   * writePool makes `<home>/tmp` and writes (or rewrites) the account's pool, checked with
   * `php-fpm -t`; a refused pool leaves the previous file in place. A disabled pool stays disabled:
   * its file is rewritten where it rests.
   */
  writePool(spec: PhpPoolSpec): Promise<void>;
  /**
   * removePool deletes the account's pool file (active or disabled, and a temporary one a crash left);
   * a no-op when there is none. The socket goes with the next reload (see endWorkers).
   */
  removePool(user: string): Promise<void>;
  /** disablePool takes the pool out of service (suspend), keeping its file aside; a no-op when already disabled. */
  disablePool(user: string): Promise<void>;
  /** enablePool puts a disabled pool back into service (unsuspend), checked with `php-fpm -t`; a no-op when active. */
  enablePool(user: string): Promise<void>;
  /** reload checks the whole configuration, then makes the master re-read it and waits until it has. */
  reload(): Promise<void>;
  /**
   * endWorkers makes sure no worker of the account's pool runs, killing stragglers, and removes the
   * socket a pool out of the configuration left; call it after the reload that dropped the pool.
   */
  endWorkers(user: string): Promise<void>;
}
