import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestCertificate } from '../../../app/request-certificate.js';
import { summarizeOwnerAccount } from '../../../app/summarize-owner-account.js';
import { isDomainError } from '../../../domain/errors.js';
import { PANEL_FLASH, type PanelDeps, ownerChange, ownerOf, sendPanelPage } from '../kit.js';
import { DashboardPage } from './views.js';

/** showDashboard renders the signed-in owner's dashboard, from the store alone. */
export async function showDashboard(deps: PanelDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const summary = await summarizeOwnerAccount(deps.ctx, ownerOf(req).account.user);
  const content = <DashboardPage summary={summary} csrf={reply.formToken()} now={deps.ctx.now()} />;
  return sendPanelPage(deps, req, reply, 'Dashboard', content);
}

/** registerDashboardForms serves the dashboard's forms: the owner asks for a certificate, issued in the background. */
export function registerDashboardForms(scope: FastifyInstance, deps: PanelDeps): void {
  scope.post('/certificate', async (req, reply) => {
    const { user } = ownerOf(req).account;
    try {
      await ownerChange(deps, req, 'certificate.request', {}, () => requestCertificate(deps.ctx, user));
      PANEL_FLASH.set(reply, { kind: 'ok', text: 'Your certificate is being issued; this page shows how it went.' });
    } catch (err) {
      if (!isDomainError(err)) throw err;
      PANEL_FLASH.set(reply, { kind: 'error', text: err.message });
    }
    return reply.code(303).redirect('/');
  });
}
