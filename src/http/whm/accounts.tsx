import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createAccount } from '../../app/create-account.js';
import { getAccount } from '../../app/get-account.js';
import { parseAccountQuery } from '../../app/account-query.js';
import { listAccounts } from '../../app/list-accounts.js';
import { listPlans } from '../../app/plans.js';
import { setAccountPassword } from '../../app/set-account-password.js';
import { setAccountPlan } from '../../app/set-account-plan.js';
import { suspendAccount } from '../../app/suspend-account.js';
import { terminateAccount } from '../../app/terminate-account.js';
import { unsuspendAccount } from '../../app/unsuspend-account.js';
import { DomainError } from '../../domain/errors.js';
import { ACCOUNT_STATUSES, type Account, type AccountStatus, type Plan } from '../../domain/types.js';
import { Csrf, Field, FormMessage, type FormState, OneTimeSecret, SelectField, emptyForm } from './form.js';
import { type PageDeps, change, failedForm, formBody, given, redirectWith, sendPage, text, when } from './kit.js';

const PAGE_SIZE = 25;

/** AccountForms are the forms of the account page, each re-shown with its own errors. */
type AccountForms = Partial<Record<'suspend' | 'unsuspend' | 'password' | 'plan' | 'terminate', FormState>>;

function planOptions(plans: readonly Plan[], none: string): [string, string][] {
  return [['', none], ...plans.map((p): [string, string] => [p.name, p.name])];
}

function StatusBadge(props: { status: AccountStatus }) {
  return <span class={`badge s-${props.status}`}>{props.status}</span>;
}

function accountHref(user: string): string {
  return `/accounts/${encodeURIComponent(user)}`;
}

function listQuery(filters: Record<string, string>, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filters, ...extra })) if (v !== '') params.set(k, v);
  const qs = params.toString();
  return qs === '' ? '/accounts' : `/accounts?${qs}`;
}

