import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Child } from 'hono/jsx';
import { audited } from '../../app/audit.js';
import type { AppContext } from '../../app/ports.js';
import { DomainError, isDomainError } from '../../domain/errors.js';
import type { Actor } from '../../domain/types.js';
import { checkWellFormed } from '../../domain/text.js';
import { STATUS_BY_CODE } from '../errors.js';
import type { FormState } from './form.js';
import type { UiAssets } from './assets.js';
import { type Flash, Layout, type NavItem } from './layout.js';

/** FormBody is a parsed urlencoded form: repeated names become arrays. */
export type FormBody = Record<string, string | string[] | undefined>;

/**
 * pageStatus is the status recorded for a change made with a form: 200 when it succeeded (the page
 * then redirects or shows its result), otherwise the error's status, which the re-rendered form answers with.
 */
export function pageStatus(outcome: string): number {
  if (outcome === 'ok') return 200;
  return (STATUS_BY_CODE as Readonly<Record<string, number>>)[outcome] ?? 500;
}

/** FormChange is one change made with a form: what it is, on what, with which non-secret inputs. */
export interface FormChange {
  action: string;
  target: string | null;
  params: Record<string, unknown>;
}

/** pageChange runs a use case for a form as `actor` and writes its audit entry (request id, address, status) whatever the outcome. */
export function pageChange<T>(
  ctx: AppContext,
  req: FastifyRequest,
  actor: Actor,
  change: FormChange,
  fn: () => Promise<T>,
): Promise<T> {
  return audited(ctx, { actor, ...change, requestId: req.id, ip: req.clientIp, statusOf: pageStatus }, fn);
}

/** formBody reads the parsed form, or an empty one when the request had none; text with a lone surrogate is refused. */
export function formBody(req: FastifyRequest): FormBody {
  const body = req.body;
  if (body === null || typeof body !== 'object' || Buffer.isBuffer(body)) return {};
  const form = body as FormBody;
  for (const [name, value] of Object.entries(form)) {
    for (const item of Array.isArray(value) ? value : [value]) if (item !== undefined) checkWellFormed(item, name);
  }
  return form;
}

/** text returns the first value of a form or query field, or '' when absent. */
export function text(body: FormBody | Record<string, unknown>, name: string): string {
  const value = body[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}

/** given reads an empty form field as one not given. */
export function given(value: string): string | undefined {
  return value === '' ? undefined : value;
}

/** texts returns every value of a repeated field, such as checkboxes. */
export function texts(body: FormBody, name: string): string[] {
  const value = body[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

/**
 * confirmTyped refuses an irreversible action (terminate an account, delete a database) unless
 * the name was typed into the `confirm` field exactly.
 */
export function confirmTyped(typed: string, expected: string, what: string): void {
  if (typed !== expected) {
    throw new DomainError('invalid_parameter', `type ${what} "${expected}" to confirm`, { param: 'confirm' });
  }
}

/**
 * failedForm turns a validation error into a re-shown form and its status; other errors are rethrown.
 * `rename` maps a use case's parameter name to this form's field name where they differ.
 */
export function failedForm(
  err: unknown,
  values: Record<string, string>,
  fields: readonly string[],
  rename: Record<string, string> = {},
): { status: number; form: FormState } {
  if (!isDomainError(err)) throw err;
  const given = typeof err.details.param === 'string' ? err.details.param : null;
  const param = given === null ? null : (rename[given] ?? given);
  const form: FormState = { values, errors: {}, message: null };
  if (param !== null && fields.includes(param)) {
    form.errors[param] = err.message;
    form.message = 'Please correct the field marked below.';
  } else {
    form.message = err.message;
  }
  return { status: STATUS_BY_CODE[err.code], form };
}

const FLASH_COOKIE_OPTS = { path: '/', httpOnly: true, sameSite: 'strict', secure: 'auto' } as const;

/** FlashCookie carries a one-time message to the next page a browser loads, in a cookie of its own. */
export interface FlashCookie {
  set(reply: FastifyReply, flash: Flash): void;
  /** take reads the message (and has the browser forget it); null when there is none or it cannot be read. */
  take(req: FastifyRequest, reply: FastifyReply): Flash | null;
  /** redirect answers a successful POST with a 303 to a page that shows the message. */
  redirect(reply: FastifyReply, url: string, flash: Flash): FastifyReply;
}

/** flashCookie makes the flash messages of one site (vWHM, the user panel), kept in the cookie `name`. */
export function flashCookie(name: string): FlashCookie {
  const set = (reply: FastifyReply, flash: Flash) => {
    reply.setCookie(name, Buffer.from(JSON.stringify(flash), 'utf8').toString('base64url'), FLASH_COOKIE_OPTS);
  };
  return {
    set,
    take(req, reply) {
      const raw = req.cookies[name];
      if (!raw) return null;
      reply.clearCookie(name, FLASH_COOKIE_OPTS);
      try {
        const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
        if (
          parsed &&
          typeof parsed === 'object' &&
          'kind' in parsed &&
          'text' in parsed &&
          typeof parsed.text === 'string'
        ) {
          return { kind: parsed.kind === 'error' ? 'error' : 'ok', text: parsed.text.slice(0, 500) };
        }
      } catch {
        // an unreadable flash is dropped
      }
      return null;
    },
    redirect(reply, url, flash) {
      set(reply, flash);
      return reply.code(303).redirect(url);
    },
  };
}

/** Site is what a site's pages share: its name, navigation, who is signed in, flash messages and assets. */
export interface Site {
  product: string;
  nav: readonly NavItem[];
  who: Child | null;
  flash: FlashCookie;
  assets: UiAssets;
}

/** sendSitePage renders content inside the shared layout, with the site's navigation and its flash message, as an HTML page. */
export function sendSitePage(
  site: Site,
  req: FastifyRequest,
  reply: FastifyReply,
  title: string,
  content: Child,
  status: number,
): FastifyReply {
  const document = (
    <Layout
      title={title}
      product={site.product}
      nav={site.nav}
      who={site.who}
      path={req.url.split('?')[0] ?? '/'}
      flash={site.flash.take(req, reply)}
      assets={site.assets}
    >
      {content}
    </Layout>
  );
  const html = document.toString();
  if (typeof html !== 'string') throw new Error('pages must render synchronously');
  return reply.code(status).type('text/html; charset=utf-8').send(`<!doctype html>\n${html}`);
}

/** when formats a stored ISO time for a table: UTC, to the minute. */
export function when(iso: string | null, none = 'never'): string {
  if (iso === null) return none;
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
