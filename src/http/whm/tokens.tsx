import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { issueToken } from '../../app/issue-token.js';
import { findTokenById } from '../../app/find-token.js';
import { listTokens } from '../../app/list-tokens.js';
import { revokeToken } from '../../app/revoke-token.js';
import { SCOPES, parseScopes } from '../../domain/scopes.js';
import { parseExpiryDay } from '../../domain/time.js';
import { tokenStatus } from '../../domain/token-status.js';
import type { ApiToken } from '../../domain/types.js';
import { Csrf, Field, FieldError, FormMessage, type FormState, OneTimeSecret, emptyForm } from './form.js';
import {
  type PageDeps,
  adminOf,
  change,
  failedForm,
  formBody,
  redirectWith,
  sendPage,
  text,
  texts,
  when,
} from './kit.js';

const SCOPE_HELP: Record<(typeof SCOPES)[number], string> = {
  'accounts:read': 'list accounts and view one',
  'accounts:write': 'create, suspend, unsuspend, set password and plan',
  'accounts:delete': 'terminate accounts',
};

function splitAddresses(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

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

/** registerTokenPages serves the token list, the issue form, the one-time token page and revocation. */
export function registerTokenPages(scope: FastifyInstance, deps: PageDeps): void {
  const { ctx } = deps;
  const showIssue = (
    req: FastifyRequest,
    reply: FastifyReply,
    form: FormState,
    scopes: readonly string[],
    status = 200,
  ) =>
    sendPage(
      deps,
      req,
      reply,
      'Issue an API token',
      <>
        <h1>Issue an API token</h1>
        <IssueForm csrf={reply.generateCsrf()} form={form} scopes={scopes} />
      </>,
      status,
    );
  const tokenOf = (req: FastifyRequest): Promise<ApiToken> => findTokenById(ctx, (req.params as { id: string }).id);

  scope.get('/tokens', async (req, reply) => {
    const tokens = await listTokens(ctx);
    const content = (
      <>
        <h1>API Tokens</h1>
        <p>
          Tokens let other systems call the account API on the user-panel listener. vWHM shows a token's secret once,
          when it is issued; afterwards only its prefix.
        </p>
        <p>
          <a class="button" href="/tokens/new">
            Issue a token
          </a>
        </p>
        <TokenTable tokens={tokens} now={ctx.now()} />
      </>
    );
    return sendPage(deps, req, reply, 'API Tokens', content);
  });

  scope.get('/tokens/new', async (req, reply) => showIssue(req, reply, emptyForm(), []));

  scope.post('/tokens', async (req, reply) => {
    const body = formBody(req);
    const values = {
      name: text(body, 'name'),
      expires: text(body, 'expires').trim(),
      allowed_cidrs: text(body, 'allowed_cidrs'),
    };
    const rawScopes = texts(body, 'scopes');
    const allowedCidrs = splitAddresses(values.allowed_cidrs);
    const admin = adminOf(req);
    try {
      const { token, secret } = await change(
        deps,
        req,
        'token.create',
        values.name || null,
        { name: values.name, scopes: rawScopes, expires: values.expires || null, allowed_cidrs: allowedCidrs },
        async () => {
          const scopes = parseScopes(rawScopes);
          const expiresAt = parseExpiryDay(values.expires);
          return issueToken(ctx, { name: values.name, scopes, expiresAt, allowedCidrs, createdBy: `admin:${admin}` });
        },
      );
      reply.header('cache-control', 'no-store');
      const content = (
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
      return sendPage(deps, req, reply, 'Token issued', content, 201);
    } catch (err) {
      const failed = failedForm(err, values, ['name', 'scopes', 'expires', 'allowed_cidrs']);
      return showIssue(req, reply, failed.form, rawScopes, failed.status);
    }
  });

  scope.get('/tokens/:id/revoke', async (req, reply) => {
    const token = await tokenOf(req);
    const content = (
      <>
        <h1>
          Revoke token <span class="mono">{token.name}</span>?
        </h1>
        <section class="card">
          <p>
            Every call with this token is refused from the moment you confirm. This cannot be undone; issue a new token
            if the caller still needs access.
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
            <Csrf token={reply.generateCsrf()} />
            <button type="submit" class="danger">
              Revoke token
            </button>
            <a href="/tokens">Cancel</a>
          </form>
        </section>
      </>
    );
    return sendPage(deps, req, reply, `Revoke ${token.name}`, content);
  });

  scope.post('/tokens/:id/revoke', async (req, reply) => {
    const token = await tokenOf(req);
    const r = await change(deps, req, 'token.revoke', token.name, { token: token.name, id: token.id }, () =>
      revokeToken(ctx, token.name),
    );
    const message = r.changed ? `Revoked token "${token.name}".` : `Token "${token.name}" was already revoked.`;
    return redirectWith(reply, '/tokens', { kind: 'ok', text: message });
  });
}
