import type { AccountTls } from './certificates.js';
import type { Scope } from './scopes.js';

/** ACCOUNT_STATUSES are the states an account moves through. */
export const ACCOUNT_STATUSES = ['provisioning', 'active', 'suspended', 'terminating'] as const;

/** AccountStatus is one of ACCOUNT_STATUSES. */
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** Account is a hosting account as the panel stores it (without its password hash). */
export interface Account {
  user: string;
  domain: string;
  email: string | null;
  plan: string | null;
  status: AccountStatus;
  suspendReason: string | null;
  createdAt: string;
  suspendedAt: string | null;
  databases: string[];
  /** tls is the state of the account's certificate. */
  tls: AccountTls;
}

/** Plan is a named package of limits; null means unlimited. */
export interface Plan {
  name: string;
  diskMb: number | null;
  maxDatabases: number | null;
  bandwidthMb: number | null;
  maxAddonDomains: number | null;
  maxEmailAccounts: number | null;
  shell: boolean;
  /** php runs the accounts' PHP through a PHP-FPM pool of their own; off, `.php` files are refused. */
  php: boolean;
  /** phpMaxChildren caps the PHP workers an account runs at once. */
  phpMaxChildren: number;
  /** phpMemoryMb is each PHP worker's memory_limit in MiB. */
  phpMemoryMb: number;
  createdAt: string;
}

/** ApiToken is a token's stored record; the secret itself is never kept. */
export interface ApiToken {
  id: number;
  name: string;
  prefix: string;
  scopes: Scope[];
  allowedCidrs: string[];
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
}

/**
 * ACTOR_TYPES are the kinds of actor the audit log knows: an API token, a vWHM admin, an account
 * owner signed in to the user panel, the CLI, the panel itself, and a caller not authenticated.
 */
export const ACTOR_TYPES = ['token', 'admin', 'owner', 'cli', 'system', 'anonymous'] as const;

/** ActorType tells who made a change. */
export type ActorType = (typeof ACTOR_TYPES)[number];

/** Actor identifies who made a change, for the audit log. */
export interface Actor {
  type: ActorType;
  id: string | null;
  name: string;
}

/** AuditInput is what a door reports about one change. */
export interface AuditInput {
  at: string;
  requestId: string | null;
  actor: Actor;
  ip: string | null;
  action: string;
  target: string | null;
  outcome: string;
  status: number | null;
  params: Record<string, unknown>;
}

/** AuditEntry is one stored, hash-chained audit record. */
export interface AuditEntry extends AuditInput {
  id: number;
  prevHash: string;
  hash: string;
}
