import { type CertificateState, shownStatus } from '../../../domain/certificates.js';
import { ACCOUNT_STATUSES, type Account, type AccountStatus, type Plan } from '../../../domain/types.js';
import type { UsageFigures } from '../../../domain/usage.js';
import {
  ActionCard,
  Csrf,
  Field,
  FormMessage,
  type FormState,
  OneTimeSecret,
  PasswordChoice,
  SelectField,
  emptyForm,
} from '../../ui/form.js';
import { when } from '../../ui/kit.js';
import { UsageTable, mib, usageAsOf, usedText } from '../../ui/usage.js';

/** AccountAction is one of the forms of the account page. */
export type AccountAction =
  | 'suspend'
  | 'unsuspend'
  | 'password'
  | 'plan'
  | 'domain'
  | 'login'
  | 'terminate'
  | 'certificate'
  | 'https';

/** AccountForms are the forms of the account page, each re-shown with its own errors. */
export type AccountForms = Partial<Record<AccountAction, FormState>>;

/** AccountFilters are the list's search fields as typed, an empty one meaning "any". */
export type AccountFilters = Record<'q' | 'status' | 'plan', string>;

/** accountHref is the address of an account's page. */
export function accountHref(user: string): string {
  return `/accounts/${encodeURIComponent(user)}`;
}

function planOptions(plans: readonly Plan[], none: string): [string, string][] {
  return [['', none], ...plans.map((p): [string, string] => [p.name, p.name])];
}

function listQuery(filters: AccountFilters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filters, ...extra })) if (v !== '') params.set(k, v);
  const qs = params.toString();
  return qs === '' ? '/accounts' : `/accounts?${qs}`;
}

function StatusBadge(props: { status: AccountStatus }) {
  return <span class={`badge s-${props.status}`}>{props.status}</span>;
}

