import type { CertificateState, CertificateStatus } from '../domain/certificates.js';
import type { SessionVia } from '../domain/session.js';
import type { Account, AccountStatus, ApiToken, AuditEntry, AuditInput, Plan } from '../domain/types.js';
import type { MonthTraffic, TrafficLogState } from '../domain/traffic.js';
import type { DiskReading } from '../domain/usage.js';

/** AccountRecord is an account together with its user-panel password hash. */
export interface AccountRecord extends Account {
  passwordHash: string;
}

/** AccountFilter selects and pages accounts, ordered by user name. */
export interface AccountFilter {
  status?: AccountStatus;
  plan?: string;
  q?: string;
  after?: string;
  limit: number;
}

/** AccountPatch lists the fields an operation may change. */
export type AccountPatch = Partial<
  Pick<AccountRecord, 'domain' | 'email' | 'plan' | 'status' | 'suspendReason' | 'suspendedAt' | 'passwordHash'>
>;

/** NewToken is a token record as issued, before it has been used. */
export type NewToken = Omit<ApiToken, 'id' | 'revokedAt' | 'lastUsedAt' | 'lastUsedIp'> & { hash: string };

/** TokenUse is one batched last-used record. */
export interface TokenUse {
  id: number;
  at: string;
  ip: string;
}

/** AdminRecord is a vWHM admin with its password hash. */
export interface AdminRecord {
  name: string;
  passwordHash: string;
  createdAt: string;
  updatedAt: string;
}

/** AuditFilter selects audit entries, newest first. */
export interface AuditFilter {
  limit: number;
  beforeId?: number;
  since?: string;
  until?: string;
  action?: string;
  actor?: string;
  /** actorType narrows `actor` to one kind, so that an admin and a token of the same name differ. */
  actorType?: string;
  outcome?: string;
  target?: string;
}

/** OperationRecord is one journalled host operation that has not finished yet. */
export interface OperationRecord {
  id: number;
  op: string;
  account: string;
  params: Record<string, unknown>;
  /** step names the last step started; null before the first. */
  step: string | null;
  owner: string;
  startedAt: string;
}

/** DatabaseRecord is a customer database the panel made, with its database user. */
export interface DatabaseRecord {
  name: string;
  account: string;
  dbUser: string;
  createdAt: string;
}

/** OwnerSessionRecord is one user-panel session as stored: the SHA-256 of its id, never the id. */
export interface OwnerSessionRecord {
  idHash: string;
  account: string;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
  via: SessionVia;
}

/** SignIn is one user-panel sign-in: when and from which address. */
export interface SignIn {
  at: string;
  ip: string | null;
}

/** TwoFactorRecord is an owner's two-factor state: pending until `enabledAt` is set by a first code. */
export interface TwoFactorRecord {
  account: string;
  sealedSecret: string;
  startedAt: string;
  enabledAt: string | null;
  lastUsedStep: number | null;
  /** recoveryHashes are the keyed hashes of the unused recovery codes. */
  recoveryHashes: string[];
}

/** LoginLinkRecord is a single sign-on link as stored: the SHA-256 of its secret, never the secret. */
export interface LoginLinkRecord {
  hash: string;
  account: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  /** createdBy names who made it, as the audit log shows the actor (`token:billing`, `admin:ops`). */
  createdBy: string;
}

/** IdempotencyRecord is the answer kept for one (token, Idempotency-Key): running until `status` is set. */
export interface IdempotencyRecord {
  tokenId: number;
  keyHash: string;
  fingerprint: string;
  owner: string;
  status: number | null;
  /** response is the body, sealed; null while running. */
  response: string | null;
  createdAt: string;
}

/** InstalledCertificate is what the store records when a certificate was installed. */
export interface InstalledCertificate {
  domains: string[];
  version: string;
  notBefore: string;
  notAfter: string;
  serial: string;
  fingerprint: string;
  ariStart: string | null;
  ariEnd: string | null;
  at: string;
  nextAttemptAt: string;
}

/** CertificateFailure is what the store records when an attempt failed. */
export interface CertificateFailure {
  /** status is `failed`, or `pending`/`expired` where the account has no working certificate. */
  status: CertificateStatus;
  failures: number;
  error: string;
  at: string;
  nextAttemptAt: string;
}

/** CertificateListing is a certificate with its account's domain and status, for lists. */
export interface CertificateListing extends CertificateState {
  domain: string;
  accountStatus: string;
}

