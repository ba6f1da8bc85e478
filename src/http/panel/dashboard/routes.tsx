import type { FastifyReply, FastifyRequest } from 'fastify';
import { summarizeOwnerAccount } from '../../../app/summarize-owner-account.js';
import { type PanelDeps, ownerOf, sendPanelPage } from '../kit.js';
import { DashboardPage } from './views.js';

/** showDashboard renders the signed-in owner's dashboard, from the store alone. */
export async function showDashboard(deps: PanelDeps, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const summary = await summarizeOwnerAccount(deps.ctx, ownerOf(req).account.user);
  return sendPanelPage(deps, req, reply, 'Dashboard', <DashboardPage summary={summary} />);
}
