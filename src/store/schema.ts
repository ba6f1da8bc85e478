import type { Generated } from 'kysely';

/** AccountsTable is the stored shape of an account. */
export interface AccountsTable {
  user: string;
  domain: string;
  email: string | null;
  plan: string | null;
  status: string;
  suspend_reason: string | null;
  password_hash: string;
  created_at: string;
  suspended_at: string | null;
  /** last_sign_in_at and last_sign_in_ip are the owner's latest user-panel sign-in; previous_* the one before. */
  last_sign_in_at: string | null;
  last_sign_in_ip: string | null;
  previous_sign_in_at: string | null;
  previous_sign_in_ip: string | null;
}

/** PlansTable is the stored shape of a plan. */
export interface PlansTable {
  name: string;
  disk_mb: number | null;
  max_databases: number | null;
  bandwidth_mb: number | null;
  max_addon_domains: number | null;
  max_email_accounts: number | null;
  shell: number;
  php: number;
  php_max_children: number;
  php_memory_mb: number;
  created_at: string;
}

/** DatabasesTable lists the customer databases the panel made for an account. */
export interface DatabasesTable {
  name: string;
  account: string;
  db_user: string;
  created_at: string;
}

/** ApiTokensTable is the stored shape of a token: its SHA-256, never the token. */
export interface ApiTokensTable {
  id: Generated<number>;
  name: string;
  token_hash: string;
  prefix: string;
  scopes: string;
  allowed_cidrs: string;
  created_at: string;
  created_by: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  last_used_ip: string | null;
}

/** AdminsTable is the stored shape of a vWHM admin. */
export interface AdminsTable {
  name: string;
  password_hash: string;
  created_at: string;
  updated_at: string;
}

/** AuditLogTable is the stored shape of an audit entry. */
export interface AuditLogTable {
  id: number;
  at: string;
  request_id: string | null;
  actor_type: string;
  actor_id: string | null;
  actor_name: string;
  ip: string | null;
  action: string;
  target: string | null;
  outcome: string;
  status: number | null;
  params: string;
  prev_hash: string;
  hash: string;
}

/** AuditHeadTable records the newest audit entry, so that deleting the newest entries shows. */
export interface AuditHeadTable {
  id: number;
  last_id: number;
  last_hash: string;
}

/** LocksTable holds named locks shared by every process using the data directory. */
export interface LocksTable {
  key: string;
  owner: string;
  expires_at: number;
}

/** OperationsTable is the journal of host operations in progress. */
export interface OperationsTable {
  id: Generated<number>;
  op: string;
  account: string;
  params: string;
  /** step names the step in progress; null before the first. */
  step: string | null;
  owner: string;
  started_at: string;
}

/** OwnerSessionsTable holds the user panel's sessions: the SHA-256 of each session id, never the id. */
export interface OwnerSessionsTable {
  id_hash: string;
  account: string;
  created_at: string;
  last_seen_at: string;
  ip: string | null;
  user_agent: string | null;
  /** via is how the session was opened (`password`, `totp`, `recovery_code`, `link`), or `pending_second_factor`. */
  via: string;
}

/** OwnerTwoFactorTable holds an owner's TOTP secret, sealed; `enabled_at` is null until a first code confirmed it. */
export interface OwnerTwoFactorTable {
  account: string;
  sealed_secret: string;
  started_at: string;
  enabled_at: string | null;
  last_used_step: number | null;
}

/** OwnerRecoveryCodesTable holds the keyed hashes of an owner's unused recovery codes. */
export interface OwnerRecoveryCodesTable {
  account: string;
  hash: string;
}

/** OwnerLoginLinksTable holds single sign-on links: the SHA-256 of each link's secret, never the secret. */
export interface OwnerLoginLinksTable {
  hash: string;
  account: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  created_by: string;
}

/** DiskUsageTable caches the last measurement of each account's disk use, made in the background. */
export interface DiskUsageTable {
  account: string;
  bytes: number;
  measured_at: string;
}

/** TrafficMonthsTable holds each account's metered traffic per calendar month (UTC, `YYYY-MM`). */
export interface TrafficMonthsTable {
  account: string;
  month: string;
  bytes_sent: number;
  request_bytes: number;
  requests: number;
}

/** TrafficLogsTable holds how far the panel has read each account's traffic log: a TrafficLogState as JSON. */
export interface TrafficLogsTable {
  account: string;
  state: string;
  /** read_at is when the log was last read, null before the first read. */
  read_at: string | null;
}

/**
 * IdempotencyKeysTable keeps, for 24 hours, the answer to each POST sent with an Idempotency-Key:
 * the key's SHA-256 (never the key), the request's fingerprint, and once it is done the status and
 * the body sealed under a key derived from the Idempotency-Key.
 */
export interface IdempotencyKeysTable {
  token_id: number;
  key_hash: string;
  fingerprint: string;
  /** owner is the process that runs the request. */
  owner: string;
  /** status is null while the request runs. */
  status: number | null;
  response: string | null;
  created_at: string;
}

/** CertificatesTable is each account's certificate: its files' version, dates and the scheduler's state. */
export interface CertificatesTable {
  account: string;
  /** domains is a JSON array of the names, the account's domain first. */
  domains: string;
  status: string;
  version: string | null;
  not_before: string | null;
  not_after: string | null;
  serial: string | null;
  fingerprint: string | null;
  ari_start: string | null;
  ari_end: string | null;
  force_https: Generated<number>;
  failures: Generated<number>;
  last_attempt_at: string | null;
  last_error: string | null;
  next_attempt_at: string | null;
}

/** Database is the whole schema as Kysely sees it. */
export interface Database {
  accounts: AccountsTable;
  plans: PlansTable;
  databases: DatabasesTable;
  api_tokens: ApiTokensTable;
  admins: AdminsTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  locks: LocksTable;
  operations: OperationsTable;
  owner_sessions: OwnerSessionsTable;
  owner_two_factor: OwnerTwoFactorTable;
  owner_recovery_codes: OwnerRecoveryCodesTable;
  owner_login_links: OwnerLoginLinksTable;
  disk_usage: DiskUsageTable;
  traffic_months: TrafficMonthsTable;
  traffic_logs: TrafficLogsTable;
  idempotency_keys: IdempotencyKeysTable;
  certificates: CertificatesTable;
}
