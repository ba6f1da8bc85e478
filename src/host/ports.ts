/** SystemUserSpec is what the host needs to make an account's system user. */
export interface SystemUserSpec {
  user: string;
  domain: string;
  home: string;
  shell: boolean;
}

/** SystemUsers is the port for the account's Linux user, group and home. */
export interface SystemUsers {
  /** exists tells whether the name is taken on the host, even by a user the panel does not know. */
  exists(user: string): Promise<boolean>;
  create(spec: SystemUserSpec): Promise<void>;
  setPassword(user: string, password: string): Promise<void>;
  /** lock stops every login of the user (password and keys) and ends its processes. */
  lock(user: string): Promise<void>;
  unlock(user: string): Promise<void>;
  /** setShell gives the user a login shell or takes it away, as the plan says. */
  setShell(user: string, shell: boolean): Promise<void>;
  /** remove deletes the user and its home; it is a no-op when the user is already gone. */
  remove(user: string, home: string): Promise<void>;
}

/** SiteSpec is one account's web site as the web server serves it. */
export interface SiteSpec {
  user: string;
  domain: string;
  root: string;
  suspended: boolean;
}

/** WebServer is the port for the account's virtual host. */
export interface WebServer {
  /** writeSite writes (or rewrites) the account's server block; it must be checked before it is kept. */
  writeSite(site: SiteSpec): Promise<void>;
  /** removeSite deletes the account's server block; a no-op when there is none. */
  removeSite(user: string): Promise<void>;
  /** reload makes the web server pick up written sites. */
  reload(): Promise<void>;
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
}

/** HostDrivers groups the ports that change the host. */
export interface HostDrivers {
  /** mode is the name shown in the startup log. */
  readonly mode: 'sandbox' | 'host';
  systemUsers: SystemUsers;
  webServer: WebServer;
  databases: DatabaseServer;
  quota: DiskQuota;
  /** homeOf gives the home directory an account gets. */
  homeOf(user: string): string;
}
