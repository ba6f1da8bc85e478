import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type CrossOrigin, registerFormGuard } from '../form-guard.js';
import { registerPageHeaders } from '../security-headers.js';
import { registerAssets } from '../ui/assets.js';
import { refuseForeignForm, registerErrorPages } from '../ui/error-page.js';
import { leaveBodyUnread } from '../unread-body.js';
import { registerDashboardForms, showDashboard } from './dashboard/routes.js';
import { registerDatabasePages } from './databases/routes.js';
import { ANONYMOUS, PANEL_FLASH, type PanelDeps, formUser, ownerActor, sendPanelPage } from './kit.js';
import { registerPasswordPages } from './password/routes.js';
import { registerSignInPages, resolvePanel, showSignIn } from './sign-in/routes.js';
import { registerTwoFactorPages } from './two-factor/routes.js';

/** Access says who may open a page: a signed-in owner (the default), a sign-in waiting for its code, or anyone. */
export type Access = 'owner' | 'pending' | 'anyone';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}

/** PANEL_PAGE_CONSTRAINT names the route constraint that tells a user-panel page at `/` from an API call. */
export const PANEL_PAGE_CONSTRAINT = 'panelPage';

/** refuseCrossOrigin refuses a user-panel form posted from another site, recorded as `owner.form`. */
async function refuseCrossOrigin(deps: PanelDeps, req: FastifyRequest, reply: FastifyReply, why: CrossOrigin) {
  const state = await resolvePanel(deps, req, reply);
  const user = state.kind === 'anonymous' ? null : state.session.account.user;
  return refuseForeignForm(deps.ctx, req, reply, {
    actor: user === null ? ANONYMOUS : ownerActor(user),
    action: 'owner.form',
    target: user,
    why,
    site: 'Your panel',
    send: (r, rep, title, content, status) => sendPanelPage(deps, r, rep, title, content, status),
  });
}

/** home answers `/` (without `?api=`): the dashboard when signed in, the sign-in form otherwise. */
function home(deps: PanelDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> | FastifyReply {
  if (req.panel?.kind === 'owner') return showDashboard(deps, req, reply);
  if (req.panel?.kind === 'pending') return reply.code(303).redirect('/sign-in/code');
  if (req.panel?.kind === 'anonymous' && req.panel.ended) {
    return showSignIn(deps, req, reply, { values: {}, errors: {}, message: 'Your session has ended: sign in again.' });
  }
  return showSignIn(deps, req, reply);
}

/**
 * registerPanel serves the user panel's pages in a scope of their own, beside the API: the session
 * of each request (its cookie), who may open which page, and every form behind the shared form
 * guard (same origin, a CSRF token bound to the session). `/` is the dashboard or the sign-in form
 * when the request has no `api` parameter (the route constraint tells them apart).
 */
export async function registerPanel(scope: FastifyInstance, deps: PanelDeps): Promise<void> {
  await registerFormGuard(scope, {
    cookieKey: 'vanta_csrf',
    userOf: formUser,
    ...(deps.formKey ? { formKey: deps.formKey } : {}),
    refuseCrossOrigin: (req, reply, why) => refuseCrossOrigin(deps, req, reply, why),
  });
  registerPageHeaders(scope);
  registerErrorPages(scope, 'your panel', (req, reply, title, content, status) =>
    sendPanelPage(deps, req, reply, title, content, status),
  );
  // After the origin check (which answers before the body is read) and before the CSRF check: a
  // form of a session that has ended asks for a new sign-in instead of being refused as forged.
  scope.addHook('onRequest', async (req, reply) => {
    if (req.url.startsWith('/assets/')) return;
    req.panel = await resolvePanel(deps, req, reply);
    const access = req.routeOptions.config.access ?? 'owner';
    if (access === 'anyone' || req.panel.kind === access) return;
    leaveBodyUnread(req, reply);
    if (req.panel.kind === 'pending') return reply.code(303).redirect('/sign-in/code');
    if (req.panel.kind === 'owner') return reply.code(303).redirect('/');
    PANEL_FLASH.set(reply, {
      kind: 'error',
      text: req.panel.ended ? 'Your session has ended: sign in again.' : 'Sign in first.',
    });
    return reply.code(303).redirect('/');
  });
  registerAssets(scope, deps.assets);
  scope.route({
    method: 'GET',
    url: '/',
    constraints: { [PANEL_PAGE_CONSTRAINT]: 'page' },
    config: { access: 'anyone' },
    handler: (req, reply) => home(deps, req, reply),
  });
  registerSignInPages(scope, deps);
  registerDashboardForms(scope, deps);
  registerDatabasePages(scope, deps);
  registerPasswordPages(scope, deps);
  registerTwoFactorPages(scope, deps);
}
