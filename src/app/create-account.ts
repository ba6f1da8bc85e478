import { DomainError } from '../domain/errors.js';
import { phpOf } from '../domain/php.js';
import { generatePassword } from '../domain/secrets.js';
import type { Account } from '../domain/types.js';
import { checkPassword, collidingDomains, normalizeDomain, validateEmail, validateUser } from '../domain/validation.js';
import type { AccountRecord } from '../store/store.js';
import { withAccountLock } from './account-lock.js';
import { publicAccount } from './get-account.js';
import type { AppContext } from './ports.js';
import { requirePlan } from './require-plan.js';
import { runJournalled } from './journal.js';
import { UNSET_PASSWORD_HASH, accountCreate } from './operations/account-create.js';
import { requestCertificateFor } from './request-certificate.js';

/** CreateAccountInput is what a caller gives to create an account. */
export interface CreateAccountInput {
  user: string;
  domain: string;
  email?: string | null;
  password?: string;
  plan?: string | null;
}

/** CreateAccountResult carries the password only when the panel generated it. */
export interface CreateAccountResult {
  account: Account;
  password?: string;
}

/** createAccount makes an account: system user, password, web site; all of it or none of it. */
export async function createAccount(ctx: AppContext, input: CreateAccountInput): Promise<CreateAccountResult> {
  const user = validateUser(input.user);
  const domain = normalizeDomain(input.domain);
  const email = input.email == null ? null : validateEmail(input.email);
  const generated = input.password === undefined;
  const password = generated ? generatePassword() : checkPassword(input.password ?? '', user);
  const plan = input.plan == null ? null : await requirePlan(ctx, input.plan, 'plan');
  const shell = plan?.shell ?? false;
  const diskMb = plan?.diskMb ?? null;
  const php = phpOf(plan);
  // The hash (tens of ms of argon2id) runs while the system steps do; the last step stores it.
  const passwordHash = ctx.hasher.hash(password);
  passwordHash.catch(() => undefined);

  return withAccountLock(ctx, user, async () => {
    if (await ctx.store.accounts.get(user)) throw new DomainError('account_exists', `account ${user} already exists`);
    if (await ctx.store.accounts.domainTaken(collidingDomains(domain))) {
      throw new DomainError('domain_exists', `domain ${domain} or www. of it is already used by an account`, {
        param: 'domain',
      });
    }
    if (await ctx.host.systemUsers.exists(user)) {
      throw new DomainError('invalid_user', `"${user}" already exists on this server`, { param: 'user' });
    }
    const record: AccountRecord = {
      user,
      domain,
      email,
      plan: input.plan ?? null,
      status: 'provisioning',
      suspendReason: null,
      createdAt: ctx.now().toISOString(),
      suspendedAt: null,
      databases: [],
      tls: { status: 'none', expiresAt: null },
      passwordHash: UNSET_PASSWORD_HASH,
    };
    await runJournalled(ctx, accountCreate, user, {
      user,
      domain,
      shell,
      diskMb,
      php,
      record,
      password,
      passwordHash,
    });
    // In the background: the create does not wait for the CA, and a request that cannot be
    // recorded now is made by the next `vanta cert issue` or button.
    const requested = await requestCertificateFor(ctx, user, domain).catch((err: unknown) => {
      ctx.logger.warn({ err, user }, 'the certificate of a new account could not be requested');
      return false;
    });
    const tls = requested ? { status: 'pending' as const, expiresAt: null } : record.tls;
    const account = publicAccount({ ...record, status: 'active', tls });
    return generated ? { account, password } : { account };
  });
}
