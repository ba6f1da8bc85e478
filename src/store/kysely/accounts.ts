import { type Kysely, type Selectable, sql } from 'kysely';
import type { AccountTls, CertificateStatus } from '../../domain/certificates.js';
import type { Account, AccountStatus } from '../../domain/types.js';
import type { AccountsTable, Database } from '../schema.js';
import type { AccountFilter, AccountPatch, AccountRecord, Store } from '../store.js';
import { CommittedCache } from './committed-cache.js';

/** NO_TLS is the TLS state of an account that never asked for a certificate. */
const NO_TLS: AccountTls = { status: 'none', expiresAt: null };

/** ACCOUNT_COLUMNS are the columns of `accounts` an Account is made of (not the password hash or sign-ins). */
const ACCOUNT_COLUMNS = [
  'user',
  'domain',
  'email',
  'plan',
  'status',
  'suspend_reason',
  'created_at',
  'suspended_at',
] as const satisfies readonly (keyof AccountsTable)[];

/** AccountRow is what toAccount reads of an `accounts` row. */
type AccountRow = Pick<Selectable<AccountsTable>, (typeof ACCOUNT_COLUMNS)[number]>;

/** toAccount maps an `accounts` row, the names of its databases and its TLS state to an Account. */
export function toAccount(row: AccountRow, databases: string[], tls: AccountTls = NO_TLS): Account {
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
    tls,
  };
}

/** databasesOf returns the names of each account's databases, sorted. */
async function databasesOf(db: Kysely<Database>, users: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (users.length === 0) return out;
  const rows = await db
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

/** tlsOf returns the certificate state of each account that has one. */
async function tlsOf(db: Kysely<Database>, users: string[]): Promise<Map<string, AccountTls>> {
  const out = new Map<string, AccountTls>();
  if (users.length === 0) return out;
  const rows = await db
    .selectFrom('certificates')
    .select(['account', 'status', 'not_after'])
    .where('account', 'in', users)
    .execute();
  for (const row of rows) out.set(row.account, { status: row.status as CertificateStatus, expiresAt: row.not_after });
  return out;
}

/**
 * kyselyAccounts is the `accounts` table; an account's rows in `databases` go with it. With `dataVersion`, the
 * number of accounts matching a listing's filters is counted once per change rather than on every page.
 */
export function kyselyAccounts(db: Kysely<Database>, dataVersion?: () => number): Store['accounts'] {
  const totals = new CommittedCache<string, number>(dataVersion, 1000);
  return {
    get: async (user) => {
      const row = await db.selectFrom('accounts').selectAll().where('user', '=', user).executeTakeFirst();
      if (!row) return undefined;
      const dbs = await databasesOf(db, [user]);
      const tls = await tlsOf(db, [user]);
      return { ...toAccount(row, dbs.get(user) ?? [], tls.get(user)), passwordHash: row.password_hash };
    },
    domainTaken: async (domains, exceptUser) => {
      const names = typeof domains === 'string' ? [domains] : [...domains];
      if (names.length === 0) return false;
      let query = db.selectFrom('accounts').select('user').where('domain', 'in', names);
      if (exceptUser !== undefined) query = query.where('user', '!=', exceptUser);
      return (await query.executeTakeFirst()) !== undefined;
    },
    insert: async (a: AccountRecord) => {
      await db
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
      totals.clear();
    },
    update: async (user: string, patch: AccountPatch) => {
      const values: Partial<AccountsTable> = {};
      if (patch.domain !== undefined) values.domain = patch.domain;
      if (patch.email !== undefined) values.email = patch.email;
      if (patch.plan !== undefined) values.plan = patch.plan;
      if (patch.status !== undefined) values.status = patch.status;
      if (patch.suspendReason !== undefined) values.suspend_reason = patch.suspendReason;
      if (patch.suspendedAt !== undefined) values.suspended_at = patch.suspendedAt;
      if (patch.passwordHash !== undefined) values.password_hash = patch.passwordHash;
      if (Object.keys(values).length === 0) return;
      await db.updateTable('accounts').set(values).where('user', '=', user).execute();
      totals.clear();
    },
    delete: async (user) => {
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('databases').where('account', '=', user).execute();
        await tx.deleteFrom('certificates').where('account', '=', user).execute();
        await tx.deleteFrom('accounts').where('user', '=', user).execute();
      });
      totals.clear();
    },
    list: async (filter: AccountFilter) => {
      let query = db.selectFrom('accounts');
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
      const filterKey = JSON.stringify([filter.status ?? null, filter.plan ?? null, filter.q ?? null]);
      const total = await totals.read(filterKey, async () => {
        const row = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        return Number(row.n);
      });
      let page = query
        .select(ACCOUNT_COLUMNS)
        .orderBy('user')
        .limit(filter.limit + 1);
      if (filter.after !== undefined) page = page.where('user', '>', filter.after);
      const rows = await page.execute();
      const more = rows.length > filter.limit;
      const shown = rows.slice(0, filter.limit);
      const users = shown.map((r) => r.user);
      const dbs = await databasesOf(db, users);
      const tls = await tlsOf(db, users);
      return {
        accounts: shown.map((r) => toAccount(r, dbs.get(r.user) ?? [], tls.get(r.user))),
        total: total ?? 0,
        more,
      };
    },
    countByPlan: async (plan) => {
      const row = await db
        .selectFrom('accounts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('plan', '=', plan)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    recordSignIn: async (user, signIn) => {
      await db
        .updateTable('accounts')
        .set((eb) => ({
          previous_sign_in_at: eb.ref('last_sign_in_at'),
          previous_sign_in_ip: eb.ref('last_sign_in_ip'),
          last_sign_in_at: signIn.at,
          last_sign_in_ip: signIn.ip,
        }))
        .where('user', '=', user)
        .execute();
    },
    signIns: async (user) => {
      const row = await db
        .selectFrom('accounts')
        .select(['last_sign_in_at', 'last_sign_in_ip', 'previous_sign_in_at', 'previous_sign_in_ip'])
        .where('user', '=', user)
        .executeTakeFirst();
      const signIn = (at: string | null | undefined, ip: string | null | undefined) =>
        at == null ? null : { at, ip: ip ?? null };
      return {
        last: signIn(row?.last_sign_in_at, row?.last_sign_in_ip),
        previous: signIn(row?.previous_sign_in_at, row?.previous_sign_in_ip),
      };
    },
  };
}
