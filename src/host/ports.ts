import type { TrafficLogState, TrafficRead } from '../domain/traffic.js';

/** SystemUserSpec is what the host needs to make an account's system user. */
export interface SystemUserSpec {
  user: string;
  domain: string;
  home: string;
  shell: boolean;
}

/** SystemUsers is the port for the account's Linux user, group and home. */
export interface SystemUsers {
  /**
   * exists tells whether the name is taken on the host, even by a user the panel does not know, as far as the
   * host's own files say; `create` refuses a name taken elsewhere (`invalid_user`) and changes nothing.
   */
  exists(user: string): Promise<boolean>;
  create(spec: SystemUserSpec): Promise<void>;
  setPassword(user: string, password: string): Promise<void>;
  /** lock stops every login of the user (password and keys) and ends its processes. */
  lock(user: string): Promise<void>;
  unlock(user: string): Promise<void>;
  /** setShell gives the user a login shell or takes it away, as the plan says. */
  setShell(user: string, shell: boolean): Promise<void>;
  /**
   * closeWebRoot gives the account's `public_html` the layout a create gives it (the account's,
   * in nginx's group, 0750), for accounts made before that layout; one that is not a directory
   * (a link, or gone) is left as it is.
   */
  closeWebRoot(user: string, home: string): Promise<void>;
  /** remove deletes the user and its home; it is a no-op when the user is already gone. */
  remove(user: string, home: string): Promise<void>;
}

/** SiteSpec is one account's web site as the web server serves it. */
export interface SiteSpec {
  user: string;
  domain: string;
  root: string;
  suspended: boolean;
  /** phpSocket is the account's PHP-FPM socket that `*.php` goes to; null when PHP is off (`.php` is refused). */
  phpSocket: string | null;
  /** tls is the account's installed certificate; null: the site is served over plain HTTP only. */
  tls: SiteTls | null;
}

/** SiteTls is an installed key and certificate pair, and whether plain HTTP is redirected to HTTPS. */
export interface SiteTls {
  certPath: string;
  keyPath: string;
  forceHttps: boolean;
}

/** WebServer is the port for the account's virtual host. */
export interface WebServer {
  /** writeSite writes (or rewrites) the account's server block; it must be checked before it is kept. */
  writeSite(site: SiteSpec): Promise<void>;
  /** removeSite deletes the account's server block; a no-op when there is none. */
  removeSite(user: string): Promise<void>;
  /** reload makes the web server pick up written sites. */
  reload(): Promise<void>;
  /**
   * requestReload asks the web server to pick up written sites and returns without waiting until it
   * has: after a reload that failed, so that whatever the server loads last is what the undos put back.
   */
  requestReload(): Promise<void>;
  /** reopenLogs makes the web server reopen its log files after a rotation renamed them. */
  reopenLogs(): Promise<void>;
}

/** TrafficLogs is the port of the accounts' traffic logs, which their server blocks write (NginxTrafficLogs). */
export interface TrafficLogs {
  /** read takes what was logged for the account since `state`, never a byte before it. */
  read(user: string, state: TrafficLogState, now: Date): Promise<TrafficRead>;
  /** rotate rotates these logs together (one reopen of the web server); each must have just been read to its end. */
  rotate(logs: readonly { user: string; state: TrafficLogState }[], now: Date): Promise<TrafficLogState[]>;
}

/**
 * DatabaseServer is the port for the account's customer databases. A database user has the
 * database's name; `user` is the account, whose databases and database users all start `<user>_`.
 */
export interface DatabaseServer {
  /** available tells whether a database server is configured. */
  readonly available: boolean;
  /** label names the driver and its server for the startup log, never with a password. */
  readonly label: string;
  /** createDatabase makes an empty utf8mb4 database; `database_exists` when the server already has it. */
  createDatabase(name: string): Promise<void>;
  /** dropDatabase drops a database; a no-op when it is gone. */
  dropDatabase(name: string): Promise<void>;
  /** createUser makes a database user (locked from the start when asked); `database_exists` when it exists. */
  createUser(dbUser: string, password: string, locked: boolean): Promise<void>;
  /** grantAll lets the user do everything but GRANT on that one database, and on no other. */
  grantAll(database: string, dbUser: string): Promise<void>;
  setPassword(dbUser: string, password: string): Promise<void>;
  /** dropUser drops the user and ends its open connections; a no-op when it is gone. */
  dropUser(dbUser: string): Promise<void>;
  /** lockUsers stops every login of the account's database users and ends their open connections. */
  lockUsers(user: string, databases: readonly string[]): Promise<void>;
  unlockUsers(user: string, databases: readonly string[]): Promise<void>;
  /**
   * dropAll drops every database and database user of the account, those given and those left on
   * the server under its prefix, and returns the names of the databases, sorted.
   */
  dropAll(user: string, databases: readonly string[]): Promise<string[]>;
  /**
   * repairHostForms gives each named database user the host forms it lacks (`localhost`,
   * `127.0.0.1`, `::1`), copied from the one it has: for users made by versions that knew
   * `localhost` alone. A second run adds nothing.
   */
  repairHostForms(dbUsers: readonly string[]): Promise<HostFormsRepair>;
  /** close ends the driver's connections. */
  close(): Promise<void>;
}

