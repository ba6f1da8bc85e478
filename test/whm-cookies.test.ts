import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addAdmin } from '../src/app/admins.js';
import { makeApp } from './support/app.js';
import { basicAuth } from './support/whm.js';

test('vWHM cookies are Secure when a trusted TLS proxy says the client used https, and only then', async (t) => {
  const app = await makeApp({ VANTA_TRUSTED_PROXIES: '127.0.0.1' });
  t.after(() => app.close());
  await addAdmin(app.rt.ctx, 'alice', 'correct-horse-battery-9');
  const page = (headers: Record<string, string>, remoteAddress: string) =>
    app.whm.inject({
      method: 'GET',
      url: '/tokens/new',
      headers: { authorization: basicAuth('alice', 'correct-horse-battery-9'), ...headers },
      remoteAddress,
    });
  const csrfCookie = (res: Awaited<ReturnType<typeof page>>) => res.cookies.find((c) => c.name === 'vwhm_csrf');

  const viaProxy = await page({ 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' }, '127.0.0.1');
  assert.equal(viaProxy.statusCode, 200);
  assert.equal(csrfCookie(viaProxy)?.secure, true);

  const plain = await page({}, '127.0.0.1');
  assert.ok(csrfCookie(plain), 'a CSRF cookie is set');
  assert.notEqual(csrfCookie(plain)?.secure, true, 'plain http on loopback keeps working');

  const spoofed = await page({ 'x-forwarded-proto': 'https' }, '198.51.100.7');
  assert.notEqual(csrfCookie(spoofed)?.secure, true, 'an untrusted client cannot claim https');
});
