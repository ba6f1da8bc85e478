import type { Account, AccountStatus, ApiToken, AuditEntry, AuditInput, Plan } from '../domain/types.js';

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
  Pick<AccountRecord, 'email' | 'plan' | 'status' | 'suspendReason' | 'suspendedAt' | 'passwordHash'>
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

/** Store is the panel's own state; SQLite now, another Kysely dialect later. */
export interface Store {
  accounts: {
    get(user: string): Promise<AccountRecord | undefined>;
    domainTaken(domain: string): Promise<boolean>;
    insert(account: AccountRecord): Promise<void>;
    update(user: string, patch: AccountPatch): Promise<void>;
    delete(user: string): Promise<void>;
    list(filter: AccountFilter): Promise<{ accounts: Account[]; total: number; more: boolean }>;
    countByPlan(plan: string): Promise<number>;
  };
  /** databases records customer databases; an account's rows go with the account. */
  databases: {
    get(name: string): Promise<DatabaseRecord | undefined>;
    listByAccount(account: string): Promise<DatabaseRecord[]>;
    countByAccount(account: string): Promise<number>;
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
  close(): Promise<void>;
}
