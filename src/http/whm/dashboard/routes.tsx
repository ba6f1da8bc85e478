import type { FastifyInstance } from 'fastify';
import { summarizeDashboard } from '../../../app/summarize-dashboard.js';
import { type PageDeps, sendPage } from '../kit.js';
import { DashboardPage } from './views.js';

/** registerDashboard serves `/`: accounts by status, plans in use, recent changes and tokens worth a look. */
export function registerDashboard(scope: FastifyInstance, deps: PageDeps): void {
  scope.get('/', async (req, reply) => {
    const s = await summarizeDashboard(deps.ctx);
    const content = <DashboardPage summary={s} />;
    return sendPage(deps, req, reply, 'Dashboard', content);
  });
}
