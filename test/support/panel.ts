import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from './app.js';
import { cookieJar } from './cookie-jar.js';
import { csrfOf, encodeForm } from './whm.js';

/** PANEL_ORIGIN is the origin inject() requests to the user panel come from, as a browser on the panel's own pages sends it. */
export const PANEL_ORIGIN = 'http://localhost:80';

/** defaultFrom is the page a form posted to `url` is on: `/` for sign-in, a database's page for its actions, else `url`. */
function defaultFrom(url: string): string {
  if (url === '/sign-in') return '/';
  return url.replace(/^(\/databases\/[^/]+)\/(delete|password)$/, '$1');
}

/** PanelClient drives the user panel through inject() like a browser: a cookie jar, CSRF tokens read from pages, same-origin POSTs. */
export interface PanelClient {
  cookies: Map<string, string>;
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /**
   * post sends a form as the page at `from` would (default: `url` itself, or `/` for the sign-in
   * form), with the CSRF token read from that page; `csrf: null` sends none, a string sends that one.
   */
  post(
    url: string,
    form: Record<string, string>,
    opts?: { from?: string; csrf?: string | null; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  /** signIn signs in with the sign-in form and answers the form's answer (303 to `/` when it worked). */
  signIn(user: string, password: string): Promise<LightMyRequestResponse>;
}

/** panelClient is a new browser on the user panel, from the client address `ip`. */
export function panelClient(app: TestApp, ip = '127.0.0.1'): PanelClient {
  const jar = cookieJar();
  const get = async (url: string, headers: Record<string, string> = {}) =>
    jar.remember(
      await app.panel.inject({ method: 'GET', url, headers: { ...jar.header(), ...headers }, remoteAddress: ip }),
    );
  const client: PanelClient = {
    cookies: jar.cookies,
    get,
    async post(url, form, opts = {}) {
      let csrf = opts.csrf;
      if (csrf === undefined) {
        const page = await get(opts.from ?? defaultFrom(url));
        assert.equal(page.statusCode, 200, `the page the form is on: ${page.statusCode} ${page.body.slice(0, 200)}`);
        csrf = csrfOf(page.body);
      }
      const body = csrf === null ? form : { ...form, _csrf: csrf };
      return jar.remember(
        await app.panel.inject({
          method: 'POST',
          url,
          headers: {
            ...jar.header(),
            'content-type': 'application/x-www-form-urlencoded',
            origin: PANEL_ORIGIN,
            'sec-fetch-site': 'same-origin',
            ...(opts.headers ?? {}),
          },
          payload: encodeForm(body),
          remoteAddress: ip,
        }),
      );
    },
    signIn: (user, password) => client.post('/sign-in', { user, password }),
  };
  return client;
}
