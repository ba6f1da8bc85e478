import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { Store } from '../store.js';

/** putRecoveryCodes replaces every unused recovery code of the account with `hashes`. */
async function putRecoveryCodes(tx: Kysely<Database>, account: string, hashes: readonly string[]): Promise<void> {
  await tx.deleteFrom('owner_recovery_codes').where('account', '=', account).execute();
  if (hashes.length === 0) return;
  await tx
    .insertInto('owner_recovery_codes')
    .values(hashes.map((hash) => ({ account, hash })))
    .execute();
}

/** kyselyTwoFactor is the `owner_two_factor` table and the recovery code hashes in `owner_recovery_codes`. */
export function kyselyTwoFactor(db: Kysely<Database>): Store['twoFactor'] {
  return {
    get: async (account) => {
      const row = await db.selectFrom('owner_two_factor').selectAll().where('account', '=', account).executeTakeFirst();
      if (!row) return undefined;
      const codes = await db
        .selectFrom('owner_recovery_codes')
        .select('hash')
        .where('account', '=', account)
        .orderBy('hash')
        .execute();
      return {
        account: row.account,
        sealedSecret: row.sealed_secret,
        startedAt: row.started_at,
        enabledAt: row.enabled_at,
        lastUsedStep: row.last_used_step,
        recoveryHashes: codes.map((c) => c.hash),
      };
    },
    begin: async (account, sealedSecret, at) => {
      const result = await db
        .insertInto('owner_two_factor')
        .values({ account, sealed_secret: sealedSecret, started_at: at, enabled_at: null, last_used_step: null })
        .onConflict((oc) =>
          oc
            .column('account')
            .doUpdateSet({ sealed_secret: sealedSecret, started_at: at, last_used_step: null })
            .where('owner_two_factor.enabled_at', 'is', null),
        )
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    enable: async (account, sealedSecret, step, recoveryHashes, at) =>
      db.transaction().execute(async (tx) => {
        const result = await tx
          .updateTable('owner_two_factor')
          .set({ enabled_at: at, last_used_step: step })
          .where('account', '=', account)
          .where('sealed_secret', '=', sealedSecret)
          .where('enabled_at', 'is', null)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) return false;
        await putRecoveryCodes(tx, account, recoveryHashes);
        return true;
      }),
    useStep: async (account, previous, step) => {
      const result = await db
        .updateTable('owner_two_factor')
        .set({ last_used_step: step })
        .where('account', '=', account)
        .where('enabled_at', 'is not', null)
        .where('last_used_step', previous === null ? 'is' : '=', previous)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    useRecoveryCode: async (account, hash) => {
      const result = await db
        .deleteFrom('owner_recovery_codes')
        .where('account', '=', account)
        .where('hash', '=', hash)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    replaceRecoveryCodes: async (account, hashes) =>
      db.transaction().execute(async (tx) => {
        const on = await tx
          .selectFrom('owner_two_factor')
          .select('account')
          .where('account', '=', account)
          .where('enabled_at', 'is not', null)
          .executeTakeFirst();
        if (!on) return false;
        await putRecoveryCodes(tx, account, hashes);
        return true;
      }),
    disable: async (account) =>
      db.transaction().execute(async (tx) => {
        await tx.deleteFrom('owner_recovery_codes').where('account', '=', account).execute();
        const result = await tx.deleteFrom('owner_two_factor').where('account', '=', account).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      }),
    count: async () => {
      const row = await db
        .selectFrom('owner_two_factor')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
