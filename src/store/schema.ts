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
}