/** HostFormsRepair is what `repairHostForms` did: the forms it added and the users it could not complete. */
export interface HostFormsRepair {
  /** added lists `user@host` of each host form made. */
  added: string[];
  /** skipped lists the users with no stored password hash to copy: set their password to complete them. */
  skipped: string[];
}

/** PasswordHasher hashes and checks passwords (argon2id in production). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

/** DiskQuota is the port for the plan's disk limit on the filesystem of the homes. */
export interface DiskQuota {
  /** enabled is false where the filesystem has no quotas; apply is then a no-op. */
  readonly enabled: boolean;
  /** apply sets the user's limit in MiB; null removes it. */
  apply(user: string, diskMb: number | null): Promise<void>;
  /** usedBytes gives the bytes each user has in use as the quota counts them; users it does not list are left out. */
  usedBytes(users: readonly string[]): Promise<Map<string, number>>;
}

/** PhpPoolSpec is one account's PHP pool as the plan and the account define it. */
export interface PhpPoolSpec {
  user: string;
  home: string;
  /** maxChildren is the plan's `php_max_children`. */
  maxChildren: number;
  /** memoryMb is the plan's `php_memory_mb`. */
  memoryMb: number;
  /**
   * aside writes the pool out of service (a suspended account's), so that no reload loads it before
   * it is put aside; a pool already at rest stays at rest either way.
   */
  aside?: boolean;
}

/**
 * PhpPools is the port for the accounts' PHP-FPM pools, one per account, running as the account.
 * Every method is idempotent, so a journalled step can run again after a crash. Written, removed,
 * disabled or enabled pools take effect at the next `reload()`.
 */
export interface PhpPools {
  /** socketPath is where the account's pool listens: the web server passes `*.php` there. */
  socketPath(user: string): string;
  /**
   * writePool makes `<home>/tmp` and writes (or rewrites) the account's pool, checked with
   * `php-fpm -t`; a refused pool leaves the previous file in place. A disabled pool stays disabled:
   * its file is rewritten where it rests.
   */
  writePool(spec: PhpPoolSpec): Promise<void>;
  /** removePool deletes the account's pool file, in service or kept aside, and tells whether there was one. */
  removePool(user: string): Promise<boolean>;
  /** disablePool takes the pool out of service (suspend), keeping its file aside; a no-op when already disabled. */
  disablePool(user: string): Promise<void>;
  /**
   * enablePool puts a disabled pool back into service (unsuspend), checked with `php-fpm -t`; a no-op
   * when it is in service already; `pool_not_found` when there is no pool at all (write it first).
   */
  enablePool(user: string): Promise<void>;
  /** reload checks the whole configuration, then makes PHP-FPM re-read it and waits until it has. */
  reload(): Promise<void>;
  /**
   * endWorkers makes sure no worker of the account's pool runs (a process of the account's, the
   * home's owner, under the pool's title), killing stragglers, and removes the socket a pool out of
   * the configuration left; call it after the reload that dropped the pool.
   */
  endWorkers(user: string, home: string): Promise<void>;
}

/** CertificatePaths say where one installed key and certificate pair lives. */
export interface CertificatePaths {
  certPath: string;
  keyPath: string;
}

/**
 * CertificateFiles is the port for the accounts' keys and certificates and for the ACME challenge
 * answers. A pair is written under a new version and never rewritten, so a server block names
 * either the old pair or the new one, each whole.
 */
export interface CertificateFiles {
  /** challengeDir is the directory every server block serves at `/.well-known/acme-challenge/`. */
  readonly challengeDir: string;
  pathsOf(user: string, version: string): CertificatePaths;
  /** install writes a pair under `version`, each file atomically, the key 0600 and written first. */
  install(user: string, version: string, keyPem: string, certPem: string): Promise<CertificatePaths>;
  /** remove deletes one pair; a no-op when it is gone. */
  remove(user: string, version: string): Promise<void>;
  /** removeAll deletes every pair of the account and its directory. */
  removeAll(user: string): Promise<void>;
  /** users lists the accounts that have a directory of pairs. */
  users(): Promise<string[]>;
  /**
   * sweep removes what a killed issuance left of the account: temporary files and every pair but
   * `keep` (the version the store says is installed; null: none); it returns the names removed.
   */
  sweep(user: string, keep: string | null): Promise<string[]>;
  putChallenge(token: string, keyAuthorization: string): Promise<void>;
  removeChallenge(token: string): Promise<void>;
}

/** HostDrivers groups the ports that change the host. */
export interface HostDrivers {
  /** mode is the name shown in the startup log. */
  readonly mode: 'sandbox' | 'host';
  systemUsers: SystemUsers;
  webServer: WebServer;
  databases: DatabaseServer;
  quota: DiskQuota;
  php: PhpPools;
  trafficLogs: TrafficLogs;
  /** certificates keeps the accounts' keys and certificates and the ACME challenge answers. */
  certificates: CertificateFiles;
  /** homeOf gives the home directory an account gets. */
  homeOf(user: string): string;
}
