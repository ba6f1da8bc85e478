import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Child } from 'hono/jsx';
import { audited } from '../../app/audit.js';
import type { AppContext } from '../../app/ports.js';
import { DomainError, isDomainError } from '../../domain/errors.js';
import { checkWellFormed } from '../../domain/text.js';
import type { Actor } from '../../domain/types.js';
import { STATUS_BY_CODE } from '../errors.js';
import type { WhmAssets } from './assets.js';
import type { FormState } from './form.js';
import { type Flash, Layout } from './layout.js';

/** PageDeps are what every vWHM page handler needs. */
export interface PageDeps {
  ctx: AppContext;
  assets: WhmAssets;
}

/** FormBody is a parsed urlencoded form: repeated names become arrays. */
export type FormBody = Record<string, string | string[] | undefined>;

const FLASH_COOKIE = 'vwhm_flash';
const COOKIE_OPTS = { path: '/', httpOnly: true, sameSite: 'strict', secure: 'auto' } as const;

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
  const audit = {
    actor: adminActor(req),
    action,
    target,
    params,
    requestId: req.id,
    ip: req.clientIp,
    statusOf: pageStatus,
  };
  return audited(deps.ctx, audit, fn);
}

/**
 * pageStatus is the status recorded for a vWHM change: 200 when it succeeded (the page then
 * redirects or shows its result), otherwise the error's status, which the re-rendered form answers with.
 */
export function pageStatus(outcome: string): number {
  if (outcome === 'ok') return 200;
  return (STATUS_BY_CODE as Readonly<Record<string, number>>)[outcome] ?? 500;
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

/** setFlash stores a message for the next page this browser loads. */
export function setFlash(reply: FastifyReply, flash: Flash): void {
  reply.setCookie(FLASH_COOKIE, Buffer.from(JSON.stringify(flash), 'utf8').toString('base64url'), COOKIE_OPTS);
}

function takeFlash(req: FastifyRequest, reply: FastifyReply): Flash | null {
  const raw = req.cookies[FLASH_COOKIE];
  if (!raw) return null;
  reply.clearCookie(FLASH_COOKIE, COOKIE_OPTS);
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
}

/** redirectWith answers a successful POST with a 303 to a page that shows the flash message. */
export function redirectWith(reply: FastifyReply, url: string, flash: Flash): FastifyReply {
  setFlash(reply, flash);
  return reply.code(303).redirect(url);
}

/** sendPage renders content inside the layout and sends it as an HTML page. */
export function sendPage(
  deps: PageDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  title: string,
  content: Child,
  status = 200,
): FastifyReply {
  const node = (
    <Layout
      title={title}
      admin={req.admin ?? ''}
      path={req.url.split('?')[0] ?? '/'}
      flash={takeFlash(req, reply)}
      assets={deps.assets}
    >
      {content}
    </Layout>
  );
  const html = node.toString();
  if (typeof html !== 'string') throw new Error('vWHM pages must render synchronously');
  return reply.code(status).type('text/html; charset=utf-8').send(`<!doctype html>\n${html}`);
}

/** when formats a stored ISO time for a table: UTC, to the minute. */
export function when(iso: string | null, none = 'never'): string {
  if (iso === null) return none;
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
