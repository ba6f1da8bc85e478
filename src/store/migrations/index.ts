import { type ColumnDefinitionBuilder, type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('plans')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('disk_mb', 'integer')
      .addColumn('max_databases', 'integer')
      .addColumn('bandwidth_mb', 'integer')
      .addColumn('max_addon_domains', 'integer')
      .addColumn('max_email_accounts', 'integer')
      .addColumn('shell', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('accounts')
      .addColumn('user', 'text', (c) => c.primaryKey())
      .addColumn('domain', 'text', (c) => c.notNull().unique())
      .addColumn('email', 'text')
      .addColumn('plan', 'text', (c) => c.references('plans.name').onUpdate('cascade').onDelete('restrict'))
      .addColumn('status', 'text', (c) =>
        c.notNull().check(sql`status in ('provisioning', 'active', 'suspended', 'terminating')`),
      )
      .addColumn('suspend_reason', 'text')
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('suspended_at', 'text')
      .execute();
    await db.schema.createIndex('accounts_plan').on('accounts').column('plan').execute();
    await db.schema.createIndex('accounts_status').on('accounts').column('status').execute();
    await db.schema
      .createTable('databases')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('account', 'text', (c) => c.notNull().references('accounts.user').onDelete('cascade'))
      .addColumn('db_user', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('databases_account').on('databases').column('account').execute();
    await db.schema
      .createTable('api_tokens')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('allowed_cidrs', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text')
      .addColumn('revoked_at', 'text')
      .addColumn('last_used_at', 'text')
      .addColumn('last_used_ip', 'text')
      .execute();
    await db.schema
      .createTable('admins')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('audit_log')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('request_id', 'text')
      .addColumn('actor_type', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('actor_name', 'text', (c) => c.notNull())
      .addColumn('ip', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target', 'text')
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('status', 'integer')
      .addColumn('params', 'text', (c) => c.notNull())
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();
    for (const column of ['at', 'action', 'actor_name', 'target', 'outcome']) {
      await db.schema.createIndex(`audit_log_${column}`).on('audit_log').column(column).execute();
    }
    await db.schema
      .createTable('audit_head')
      .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
      .addColumn('last_id', 'integer', (c) => c.notNull())
      .addColumn('last_hash', 'text', (c) => c.notNull())
      .execute();
    await sql`insert into audit_head (id, last_id, last_hash) values (1, 0, ${'0'.repeat(64)})`.execute(db);
    // The audit log is append-only: the store refuses to change or remove what it holds.
    await sql`create trigger audit_log_no_update before update on audit_log
      begin select raise(abort, 'audit log is append-only'); end`.execute(db);
    await sql`create trigger audit_log_no_delete before delete on audit_log
      begin select raise(abort, 'audit log is append-only'); end`.execute(db);
    await sql`create trigger audit_head_no_delete before delete on audit_head
      begin select raise(abort, 'audit head cannot be removed'); end`.execute(db);
    await sql`create trigger audit_head_forward_only before update on audit_head
      when new.last_id <> old.last_id + 1
        or not exists (select 1 from audit_log where id = new.last_id and hash = new.last_hash)
      begin select raise(abort, 'audit head only moves to the newest entry'); end`.execute(db);
    await db.schema
      .createTable('locks')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'integer', (c) => c.notNull())
      .execute();
  },
};

const operations: Migration = {
  async up(db: Kysely<unknown>) {
    // The journal of host operations in progress: a row exists from before the first host change
    // until the operation has finished or been undone, so a restart knows what to finish or undo.
    await db.schema
      .createTable('operations')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('op', 'text', (c) => c.notNull())
      .addColumn('account', 'text', (c) => c.notNull())
      .addColumn('params', 'text', (c) => c.notNull())
      .addColumn('step', 'integer', (c) => c.notNull())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('operations_account').on('operations').column('account').execute();
  },
};

// The steps of each journalled operation as versions before 0003 numbered them (index = the
// number stored), so that a journal entry left by such a version names its step. Frozen: these
// lists describe the past and are never edited, whatever the operations become.
const NUMBERED_STEPS: Readonly<Record<string, readonly string[]>> = {
  'account.create': ['record', 'system_user', 'password', 'web_server', 'reload', 'quota', 'store'],
  'account.suspend': ['system_user', 'web_server', 'reload', 'database_server', 'store'],
  'account.unsuspend': ['database_server', 'web_server', 'reload', 'system_user', 'store'],
  'account.plan': ['store', 'system_user', 'quota'],
  'account.terminate': ['mark', 'database_server', 'web_server', 'reload', 'system_user', 'store'],
  'database.create': ['database', 'database_user', 'grant', 'store'],
  'database.delete': ['database_user', 'database', 'store'],
};

const namedSteps: Migration = {
  async up(db: Kysely<unknown>) {
    // The journal records a step by name from now on. SQLite cannot change a column's type, so the
    // table is rebuilt; a number no list above explains is kept as its text, which recovery treats
    // as a step it does not know (it then undoes or re-runs every step).
    await db.schema
      .createTable('operations_named')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('op', 'text', (c) => c.notNull())
      .addColumn('account', 'text', (c) => c.notNull())
      .addColumn('params', 'text', (c) => c.notNull())
      .addColumn('step', 'text')
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .execute();
    const cases = Object.entries(NUMBERED_STEPS).flatMap(([op, steps]) =>
      steps.map((step, index) => sql`when op = ${op} and step = ${index} then ${step}`),
    );
    await sql`insert into operations_named (id, op, account, params, step, owner, started_at)
      select id, op, account, params,
        case when step < 0 then null ${sql.join(cases, sql` `)} else cast(step as text) end,
        owner, started_at
      from operations`.execute(db);
    await db.schema.dropTable('operations').execute();
    await sql`alter table operations_named rename to operations`.execute(db);
    await db.schema.createIndex('operations_account').on('operations').column('account').execute();
  },
};

const ownerPanel: Migration = {
  async up(db: Kysely<unknown>) {
    // The user panel: owners' sessions, two-factor secrets, recovery codes and single sign-on
    // links, each gone with its account; the cached disk use of each account; and the owner's
    // latest two sign-ins, which the dashboard shows.
    for (const column of ['last_sign_in_at', 'last_sign_in_ip', 'previous_sign_in_at', 'previous_sign_in_ip']) {
      await db.schema.alterTable('accounts').addColumn(column, 'text').execute();
    }
    const account = (c: ColumnDefinitionBuilder) => c.notNull().references('accounts.user').onDelete('cascade');
    await db.schema
      .createTable('owner_sessions')
      .addColumn('id_hash', 'text', (c) => c.primaryKey())
      .addColumn('account', 'text', account)
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_seen_at', 'text', (c) => c.notNull())
      .addColumn('ip', 'text')
      .addColumn('user_agent', 'text')
      .addColumn('via', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('owner_sessions_account').on('owner_sessions').column('account').execute();
    await db.schema
      .createTable('owner_two_factor')
      .addColumn('account', 'text', (c) => account(c).primaryKey())
      .addColumn('sealed_secret', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('enabled_at', 'text')
      .addColumn('last_used_step', 'integer')
      .execute();
    await db.schema
      .createTable('owner_recovery_codes')
      .addColumn('account', 'text', account)
      .addColumn('hash', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('owner_recovery_codes_pk', ['account', 'hash'])
      .execute();
    await db.schema
      .createTable('owner_login_links')
      .addColumn('hash', 'text', (c) => c.primaryKey())
      .addColumn('account', 'text', account)
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('owner_login_links_account').on('owner_login_links').column('account').execute();
    await db.schema
      .createTable('disk_usage')
      .addColumn('account', 'text', (c) => account(c).primaryKey())
      .addColumn('bytes', 'integer', (c) => c.notNull())
      .addColumn('measured_at', 'text', (c) => c.notNull())
      .execute();
  },
};

const planPhp: Migration = {
  async up(db: Kysely<unknown>) {
    // Plans gain PHP: on, 5 workers of 256 MiB, for the plans that exist as for new ones.
    await db.schema
      .alterTable('plans')
      .addColumn('php', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema
      .alterTable('plans')
      .addColumn('php_max_children', 'integer', (c) => c.notNull().defaultTo(5))
      .execute();
    await db.schema
      .alterTable('plans')
      .addColumn('php_memory_mb', 'integer', (c) => c.notNull().defaultTo(256))
      .execute();
  },
};

const idempotency: Migration = {
  async up(db: Kysely<unknown>) {
    // The answers kept for retries with an Idempotency-Key, per token: 24 hours, then purged.
    await db.schema
      .createTable('idempotency_keys')
      .addColumn('token_id', 'integer', (c) => c.notNull())
      .addColumn('key_hash', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('status', 'integer')
      .addColumn('response', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('idempotency_keys_pk', ['token_id', 'key_hash'])
      .execute();
    await db.schema.createIndex('idempotency_keys_created_at').on('idempotency_keys').column('created_at').execute();
  },
};

const traffic: Migration = {
  async up(db: Kysely<unknown>) {
    // Bandwidth metered from each account's nginx log: the monthly totals, and how far the panel
    // has read the log (and the log a rotation renamed away), kept in the same transaction.
    const account = (c: ColumnDefinitionBuilder) => c.notNull().references('accounts.user').onDelete('cascade');
    await db.schema
      .createTable('traffic_months')
      .addColumn('account', 'text', account)
      .addColumn('month', 'text', (c) => c.notNull())
      .addColumn('bytes_sent', 'integer', (c) => c.notNull())
      .addColumn('request_bytes', 'integer', (c) => c.notNull())
      .addColumn('requests', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('traffic_months_pk', ['account', 'month'])
      .execute();
    await db.schema
      .createTable('traffic_logs')
      .addColumn('account', 'text', (c) => account(c).primaryKey())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('read_at', 'text')
      .execute();
  },
};

const certificates: Migration = {
  async up(db: Kysely<unknown>) {
    // One certificate per account, gone with it. The scheduler's pass reads only the rows due
    // (`next_attempt_at`), and the dashboard only those failing or near their end (`not_after`).
    await db.schema
      .createTable('certificates')
      .addColumn('account', 'text', (c) => c.primaryKey().references('accounts.user').onDelete('cascade'))
      .addColumn('domains', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'valid', 'failed', 'expired')`))
      .addColumn('version', 'text')
      .addColumn('not_before', 'text')
      .addColumn('not_after', 'text')
      .addColumn('serial', 'text')
      .addColumn('fingerprint', 'text')
      .addColumn('ari_start', 'text')
      .addColumn('ari_end', 'text')
      .addColumn('force_https', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_attempt_at', 'text')
      .addColumn('last_error', 'text')
      .addColumn('next_attempt_at', 'text')
      .execute();
    await db.schema.createIndex('certificates_next_attempt').on('certificates').column('next_attempt_at').execute();
    await db.schema.createIndex('certificates_not_after').on('certificates').column('not_after').execute();
    await db.schema.createIndex('certificates_status').on('certificates').column('status').execute();
  },
};

/** migrations is every schema version in order; a new one gets the next number and is never edited later. */
export const migrations: MigrationProvider = {
  async getMigrations() {
    return {
      '0001_initial': initial,
      '0002_operations': operations,
      '0003_named_steps': namedSteps,
      '0004_owner_panel': ownerPanel,
      '0005_plan_php': planPhp,
      '0006_certificates': certificates,
      '0007_idempotency': idempotency,
      '0008_traffic': traffic,
    };
  },
};
