import { type Kysely, type Selectable, sql } from 'kysely';
import { ChainVerifier, GENESIS_HASH, auditHash, canonicalParams } from '../domain/audit-chain.js';
import type { ChainCheck } from '../domain/audit-chain.js';
import type { Scope } from '../domain/scopes.js';
import type { Account, AccountStatus, ActorType, ApiToken, AuditEntry, AuditInput, Plan } from '../domain/types.js';
import type { AccountsTable, ApiTokensTable, AuditLogTable, Database, DatabasesTable, PlansTable } from './schema.js';
import type {
  AccountFilter,
  AccountPatch,
  AccountRecord,
  AdminRecord,
  AuditFilter,
  DatabaseRecord,
  NewToken,
  Store,
  TokenUse,
} from './store.js';

const AUDIT_PAGE = 1000;

function planLimitColumns(p: Plan) {
  return {
    disk_mb: p.diskMb,
    max_databases: p.maxDatabases,
    bandwidth_mb: p.bandwidthMb,
    max_addon_domains: p.maxAddonDomains,
    max_email_accounts: p.maxEmailAccounts,
    shell: p.shell ? 1 : 0,
  };
}

/** KyselyStore implements the Store over any Kysely dialect whose SQL it speaks (SQLite today). */
export class KyselyStore implements Store {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly onClose: () => Promise<void> = async () => db.destroy(),
  ) {}

  readonly accounts: Store['accounts'] = {
    get: async (user) => {
      const row = await this.db.selectFrom('accounts').selectAll().where('user', '=', user).executeTakeFirst();
      if (!row) return undefined;
      const dbs = await this.databasesOf([user]);
      return { ...toAccount(row, dbs.get(user) ?? []), passwordHash: row.password_hash };
    },
    domainTaken: async (domain) => {
      const row = await this.db.selectFrom('accounts').select('user').where('domain', '=', domain).executeTakeFirst();
      return row !== undefined;
    },
    insert: async (a: AccountRecord) => {
      await this.db
        .insertInto('accounts')
        .values({
          user: a.user,
          domain: a.domain,
          email: a.email,
          plan: a.plan,
          status: a.status,
          suspend_reason: a.suspendReason,
          password_hash: a.passwordHash,
          created_at: a.createdAt,
          suspended_at: a.suspendedAt,
        })
        .execute();
    },
    update: async (user: string, patch: AccountPatch) => {
      const values: Partial<AccountsTable> = {};
      if (patch.email !== undefined) values.email = patch.email;
      if (patch.plan !== undefined) values.plan = patch.plan;
      if (patch.status !== undefined) values.status = patch.status;
      if (patch.suspendReason !== undefined) values.suspend_reason = patch.suspendReason;
      if (patch.suspendedAt !== undefined) values.suspended_at = patch.suspendedAt;
      if (patch.passwordHash !== undefined) values.password_hash = patch.passwordHash;
      if (Object.keys(values).length === 0) return;
      await this.db.updateTable('accounts').set(values).where('user', '=', user).execute();
    },
    delete: async (user) => {
      await this.db.transaction().execute(async (tx) => {
        await tx.deleteFrom('databases').where('account', '=', user).execute();
        await tx.deleteFrom('accounts').where('user', '=', user).execute();
      });
    },
    list: async (filter: AccountFilter) => {
      let query = this.db.selectFrom('accounts');
      if (filter.status) query = query.where('status', '=', filter.status);
      if (filter.plan !== undefined) query = query.where('plan', '=', filter.plan);
      if (filter.q) {
        const pattern = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        query = query.where((eb) =>
          eb.or([
            eb('user', 'like', sql<string>`${pattern} escape '\\'`),
            eb('domain', 'like', sql<string>`${pattern} escape '\\'`),
          ]),
        );
      }
      const totalRow = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      let page = query
        .selectAll()
        .orderBy('user')
        .limit(filter.limit + 1);
      if (filter.after !== undefined) page = page.where('user', '>', filter.after);
      const rows = await page.execute();
      const more = rows.length > filter.limit;
      const shown = rows.slice(0, filter.limit);
      const dbs = await this.databasesOf(shown.map((r) => r.user));
      return {
        accounts: shown.map((r) => toAccount(r, dbs.get(r.user) ?? [])),
        total: Number(totalRow.n),
        more,
      };
    },
    countByPlan: async (plan) => {
      const row = await this.db
        .selectFrom('accounts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('plan', '=', plan)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };

  readonly databases: Store['databases'] = {
    get: async (name) => {
      const row = await this.db.selectFrom('databases').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? toDatabase(row) : undefined;
    },
    listByAccount: async (account) =>
      (await this.db.selectFrom('databases').selectAll().where('account', '=', account).orderBy('name').execute()).map(
        toDatabase,
      ),
    countByAccount: async (account) => {
      const row = await this.db
        .selectFrom('databases')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('account', '=', account)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    insert: async (d: DatabaseRecord) => {
      await this.db
        .insertInto('databases')
        .values({ name: d.name, account: d.account, db_user: d.dbUser, created_at: d.createdAt })
        .execute();
    },
    delete: async (name) => {
      await this.db.deleteFrom('databases').where('name', '=', name).execute();
    },
  };

  readonly plans: Store['plans'] = {
    get: async (name) => {
      const row = await this.db.selectFrom('plans').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? toPlan(row) : undefined;
    },
    list: async () => (await this.db.selectFrom('plans').selectAll().orderBy('name').execute()).map(toPlan),
    insert: async (p: Plan) => {
      await this.db
        .insertInto('plans')
        .values({ name: p.name, ...planLimitColumns(p), created_at: p.createdAt })
        .execute();
    },
    update: async (p: Plan) => {
      await this.db.updateTable('plans').set(planLimitColumns(p)).where('name', '=', p.name).execute();
    },
    delete: async (name) => {
      await this.db.deleteFrom('plans').where('name', '=', name).execute();
    },
  };

  readonly tokens: Store['tokens'] = {
    insert: async (t: NewToken) => {
      const row = await this.db
        .insertInto('api_tokens')
        .values({
          name: t.name,
          token_hash: t.hash,
          prefix: t.prefix,
          scopes: JSON.stringify(t.scopes),
          allowed_cidrs: JSON.stringify(t.allowedCidrs),
          created_at: t.createdAt,
          created_by: t.createdBy,
          expires_at: t.expiresAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toToken(row);
    },
    findByHash: async (hash) => {
      const row = await this.db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
      return row ? toToken(row) : undefined;
    },
    findByName: async (name) => {
      const row = await this.db.selectFrom('api_tokens').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? toToken(row) : undefined;
    },
    findById: async (id) => {
      const row = await this.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toToken(row) : undefined;
    },
    list: async () => (await this.db.selectFrom('api_tokens').selectAll().orderBy('id').execute()).map(toToken),
    revoke: async (id, at) => {
      await this.db
        .updateTable('api_tokens')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
    },
    recordUse: async (uses: readonly TokenUse[]) => {
      if (uses.length === 0) return;
      await this.db.transaction().execute(async (tx) => {
        for (const use of uses) {
          // Never move last_used_at backwards when another process recorded a newer use.
          await tx
            .updateTable('api_tokens')
            .set({ last_used_at: use.at, last_used_ip: use.ip })
            .where('id', '=', use.id)
            .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', use.at)]))
            .execute();
        }
      });
    },
  };

  readonly admins: Store['admins'] = {
    get: async (name) => {
      const row = await this.db.selectFrom('admins').selectAll().where('name', '=', name).executeTakeFirst();
      return row
        ? { name: row.name, passwordHash: row.password_hash, createdAt: row.created_at, updatedAt: row.updated_at }
        : undefined;
    },
    count: async () => {
      const row = await this.db
        .selectFrom('admins')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    list: async () =>
      (await this.db.selectFrom('admins').select(['name', 'created_at', 'updated_at']).orderBy('name').execute()).map(
        (r) => ({
          name: r.name,
          createdAt: r.created_at,
          updatedAt: r.updated_at,
        }),
      ),
    insert: async (a: AdminRecord) => {
      await this.db
        .insertInto('admins')
        .values({ name: a.name, password_hash: a.passwordHash, created_at: a.createdAt, updated_at: a.updatedAt })
        .execute();
    },
    setPassword: async (name, passwordHash, at) => {
      await this.db
        .updateTable('admins')
        .set({ password_hash: passwordHash, updated_at: at })
        .where('name', '=', name)
        .execute();
    },
  };

  readonly audit: Store['audit'] = {
    append: async (entry: AuditInput) =>
      // An immediate transaction takes the write lock before reading the head, so two processes
      // appending at once queue up instead of forking the chain.
      this.db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const head = await conn
            .selectFrom('audit_head')
            .select(['last_id', 'last_hash'])
            .where('id', '=', 1)
            .executeTakeFirstOrThrow();
          const id = head.last_id + 1;
          const params = canonicalParams(entry.params) as Record<string, unknown>;
          const hash = auditHash(id, head.last_hash, { ...entry, params });
          await conn
            .insertInto('audit_log')
            .values({
              id,
              at: entry.at,
              request_id: entry.requestId,
              actor_type: entry.actor.type,
              actor_id: entry.actor.id,
              actor_name: entry.actor.name,
              ip: entry.ip,
              action: entry.action,
              target: entry.target,
              outcome: entry.outcome,
              status: entry.status,
              params: JSON.stringify(params),
              prev_hash: head.last_hash,
              hash,
            })
            .execute();
          await conn.updateTable('audit_head').set({ last_id: id, last_hash: hash }).where('id', '=', 1).execute();
          await sql`commit`.execute(conn);
          return { ...entry, params, id, prevHash: head.last_hash, hash };
        } catch (err) {
          await sql`rollback`.execute(conn);
          throw err;
        }
      }),
    list: async (filter: AuditFilter) => {
      let query = this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(filter.limit);
      if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
      if (filter.since) query = query.where('at', '>=', filter.since);
      if (filter.until) query = query.where('at', '<', filter.until);
      if (filter.action) query = query.where('action', '=', filter.action);
      if (filter.actor) query = query.where('actor_name', '=', filter.actor);
      if (filter.actorType) query = query.where('actor_type', '=', filter.actorType);
      if (filter.outcome) query = query.where('outcome', '=', filter.outcome);
      if (filter.target) query = query.where('target', '=', filter.target);
      return (await query.execute()).map(toAuditEntry);
    },
    verify: async (): Promise<ChainCheck> => {
      const verifier = new ChainVerifier();
      let after = 0;
      for (;;) {
        const rows = await this.db
          .selectFrom('audit_log')
          .selectAll()
          .where('id', '>', after)
          .orderBy('id')
          .limit(AUDIT_PAGE)
          .execute();
        for (const row of rows) {
          if (!verifier.add(toAuditEntry(row))) break;
        }
        const last = rows[rows.length - 1];
        if (rows.length < AUDIT_PAGE || last === undefined) break;
        after = last.id;
      }
      const head = await this.db.selectFrom('audit_head').select(['last_id', 'last_hash']).executeTakeFirst();
      return verifier.finish(
        head ? { lastId: head.last_id, lastHash: head.last_hash } : { lastId: -1, lastHash: GENESIS_HASH },
      );
    },
  };

  readonly locks: Store['locks'] = {
    acquire: async (key, owner, nowMs, ttlMs) => {
      const result = await this.db
        .insertInto('locks')
        .values({ key, owner, expires_at: nowMs + ttlMs })
        .onConflict((oc) =>
          oc
            .column('key')
            .doUpdateSet({ owner, expires_at: nowMs + ttlMs })
            .where('locks.expires_at', '<', nowMs),
        )
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    release: async (key, owner) => {
      await this.db.deleteFrom('locks').where('key', '=', key).where('owner', '=', owner).execute();
    },
    list: async () => this.db.selectFrom('locks').select(['key', 'owner']).orderBy('key').execute(),
  };

  readonly operations: Store['operations'] = {
    begin: async (op) => {
      const row = await this.db
        .insertInto('operations')
        .values({
          op: op.op,
          account: op.account,
          params: JSON.stringify(op.params),
          step: null,
          owner: op.owner,
          started_at: op.startedAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    setStep: async (id, step) => {
      await this.db.updateTable('operations').set({ step }).where('id', '=', id).execute();
    },
    finish: async (id) => {
      await this.db.deleteFrom('operations').where('id', '=', id).execute();
    },
    list: async () => {
      const rows = await this.db.selectFrom('operations').selectAll().orderBy('id').execute();
      return rows.map((r) => ({
        id: r.id,
        op: r.op,
        account: r.account,
        params: JSON.parse(r.params) as Record<string, unknown>,
        step: r.step,
        owner: r.owner,
        startedAt: r.started_at,
      }));
    },
  };

  async close(): Promise<void> {
    await this.onClose();
  }

  private async databasesOf(users: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (users.length === 0) return out;
    const rows = await this.db
      .selectFrom('databases')
      .select(['account', 'name'])
      .where('account', 'in', users)
      .orderBy('name')
      .execute();
    for (const row of rows) {
      const list = out.get(row.account) ?? [];
      list.push(row.name);
      out.set(row.account, list);
    }
    return out;
  }
}

function toAccount(row: Selectable<AccountsTable>, databases: string[]): Account {
  return {
    user: row.user,
    domain: row.domain,
    email: row.email,
    plan: row.plan,
    status: row.status as AccountStatus,
    suspendReason: row.suspend_reason,
    createdAt: row.created_at,
    suspendedAt: row.suspended_at,
    databases,
  };
}

function toDatabase(row: Selectable<DatabasesTable>): DatabaseRecord {
  return { name: row.name, account: row.account, dbUser: row.db_user, createdAt: row.created_at };
}

function toPlan(row: Selectable<PlansTable>): Plan {
  return {
    name: row.name,
    diskMb: row.disk_mb,
    maxDatabases: row.max_databases,
    bandwidthMb: row.bandwidth_mb,
    maxAddonDomains: row.max_addon_domains,
    maxEmailAccounts: row.max_email_accounts,
    shell: row.shell === 1,
    createdAt: row.created_at,
  };
}

function toToken(row: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: JSON.parse(row.scopes) as Scope[],
    allowedCidrs: JSON.parse(row.allowed_cidrs) as string[],
    createdAt: row.created_at,
    createdBy: row.created_by,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    lastUsedIp: row.last_used_ip,
  };
}

function toAuditEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    requestId: row.request_id,
    actor: { type: row.actor_type as ActorType, id: row.actor_id, name: row.actor_name },
    ip: row.ip,
    action: row.action,
    target: row.target,
    outcome: row.outcome,
    status: row.status,
    params: JSON.parse(row.params) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
