import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findTokenById } from '../../../app/find-token.js';
import { issueToken } from '../../../app/issue-token.js';
import { listTokens } from '../../../app/list-tokens.js';
import { revokeToken } from '../../../app/revoke-token.js';
import { parseScopes } from '../../../domain/scopes.js';
import { parseExpiryDay } from '../../../domain/time.js';
import type { ApiToken } from '../../../domain/types.js';
import { type FormState, emptyForm } from '../form.js';
import { type PageDeps, adminOf, change, failedForm, formBody, redirectWith, sendPage, text, texts } from '../kit.js';
import { IssueTokenPage, RevokeTokenPage, TokenIssuedPage, TokensPage } from './views.js';

function splitAddresses(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
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
      <IssueTokenPage csrf={reply.formToken()} form={form} scopes={scopes} />,
      status,
    );
  const tokenOf = (req: FastifyRequest): Promise<ApiToken> => findTokenById(ctx, (req.params as { id: string }).id);

  scope.get('/tokens', async (req, reply) => {
    const tokens = await listTokens(ctx);
    const content = <TokensPage tokens={tokens} now={ctx.now()} />;
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
      const content = <TokenIssuedPage token={token} secret={secret} />;
      return sendPage(deps, req, reply, 'Token issued', content, 201);
    } catch (err) {
      const failed = failedForm(err, values, ['name', 'scopes', 'expires', 'allowed_cidrs']);
      return showIssue(req, reply, failed.form, rawScopes, failed.status);
    }
  });

  scope.get('/tokens/:id/revoke', async (req, reply) => {
    const token = await tokenOf(req);
    const content = <RevokeTokenPage token={token} csrf={reply.formToken()} />;
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
