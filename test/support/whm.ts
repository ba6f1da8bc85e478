import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { addAdmin } from '../../src/app/admins.js';
import { type TestApp, makeApp } from './app.js';
import { cookieJar } from './cookie-jar.js';

/** WhmClient drives vWHM through inject() like a browser: Basic Auth, a cookie jar and CSRF tokens read from pages. */
export interface WhmClient {
  name: string;
  get(url: string): Promise<LightMyRequestResponse>;
  /** post sends a form with a CSRF token taken from the page at `from` (default: `/section` for any URL under it). */
  post(
    url: string,
    form: Record<string, string | string[]>,
    opts?: { from?: string; csrf?: string | null },
  ): Promise<LightMyRequestResponse>;
  csrfFrom(url: string): Promise<string>;
  cookies: Map<string, string>;
}

/** basicAuth builds an `Authorization: Basic` header value. */
export function basicAuth(name: string, password: string): string {
  return `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;
}

/** csrfOf reads the CSRF token of the first form on a page. */
export function csrfOf(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(token, 'the page has no CSRF field');
  return token;
}

/** encodeForm encodes fields as application/x-www-form-urlencoded; arrays repeat the name. */
export function encodeForm(form: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(form))
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  return params.toString();
}

/** whmClient adds an admin to the app (unless `existing`) and returns a client signed in as that admin. */
export async function whmClient(
  app: TestApp,
  name = 'alice',
  password = 'correct-horse-battery-9',
  existing = false,
): Promise<WhmClient> {
  if (!existing) await addAdmin(app.rt.ctx, name, password);
  const jar = cookieJar();
  const { cookies, remember } = jar;
  const headers = () => ({ authorization: basicAuth(name, password), ...jar.header() });
  const get = async (url: string) => remember(await app.whm.inject({ method: 'GET', url, headers: headers() }));
  const csrfFrom = async (url: string) => {
    const page = await get(url);
    assert.equal(page.statusCode, 200, `GET ${url}: ${page.statusCode}`);
    return csrfOf(page.body);
  };
  return {
    name,
    cookies,
    get,
    csrfFrom,
    async post(url, form, opts = {}) {
      const from = opts.from ?? `/${url.split('/')[1] ?? ''}`;
      const csrf = opts.csrf === undefined ? await csrfFrom(from) : opts.csrf;
      const body = csrf === null ? form : { ...form, _csrf: csrf };
      return remember(
        await app.whm.inject({
          method: 'POST',
          url,
          headers: { ...headers(), 'content-type': 'application/x-www-form-urlencoded' },
          payload: encodeForm(body),
        }),
      );
    },
  };
}

/** WhmSuite is the app and signed-in client of one describe block, filled in by its before hook. */
export interface WhmSuite {
  app: TestApp;
  whm: WhmClient;
}

/** whmSuite registers before/after hooks that build an app with an admin "alice", run `setup`, and close it. */
export function whmSuite(setup: (s: WhmSuite) => Promise<void> = async () => {}): WhmSuite {
  const suite = {} as WhmSuite;
  before(async () => {
    suite.app = await makeApp();
    suite.whm = await whmClient(suite.app);
    await setup(suite);
  });
  after(() => suite.app.close());
  return suite;
}
