import { type Kysely, type Selectable, sql } from 'kysely';
import type { CertificateState, CertificateStatus } from '../../domain/certificates.js';
import type { CertificatesTable, Database } from '../schema.js';
import type { CertificateListing, Store } from '../store.js';

/** toCertificate maps a `certificates` row to a CertificateState. */
export function toCertificate(row: Selectable<CertificatesTable>): CertificateState {
  return {
    account: row.account,
    domains: JSON.parse(row.domains) as string[],
    status: row.status as CertificateStatus,
    version: row.version,
    notBefore: row.not_before,
    notAfter: row.not_after,
    serial: row.serial,
    fingerprint: row.fingerprint,
    ariStart: row.ari_start,
    ariEnd: row.ari_end,
    forceHttps: row.force_https === 1,
    failures: row.failures,
    lastAttemptAt: row.last_attempt_at,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at,
  };
}

/** kyselyCertificates is the `certificates` table: one row per account that asked for a certificate. */
export function kyselyCertificates(db: Kysely<Database>): Store['certificates'] {
  const listing = () =>
    db
      .selectFrom('certificates')
      .innerJoin('accounts', 'accounts.user', 'certificates.account')
      .selectAll('certificates')
      .select(['accounts.domain as account_domain', 'accounts.status as account_status']);
  const toListing = (
    row: Selectable<CertificatesTable> & { account_domain: string; account_status: string },
  ): CertificateListing => ({ ...toCertificate(row), domain: row.account_domain, accountStatus: row.account_status });
  return {
    get: async (account) => {
      const row = await db.selectFrom('certificates').selectAll().where('account', '=', account).executeTakeFirst();
      return row ? toCertificate(row) : undefined;
    },
    request: async (account, domains, at) => {
      // Through a select, so that a request racing a terminate leaves no row behind. An installed
      // pair keeps the names it carries until a new one is installed: `domains` is what is served.
      await sql`insert into certificates (account, domains, status, next_attempt_at)
        select ${account}, ${JSON.stringify(domains)}, 'pending', ${at}
        where exists (select 1 from accounts where "user" = ${account})
        on conflict (account) do update set next_attempt_at = excluded.next_attempt_at, failures = 0,
          domains = case when certificates.version is null then excluded.domains else certificates.domains end`.execute(
        db,
      );
    },
    installed: async (account, cert) => {
      await db
        .updateTable('certificates')
        .set({
          domains: JSON.stringify(cert.domains),
          status: 'valid',
          version: cert.version,
          not_before: cert.notBefore,
          not_after: cert.notAfter,
          serial: cert.serial,
          fingerprint: cert.fingerprint,
          ari_start: cert.ariStart,
          ari_end: cert.ariEnd,
          failures: 0,
          last_attempt_at: cert.at,
          last_error: null,
          next_attempt_at: cert.nextAttemptAt,
        })
        .where('account', '=', account)
        .execute();
    },
    failed: async (account, failure) => {
      await db
        .updateTable('certificates')
        .set({
          status: failure.status,
          failures: failure.failures,
          last_attempt_at: failure.at,
          last_error: failure.error,
          next_attempt_at: failure.nextAttemptAt,
        })
        .where('account', '=', account)
        .execute();
    },
    put: async (state) => {
      await db
        .updateTable('certificates')
        .set({
          domains: JSON.stringify(state.domains),
          status: state.status,
          version: state.version,
          not_before: state.notBefore,
          not_after: state.notAfter,
          serial: state.serial,
          fingerprint: state.fingerprint,
          ari_start: state.ariStart,
          ari_end: state.ariEnd,
          force_https: state.forceHttps ? 1 : 0,
          failures: state.failures,
          last_attempt_at: state.lastAttemptAt,
          last_error: state.lastError,
          next_attempt_at: state.nextAttemptAt,
        })
        .where('account', '=', state.account)
        .execute();
    },
    setForceHttps: async (account, on) => {
      await db
        .updateTable('certificates')
        .set({ force_https: on ? 1 : 0 })
        .where('account', '=', account)
        .execute();
    },
    due: async (now, limit) => {
      const rows = await db
        .selectFrom('certificates')
        .select('account')
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .limit(limit)
        .execute();
      return rows.map((r) => r.account);
    },
    markExpired: async (now) => {
      const result = await db
        .updateTable('certificates')
        .set({ status: 'expired' })
        .where('not_after', '<=', now)
        .where('status', 'in', ['valid', 'failed'])
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    attention: async (before, limit) => {
      const rows = await listing()
        .where((eb) =>
          eb.or([eb('certificates.status', 'in', ['failed', 'expired']), eb('certificates.not_after', '<', before)]),
        )
        .orderBy('certificates.not_after')
        .orderBy('certificates.account')
        .limit(limit)
        .execute();
      return rows.map(toListing);
    },
    list: async () => (await listing().orderBy('certificates.account').execute()).map(toListing),
    delete: async (account) => {
      await db.deleteFrom('certificates').where('account', '=', account).execute();
    },
  };
}
