import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerFormGuard } from './form-guard.js';

/** site is a scope behind the form guard, as vWHM's and the user panel's, with one page and one form. */
async function site(cookieKey: string, formKey: Buffer): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(async (scope) => {
    await registerFormGuard(scope, {
      cookieKey,
      // The same user name on both sites: the case where only the key tells them apart.
      userOf: () => 'anonymous',
      refuseCrossOrigin: async (_req, reply) => reply.code(403).send('cross-origin'),
      formKey,
    });
    scope.get('/form', async (_req, reply) => reply.send(reply.formToken()));
    scope.post('/form', async () => 'posted');
  });
  return app;
}

/** tokenOf opens the form and returns its token and the CSRF secret cookie's value. */
async function tokenOf(app: FastifyInstance, cookieKey: string): Promise<{ token: string; secret: string }> {
  const page = await app.inject({ method: 'GET', url: '/form' });
  const secret = page.cookies.find((c) => c.name === cookieKey)?.value;
  assert.ok(secret, 'the page sets the CSRF secret cookie');
  return { token: page.body, secret };
}

function post(app: FastifyInstance, cookieKey: string, token: string, secret: string) {
  return app.inject({
    method: 'POST',
    url: '/form',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${cookieKey}=${secret}` },
    payload: `_csrf=${encodeURIComponent(token)}`,
  });
}

describe('the form key kept in the data directory, shared by vWHM and the user panel', () => {
  it("signs each site's tokens with a key of its own: one site's token and secret never pass on the other", async () => {
    const formKey = randomBytes(32);
    const whm = await site('vwhm_csrf', formKey);
    const panel = await site('vanta_csrf', formKey);
    try {
      const { token, secret } = await tokenOf(whm, 'vwhm_csrf');
      assert.equal((await post(whm, 'vwhm_csrf', token, secret)).statusCode, 200, 'on its own site it passes');
      assert.equal((await post(panel, 'vanta_csrf', token, secret)).statusCode, 403, 'carried to the other it fails');
      // A second process over the same key (a restart) takes the token it made.
      const again = await site('vwhm_csrf', formKey);
      assert.equal((await post(again, 'vwhm_csrf', token, secret)).statusCode, 200);
      await again.close();
    } finally {
      await whm.close();
      await panel.close();
    }
  });
});
