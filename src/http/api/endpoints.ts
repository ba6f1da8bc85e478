import { type AccountQueryInput, parseAccountQuery } from '../../app/account-query.js';
import { listUsage } from '../../app/account-usage.js';
import { changeAccountDomain } from '../../app/change-account-domain.js';
import { createAccount } from '../../app/create-account.js';
import { getAccount } from '../../app/get-account.js';
import { listAccounts } from '../../app/list-accounts.js';
import { createLoginLink, loginLinkUrl } from '../../app/owner-login-link.js';
import { type PlanSettings, listPlans, planLimitsFrom, savePlan } from '../../app/plans.js';
import type { AppContext } from '../../app/ports.js';
import { setAccountPassword } from '../../app/set-account-password.js';
import { setAccountPlan } from '../../app/set-account-plan.js';
import { suspendAccount } from '../../app/suspend-account.js';
import { terminateAccount } from '../../app/terminate-account.js';
import { unsuspendAccount } from '../../app/unsuspend-account.js';
import { DomainError, type ErrorCode } from '../../domain/errors.js';
import type { Scope } from '../../domain/scopes.js';
import { ACCOUNT_STATUSES, type ApiToken } from '../../domain/types.js';
import { accountJson } from '../../presenters/account.js';
import { planJson } from '../../presenters/plan.js';
import { usageJson } from '../../presenters/usage.js';
import { VERSION } from '../../version.js';
import type { BodySpec, JsonSchema } from './json-schema.js';
import { type JsonBody, type Query, accountUser, queryValue } from './request.js';
import { ACCOUNT_SCHEMA, PLAN_BODY, PLAN_SCHEMA, SCOPE_SCHEMA, USAGE_SCHEMA, USER_FIELD } from './schemas.js';

/** CallInput is what an endpoint receives once the caller is authenticated and allowed. */
export interface CallInput {
  ctx: AppContext;
  token: ApiToken;
  query: Query;
  body: JsonBody;
  /** panelUrl is the user panel's base URL, for links the call hands out. */
  panelUrl: () => string;
}

/** QueryParam is one query-string parameter a call reads besides `api` and `action`. */
export interface QueryParam {
  description: string;
  required?: boolean;
  schema: JsonSchema;
}

/** CallResult is an endpoint's answer: its status and JSON body. */
export interface CallResult {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Endpoint is one API call: what it is for, its scope, its query parameters and body, the shape of
 * its success, the error codes of its own, and its handler. The dispatcher enforces the scope and
 * the body's fields; the OpenAPI document is generated from the same table.
 */
export interface Endpoint {
  /** operationId names the call in the OpenAPI document, and so in generated clients. */
  operationId: string;
  summary: string;
  description: string;
  /** scope is the scope a token needs; null: any valid token. */
  scope: Scope | null;
  query?: Readonly<Record<string, QueryParam>>;
  /** body is absent for calls that read no body (GET). */
  body?: BodySpec;
  /** success lists the statuses of a success; `response` is the schema of its fields besides `ok`. */
  success: readonly number[];
  response: Readonly<Record<string, JsonSchema>>;
  /** optional names the response fields that are not always present. */
  optional?: readonly string[];
  /** errors are the codes the call itself may answer, besides those every call shares. */
  errors: readonly ErrorCode[];
  run(input: CallInput): Promise<CallResult>;
  /**
   * cacheKey, on a read call whose answer depends only on the stored state and these query values (not on the
   * token, the time or the host), names the answer so that it can be kept until the store changes.
   */
  cacheKey?: (query: Query) => string;
}

/** Method is an HTTP method some call accepts (HEAD is answered as GET). */
export type Method = 'GET' | 'POST' | 'DELETE';

const ok = (body: Record<string, unknown>, status = 200): CallResult => ({ status, body: { ok: true, ...body } });

const USER_QUERY: Readonly<Record<string, QueryParam>> = {
  user: { description: 'The account (or `user` in the body).', schema: { type: 'string' } },
};

const account = { account: ACCOUNT_SCHEMA } as const;
const changed = { type: 'boolean', description: 'false when the account already was in that state.' } as const;
const password = {
  type: 'string',
  description: 'The generated password, present only when the request gave none; no call returns it again.',
} as const;
const ACCOUNT_CHANGE_ERRORS: readonly ErrorCode[] = ['account_not_found', 'account_busy', 'provisioning_failed'];

const ping: Endpoint = {
  operationId: 'ping',
  summary: 'Check the token',
  description: 'Checks that the token works and tells what it may do.',
  scope: null,
  success: [200],
  response: {
    token: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        scopes: { type: 'array', items: SCOPE_SCHEMA },
        expires_at: { type: ['string', 'null'], format: 'date-time' },
      },
      required: ['name', 'scopes', 'expires_at'],
    },
    version: { type: 'string', description: "The panel's version." },
  },
  errors: [],
  run: async ({ token }) =>
    ok({ token: { name: token.name, scopes: token.scopes, expires_at: token.expiresAt }, version: VERSION }),
};

