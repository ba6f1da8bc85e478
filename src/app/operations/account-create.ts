import { DomainError } from '../../domain/errors.js';
import { PHP_DEFAULTS, type PhpSettings } from '../../domain/php.js';
import type { AccountRecord } from '../../store/store.js';
import type { AppContext } from '../ports.js';
import { dropPool, putPool, siteOf, reloadStep } from './account-site.js';
import { defineOperation, flagParam, numberParam, textParam } from './operation.js';

/** CreateAccountStepsInput is what the steps of an account create need; recovery has neither the record nor the password. */
export interface CreateAccountStepsInput {
  user: string;
  domain: string;
  shell: boolean;
  diskMb: number | null;
  /** php is the plan's PHP; recovery knows only whether it was on (it only takes the pool back). */
  php: PhpSettings;
  /** record is the row the first step inserts. */
  record?: AccountRecord;
  password?: string;
  /** passwordHash is the owner password's hash, worked out while the steps before `store` run. */
  passwordHash?: Promise<string>;
}

/**
 * UNSET_PASSWORD_HASH is the hash a row holds while its account is provisioning: no password verifies against it,
 * and the `store` step replaces it with the real one as it makes the account active.
 */
export const UNSET_PASSWORD_HASH = '';

/**
 * accountCreate makes the row (`provisioning`, with no password hash yet), the system user, its password and
 * meanwhile the PHP pool, the site while php-fpm takes the pool into service, and the quota, then marks the row
 * `active` with the owner password's hash.
 * Recovery undoes a create cut short: its password was never kept, so it cannot be finished.
 */
export const accountCreate = defineOperation({
  name: 'account.create',
  recovery: 'undo',
  params: (input: CreateAccountStepsInput) => ({
    domain: input.domain,
    shell: input.shell,
    diskMb: input.diskMb,
    php: input.php.enabled,
  }),
  readParams: (raw) => ({
    domain: textParam(raw, 'domain', ''),
    shell: flagParam(raw, 'shell'),
    diskMb: numberParam(raw, 'diskMb'),
    // A version before PHP wrote no pool, so "off" takes back nothing that is not there.
    php: flagParam(raw, 'php'),
  }),
  steps: (ctx, input) => {
    const { user, domain, php } = input;
    const home = ctx.host.homeOf(user);
    const { systemUsers, webServer, quota } = ctx.host;
    return [
      {
        name: 'record',
        run: () => {
          if (input.record === undefined) throw new Error('recovery has no account record to insert');
          return insertAccount(ctx, input.record);
        },
        undo: () => deleteUnfinishedAccount(ctx, user),
      },
      {
        name: 'system_user',
        run: () => systemUsers.create({ user, domain, home, shell: input.shell }),
        undo: () => systemUsers.remove(user, home),
      },
      {
        // chpasswd changes only the shadow file: the pool (whose check needs the user) is written meanwhile.
        name: 'password',
        alongsideUntil: 'php_pool',
        run: () => {
          if (input.password === undefined) throw new Error('the password is not kept, so a create cannot be resumed');
          return systemUsers.setPassword(user, input.password);
        },
      },
      {
        // The undo takes back whatever pool there is, also when the journal does not say PHP was on.
        name: 'php_pool',
        run: async () => {
          if (php.enabled) await putPool(ctx, user, php, false);
        },
        undo: () => dropPool(ctx, user, php.enabled),
      },
      {
        // php-fpm re-reads its pools while nginx is changed; both are done before the create answers.
        name: 'php_reload',
        alongsideUntil: 'reload',
        run: async () => {
          if (php.enabled) await ctx.host.php.reload();
        },
      },
      {
        name: 'web_server',
        run: async () => webServer.writeSite(await siteOf(ctx, user, domain, { suspended: false, php: php.enabled })),
        undo: () => webServer.removeSite(user),
      },
      reloadStep(webServer),
      { name: 'quota', run: () => quota.apply(user, input.diskMb) },
      {
        name: 'store',
        run: async () => {
          if (input.passwordHash === undefined)
            throw new Error('the password is not kept, so a create cannot be resumed');
          await ctx.store.accounts.update(user, { status: 'active', passwordHash: await input.passwordHash });
        },
      },
    ];
  },
  resume: async (ctx, user, params) => {
    const record = await ctx.store.accounts.get(user);
    if (record?.status === 'active') return null;
    return {
      user,
      domain: record?.domain ?? params.domain,
      shell: params.shell,
      diskMb: params.diskMb,
      php: { ...PHP_DEFAULTS, enabled: params.php },
    };
  },
});

async function insertAccount(ctx: AppContext, record: AccountRecord): Promise<void> {
  try {
    await ctx.store.accounts.insert(record);
  } catch (err) {
    // Another process may have taken the domain between the check and the insert.
    if (await ctx.store.accounts.domainTaken(record.domain)) {
      throw new DomainError('domain_exists', `domain ${record.domain} is already used by an account`, {
        param: 'domain',
      });
    }
    throw err;
  }
}

/** deleteUnfinishedAccount removes the row of a create being undone, never an account that is already active. */
async function deleteUnfinishedAccount(ctx: AppContext, user: string): Promise<void> {
  const current = await ctx.store.accounts.get(user);
  if (current?.status === 'provisioning') await ctx.store.accounts.delete(user);
}
