import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { recordAudit } from '../../../app/audit.js';
import { redeemLoginLink } from '../../../app/owner-login-link.js';
import { endOwnerSession, findOwnerSession } from '../../../app/owner-sessions.js';
import { DomainError, isDomainError } from '../../../domain/errors.js';
import { STATUS_BY_CODE } from '../../errors.js';
import { type FormState, emptyForm } from '../../ui/form.js';
import { failedForm, formBody, text } from '../../ui/kit.js';
import {
  ANONYMOUS,
  PANEL_FLASH,
  type PanelDeps,
  type PanelState,
  clearSessionCookie,
  clientOf,
  SESSION_COOKIE,
  ownerActor,
  sendPanelPage,
  setSessionCookie,
} from '../kit.js';
import { CodePage, RefusedPage, SignInPage } from './views.js';

/** resolvePanel reads the session cookie of a request: a signed-in owner, a sign-in waiting for its code, or nobody. */
export async function resolvePanel(deps: PanelDeps, req: FastifyRequest, reply: FastifyReply): Promise<PanelState> {
  const found = await findOwnerSession(deps.ctx, req.cookies[SESSION_COOKIE]);
  if (found.state === 'live') return { kind: 'owner', session: found.session };
  if (found.state === 'pending') return { kind: 'pending', session: found.session };
  if (found.state === 'ended') clearSessionCookie(reply);
  return { kind: 'anonymous', ended: found.state === 'ended' };
}

/**
 * auditSignIn records one sign-in attempt: a success with the owner as actor, a failure as
 * anonymous (nobody is signed in), with the user name typed as target. No password or code is recorded.
 */
function auditSignIn(
  deps: PanelDeps,
  req: FastifyRequest,
  user: string | null,
  outcome: string,
  params: Record<string, unknown>,
): Promise<unknown> {
  const actor = outcome === 'ok' && user !== null ? ownerActor(user) : ANONYMOUS;
  const status = outcome === 'ok' ? 200 : ((STATUS_BY_CODE as Record<string, number>)[outcome] ?? 500);
  return recordAudit(
    deps.ctx,
    { actor, action: 'owner.sign_in', target: user, params, requestId: req.id, ip: req.clientIp },
    outcome,
    status,
  );
}

/** sendRefusal answers a sign-in that cannot go on with a page: too many failures (429, Retry-After), a suspended account, a link that no longer works. */
function sendRefusal(deps: PanelDeps, req: FastifyRequest, reply: FastifyReply, err: DomainError): FastifyReply {
  if (err.code === 'rate_limited') {
    const retryAfter = Number(err.details.retryAfter ?? 60);
    reply.header('retry-after', String(retryAfter));
    const content = <RefusedPage title="Too many failed sign-ins" message={`Sign-in is paused: ${err.message}.`} />;
    return sendPanelPage(deps, req, reply, 'Too many failed sign-ins', content, 429);
  }
  if (err.code === 'account_suspended') {
    const message = 'This account is suspended. Contact your hosting provider to have it restored.';
    const content = <RefusedPage title="Account suspended" message={message} />;
    return sendPanelPage(deps, req, reply, 'Account suspended', content, STATUS_BY_CODE[err.code]);
  }
  const title = err.code === 'invalid_login_link' ? 'Sign-in link not valid' : 'Sign-in not possible';
  const content = <RefusedPage title={title} message={err.message} />;
  return sendPanelPage(deps, req, reply, title, content, STATUS_BY_CODE[err.code]);
}

/** endPrevious ends the session this browser had before a new sign-in replaces it. */
async function endPrevious(deps: PanelDeps, req: FastifyRequest): Promise<void> {
  const previous = req.panel;
  if (previous?.kind === 'owner' || previous?.kind === 'pending') {
    await endOwnerSession(deps.ctx, previous.session.record.idHash);
  }
}

/** showSignIn renders the sign-in form, fresh or with what went wrong. */
export function showSignIn(
  deps: PanelDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  form: FormState = emptyForm(),
  status = 200,
): FastifyReply {
  const content = <SignInPage csrf={reply.formToken()} form={form} />;
  return sendPanelPage(deps, req, reply, 'Sign in', content, status);
}

