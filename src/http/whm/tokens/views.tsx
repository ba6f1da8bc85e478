import { SCOPES } from '../../../domain/scopes.js';
import { tokenStatus } from '../../../domain/token-status.js';
import type { ApiToken } from '../../../domain/types.js';
import { Csrf, Field, FieldError, FormMessage, type FormState, OneTimeSecret } from '../../ui/form.js';
import { when } from '../../ui/kit.js';

const SCOPE_HELP: Record<(typeof SCOPES)[number], string> = {
  'accounts:read': 'list accounts and view one; list plans',
  'accounts:write': 'create, suspend, unsuspend, set password and plan',
  'accounts:delete': 'terminate accounts',
  'plans:write': 'create and change plans',
};

/** TokenTable lists tokens with their use and status, never their secrets. */
function TokenTable(props: { tokens: readonly ApiToken[]; now: Date }) {
  if (props.tokens.length === 0) return <p>No tokens yet. Issue one for each system that calls the API.</p>;
  return (
    <div class="table-wrap">
      <table class="responsive" id="token-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Prefix</th>
            <th scope="col">Scopes</th>
            <th scope="col">Created</th>
            <th scope="col">Created by</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            <th scope="col">From</th>
            <th scope="col">Status</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {props.tokens.map((t) => {
            const status = tokenStatus(t, props.now);
            return (
              <tr data-token={t.name}>
                <td data-label="Name">{t.name}</td>
                <td data-label="Prefix" class="mono">{`${t.prefix}…`}</td>
                <td data-label="Scopes" class="mono">
                  {t.scopes.join(' ') || 'ping only'}
                </td>
                <td data-label="Created">{when(t.createdAt)}</td>
                <td data-label="Created by">{t.createdBy}</td>
                <td data-label="Expires">{when(t.expiresAt)}</td>
                <td data-label="Last used" data-field="last-used">
                  {when(t.lastUsedAt)}
                </td>
                <td data-label="From" class="mono" data-field="last-ip">
                  {t.lastUsedIp ?? '—'}
                </td>
                <td data-label="Status">
                  <span class={`badge s-${status}`} data-field="status">
                    {status}
                  </span>
                </td>
                <td data-label="Actions">
                  {t.revokedAt === null ? (
                    <a href={`/tokens/${t.id}/revoke`} aria-label={`Revoke token ${t.name}`}>
                      Revoke
                    </a>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** IssueForm is the form that issues a token. */
function IssueForm(props: { csrf: string; form: FormState; scopes: readonly string[] }) {
  const { form } = props;
  const scopeError = form.errors.scopes;
  return (
    <form class="stack card" method="post" action="/tokens">
      <Csrf token={props.csrf} />
      <FormMessage form={form} />
      <Field
        form={form}
        name="name"
        label="Name"
        required
        autocomplete="off"
        hint="Who uses it, e.g. billing. Unique."
      />
      <fieldset aria-describedby={scopeError ? 'f-scopes-error' : undefined}>
        <legend>Scopes</legend>
        <p class="hint">Give only what the caller needs. With none, the token can only call ping.</p>
        {SCOPES.map((scope) => (
          <label class="check">
            <input type="checkbox" name="scopes" value={scope} checked={props.scopes.includes(scope)} />
            <code>{scope}</code> {SCOPE_HELP[scope]}
          </label>
        ))}
        <FieldError id="f-scopes-error" error={scopeError} />
      </fieldset>
      <Field
        form={form}
        name="expires"
        label="Expires after (optional)"
        type="date"
        hint="The token works through the end of this day (UTC). Empty: never expires."
      />
      <div class="field">
        <label for="f-allowed_cidrs">Allowed addresses (optional)</label>
        <p class="hint" id="f-allowed_cidrs-hint">
          IP addresses or CIDR blocks, one per line. Empty: any address.
        </p>
        <textarea
          id="f-allowed_cidrs"
          name="allowed_cidrs"
          rows={3}
          aria-describedby={
            form.errors.allowed_cidrs ? 'f-allowed_cidrs-hint f-allowed_cidrs-error' : 'f-allowed_cidrs-hint'
          }
          aria-invalid={form.errors.allowed_cidrs ? 'true' : undefined}
        >
          {form.values.allowed_cidrs ?? ''}
        </textarea>
        <FieldError id="f-allowed_cidrs-error" error={form.errors.allowed_cidrs} />
      </div>
      <p class="actions">
        <button type="submit">Issue token</button>
        <a href="/tokens">Cancel</a>
      </p>
    </form>
  );
}

/** TokensPage is the token list. */
export function TokensPage(props: { tokens: readonly ApiToken[]; now: Date }) {
  return (
    <>
      <h1>API Tokens</h1>
      <p>
        Tokens let other systems call the account API on the user-panel listener. vWHM shows a token's secret once, when
        it is issued; afterwards only its prefix.
      </p>
      <p>
        <a class="button" href="/tokens/new">
          Issue a token
        </a>
      </p>
      <TokenTable tokens={props.tokens} now={props.now} />
    </>
  );
}

/** IssueTokenPage is the issue form, fresh or re-shown with its errors and the scopes ticked. */
export function IssueTokenPage(props: { csrf: string; form: FormState; scopes: readonly string[] }) {
  return (
    <>
      <h1>Issue an API token</h1>
      <IssueForm csrf={props.csrf} form={props.form} scopes={props.scopes} />
    </>
  );
}

/** TokenIssuedPage shows a new token's secret, once. */
export function TokenIssuedPage(props: { token: ApiToken; secret: string }) {
  const { token, secret } = props;
  return (
    <>
      <h1>{`Token "${token.name}" issued`}</h1>
      <OneTimeSecret id="new-token" label="Your new API token" secret={secret}>
        <dl class="facts">
          <dt>Scopes</dt>
          <dd class="mono">{token.scopes.join(' ') || 'ping only'}</dd>
          <dt>Expires</dt>
          <dd>{when(token.expiresAt)}</dd>
          <dt>Allowed addresses</dt>
          <dd class="mono">{token.allowedCidrs.join(' ') || 'any'}</dd>
        </dl>
        <p>
          Send it as <code>Authorization: Bearer TOKEN</code> to <code>/?api=…</code> on the user-panel listener.
        </p>
        <p>
          <a href="/tokens">I have stored it — back to API Tokens</a>
        </p>
      </OneTimeSecret>
    </>
  );
}

/** RevokeTokenPage asks to confirm the revocation of a token. */
export function RevokeTokenPage(props: { token: ApiToken; csrf: string }) {
  const { token } = props;
  return (
    <>
      <h1>
        Revoke token <span class="mono">{token.name}</span>?
      </h1>
      <section class="card">
        <p>
          Every call with this token is refused from the moment you confirm. This cannot be undone; issue a new token if
          the caller still needs access.
        </p>
        <dl class="facts">
          <dt>Prefix</dt>
          <dd class="mono">{`${token.prefix}…`}</dd>
          <dt>Scopes</dt>
          <dd class="mono">{token.scopes.join(' ') || 'ping only'}</dd>
          <dt>Last used</dt>
          <dd>{`${when(token.lastUsedAt)}${token.lastUsedIp ? ` from ${token.lastUsedIp}` : ''}`}</dd>
        </dl>
        <form method="post" action={`/tokens/${token.id}/revoke`} class="actions">
          <Csrf token={props.csrf} />
          <button type="submit" class="danger">
            Revoke token
          </button>
          <a href="/tokens">Cancel</a>
        </form>
      </section>
    </>
  );
}
