import { createAccount } from '../../app/create-account.js';
import { getAccount } from '../../app/get-account.js';
import { type AccountQueryInput, parseAccountQuery } from '../../app/account-query.js';
import { listAccounts } from '../../app/list-accounts.js';
import { createLoginLink, loginLinkUrl } from '../../app/owner-login-link.js';
import type { AppContext } from '../../app/ports.js';
import { setAccountPassword } from '../../app/set-account-password.js';
import { setAccountPlan } from '../../app/set-account-plan.js';
import { suspendAccount } from '../../app/suspend-account.js';
import { terminateAccount } from '../../app/terminate-account.js';
import { unsuspendAccount } from '../../app/unsuspend-account.js';
import { DomainError } from '../../domain/errors.js';
import type { Scope } from '../../domain/scopes.js';
import type { ApiToken } from '../../domain/types.js';
import { accountJson } from '../../presenters/account.js';
import { VERSION } from '../../version.js';
import { type BodySpec, type JsonBody, type Query, accountUser, queryValue } from './request.js';
import { domainAction } from './account-domain.js';
import { usageEndpoint } from './usage.js';

/** CallInput is what an endpoint receives once the caller is authenticated and allowed. */
export interface CallInput {
  ctx: AppContext;
  token: ApiToken;
  query: Query;
  body: JsonBody;
  /** panelUrl is the user panel's base URL, for links the call hands out. */
  panelUrl: () => string;
}

/** Endpoint is one API call: its scope, its body rules and its handler. */
export interface Endpoint {
  scope: Scope | null;
  /** body is absent for calls that read no body (GET). */
  body?: BodySpec;
  run(input: CallInput): Promise<{ status: number; body: Record<string, unknown> }>;
}

type Method = 'GET' | 'POST' | 'DELETE';

const ok = (body: Record<string, unknown>, status = 200) => ({ status, body: { ok: true, ...body } });

const ping: Endpoint = {
  scope: null,
  run: async ({ token }) =>
    ok({ token: { name: token.name, scopes: token.scopes, expires_at: token.expiresAt }, version: VERSION }),
};

const listAccountsEndpoint: Endpoint = {
  scope: 'accounts:read',
  run: async ({ ctx, query }) => {
    const input: AccountQueryInput = {};
    for (const key of ['status', 'plan', 'q', 'limit', 'after'] as const) input[key] = queryValue(query, key);
    const page = await listAccounts(ctx, parseAccountQuery(input));
    return ok({ accounts: page.accounts.map(accountJson), total: page.total, next: page.next });
  },
};

const getAccountEndpoint: Endpoint = {
  scope: 'accounts:read',
  run: async ({ ctx, query }) => ok({ account: accountJson(await getAccount(ctx, accountUser(query, {}))) }),
};

const createAccountEndpoint: Endpoint = {
  scope: 'accounts:write',
  body: {
    fields: { user: 'string', domain: 'string', email: 'string', password: 'string', plan: 'string|null' },
    required: ['user', 'domain'],
  },
  run: async ({ ctx, body }) => {
    const result = await createAccount(ctx, {
      user: body.user as string,
      domain: body.domain as string,
      email: body.email as string | undefined,
      password: body.password as string | undefined,
      plan: body.plan as string | null | undefined,
    });
    const extra = result.password === undefined ? {} : { password: result.password };
    return ok({ account: accountJson(result.account), ...extra }, 201);
  },
};

const ACCOUNT_ACTIONS: Record<string, Endpoint> = {
  suspend: {
    scope: 'accounts:write',
    body: { fields: { user: 'string', reason: 'string|null' } },
    run: async ({ ctx, query, body }) => {
      const r = await suspendAccount(ctx, accountUser(query, body), (body.reason as string | null | undefined) ?? null);
      return ok({ account: accountJson(r.account), changed: r.changed });
    },
  },
  unsuspend: {
    scope: 'accounts:write',
    body: { fields: { user: 'string' } },
    run: async ({ ctx, query, body }) => {
      const r = await unsuspendAccount(ctx, accountUser(query, body));
      return ok({ account: accountJson(r.account), changed: r.changed });
    },
  },
  password: {
    scope: 'accounts:write',
    body: { fields: { user: 'string', password: 'string' } },
    run: async ({ ctx, query, body }) =>
      ok(await setAccountPassword(ctx, accountUser(query, body), body.password as string | undefined)),
  },
  login: {
    scope: 'accounts:write',
    body: { fields: { user: 'string' } },
    run: async ({ ctx, token, query, body, panelUrl }) => {
      const link = await createLoginLink(ctx, accountUser(query, body), `token:${token.name}`);
      return ok({ url: loginLinkUrl(panelUrl(), link.secret), expires_at: link.expiresAt });
    },
  },
  plan: {
    scope: 'accounts:write',
    body: { fields: { user: 'string', plan: 'string|null' }, required: ['plan'] },
    run: async ({ ctx, query, body }) => {
      const r = await setAccountPlan(ctx, accountUser(query, body), body.plan as string | null);
      return ok({ account: accountJson(r.account), changed: r.changed });
    },
  },
  domain: domainAction,
};

const terminateAccountEndpoint: Endpoint = {
  scope: 'accounts:delete',
  body: { fields: { user: 'string' } },
  run: async ({ ctx, query, body }) => {
    const r = await terminateAccount(ctx, accountUser(query, body));
    return ok({ user: r.user, dropped_databases: r.droppedDatabases });
  },
};

const ROUTES: Record<string, Partial<Record<Method, Endpoint | 'actions'>>> = {
  ping: { GET: ping },
  accounts: { GET: listAccountsEndpoint, POST: createAccountEndpoint },
  account: { GET: getAccountEndpoint, POST: 'actions', DELETE: terminateAccountEndpoint },
  usage: { GET: usageEndpoint },
};

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
  if (found !== 'actions') return found;
  const endpoint = action !== undefined && Object.hasOwn(ACCOUNT_ACTIONS, action) ? ACCOUNT_ACTIONS[action] : undefined;
  if (!endpoint) {
    throw new DomainError('unknown_action', `action must be one of ${Object.keys(ACCOUNT_ACTIONS).join(', ')}`, {
      param: 'action',
    });
  }
  return endpoint;
}

/** auditAction names a mutating call for the audit log, even before it is authenticated or routed. */
export function auditAction(api: string | undefined, method: string, action: string | undefined): string {
  if (api === 'accounts' && method === 'POST') return 'account.create';
  if (api === 'account' && method === 'DELETE') return 'account.terminate';
  if (api === 'account' && method === 'POST' && action !== undefined && Object.hasOwn(ACCOUNT_ACTIONS, action)) {
    return `account.${action}`;
  }
  return 'api.unknown';
}
