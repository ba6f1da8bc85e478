import { DomainError, isDomainError } from '../domain/errors.js';
import { randomBase62 } from '../domain/secrets.js';
import type { AccountRecord } from '../store/store.js';
import { type ClientInfo, type LiveSession, type OpenedSession, openOwnerSession } from './owner-sessions.js';
import type { AppContext } from './ports.js';
import type { SignInGate, SignInLimiter } from './sign-in-limiter.js';
import { verifySecondFactor } from './owner-two-factor.js';

/** PasswordSignIn is what an owner types on the sign-in form. */
export interface PasswordSignIn {
  user: string;
  password: string;
  client: ClientInfo;
}

/** SignedIn is a sign-in that passed its password: a full session, or one waiting for the second factor. */
export interface SignedIn {
  user: string;
  session: OpenedSession;
  /** secondFactor is true when the session waits for a two-factor code before it signs the owner in. */
  secondFactor: boolean;
}

/** PASSWORD_MAX is the longest password a sign-in checks; a longer one is a failed sign-in without a hash run. */
const PASSWORD_MAX = 1024;

const USER_SHAPE = /^[a-z][a-z0-9]{0,15}$/;

/** wrongSecret tells a wrong two-factor code or current password from other refusals. */
function wrongSecret(err: unknown): boolean {
  if (!isDomainError(err)) return false;
  return err.code === 'invalid_code' || (err.code === 'invalid_parameter' && err.details.param === 'current');
}

function invalidCredentials(): DomainError {
  return new DomainError('invalid_credentials', 'the user name or password is not correct');
}

function throttled(gate: Extract<SignInGate, { allowed: false }>): DomainError {
  const minutes = Math.max(1, Math.ceil(gate.retryAfterSeconds / 60));
  const who = gate.by === 'user' ? 'for this account' : 'from your address';
  return new DomainError(
    'rate_limited',
    `too many failed sign-ins ${who}; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`,
    { retryAfter: gate.retryAfterSeconds },
  );
}

/**
 * OwnerSignIn signs account owners in to the user panel: the password, then the second factor
 * when the owner turned it on. Failures are throttled per address and per account user (a place
 * is held before the check, so a parallel burst gets no more checks than the limit); a terminated
 * account, one being made or removed, and an unknown name are the same failed sign-in.
 */
export class OwnerSignIn {
  private dummyHash: Promise<string> | null = null;

  constructor(
    private readonly ctx: AppContext,
    readonly limiter: SignInLimiter,
  ) {}

  /**
   * withPassword checks the user name and password. A suspended account with the right password
   * gets `account_suspended` and no session; an owner with two-factor on gets a session that only
   * the code opens.
   */
  async withPassword(input: PasswordSignIn): Promise<SignedIn> {
    const user = input.user.trim().toLowerCase();
    const record = await this.checkPassword(user, input.password, input.client.ip);
    if (record.status === 'suspended') {
      throw new DomainError('account_suspended', `account ${user} is suspended`);
    }
    const twoFactor = await this.ctx.store.twoFactor.get(user);
    const secondFactor = twoFactor !== undefined && twoFactor.enabledAt !== null;
    const session = await openOwnerSession(
      this.ctx,
      user,
      secondFactor ? 'pending_second_factor' : 'password',
      input.client,
    );
    return { user, session, secondFactor };
  }

  /**
   * withCode finishes a sign-in waiting for its second factor: a TOTP code or a recovery code. The
   * waiting session is replaced by a new one (a new id), and only one request can take it over.
   */
  async withCode(pending: LiveSession, code: string, client: ClientInfo): Promise<OpenedSession> {
    const user = pending.account.user;
    const { via } = await this.guard(user, client.ip, () => verifySecondFactor(this.ctx, user, code));
    if (!(await this.ctx.store.ownerSessions.delete(pending.record.idHash))) throw invalidCredentials();
    return openOwnerSession(this.ctx, user, via, client);
  }

  /**
   * guard runs a check of one of the owner's secrets (a two-factor code, the current password)
   * under the sign-in limiter, so that a stolen session cannot try codes or passwords at will: a
   * wrong one counts as a failed sign-in, and past the limit the check is not made (`rate_limited`).
   */
  async guard<T>(user: string, ip: string | null, check: () => Promise<T>): Promise<T> {
    const gate = this.limiter.begin(ip ?? '', user);
    if (!gate.allowed) throw throttled(gate);
    try {
      const result = await check();
      gate.attempt.succeeded();
      return result;
    } catch (err) {
      if (wrongSecret(err)) gate.attempt.failed();
      else gate.attempt.succeeded();
      throw err;
    }
  }

  private async checkPassword(user: string, password: string, ip: string | null): Promise<AccountRecord> {
    const gate = this.limiter.begin(ip ?? '', user);
    if (!gate.allowed) throw throttled(gate);
    let record: AccountRecord | undefined;
    let ok = false;
    try {
      record = USER_SHAPE.test(user) ? await this.ctx.store.accounts.get(user) : undefined;
      if (password.length <= PASSWORD_MAX) {
        // Unknown names cost a hash check too, so that timing does not tell which accounts exist.
        this.dummyHash ??= this.ctx.hasher.hash(randomBase62(24));
        const hash = record?.passwordHash ?? (await this.dummyHash);
        ok = (await this.ctx.hasher.verify(hash, password)) && record !== undefined;
      }
      ok &&= record?.status === 'active' || record?.status === 'suspended';
    } finally {
      if (ok) gate.attempt.succeeded();
      else gate.attempt.failed();
    }
    if (!ok || record === undefined) throw invalidCredentials();
    return record;
  }
}