function showCode(deps: PanelDeps, req: FastifyRequest, reply: FastifyReply, form = emptyForm(), status = 200) {
  const user = req.panel?.kind === 'pending' ? req.panel.session.account.user : '';
  const content = <CodePage csrf={reply.formToken()} form={form} user={user} />;
  return sendPanelPage(deps, req, reply, 'Two-factor sign-in', content, status);
}

/** registerSignInPages serves the sign-in form's answer, the second factor, sign-out and single sign-on links. */
export function registerSignInPages(scope: FastifyInstance, deps: PanelDeps): void {
  scope.post('/sign-in', { config: { access: 'anyone' } }, async (req, reply) => {
    let user = '';
    try {
      const body = formBody(req);
      user = text(body, 'user').trim().toLowerCase();
      const signed = await deps.signIn.withPassword({ user, password: text(body, 'password'), client: clientOf(req) });
      await endPrevious(deps, req);
      setSessionCookie(reply, signed.session);
      if (signed.secondFactor) return reply.code(303).redirect('/sign-in/code');
      await auditSignIn(deps, req, signed.user, 'ok', { via: 'password' });
      return reply.code(303).redirect('/');
    } catch (err) {
      if (!isDomainError(err)) throw err;
      await auditSignIn(deps, req, user || null, err.code, { via: 'password' });
      if (err.code === 'invalid_credentials') {
        const form: FormState = { values: { user }, errors: {}, message: 'The user name or password is not correct.' };
        return showSignIn(deps, req, reply, form, 401);
      }
      return sendRefusal(deps, req, reply, err);
    }
  });

  scope.get('/sign-in/code', { config: { access: 'pending' } }, async (req, reply) => showCode(deps, req, reply));

  scope.post('/sign-in/code', { config: { access: 'pending' } }, async (req, reply) => {
    if (req.panel?.kind !== 'pending') throw new DomainError('internal_error', 'no sign-in waits for a code');
    const pending = req.panel.session;
    const user = pending.account.user;
    try {
      const session = await deps.signIn.withCode(pending, text(formBody(req), 'code'), clientOf(req));
      setSessionCookie(reply, session);
      await auditSignIn(deps, req, user, 'ok', { via: session.record.via });
      return reply.code(303).redirect('/');
    } catch (err) {
      if (!isDomainError(err)) throw err;
      await auditSignIn(deps, req, user, err.code, { via: 'second_factor' });
      if (err.code === 'rate_limited') return sendRefusal(deps, req, reply, err);
      const failed = failedForm(err, {}, ['code']);
      return showCode(deps, req, reply, failed.form, failed.status);
    }
  });

  scope.post('/sign-out', { config: { access: 'anyone' } }, async (req, reply) => {
    const state = req.panel;
    if (state?.kind === 'owner' || state?.kind === 'pending') {
      await endOwnerSession(deps.ctx, state.session.record.idHash);
      if (state.kind === 'owner') {
        await recordAudit(
          deps.ctx,
          {
            actor: ownerActor(state.session.account.user),
            action: 'owner.sign_out',
            target: state.session.account.user,
            params: {},
            requestId: req.id,
            ip: req.clientIp,
          },
          'ok',
          200,
        );
      }
    }
    clearSessionCookie(reply);
    PANEL_FLASH.set(reply, { kind: 'ok', text: 'You are signed out.' });
    return reply.code(303).redirect('/');
  });

  // A GET, as billing systems open these links in a new window; the link works once, so the
  // answer sends the browser on to the dashboard and the secret does not stay in its address bar.
  scope.get('/sign-on', { config: { access: 'anyone' } }, async (req, reply) => {
    const token = text(req.query as Record<string, unknown>, 'token');
    try {
      const opened = await redeemLoginLink(deps.ctx, token, clientOf(req));
      await endPrevious(deps, req);
      setSessionCookie(reply, opened.session);
      await auditSignIn(deps, req, opened.user, 'ok', { via: 'link', created_by: opened.createdBy });
      return reply.code(303).redirect('/');
    } catch (err) {
      if (!isDomainError(err)) throw err;
      const reason = typeof err.details.reason === 'string' ? { reason: err.details.reason } : {};
      await auditSignIn(deps, req, null, err.code, { via: 'link', ...reason });
      return sendRefusal(deps, req, reply, err);
    }
  });
}