/** LISTING_PARAMS are the query values the account listing reads. */
const LISTING_PARAMS = ['status', 'plan', 'q', 'limit', 'after'] as const;

const listAccountsEndpoint: Endpoint = {
  operationId: 'listAccounts',
  summary: 'List accounts',
  description: 'One page of accounts, ordered by user name.',
  scope: 'accounts:read',
  query: {
    status: { description: 'Only accounts in this status.', schema: { type: 'string', enum: ACCOUNT_STATUSES } },
    plan: { description: 'Only accounts on this plan.', schema: { type: 'string' } },
    q: { description: 'Only accounts whose user name or domain contains this text.', schema: { type: 'string' } },
    limit: { description: 'Page size.', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
    after: { description: 'The `next` value of the previous page.', schema: { type: 'string' } },
  },
  success: [200],
  response: {
    accounts: { type: 'array', items: ACCOUNT_SCHEMA },
    total: { type: 'integer', description: 'How many accounts match the filters in all.' },
    next: { type: ['string', 'null'], description: 'The cursor of the next page; null on the last page.' },
  },
  errors: [],
  cacheKey: (query) => JSON.stringify(LISTING_PARAMS.map((key) => query[key] ?? null)),
  run: async ({ ctx, query }) => {
    const input: AccountQueryInput = {};
    for (const key of LISTING_PARAMS) input[key] = queryValue(query, key);
    const page = await listAccounts(ctx, parseAccountQuery(input));
    const accounts = page.accounts.map((a) => accountJson(a, ctx.publicIp));
    return ok({ accounts, total: page.total, next: page.next });
  },
};

const getAccountEndpoint: Endpoint = {
  operationId: 'getAccount',
  summary: 'View one account',
  description: 'The Account object of one account.',
  scope: 'accounts:read',
  query: { user: { description: 'The account.', required: true, schema: { type: 'string' } } },
  success: [200],
  response: account,
  errors: ['invalid_user', 'account_not_found'],
  run: async ({ ctx, query }) =>
    ok({ account: accountJson(await getAccount(ctx, accountUser(query, {})), ctx.publicIp) }),
};

const createAccountEndpoint: Endpoint = {
  operationId: 'createAccount',
  summary: 'Create an account',
  description:
    'Makes the system user and home, sets the password, writes the web-server configuration and reloads it; a failed step is undone. Send an Idempotency-Key to retry safely.',
  scope: 'accounts:write',
  body: {
    type: 'object',
    properties: {
      user: { type: 'string', pattern: '^[a-z][a-z0-9]{0,15}$', description: "The account's user name." },
      domain: { type: 'string', description: 'The primary domain.' },
      email: { type: 'string', description: 'Contact address.' },
      password: { type: 'string', minLength: 10, maxLength: 128, description: 'Generated when left out.' },
      plan: { type: ['string', 'null'], description: 'A plan name; null or left out: no plan (unlimited).' },
    },
    required: ['user', 'domain'],
    additionalProperties: false,
  },
  success: [201],
  response: { ...account, password },
  optional: ['password'],
  errors: [
    'invalid_user',
    'invalid_domain',
    'invalid_email',
    'weak_password',
    'unknown_plan',
    'account_exists',
    'domain_exists',
    'account_busy',
    'provisioning_failed',
  ],
  run: async ({ ctx, body }) => {
    const result = await createAccount(ctx, {
      user: body.user as string,
      domain: body.domain as string,
      email: body.email as string | undefined,
      password: body.password as string | undefined,
      plan: body.plan as string | null | undefined,
    });
    const extra = result.password === undefined ? {} : { password: result.password };
    return ok({ account: accountJson(result.account, ctx.publicIp), ...extra }, 201);
  },
};

const userOnly: BodySpec = { type: 'object', properties: { user: USER_FIELD }, additionalProperties: false };

/** ACCOUNT_ACTIONS are the `POST ?api=account&action=NAME` calls. */
const ACCOUNT_ACTIONS: Readonly<Record<string, Endpoint>> = {
  suspend: {
    operationId: 'suspendAccount',
    summary: 'Suspend an account',
    description: "Locks the system user and database users, serves the suspended page and ends the owner's sessions.",
    scope: 'accounts:write',
    query: USER_QUERY,
    body: {
      type: 'object',
      properties: {
        user: USER_FIELD,
        reason: { type: ['string', 'null'], maxLength: 255, description: 'A note kept as suspend_reason.' },
      },
      additionalProperties: false,
    },
    success: [200],
    response: { ...account, changed },
    errors: ACCOUNT_CHANGE_ERRORS,
    run: async ({ ctx, query, body }) => {
      const r = await suspendAccount(ctx, accountUser(query, body), (body.reason as string | null | undefined) ?? null);
      return ok({ account: accountJson(r.account, ctx.publicIp), changed: r.changed });
    },
  },
  unsuspend: {
    operationId: 'unsuspendAccount',
    summary: 'Unsuspend an account',
    description: 'Undoes a suspension.',
    scope: 'accounts:write',
    query: USER_QUERY,
    body: userOnly,
    success: [200],
    response: { ...account, changed },
    errors: ACCOUNT_CHANGE_ERRORS,
    run: async ({ ctx, query, body }) => {
      const r = await unsuspendAccount(ctx, accountUser(query, body));
      return ok({ account: accountJson(r.account, ctx.publicIp), changed: r.changed });
    },
  },
  password: {
    operationId: 'setAccountPassword',
    summary: "Set an account's password",
    description: "Sets the owner's password (generated when left out) and ends the owner's sessions.",
    scope: 'accounts:write',
    query: USER_QUERY,
    body: {
      type: 'object',
      properties: {
        user: USER_FIELD,
        password: { type: 'string', minLength: 10, maxLength: 128, description: 'Generated when left out.' },
      },
      additionalProperties: false,
    },
    success: [200],
    response: { user: { type: 'string' }, password },
    optional: ['password'],
    errors: ['weak_password', ...ACCOUNT_CHANGE_ERRORS],
    run: async ({ ctx, query, body }) =>
      ok(await setAccountPassword(ctx, accountUser(query, body), body.password as string | undefined)),
  },
  login: {
    operationId: 'createLoginLink',
    summary: 'Make a single sign-on link',
    description: "A link that opens the user panel signed in as the account's owner: once, within 60 seconds.",
    scope: 'accounts:write',
    query: USER_QUERY,
    body: userOnly,
    success: [200],
    response: {
      url: { type: 'string', format: 'uri', description: 'The one-time sign-on link.' },
      expires_at: { type: 'string', format: 'date-time' },
    },
    errors: ['account_not_found', 'account_suspended', 'account_busy'],
    run: async ({ ctx, token, query, body, panelUrl }) => {
      const link = await createLoginLink(ctx, accountUser(query, body), `token:${token.name}`);
      return ok({ url: loginLinkUrl(panelUrl(), link.secret), expires_at: link.expiresAt });
    },
  },
  plan: {
    operationId: 'setAccountPlan',
    summary: "Set or clear an account's plan",
    description: "Puts the account on a plan (null: none) and applies the plan's limits to the host every time.",
    scope: 'accounts:write',
    query: USER_QUERY,
    body: {
      type: 'object',
      properties: {
        user: USER_FIELD,
        plan: { type: ['string', 'null'], description: 'A plan name, or null for no plan.' },
      },
      required: ['plan'],
      additionalProperties: false,
    },
    success: [200],
    response: { ...account, changed },
    errors: ['unknown_plan', ...ACCOUNT_CHANGE_ERRORS],
    run: async ({ ctx, query, body }) => {
      const r = await setAccountPlan(ctx, accountUser(query, body), body.plan as string | null);
      return ok({ account: accountJson(r.account, ctx.publicIp), changed: r.changed });
    },
  },
  domain: {
    operationId: 'changeAccountDomain',
    summary: "Change an account's primary domain",
    description:
      'Moves the site to the new domain (and www. of it): the server block is rewritten and checked, and the old name no longer answers. The same domain again changes nothing.',
    scope: 'accounts:write',
    query: USER_QUERY,
    body: {
      type: 'object',
      properties: {
        user: USER_FIELD,
        domain: { type: 'string', description: 'The new primary domain.' },
      },
      required: ['domain'],
      additionalProperties: false,
    },
    success: [200],
    response: { ...account, changed: { type: 'boolean', description: 'false when the account already had it.' } },
    errors: ['invalid_domain', 'domain_exists', ...ACCOUNT_CHANGE_ERRORS],
    run: async ({ ctx, query, body }) => {
      const r = await changeAccountDomain(ctx, accountUser(query, body), body.domain as string);
      return ok({ account: accountJson(r.account, ctx.publicIp), changed: r.changed });
    },
  },
};

const usageEndpoint: Endpoint = {
  operationId: 'listUsage',
  summary: 'Usage figures',
  description:
    "Each account's disk used, bandwidth this calendar month and databases, next to its plan's limits; with user, that account only.",
  scope: 'accounts:read',
  query: {
    user: { description: 'Only this account (one entry).', schema: { type: 'string' } },
  },
  success: [200],
  response: { usage: { type: 'array', items: USAGE_SCHEMA } },
  errors: ['invalid_user', 'account_not_found'],
  run: async ({ ctx, query }) => {
    const usage = await listUsage(ctx, queryValue(query, 'user'));
    return ok({ usage: usage.map(usageJson) });
  },
};

const terminateAccountEndpoint: Endpoint = {
  operationId: 'terminateAccount',
  summary: 'Terminate an account',
  description: 'Drops its databases, removes its web-server configuration, system user and home, then its records.',
  scope: 'accounts:delete',
  query: USER_QUERY,
  body: userOnly,
  success: [200],
  response: {
    user: { type: 'string' },
    dropped_databases: { type: 'array', items: { type: 'string' }, description: 'The databases dropped, sorted.' },
  },
  errors: ACCOUNT_CHANGE_ERRORS,
  run: async ({ ctx, query, body }) => {
    const r = await terminateAccount(ctx, accountUser(query, body));
    return ok({ user: r.user, dropped_databases: r.droppedDatabases });
  },
};

const listPlansEndpoint: Endpoint = {
  operationId: 'listPlans',
  summary: 'List plans',
  description: 'Every plan, by name.',
  scope: 'accounts:read',
  success: [200],
  response: { plans: { type: 'array', items: PLAN_SCHEMA } },
  errors: [],
  run: async ({ ctx }) => ok({ plans: (await listPlans(ctx)).map(planJson) }),
};

const savePlanEndpoint: Endpoint = {
  operationId: 'savePlan',
  summary: 'Create or update a plan',
  description:
    'Creates the plan named (201) or replaces the settings of the one that exists (200). Accounts on an updated plan get its limits on the host at their next plan change or unsuspend.',
  scope: 'plans:write',
  body: PLAN_BODY,
  success: [201, 200],
  response: {
    plan: PLAN_SCHEMA,
    created: { type: 'boolean', description: 'true when the plan was made, false when it was updated.' },
  },
  errors: [],
  run: async ({ ctx, body }) => {
    const { plan, created } = await savePlan(ctx, body.name as string, planLimitsFrom(body as PlanSettings));
    return ok({ plan: planJson(plan), created }, created ? 201 : 200);
  },
};

/**
 * ROUTES maps each `api` name and method to its call; `actions` picks one of ACCOUNT_ACTIONS by
 * `action`; `document` is the OpenAPI document, which is answered before authentication.
 */
const ROUTES: Readonly<Record<string, Partial<Record<Method, Endpoint | 'actions' | 'document'>>>> = {
  ping: { GET: ping },
  accounts: { GET: listAccountsEndpoint, POST: createAccountEndpoint },
  account: { GET: getAccountEndpoint, POST: 'actions', DELETE: terminateAccountEndpoint },
  usage: { GET: usageEndpoint },
  plans: { GET: listPlansEndpoint, POST: savePlanEndpoint },
  openapi: { GET: 'document' },
};

/** isDocumentCall tells whether a request asks for the OpenAPI document, which needs no token. */
export function isDocumentCall(api: string | undefined, method: string): boolean {
  return api === 'openapi' && (method === 'GET' || method === 'HEAD');
}

/** resolveEndpoint routes an authenticated call: `unknown_api`, `method_not_allowed` or `unknown_action` when it cannot. */
export function resolveEndpoint(api: string | undefined, method: string, action: string | undefined): Endpoint {
  const route = api === undefined ? undefined : Object.hasOwn(ROUTES, api) ? ROUTES[api] : undefined;
  if (!route) throw new DomainError('unknown_api', `there is no API call named "${api ?? ''}"`);
  const wanted = method === 'HEAD' ? 'GET' : method;
  const found = Object.hasOwn(route, wanted) ? route[wanted as Method] : undefined;
  if (found === undefined) {
    const allow = Object.keys(route);
    throw new DomainError('method_not_allowed', `${method} is not allowed here; use ${allow.join(' or ')}`, { allow });
  }
  // The document is answered before authentication; an authenticated GET for it never gets here.
  if (found === 'document') throw new DomainError('unknown_api', 'the OpenAPI document needs no token');
  if (found !== 'actions') return found;
  const endpoint = action !== undefined && Object.hasOwn(ACCOUNT_ACTIONS, action) ? ACCOUNT_ACTIONS[action] : undefined;
  if (!endpoint) {
    throw new DomainError('unknown_action', `action must be one of ${Object.keys(ACCOUNT_ACTIONS).join(', ')}`, {
      param: 'action',
    });
  }
  return endpoint;
}

/** RoutedEndpoint is one call of the table with the `api`, method and `action` that reach it. */
export interface RoutedEndpoint {
  api: string;
  method: Method;
  action: string | null;
  endpoint: Endpoint;
}

/** listEndpoints walks the whole table, in its order: every call the API answers. */
export function listEndpoints(): RoutedEndpoint[] {
  const out: RoutedEndpoint[] = [];
  for (const [api, methods] of Object.entries(ROUTES)) {
    for (const [method, found] of Object.entries(methods) as [Method, Endpoint | 'actions' | 'document'][]) {
      if (found === 'document') continue;
      if (found !== 'actions') {
        out.push({ api, method, action: null, endpoint: found });
        continue;
      }
      for (const [action, endpoint] of Object.entries(ACCOUNT_ACTIONS)) out.push({ api, method, action, endpoint });
    }
  }
  return out;
}

/** auditAction names a mutating call for the audit log, even before it is authenticated or routed. */
export function auditAction(api: string | undefined, method: string, action: string | undefined): string {
  if (api === 'accounts' && method === 'POST') return 'account.create';
  if (api === 'account' && method === 'DELETE') return 'account.terminate';
  if (api === 'account' && method === 'POST' && action !== undefined && Object.hasOwn(ACCOUNT_ACTIONS, action)) {
    return `account.${action}`;
  }
  if (api === 'plans' && method === 'POST') return 'plan.save';
  return 'api.unknown';
}

/** auditTarget names what a mutating call acts on, from its query and (parsed) body: a user, or a plan. */
export function auditTarget(api: string | undefined, query: Query, body: JsonBody | null): string | null {
  if (api === 'plans') return typeof body?.name === 'string' ? body.name : null;
  if (typeof body?.user === 'string') return body.user;
  return typeof query.user === 'string' ? query.user : null;
}