/** AccountList is one page of the account list with its pager; htmx swaps it in as the filters change. */
function AccountList(props: {
  accounts: Account[];
  usage: ReadonlyMap<string, UsageFigures>;
  total: number;
  next: string | null;
  filters: AccountFilters;
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
                <th scope="col">Disk</th>
                <th scope="col">Bandwidth this month</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {props.accounts.map((a) => {
                const u = props.usage.get(a.user);
                return (
                  <tr>
                    <td data-label="User">
                      <a href={accountHref(a.user)}>{a.user}</a>
                    </td>
                    <td data-label="Domain">{a.domain}</td>
                    <td data-label="Plan">{a.plan ?? '—'}</td>
                    <td data-label="Status">
                      <StatusBadge status={a.status} />
                    </td>
                    <td data-label="Disk">{u ? usedText(u.diskUsedMb, u.diskLimitMb, mib) : '—'}</td>
                    <td data-label="Bandwidth this month">
                      {u ? usedText(u.bandwidthUsedMb, u.bandwidthLimitMb, mib) : '—'}
                    </td>
                    <td data-label="Created">{when(a.createdAt)}</td>
                  </tr>
                );
              })}
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

/** AccountsPage is the account list: the filter form and one page of results. */
export function AccountsPage(props: {
  accounts: Account[];
  usage: ReadonlyMap<string, UsageFigures>;
  total: number;
  next: string | null;
  filters: AccountFilters;
  paged: boolean;
  plans: readonly Plan[];
}) {
  const form = emptyForm(props.filters);
  return (
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
        <SelectField form={form} name="plan" label="Plan" options={planOptions(props.plans, 'Any plan')} />
        <button type="submit">Filter</button>
      </form>
      <AccountList
        accounts={props.accounts}
        usage={props.usage}
        total={props.total}
        next={props.next}
        filters={props.filters}
        paged={props.paged}
      />
    </>
  );
}

/** NewAccountPage is the create form, fresh or re-shown with its errors. */
export function NewAccountPage(props: { csrf: string; form: FormState; plans: readonly Plan[] }) {
  const { form } = props;
  return (
    <>
      <h1>Create an account</h1>
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
        <PasswordChoice form={form} legend="Password" hint="10-128 characters, not containing the user name." />
        <p class="actions">
          <button type="submit">Create account</button>
          <a href="/accounts">Cancel</a>
        </p>
      </form>
    </>
  );
}

/** PasswordShownPage shows an account's generated password, once, with a link back to the account. */
export function PasswordShownPage(props: { title: string; user: string; password: string; back: string }) {
  return (
    <>
      <h1>{props.title}</h1>
      <OneTimeSecret id="new-password" label={`Password of ${props.user}`} secret={props.password}>
        <p>
          <a href={accountHref(props.user)}>{props.back}</a>
        </p>
      </OneTimeSecret>
    </>
  );
}

/** LoginLinkPage gives the admin the one-time link that opens the owner's user panel. */
export function LoginLinkPage(props: { user: string; url: string; expiresAt: string }) {
  return (
    <>
      <h1>
        Log in as <span class="mono">{props.user}</span>
      </h1>
      <section class="card">
        <p>
          The link opens the user panel signed in as <strong>{props.user}</strong>. It works once, until{' '}
          {`${props.expiresAt.slice(11, 19)} UTC`}; the audit log records that you made it.
        </p>
        <p class="actions">
          <a class="button" href={props.url} target="_blank" rel="noopener noreferrer">
            {`Open the user panel as ${props.user}`}
          </a>
          <a href={accountHref(props.user)}>Back to the account</a>
        </p>
      </section>
    </>
  );
}

/** HttpsSection shows the account's certificate: status, dates, the CA's last error and the next attempt. */
function HttpsSection(props: { certificate: CertificateState | null; now: Date }) {
  const c = props.certificate;
  return (
    <section class="card" aria-labelledby="h-https">
      <h2 id="h-https">HTTPS</h2>
      {c === null ? (
        <p>No certificate was asked for yet.</p>
      ) : (
        <dl class="facts">
          <dt>Certificate</dt>
          <dd>{shownStatus(c, props.now)}</dd>
          <dt>Names</dt>
          <dd>{c.domains.join(', ')}</dd>
          <dt>Expires</dt>
          <dd>{c.notAfter ? when(c.notAfter) : '—'}</dd>
          <dt>Redirect HTTP to HTTPS</dt>
          <dd>{c.forceHttps ? 'on' : 'off'}</dd>
          <dt>Last attempt</dt>
          <dd>{c.lastAttemptAt ? when(c.lastAttemptAt) : '—'}</dd>
          {c.lastError ? (
            <>
              <dt>Last error</dt>
              <dd>{c.lastError}</dd>
            </>
          ) : null}
          <dt>Next attempt</dt>
          <dd>{c.nextAttemptAt ? when(c.nextAttemptAt) : '—'}</dd>
        </dl>
      )}
    </section>
  );
}

/** AccountPage is one account: its details, its HTTPS state and a card for each action, each form with its own errors. */
export function AccountPage(props: {
  account: Account;
  usage: UsageFigures;
  plans: readonly Plan[];
  csrf: string;
  forms: AccountForms;
  /** certificate is the account's certificate state; undefined when certificates are off. */
  certificate?: CertificateState | null;
  now: Date;
}) {
  const a = props.account;
  const href = accountHref(a.user);
  const form = (key: AccountAction, values: Record<string, string> = {}) => props.forms[key] ?? emptyForm(values);
  const card = (key: AccountAction) => ({ id: key, action: `${href}/${key}`, csrf: props.csrf, form: form(key) });
  const planForm = form('plan', { plan: a.plan ?? '' });
  const domainForm = form('domain', { domain: a.domain });
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
      <section class="card" aria-labelledby="h-usage">
        <h2 id="h-usage">Usage</h2>
        <UsageTable usage={props.usage} />
        <p class="hint">{usageAsOf(props.usage)}</p>
      </section>
      {props.certificate === undefined ? null : <HttpsSection certificate={props.certificate} now={props.now} />}
      <div class="grid">
        {props.certificate === undefined ? null : (
          <ActionCard {...card('certificate')} title="Issue a certificate" submit="Issue certificate">
            <p>
              Asks the CA for a certificate for {a.domain} and www.{a.domain} now, whatever the schedule says. It is
              issued in the background; this page shows the outcome.
            </p>
          </ActionCard>
        )}
        {props.certificate ? (
          <ActionCard
            {...card('https')}
            title="Redirect to HTTPS"
            submit={props.certificate.forceHttps ? 'Stop redirecting' : 'Redirect to HTTPS'}
          >
            <input type="hidden" name="force_https" value={props.certificate.forceHttps ? 'off' : 'on'} />
            <p>
              {props.certificate.forceHttps
                ? 'Plain HTTP requests are redirected to HTTPS while a certificate is installed.'
                : 'The site answers over plain HTTP and HTTPS alike.'}
            </p>
          </ActionCard>
        ) : null}
        {a.status === 'suspended' ? (
          <ActionCard {...card('unsuspend')} title="Unsuspend" submit="Unsuspend">
            <p>The site and the logins come back at once.</p>
          </ActionCard>
        ) : (
          <ActionCard {...card('suspend')} title="Suspend" submit="Suspend">
            <Field
              form={form('suspend')}
              name="reason"
              label="Reason (optional)"
              hint="Shown in the audit log and the account's details."
            />
          </ActionCard>
        )}
        <ActionCard {...card('plan')} form={planForm} title="Change plan" submit="Change plan">
          <SelectField
            form={planForm}
            name="plan"
            label="Plan"
            options={planOptions(props.plans, 'No plan (unlimited)')}
          />
        </ActionCard>
        <ActionCard {...card('domain')} form={domainForm} title="Change domain" submit="Change domain">
          <Field
            form={domainForm}
            name="domain"
            label="Domain"
            required
            autocomplete="off"
            hint="The site answers for the new domain and its www. name, and no longer for the old one."
          />
        </ActionCard>
        <ActionCard {...card('password')} title="Set password" submit="Set password">
          <Field
            form={form('password')}
            name="password"
            label="New password"
            type="password"
            secret
            autocomplete="new-password"
            hint="Leave empty to generate one; a generated password is shown once."
          />
        </ActionCard>
        {a.status === 'active' ? (
          <ActionCard {...card('login')} title="Log in as owner" submit="Log in as owner">
            <p>
              Makes a one-time link that opens the user panel signed in as <strong>{a.user}</strong>, without the
              password or two-factor code. It works once, within 60 seconds.
            </p>
          </ActionCard>
        ) : null}
        <ActionCard {...card('terminate')} title="Terminate" submit="Terminate account" danger>
          <p>
            This removes the site, the home directory, the system user and every database of <strong>{a.user}</strong>.
            It cannot be undone.
          </p>
          <Field
            form={form('terminate')}
            name="confirm"
            label={`Type ${a.user} to confirm`}
            autocomplete="off"
            required
          />
        </ActionCard>
      </div>
    </>
  );
}
