import { DomainError } from '../domain/errors.js';
import { generatePassword } from '../domain/secrets.js';
import type { Account } from '../domain/types.js';
import { checkPassword, normalizeDomain, validateEmail, validateUser } from '../domain/validation.js';
import type { AccountRecord } from '../store/store.js';
import { withAccountLock } from './account-lock.js';
import { publicAccount } from './get-account.js';
import type { AppContext } from './ports.js';
import { requirePlan } from './require-plan.js';
import { runJournalled } from './journal.js';
import type { Step } from './steps.js';

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
  let shell = false;
  let diskMb: number | null = null;
  if (input.plan != null) {
    const plan = await requirePlan(ctx, input.plan, 'plan');
    shell = plan.shell;
    diskMb = plan.diskMb;
  }
  const passwordHash = await ctx.hasher.hash(password);

  return withAccountLock(ctx, user, async () => {
    if (await ctx.store.accounts.get(user)) throw new DomainError('account_exists', `account ${user} already exists`);
    if (await ctx.store.accounts.domainTaken(domain)) {
      throw new DomainError('domain_exists', `domain ${domain} is already used by an account`, { param: 'domain' });
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
      passwordHash,
    };
    const spec = { user, domain, shell, diskMb, password };
    await runJournalled(ctx, { op: 'account.create', user, params: { domain, shell, diskMb } }, [
      {
        name: 'record',
        run: () => insertAccount(ctx, record),
        undo: () => deleteUnfinishedAccount(ctx, user),
      },
      ...createSteps(ctx, spec),
    ]);
    const account = publicAccount({ ...record, status: 'active' });
    return generated ? { account, password } : { account };
  });
}

/** CreateSpec is what the host steps of a create need; the password is absent when recovery undoes one. */
export interface CreateSpec {
  user: string;
  domain: string;
  shell: boolean;
  diskMb: number | null;
  password?: string;
}

/** createSteps are the host steps of a create, after the account row exists; recovery rebuilds them to undo. */
export function createSteps(ctx: AppContext, spec: CreateSpec): Step[] {
  const { user, domain } = spec;
  const home = ctx.host.homeOf(user);
  const { systemUsers, webServer, quota } = ctx.host;
  return [
    {
      name: 'system_user',
      run: () => systemUsers.create({ user, domain, home, shell: spec.shell }),
      undo: () => systemUsers.remove(user, home),
    },
    {
      name: 'password',
      run: () => {
        if (spec.password === undefined) throw new Error('the password is not kept, so a create cannot be resumed');
        return systemUsers.setPassword(user, spec.password);
      },
    },
    {
      name: 'web_server',
      run: () => webServer.writeSite({ user, domain, root: `${home}/public_html`, suspended: false }),
      undo: () => webServer.removeSite(user),
    },
    { name: 'reload', run: () => webServer.reload(), undo: () => webServer.reload() },
    { name: 'quota', run: () => quota.apply(user, spec.diskMb) },
    { name: 'store', run: () => ctx.store.accounts.update(user, { status: 'active' }) },
  ];
}

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
export async function deleteUnfinishedAccount(ctx: AppContext, user: string): Promise<void> {
  const current = await ctx.store.accounts.get(user);
  if (current?.status === 'provisioning') await ctx.store.accounts.delete(user);
}
