import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Child } from 'hono/jsx';
import type { LiveSession, OpenedSession } from '../../app/owner-sessions.js';
import type { OwnerSignIn } from '../../app/owner-sign-in.js';
import type { AppContext } from '../../app/ports.js';
import { DomainError } from '../../domain/errors.js';
import type { Actor } from '../../domain/types.js';
import type { UiAssets } from '../ui/assets.js';
import { Csrf } from '../ui/form.js';
import { type FlashCookie, flashCookie, pageChange, sendSitePage } from '../ui/kit.js';
import type { NavItem } from '../ui/layout.js';

/** PanelDeps are what every user-panel page handler needs. */
export interface PanelDeps {
  ctx: AppContext;
  assets: UiAssets;
  signIn: OwnerSignIn;
  /** panelUrl is the user panel's public base URL (VANTA_PANEL_URL), or null for each request's own origin. */
  panelUrl: string | null;
  /** hostMode tells the password page that the system user's password changes too. */
  hostMode: boolean;
  /** formKey signs the form tokens (see FormGuardOptions). */
  formKey?: Buffer;
}

/** PanelState is what the session cookie of a request opened, set before any page handler runs. */
export type PanelState =
  | { kind: 'owner'; session: LiveSession }
  | { kind: 'pending'; session: LiveSession }
  | { kind: 'anonymous'; ended: boolean };

declare module 'fastify' {
  interface FastifyRequest {
    panel?: PanelState;
  }
}

/** SESSION_COOKIE holds a user-panel session id; the store keeps only its SHA-256. */
export const SESSION_COOKIE = 'vanta_session';

/**
 * SESSION_COOKIE_OPTS: HttpOnly, SameSite=Lax (a link from a billing system still opens the
 * panel signed in), Secure when the request came over https (directly or from a trusted proxy).
 * No expiry: the server ends the session; the browser forgets the cookie when it closes.
 */
const SESSION_COOKIE_OPTS = { path: '/', httpOnly: true, sameSite: 'lax', secure: 'auto' } as const;

/** PANEL_FLASH carries a one-time message to the next user-panel page. */
export const PANEL_FLASH: FlashCookie = flashCookie('vanta_flash');

/** PANEL_NAV lists the signed-in owner's sections in the order the navigation shows them. */
export const PANEL_NAV: readonly NavItem[] = [
  ['/', 'Dashboard'],
  ['/databases', 'Databases'],
  ['/password', 'Password'],
  ['/two-factor', 'Two-factor'],
];

/** setSessionCookie gives the browser a new session's id. */
export function setSessionCookie(reply: FastifyReply, session: OpenedSession): void {
  reply.setCookie(SESSION_COOKIE, session.id, SESSION_COOKIE_OPTS);
}

/** clearSessionCookie makes the browser forget its session id. */
export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, SESSION_COOKIE_OPTS);
}

/** ownerOf returns the signed-in owner's session; the session hook has checked it before any owner page runs. */
export function ownerOf(req: FastifyRequest): LiveSession {
  if (req.panel?.kind !== 'owner') throw new DomainError('internal_error', 'owner page reached without a session');
  return req.panel.session;
}

/** ANONYMOUS is the audit actor of a request with no signed-in owner: a failed sign-in, a refused link. */
export const ANONYMOUS: Actor = { type: 'anonymous', id: null, name: 'anonymous' };

/** ownerActor is the audit actor of an account owner signed in to the user panel, shown as `owner:USER`. */
export function ownerActor(user: string): Actor {
  return { type: 'owner', id: user, name: user };
}

/** ownerChange runs a use case as the signed-in owner and writes its audit entry whatever the outcome. */
export function ownerChange<T>(
  deps: PanelDeps,
  req: FastifyRequest,
  action: string,
  params: Record<string, unknown>,
  fn: () => Promise<T>,
): Promise<T> {
  const { user } = ownerOf(req).account;
  return pageChange(deps.ctx, req, ownerActor(user), { action, target: user, params }, fn);
}

/**
 * formUser is what the request's CSRF tokens are bound to: the session (an owner's, or a sign-in
 * waiting for its code) by the hash of its id, or `anonymous` before any sign-in. A token of one session
 * is refused in another, and after a sign-in the forms carry new ones.
 */
export function formUser(req: FastifyRequest): string {
  const state = req.panel;
  if (state?.kind === 'owner' || state?.kind === 'pending') return `session:${state.session.record.idHash}`;
  // Not empty: the CSRF library refuses every token bound to an empty string.
  return 'anonymous';
}

/** clientOf is what a sign-in records of the browser: its address and user agent. */
export function clientOf(req: FastifyRequest): { ip: string | null; userAgent: string | null } {
  const agent = req.headers['user-agent'];
  return { ip: req.clientIp ?? null, userAgent: typeof agent === 'string' ? agent : null };
}

/** sendPanelPage renders content inside the shared layout, with the owner's navigation when signed in. */
export function sendPanelPage(
  deps: PanelDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  title: string,
  content: Child,
  status = 200,
): FastifyReply {
  const owner = req.panel?.kind === 'owner' ? req.panel.session.account.user : null;
  const who =
    owner === null ? null : (
      <>
        <span>
          Signed in as <strong>{owner}</strong>
        </span>
        <form method="post" action="/sign-out" class="sign-out">
          <Csrf token={reply.formToken()} />
          <button type="submit" class="secondary">
            Sign out
          </button>
        </form>
      </>
    );
  const nav = owner === null ? [] : PANEL_NAV;
  return sendSitePage(
    { product: 'Vanta Panel', nav, who, flash: PANEL_FLASH, assets: deps.assets },
    req,
    reply,
    title,
    content,
    status,
  );
}
