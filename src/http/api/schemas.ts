import { ACCOUNT_STATUSES } from '../../domain/types.js';
import { PHP_MAX_CHILDREN_RANGE, PHP_MEMORY_MB_RANGE } from '../../domain/php.js';
import { SCOPES } from '../../domain/scopes.js';
import type { BodySpec, FieldSchema, JsonSchema } from './json-schema.js';

const text = (description: string): JsonSchema => ({ type: 'string', description });
const time = (description: string): JsonSchema => ({ type: 'string', format: 'date-time', description });
const nullableTime = (description: string): JsonSchema => ({
  type: ['string', 'null'],
  format: 'date-time',
  description,
});

/** ACCOUNT_SCHEMA is the Account object. */
export const ACCOUNT_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'A hosting account.',
  properties: {
    user: text("The account's user name, also its system user name; never changes."),
    domain: text('The primary domain, lower-case, internationalized names in punycode.'),
    email: { type: ['string', 'null'], description: 'Contact address.' },
    plan: { type: ['string', 'null'], description: 'The plan name, or null for no plan (unlimited).' },
    status: {
      type: 'string',
      enum: ACCOUNT_STATUSES,
      description: 'active or suspended; provisioning or terminating while being made or removed.',
    },
    suspend_reason: { type: ['string', 'null'], description: 'The reason given when it was suspended.' },
    created_at: time('When the account was created.'),
    suspended_at: nullableTime('When it was suspended; null when it is not.'),
    databases: { type: 'array', items: { type: 'string' }, description: "The account's database names, sorted." },
    ip: {
      type: ['string', 'null'],
      description:
        "The server's public address the account's domain should point to (VANTA_PUBLIC_IP); null when none is known.",
    },
    tls: {
      type: 'object',
      description: "The site's certificate for the domain and www. of it.",
      properties: {
        status: {
          type: 'string',
          enum: ['none', 'pending', 'valid', 'failed', 'expired'],
          description:
            'none: never asked for (certificates off, or an account older than them); pending: asked for, not issued yet; failed: the last attempt failed (a working certificate, if any, is still served); expired: past its end.',
        },
        expires_at: nullableTime("The installed certificate's end of validity; null when none is installed."),
      },
      required: ['status', 'expires_at'],
      additionalProperties: false,
    },
  },
  required: [
    'user',
    'domain',
    'email',
    'plan',
    'status',
    'suspend_reason',
    'created_at',
    'suspended_at',
    'databases',
    'ip',
    'tls',
  ],
  additionalProperties: false,
};

const mb = (description: string): JsonSchema => ({ type: ['number', 'null'], minimum: 0, description });
const count = (description: string): JsonSchema => ({ type: ['integer', 'null'], minimum: 0, description });

/** USAGE_SCHEMA is one entry of the usage call: figures in MiB beside the plan's limits (null: unlimited or unknown). */
export const USAGE_SCHEMA: JsonSchema = {
  type: 'object',
  description: "An account's usage next to its plan's limits.",
  properties: {
    user: text('The account.'),
    disk_used_mb: mb('MiB of disk the home uses, from the last background measurement; null before the first.'),
    disk_limit_mb: count("The plan's disk quota; null is unlimited."),
    bandwidth_used_mb: mb('MiB sent to visitors this calendar month (UTC); null before its log was first read.'),
    bandwidth_limit_mb: count("The plan's monthly bandwidth; null is unlimited."),
    databases: { type: 'integer', minimum: 0, description: 'Customer databases the account has.' },
    max_databases: count("The plan's database limit; null is unlimited."),
    as_of: nullableTime('When the oldest of these figures was measured; null when none was.'),
  },
  required: [
    'user',
    'disk_used_mb',
    'disk_limit_mb',
    'bandwidth_used_mb',
    'bandwidth_limit_mb',
    'databases',
    'max_databases',
    'as_of',
  ],
  additionalProperties: false,
};

const limit = (description: string): FieldSchema => ({
  type: ['integer', 'null'],
  minimum: 0,
  description: `${description}; null or left out is unlimited.`,
});

/** PLAN_FIELDS are the fields of the Plan object, which `POST ?api=plans` also takes as its body. */
const PLAN_FIELDS: Readonly<Record<string, FieldSchema>> = {
  name: {
    type: 'string',
    pattern: '^[a-z0-9][a-z0-9_.-]{0,31}$',
    description: 'The plan name: 1 to 32 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit.',
  },
  disk_mb: limit('Disk quota in MiB'),
  max_databases: limit('Customer databases per account'),
  bandwidth_mb: limit('MiB a month (stored, not enforced yet)'),
  max_addon_domains: limit('Addon domains (stored, not enforced yet)'),
  max_email_accounts: limit('Email accounts (stored, not enforced yet)'),
  shell: { type: 'boolean', default: false, description: "A login shell for the account's system user." },
  php: {
    type: 'boolean',
    default: true,
    description: 'PHP through a PHP-FPM pool of the account; off, .php files answer 404.',
  },
  php_max_children: {
    type: 'integer',
    minimum: PHP_MAX_CHILDREN_RANGE.min,
    maximum: PHP_MAX_CHILDREN_RANGE.max,
    default: 5,
    description: 'The most PHP workers an account runs at once.',
  },
  php_memory_mb: {
    type: 'integer',
    minimum: PHP_MEMORY_MB_RANGE.min,
    maximum: PHP_MEMORY_MB_RANGE.max,
    default: 256,
    description: "Each PHP worker's memory_limit in MiB.",
  },
  created_at: {
    type: 'string',
    format: 'date-time',
    readOnly: true,
    description: 'When the plan was created; ignored in a request body.',
  },
};

/** PLAN_SCHEMA is the Plan object. */
export const PLAN_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'A hosting plan: a named set of limits.',
  properties: PLAN_FIELDS,
  required: Object.keys(PLAN_FIELDS),
  additionalProperties: false,
};

/** PLAN_BODY is the body of `POST ?api=plans`: a Plan object, only `name` required. */
export const PLAN_BODY: BodySpec = {
  type: 'object',
  description:
    'A Plan object. The plan named is created, or its settings replaced: a field left out takes its default (limits unlimited, shell off, PHP on with 5 workers of 256 MiB).',
  properties: PLAN_FIELDS,
  required: ['name'],
  additionalProperties: false,
};

/** SCOPE_SCHEMA is a token scope. */
export const SCOPE_SCHEMA: JsonSchema = { type: 'string', enum: SCOPES };

/** USER_FIELD is the `user` body field of the account actions. */
export const USER_FIELD: FieldSchema = {
  type: 'string',
  description: 'The account, unless the query string names it (both given: they must match).',
};
