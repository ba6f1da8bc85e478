import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseAccountQuery } from '../../../app/account-query.js';
import { usageOf } from '../../../app/account-usage.js';
import { changeAccountDomain } from '../../../app/change-account-domain.js';
import { createAccount } from '../../../app/create-account.js';
import { getAccount } from '../../../app/get-account.js';
import { getCertificate } from '../../../app/get-certificate.js';
import { requestCertificate } from '../../../app/request-certificate.js';
import { setForceHttps } from '../../../app/set-force-https.js';
import { createLoginLink, loginLinkUrl } from '../../../app/owner-login-link.js';
import { listAccounts } from '../../../app/list-accounts.js';
import { listPlans } from '../../../app/plans.js';
import type { AppContext } from '../../../app/ports.js';
import type { Account, Plan } from '../../../domain/types.js';
import type { UsageFigures } from '../../../domain/usage.js';
import { setAccountPassword } from '../../../app/set-account-password.js';
import { setAccountPlan } from '../../../app/set-account-plan.js';
import { suspendAccount } from '../../../app/suspend-account.js';
import { terminateAccount } from '../../../app/terminate-account.js';
import { unsuspendAccount } from '../../../app/unsuspend-account.js';
import { emptyForm } from '../../ui/form.js';
import { type PageDeps, adminOf, change, redirectWith, sendPage } from '../kit.js';
import { type FormBody, confirmTyped, failedForm, formBody, given, text } from '../../ui/kit.js';
import {
  type AccountAction,
  type AccountFilters,
  type AccountForms,
  AccountPage,
  AccountsPage,
  LoginLinkPage,
  NewAccountPage,
  PasswordShownPage,
  accountHref,
} from './views.js';

const PAGE_SIZE = 25;

/** usageOfAccounts gives the usage figures of the accounts shown, read from the store. */
async function usageOfAccounts(
  ctx: AppContext,
  accounts: readonly Account[],
  plans: readonly Plan[],
): Promise<Map<string, UsageFigures>> {
  const out = new Map<string, UsageFigures>();
  for (const a of accounts) out.set(a.user, await usageOf(ctx, a, plans.find((p) => p.name === a.plan) ?? null));
  return out;
}

