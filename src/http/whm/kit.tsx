import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Child } from 'hono/jsx';
import type { AppContext } from '../../app/ports.js';
import { DomainError } from '../../domain/errors.js';
import type { Actor } from '../../domain/types.js';
import type { UiAssets } from '../ui/assets.js';
import { flashCookie, pageChange, sendSitePage } from '../ui/kit.js';
import type { Flash, NavItem } from '../ui/layout.js';

/** PageDeps are what every vWHM page handler needs. */
export interface PageDeps {
  ctx: AppContext;
  assets: UiAssets;
  /** panelUrl is the user panel's base URL as seen from a vWHM request, for "Log in as owner". */
  panelUrl: (req: FastifyRequest) => string;
}

/** NAV lists vWHM's main sections in the order the navigation shows them. */
export const NAV: readonly NavItem[] = [
  ['/', 'Dashboard'],
  ['/accounts', 'Accounts'],
  ['/plans', 'Plans'],
  ['/tokens', 'API Tokens'],
  ['/audit', 'Audit Log'],
  ['/admins', 'Admins'],
];

const WHM_FLASH = flashCookie('vwhm_flash');

/** adminOf returns the signed-in admin's name; the Basic Auth hook has set it before any page runs. */
export function adminOf(req: FastifyRequest): string {
  if (!req.admin) throw new DomainError('internal_error', 'vWHM page reached without a signed-in admin');
  return req.admin;
}

/** adminActor is the audit actor for the signed-in admin, shown as `admin:NAME`. */
export function adminActor(req: FastifyRequest): Actor {
  const name = adminOf(req);
  return { type: 'admin', id: name, name };
}

/** change runs a use case as the signed-in admin and writes its audit entry whatever the outcome. */
export function change<T>(
  deps: PageDeps,
  req: FastifyRequest,
  action: string,
  target: string | null,
  params: Record<string, unknown>,
  fn: () => Promise<T>,
): Promise<T> {
  return pageChange(deps.ctx, req, adminActor(req), { action, target, params }, fn);
}

/** redirectWith answers a successful POST with a 303 to a vWHM page that shows the flash message. */
export function redirectWith(reply: FastifyReply, url: string, flash: Flash): FastifyReply {
  return WHM_FLASH.redirect(reply, url, flash);
}

/** sendPage renders content inside the layout, with vWHM's navigation and the signed-in admin, as an HTML page. */
export function sendPage(
  deps: PageDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  title: string,
  content: Child,
  status = 200,
): FastifyReply {
  const who = (
    <p>
      Signed in as <strong>{req.admin ?? ''}</strong>
    </p>
  );
  return sendSitePage(
    { product: 'vWHM', nav: NAV, who, flash: WHM_FLASH, assets: deps.assets },
    req,
    reply,
    title,
    content,
    status,
  );
}