/** Store is the panel's own state; SQLite now, another Kysely dialect later. */
export interface Store {
  accounts: {
    get(user: string): Promise<AccountRecord | undefined>;
    /** domainTaken tells whether an account other than `exceptUser` has one of `domains` as its primary domain. */
    domainTaken(domains: string | readonly string[], exceptUser?: string): Promise<boolean>;
    insert(account: AccountRecord): Promise<void>;
    update(user: string, patch: AccountPatch): Promise<void>;
    delete(user: string): Promise<void>;
    list(filter: AccountFilter): Promise<{ accounts: Account[]; total: number; more: boolean }>;
    countByPlan(plan: string): Promise<number>;
    /** recordSignIn makes `signIn` the latest sign-in, and the latest one the previous. */
    recordSignIn(user: string, signIn: SignIn): Promise<void>;
    /** signIns gives the latest sign-in and the one before, null where there was none. */
    signIns(user: string): Promise<{ last: SignIn | null; previous: SignIn | null }>;
  };
  /** databases records customer databases; an account's rows go with the account. */
  databases: {
    get(name: string): Promise<DatabaseRecord | undefined>;
    listByAccount(account: string): Promise<DatabaseRecord[]>;
    countByAccount(account: string): Promise<number>;
    /** listAll returns every customer database the panel made, by name. */
    listAll(): Promise<DatabaseRecord[]>;
    insert(database: DatabaseRecord): Promise<void>;
    delete(name: string): Promise<void>;
  };
  plans: {
    get(name: string): Promise<Plan | undefined>;
    list(): Promise<Plan[]>;
    insert(plan: Plan): Promise<void>;
    update(plan: Plan): Promise<void>;
    delete(name: string): Promise<void>;
  };
  tokens: {
    insert(token: NewToken): Promise<ApiToken>;
    /** findByHash may answer from memory; its last-used fields can lag behind the batched writes. */
    findByHash(hash: string): Promise<ApiToken | undefined>;
    findByName(name: string): Promise<ApiToken | undefined>;
    findById(id: number): Promise<ApiToken | undefined>;
    list(): Promise<ApiToken[]>;
    revoke(id: number, at: string): Promise<void>;
    recordUse(uses: readonly TokenUse[]): Promise<void>;
  };
  admins: {
    get(name: string): Promise<AdminRecord | undefined>;
    count(): Promise<number>;
    list(): Promise<Omit<AdminRecord, 'passwordHash'>[]>;
    insert(admin: AdminRecord): Promise<void>;
    setPassword(name: string, passwordHash: string, at: string): Promise<void>;
  };
  audit: {
    /** append chains and writes one entry atomically, even with other processes appending. */
    append(entry: AuditInput): Promise<AuditEntry>;
    list(filter: AuditFilter): Promise<AuditEntry[]>;
    /** listAfter returns up to `limit` entries with ids above `afterId`, oldest first (to walk the chain). */
    listAfter(afterId: number, limit: number): Promise<AuditEntry[]>;
    /** head is the newest entry as the head row records it; undefined in a store without one. */
    head(): Promise<{ lastId: number; lastHash: string } | undefined>;
  };
  locks: {
    /** acquire takes a named lock unless another live owner holds it. */
    acquire(key: string, owner: string, nowMs: number, ttlMs: number): Promise<boolean>;
    release(key: string, owner: string): Promise<void>;
    /** list returns every held lock with its owner, expired or not. */
    list(): Promise<{ key: string; owner: string }[]>;
  };
  operations: {
    /** begin records an operation before it touches the host and returns its id. */
    begin(op: Omit<OperationRecord, 'id' | 'step'>): Promise<number>;
    /** setStep records that the step named `step` is starting. */
    setStep(id: number, step: string): Promise<void>;
    /** finish removes the record of an operation that completed or was undone. */
    finish(id: number): Promise<void>;
    list(): Promise<OperationRecord[]>;
  };
  /** ownerSessions are the user panel's sessions; an account's go with it. */
  ownerSessions: {
    insert(session: OwnerSessionRecord): Promise<void>;
    get(idHash: string): Promise<OwnerSessionRecord | undefined>;
    touch(idHash: string, at: string): Promise<void>;
    /** delete ends one session and tells whether it still existed, so that only one request can take it over. */
    delete(idHash: string): Promise<boolean>;
    /** deleteByAccount ends every session of the account except `keep` (an id hash) and returns how many it ended. */
    deleteByAccount(account: string, keep?: string): Promise<number>;
    /** deleteStale ends the sessions last seen before `lastSeenBefore` or opened before `createdBefore`. */
    deleteStale(lastSeenBefore: string, createdBefore: string): Promise<number>;
  };
  /** twoFactor is each owner's TOTP secret (sealed) and recovery code hashes; an account's go with it. */
  twoFactor: {
    get(account: string): Promise<TwoFactorRecord | undefined>;
    /** begin keeps a new pending secret, replacing a pending one; false (nothing changed) when two-factor is on. */
    begin(account: string, sealedSecret: string, at: string): Promise<boolean>;
    /**
     * enable turns two-factor on with the pending secret `sealedSecret`, the step of its first code and
     * the recovery codes' hashes, in one transaction; false when that secret is no longer the pending one.
     */
    enable(
      account: string,
      sealedSecret: string,
      step: number,
      recoveryHashes: readonly string[],
      at: string,
    ): Promise<boolean>;
    /** useStep records the step of an accepted code if the last one is still `previous`; false when another request won. */
    useStep(account: string, previous: number | null, step: number): Promise<boolean>;
    /** useRecoveryCode removes one unused recovery code; false when it was already used. */
    useRecoveryCode(account: string, hash: string): Promise<boolean>;
    /** replaceRecoveryCodes puts new recovery codes in place of every unused one; false when two-factor is not on. */
    replaceRecoveryCodes(account: string, hashes: readonly string[]): Promise<boolean>;
    /** disable turns two-factor off and forgets its secret and codes; false when there was nothing to forget. */
    disable(account: string): Promise<boolean>;
    /** count is how many owners have a secret stored, pending or on. */
    count(): Promise<number>;
  };
  /** loginLinks are single sign-on links; an account's go with it. */
  loginLinks: {
    insert(link: LoginLinkRecord): Promise<void>;
    get(hash: string): Promise<LoginLinkRecord | undefined>;
    /** markUsed marks an unused link used and tells whether this call did it: a link opens one session, once. */
    markUsed(hash: string, at: string): Promise<boolean>;
    /** deleteByAccount forgets the account's links, used or not. */
    deleteByAccount(account: string): Promise<number>;
    /** deleteExpired forgets the links that expired before `before`. */
    deleteExpired(before: string): Promise<number>;
  };
  /** diskUsage caches each account's last disk measurement; an account's goes with it. */
  diskUsage: {
    get(account: string): Promise<DiskReading | undefined>;
    /** set keeps a measurement; a no-op when the account no longer exists. */
    set(account: string, reading: DiskReading): Promise<void>;
    /** unmeasured lists up to `limit` active or suspended accounts never measured yet, by user name. */
    unmeasured(limit: number): Promise<string[]>;
  };
  /** traffic is each account's metered bandwidth per month and how far its log was read; an account's goes with it. */
  traffic: {
    /** state is how far the account's log was read, EMPTY_TRAFFIC_STATE before the first read. */
    state(account: string): Promise<TrafficLogState>;
    /**
     * record adds the months to the account's totals and keeps the state and the read time, in one
     * transaction (totals without their state would count twice); a no-op when the account is gone.
     */
    record(account: string, months: readonly MonthTraffic[], state: TrafficLogState, readAt: string): Promise<void>;
    /** saveState keeps the state a rotation made. */
    saveState(account: string, state: TrafficLogState): Promise<void>;
    /** month gives the bytes sent to the account's visitors in `month` (YYYY-MM) and when its log was last read. */
    month(account: string, month: string): Promise<{ bytesSent: number; readAt: string | null }>;
  };
  /** idempotency keeps the answers to retried POSTs; each row is one (token, key hash). */
  idempotency: {
    /**
     * claim records a request as running under its (token, key hash), unless a row holds them that
     * is younger than `expiredBefore` and, while running, than `staleBefore`: that row is returned
     * instead (undefined means the claim is this request's).
     */
    claim(
      record: IdempotencyRecord,
      expiredBefore: string,
      staleBefore: string,
    ): Promise<IdempotencyRecord | undefined>;
    /** complete keeps the status and sealed body of a request this owner claimed. */
    complete(tokenId: number, keyHash: string, owner: string, status: number, response: string): Promise<void>;
    /** release forgets a request this owner claimed and is not keeping, so that a retry runs again. */
    release(tokenId: number, keyHash: string, owner: string): Promise<void>;
    /** purge erases the rows made before `before` and tells how many. */
    purge(before: string): Promise<number>;
  };
  /** certificates is each account's certificate state; an account's goes with it. */
  certificates: {
    get(account: string): Promise<CertificateState | undefined>;
    /**
     * request asks for a certificate for `domains` at `at`: a new row is `pending`; an existing one
     * keeps its status and files and is due at `at` with its back-off reset. A row with an installed
     * pair keeps that pair's names (what is served) until the next install records new ones.
     */
    request(account: string, domains: readonly string[], at: string): Promise<void>;
    /** installed records a certificate whose files are in place; a no-op when the account is gone. */
    installed(account: string, cert: InstalledCertificate): Promise<void>;
    /** failed records a failed attempt and when the next one is due. */
    failed(account: string, failure: CertificateFailure): Promise<void>;
    /** put writes a whole state back (an install being undone); a no-op when the account is gone. */
    put(state: CertificateState): Promise<void>;
    setForceHttps(account: string, on: boolean): Promise<void>;
    /** due lists up to `limit` accounts whose certificate is due at `now`, earliest first (one indexed query). */
    due(now: string, limit: number): Promise<string[]>;
    /** markExpired turns valid or failed certificates past their not-after into `expired`, and says how many. */
    markExpired(now: string): Promise<number>;
    /** attention lists certificates that failed or expired, or end before `before`, soonest end first. */
    attention(before: string, limit: number): Promise<CertificateListing[]>;
    /** list gives every certificate with its account, by user name. */
    list(): Promise<CertificateListing[]>;
    delete(account: string): Promise<void>;
  };
  /**
   * version names the state of everything stored, as this process sees it: it changes with each write of this
   * store and with each commit of another process. Answers read at one version are exact for as long as it is
   * current. Absent where the store cannot tell.
   */
  version?: () => string;
  close(): Promise<void>;
}