/** registerAccountPages serves the account list, the create form and each account's page and actions. */
export function registerAccountPages(scope: FastifyInstance, deps: PageDeps): void {
  const { ctx } = deps;

  scope.get('/accounts', async (req, reply) => {
    const query = req.query as Record<string, unknown>;
    const filters: AccountFilters = {
      q: text(query, 'q').trim(),
      status: text(query, 'status'),
      plan: text(query, 'plan'),
    };
    // An empty field of the filter form means "any".
    const filter = parseAccountQuery(
      {
        q: given(filters.q),
        status: given(filters.status),
        plan: given(filters.plan),
        after: given(text(query, 'after')),
      },
      PAGE_SIZE,
    );
    const page = await listAccounts(ctx, filter);
    const plans = await listPlans(ctx);
    const usage = await usageOfAccounts(ctx, page.accounts, plans);
    return sendPage(
      deps,
      req,
      reply,
      'Accounts',
      <AccountsPage {...page} usage={usage} filters={filters} paged={filter.after !== undefined} plans={plans} />,
    );
  });

  scope.get('/accounts/new', async (req, reply) => {
    const plans = await listPlans(ctx);
    const content = <NewAccountPage csrf={reply.formToken()} form={emptyForm()} plans={plans} />;
    return sendPage(deps, req, reply, 'Create an account', content);
  });

  scope.post('/accounts', async (req, reply) => {
    const body = formBody(req);
    const values = {
      user: text(body, 'user').trim(),
      domain: text(body, 'domain').trim(),
      email: text(body, 'email').trim(),
      plan: text(body, 'plan'),
      password_mode: text(body, 'password_mode') === 'set' ? 'set' : 'generate',
    };
    const password = values.password_mode === 'set' ? text(body, 'password') : undefined;
    const params = {
      user: values.user,
      domain: values.domain,
      email: values.email || null,
      plan: values.plan || null,
      password_generated: password === undefined,
    };
    try {
      const result = await change(deps, req, 'account.create', values.user || null, params, () =>
        createAccount(ctx, {
          user: values.user,
          domain: values.domain,
          email: values.email || null,
          plan: values.plan || null,
          password,
        }),
      );
      const user = result.account.user;
      if (result.password === undefined) {
        return redirectWith(reply, accountHref(user), { kind: 'ok', text: `Created account ${user}.` });
      }
      reply.header('cache-control', 'no-store');
      const content = (
        <PasswordShownPage
          title={`Created account ${user}`}
          user={user}
          password={result.password}
          back="Go to the account"
        />
      );
      return sendPage(deps, req, reply, 'Account created', content, 201);
    } catch (err) {
      const failed = failedForm(err, values, ['user', 'domain', 'email', 'plan', 'password']);
      const plans = await listPlans(ctx);
      const content = <NewAccountPage csrf={reply.formToken()} form={failed.form} plans={plans} />;
      return sendPage(deps, req, reply, 'Create an account', content, failed.status);
    }
  });

  const showAccount = async (
    req: FastifyRequest,
    reply: FastifyReply,
    user: string,
    forms: AccountForms = {},
    status = 200,
  ) => {
    const account = await getAccount(ctx, user);
    const plans = await listPlans(ctx);
    const usage = await usageOf(ctx, account, plans.find((p) => p.name === account.plan) ?? null);
    const certificate = ctx.acme === null ? undefined : await getCertificate(ctx, user);
    const content = (
      <AccountPage
        account={account}
        usage={usage}
        plans={plans}
        csrf={reply.formToken()}
        forms={forms}
        certificate={certificate}
        now={ctx.now()}
      />
    );
    return sendPage(deps, req, reply, `Account ${user}`, content, status);
  };
  const userOf = (req: FastifyRequest) => (req.params as { user: string }).user;

  scope.get('/accounts/:user', async (req, reply) => showAccount(req, reply, userOf(req)));

  /**
   * action serves one form of the account page: it runs the change (audited as the admin) and
   * redirects with the message it returns, or sends the page it returns; on an error it re-shows
   * the account page with the error at that form, keeping the `keep` values.
   */
  const action = (
    name: AccountAction,
    fields: readonly string[],
    keep: (body: FormBody) => Record<string, string>,
    run: (req: FastifyRequest, reply: FastifyReply, user: string, body: FormBody) => Promise<FastifyReply | string>,
  ) => {
    scope.post(`/accounts/:user/${name}`, async (req, reply) => {
      const user = userOf(req);
      const body = formBody(req);
      try {
        const done = await run(req, reply, user, body);
        if (typeof done !== 'string') return done;
        return redirectWith(reply, accountHref(user), { kind: 'ok', text: done });
      } catch (err) {
        const failed = failedForm(err, keep(body), fields);
        return showAccount(req, reply, user, { [name]: failed.form }, failed.status);
      }
    });
  };
  const nothing = () => ({});

  action(
    'suspend',
    ['reason'],
    (body) => ({ reason: text(body, 'reason') }),
    async (req, _reply, user, body) => {
      const reason = given(text(body, 'reason')) ?? null;
      const r = await change(deps, req, 'account.suspend', user, { user, reason }, () =>
        suspendAccount(ctx, user, reason),
      );
      return r.changed ? `Suspended ${user}.` : `${user} was already suspended.`;
    },
  );
  action('unsuspend', [], nothing, async (req, _reply, user) => {
    const r = await change(deps, req, 'account.unsuspend', user, { user }, () => unsuspendAccount(ctx, user));
    return r.changed ? `Unsuspended ${user}.` : `${user} was not suspended.`;
  });
  action(
    'plan',
    ['plan'],
    (body) => ({ plan: text(body, 'plan') }),
    async (req, _reply, user, body) => {
      const plan = given(text(body, 'plan')) ?? null;
      const r = await change(deps, req, 'account.plan', user, { user, plan }, () => setAccountPlan(ctx, user, plan));
      return r.changed
        ? `${user} is now on ${plan === null ? 'no plan' : `plan ${plan}`}.`
        : `${user} was already on that plan.`;
    },
  );
  action(
    'domain',
    ['domain'],
    (body) => ({ domain: text(body, 'domain') }),
    async (req, _reply, user, body) => {
      const domain = text(body, 'domain').trim();
      const r = await change(deps, req, 'account.domain', user, { user, domain }, () =>
        changeAccountDomain(ctx, user, domain),
      );
      return r.changed ? `${user} is now on ${r.account.domain}.` : `${user} already has that domain.`;
    },
  );
  // A password typed is never shown again, not even after an error.
  action('password', ['password'], nothing, async (req, reply, user, body) => {
    const password = given(text(body, 'password'));
    const r = await change(
      deps,
      req,
      'account.password',
      user,
      { user, password_generated: password === undefined },
      () => setAccountPassword(ctx, user, password),
    );
    if (r.password === undefined) return `Set the password of ${user}.`;
    reply.header('cache-control', 'no-store');
    const content = (
      <PasswordShownPage
        title={`New password for ${user}`}
        user={user}
        password={r.password}
        back="Back to the account"
      />
    );
    return sendPage(deps, req, reply, 'Password set', content);
  });
  // The link opens from a page, not through a redirect: vWHM's policy lets forms lead to vWHM alone.
  action('login', [], nothing, async (req, reply, user) => {
    const admin = adminOf(req);
    const link = await change(deps, req, 'account.login', user, { user }, () =>
      createLoginLink(ctx, user, `admin:${admin}`),
    );
    const url = loginLinkUrl(deps.panelUrl(req), link.secret);
    const content = <LoginLinkPage user={user} url={url} expiresAt={link.expiresAt} />;
    return sendPage(deps, req, reply, `Log in as ${user}`, content);
  });
  action('certificate', [], nothing, async (req, _reply, user) => {
    await change(deps, req, 'certificate.request', user, { user }, () => requestCertificate(ctx, user));
    return `A certificate for ${user} is being issued in the background.`;
  });
  action('https', ['force_https'], nothing, async (req, _reply, user, body) => {
    const on = text(body, 'force_https') === 'on';
    await change(deps, req, 'certificate.force_https', user, { user, on }, () => setForceHttps(ctx, user, on));
    return on ? `${user} now redirects HTTP to HTTPS.` : `${user} no longer redirects HTTP to HTTPS.`;
  });
  action(
    'terminate',
    ['confirm'],
    (body) => ({ confirm: text(body, 'confirm') }),
    async (req, reply, user, body) => {
      await change(deps, req, 'account.terminate', user, { user }, async () => {
        confirmTyped(text(body, 'confirm'), user, 'the user name');
        return terminateAccount(ctx, user);
      });
      return redirectWith(reply, '/accounts', { kind: 'ok', text: `Terminated ${user}.` });
    },
  );
}
