import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CrossOrigin } from '../form-guard.js';
import { refuseForeignForm } from '../ui/error-page.js';
import { type PageDeps, adminActor, sendPage } from './kit.js';

/** refuseCrossOrigin refuses a vWHM form posted from another site, recorded as `whm.form` by the signed-in admin. */
export function refuseCrossOrigin(deps: PageDeps, req: FastifyRequest, reply: FastifyReply, why: CrossOrigin) {
  return refuseForeignForm(deps.ctx, req, reply, {
    actor: adminActor(req),
    action: 'whm.form',
    target: null,
    why,
    site: 'vWHM',
    send: (r, rep, title, content, status) => sendPage(deps, r, rep, title, content, status),
  });
}