function AccountList(props: {
  accounts: Account[];
  total: number;
  next: string | null;
  filters: Record<string, string>;
  paged: boolean;
}) {
  return (
    <div id="account-results">
      <p role="status">{`${props.total} account${props.total === 1 ? '' : 's'} match.`}</p>
      {props.accounts.length === 0 ? null : (
        <div class="table-wrap">
          <table class="responsive">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Domain</th>
                <th scope="col">Plan</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {props.accounts.map((a) => (
                <tr>
                  <td data-label="User">
                    <a href={accountHref(a.user)}>{a.user}</a>
                  </td>
                  <td data-label="Domain">{a.domain}</td>
                  <td data-label="Plan">{a.plan ?? '—'}</td>
                  <td data-label="Status">
                    <StatusBadge status={a.status} />
                  </td>
                  <td data-label="Created">{when(a.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Pages">
        {props.paged ? <a href={listQuery(props.filters)}>First page</a> : null}
        {props.next ? <a href={listQuery(props.filters, { after: props.next })}>Next page</a> : null}
      </nav>
    </div>
  );
}

function NewAccountForm(props: { csrf: string; form: FormState; plans: readonly Plan[] }) {
  const { form } = props;
  const generate = (form.values.password_mode ?? 'generate') !== 'set';
  return (
    <form class="stack card" method="post" action="/accounts">
      <Csrf token={props.csrf} />
      <FormMessage form={form} />
      <Field
        form={form}
        name="user"
        label="User name"
        required
        autocomplete="off"
        hint="1-16 lower-case letters or digits, starting with a letter."
      />
      <Field form={form} name="domain" label="Domain" required autocomplete="off" placeholder="example.com" />
      <Field
        form={form}
        name="email"
        label="Contact email (optional)"
        type="email"
        autocomplete="off"
        inputmode="email"
      />
      <SelectField form={form} name="plan" label="Plan" options={planOptions(props.plans, 'No plan (unlimited)')} />
      <fieldset>
        <legend>Password</legend>
        <label class="check">
          <input type="radio" name="password_mode" value="generate" checked={generate} /> Generate a strong password
          (shown once)
        </label>
        <label class="check">
          <input type="radio" name="password_mode" value="set" checked={!generate} /> Set this password:
        </label>
        <Field
          form={form}
          name="password"
          label="Password"
          type="password"
          secret
          autocomplete="new-password"
          hint="10-128 characters, not containing the user name."
        />
      </fieldset>
      <p class="actions">
        <button type="submit">Create account</button>
        <a href="/accounts">Cancel</a>
      </p>
    </form>
  );
}

function AccountPage(props: { account: Account; plans: readonly Plan[]; csrf: string; forms: AccountForms }) {
  const a = props.account;
  const href = accountHref(a.user);
  const form = (key: keyof AccountForms, values: Record<string, string> = {}) => props.forms[key] ?? emptyForm(values);
  const suspendForm = form('suspend');
  const planForm = form('plan', { plan: a.plan ?? '' });
  const passwordForm = form('password');
  const terminateForm = form('terminate');
  const unsuspendForm = form('unsuspend');
  return (
    <>
      <h1>
        Account <span class="mono">{a.user}</span> <StatusBadge status={a.status} />
      </h1>
      <section class="card" aria-label="Details">
        <dl class="facts">
          <dt>Domain</dt>
          <dd>{a.domain}</dd>
          <dt>Email</dt>
          <dd>{a.email ?? '—'}</dd>
          <dt>Plan</dt>
          <dd>{a.plan ?? 'none (unlimited)'}</dd>
          <dt>Created</dt>
          <dd>{when(a.createdAt)}</dd>
          {a.status === 'suspended' ? (
            <>
              <dt>Suspended</dt>
              <dd>{`${when(a.suspendedAt)}${a.suspendReason ? ` — ${a.suspendReason}` : ''}`}</dd>
            </>
          ) : null}
          <dt>Databases</dt>
          <dd>{a.databases.length === 0 ? '—' : a.databases.join(', ')}</dd>
        </dl>
      </section>
      <div class="grid">
        {a.status === 'suspended' ? (
          <section class="card" aria-labelledby="h-unsuspend">
            <h2 id="h-unsuspend">Unsuspend</h2>
            <form method="post" action={`${href}/unsuspend`}>
              <Csrf token={props.csrf} />
              <FormMessage form={unsuspendForm} />
              <p>The site and the logins come back at once.</p>
              <button type="submit">Unsuspend</button>
            </form>
          </section>
        ) : (
          <section class="card" aria-labelledby="h-suspend">
            <h2 id="h-suspend">Suspend</h2>
            <form class="stack" method="post" action={`${href}/suspend`}>
              <Csrf token={props.csrf} />
              <FormMessage form={suspendForm} />
              <Field
                form={suspendForm}
                name="reason"
                label="Reason (optional)"
                hint="Shown in the audit log and the account's details."
              />
              <p>
                <button type="submit">Suspend</button>
              </p>
            </form>
          </section>
        )}
        <section class="card" aria-labelledby="h-plan">
          <h2 id="h-plan">Change plan</h2>
          <form class="stack" method="post" action={`${href}/plan`}>
            <Csrf token={props.csrf} />
            <FormMessage form={planForm} />
            <SelectField
              form={planForm}
              name="plan"
              label="Plan"
              options={planOptions(props.plans, 'No plan (unlimited)')}
            />
            <p>
              <button type="submit">Change plan</button>
            </p>
          </form>
        </section>
        <section class="card" aria-labelledby="h-password">
          <h2 id="h-password">Set password</h2>
          <form class="stack" method="post" action={`${href}/password`}>
            <Csrf token={props.csrf} />
            <FormMessage form={passwordForm} />
            <Field
              form={passwordForm}
              name="password"
              label="New password"
              type="password"
              secret
              autocomplete="new-password"
              hint="Leave empty to generate one; a generated password is shown once."
            />
            <p>
              <button type="submit">Set password</button>
            </p>
          </form>
        </section>
        <section class="card" aria-labelledby="h-terminate">
          <h2 id="h-terminate">Terminate</h2>
          <form class="stack" method="post" action={`${href}/terminate`}>
            <Csrf token={props.csrf} />
            <FormMessage form={terminateForm} />
            <p>
              This removes the site, the home directory, the system user and every database of <strong>{a.user}</strong>
              . It cannot be undone.
            </p>
            <Field
              form={terminateForm}
              name="confirm"
              label={`Type ${a.user} to confirm`}
              autocomplete="off"
              required
            />
            <p>
              <button type="submit" class="danger">
                Terminate account
              </button>
            </p>
          </form>
        </section>
      </div>
    </>
  );
}

/** registerAccountPages serves the account list, the create form and each account's page and actions. */
export function registerAccountPages(scope: FastifyInstance, deps: PageDeps): void {
  const { ctx } = deps;

  scope.get('/accounts', async (req, reply) => {
    const query = req.query as Record<string, unknown>;
    const filters = { q: text(query, 'q').trim(), status: text(query, 'status'), plan: text(query, 'plan') };
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
    const form = emptyForm(filters);
    const content = (
      <>
        <h1>Accounts</h1>
        <p>
          <a class="button" href="/accounts/new">
            Create an account
          </a>
        </p>
        <form
          class="inline card"
          method="get"
          action="/accounts"
          aria-label="Filter accounts"
          hx-get="/accounts"
          hx-trigger="input changed delay:300ms from:#f-q, change"
          hx-target="#account-results"
          hx-select="#account-results"
          hx-swap="outerHTML"
          hx-push-url="true"
        >
          <Field form={form} name="q" label="Search user or domain" type="search" autocomplete="off" />
          <SelectField
            form={form}
            name="status"
            label="Status"
            options={[['', 'Any status'], ...ACCOUNT_STATUSES.map((s): [string, string] => [s, s])]}
          />
          <SelectField form={form} name="plan" label="Plan" options={planOptions(plans, 'Any plan')} />
          <button type="submit">Filter</button>
        </form>
        <AccountList
          accounts={page.accounts}
          total={page.total}
          next={page.next}
          filters={filters}
          paged={filter.after !== undefined}
        />
      </>
    );
    return sendPage(deps, req, reply, 'Accounts', content);
  });

  scope.get('/accounts/new', async (req, reply) => {
    const plans = await listPlans(ctx);
    const content = (
      <>
        <h1>Create an account</h1>
        <NewAccountForm csrf={reply.generateCsrf()} form={emptyForm()} plans={plans} />
      </>
    );
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
      if (result.password === undefined) {
        return redirectWith(reply, accountHref(result.account.user), {
          kind: 'ok',
          text: `Created account ${result.account.user}.`,
        });
      }
      reply.header('cache-control', 'no-store');
      const content = (
        <>
          <h1>{`Created account ${result.account.user}`}</h1>
          <OneTimeSecret id="new-password" label={`Password of ${result.account.user}`} secret={result.password}>
            <p>
              <a href={accountHref(result.account.user)}>Go to the account</a>
            </p>
          </OneTimeSecret>
        </>
      );
      return sendPage(deps, req, reply, 'Account created', content, 201);
    } catch (err) {
      const failed = failedForm(err, values, ['user', 'domain', 'email', 'plan', 'password']);
      const plans = await listPlans(ctx);
      const content = (
        <>
          <h1>Create an account</h1>
          <NewAccountForm csrf={reply.generateCsrf()} form={failed.form} plans={plans} />
        </>
      );
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
    return sendPage(
      deps,
      req,
      reply,
      `Account ${user}`,
      <AccountPage account={account} plans={plans} csrf={reply.generateCsrf()} forms={forms} />,
      status,
    );
  };
  const userOf = (req: FastifyRequest) => (req.params as { user: string }).user;

  scope.get('/accounts/:user', async (req, reply) => showAccount(req, reply, userOf(req)));

  // Each action: run it audited as the admin, then redirect with a message, or re-show the page with the error at its form.
  const action = (
    name: keyof AccountForms,
    fields: readonly string[],
    run: (
      req: FastifyRequest,
      reply: FastifyReply,
      user: string,
      values: Record<string, string>,
    ) => Promise<FastifyReply | string>,
    keep: (body: Record<string, string | string[] | undefined>) => Record<string, string> = () => ({}),
  ) => {
    scope.post(`/accounts/:user/${name}`, async (req, reply) => {
      const user = userOf(req);
      const values = keep(formBody(req));
      try {
        const done = await run(req, reply, user, values);
        if (typeof done !== 'string') return done;
        return redirectWith(reply, accountHref(user), { kind: 'ok', text: done });
      } catch (err) {
        const failed = failedForm(err, values, fields);
        return showAccount(req, reply, user, { [name]: failed.form }, failed.status);
      }
    });
  };

  action(
    'suspend',
    ['reason'],
    async (req, _reply, user, v) => {
      const reason = v.reason === '' ? null : (v.reason ?? null);
      const r = await change(deps, req, 'account.suspend', user, { user, reason }, () =>
        suspendAccount(ctx, user, reason),
      );
      return r.changed ? `Suspended ${user}.` : `${user} was already suspended.`;
    },
    (body) => ({ reason: text(body, 'reason') }),
  );
  action('unsuspend', [], async (req, _reply, user) => {
    const r = await change(deps, req, 'account.unsuspend', user, { user }, () => unsuspendAccount(ctx, user));
    return r.changed ? `Unsuspended ${user}.` : `${user} was not suspended.`;
  });
  action(
    'plan',
    ['plan'],
    async (req, _reply, user, v) => {
      const plan = v.plan === '' ? null : (v.plan ?? null);
      const r = await change(deps, req, 'account.plan', user, { user, plan }, () => setAccountPlan(ctx, user, plan));
      return r.changed
        ? `${user} is now on ${plan === null ? 'no plan' : `plan ${plan}`}.`
        : `${user} was already on that plan.`;
    },
    (body) => ({ plan: text(body, 'plan') }),
  );
  scope.post('/accounts/:user/password', async (req, reply) => {
    const user = userOf(req);
    const given = text(formBody(req), 'password');
    const password = given === '' ? undefined : given;
    try {
      const r = await change(
        deps,
        req,
        'account.password',
        user,
        { user, password_generated: password === undefined },
        () => setAccountPassword(ctx, user, password),
      );
      if (r.password === undefined)
        return redirectWith(reply, accountHref(user), { kind: 'ok', text: `Set the password of ${user}.` });
      reply.header('cache-control', 'no-store');
      const content = (
        <>
          <h1>{`New password for ${user}`}</h1>
          <OneTimeSecret id="new-password" label={`Password of ${user}`} secret={r.password}>
            <p>
              <a href={accountHref(user)}>Back to the account</a>
            </p>
          </OneTimeSecret>
        </>
      );
      return sendPage(deps, req, reply, 'Password set', content);
    } catch (err) {
      const failed = failedForm(err, {}, ['password']);
      return showAccount(req, reply, user, { password: failed.form }, failed.status);
    }
  });
  action(
    'terminate',
    ['confirm'],
    async (req, reply, user, v) => {
      await change(deps, req, 'account.terminate', user, { user }, async () => {
        if (v.confirm !== user) {
          throw new DomainError('invalid_parameter', `type the user name "${user}" to confirm`, { param: 'confirm' });
        }
        return terminateAccount(ctx, user);
      });
      return redirectWith(reply, '/accounts', { kind: 'ok', text: `Terminated ${user}.` });
    },
    (body) => ({ confirm: text(body, 'confirm') }),
  );
}
