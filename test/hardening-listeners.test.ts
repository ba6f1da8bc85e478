import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listeningSuite } from './support/app.js';
import { rawExchange } from './support/raw-socket.js';

// Regression tests of issue 16 (hardening) for both listeners at the protocol level.

/** jsonBody returns the JSON body of a raw HTTP answer. */
function jsonBody(raw: string): Record<string, unknown> {
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  return JSON.parse(body) as Record<string, unknown>;
}

describe('16.12: protocol-level errors answer the documented JSON error shape, naming no framework and echoing no URL', () => {
  const t = listeningSuite();
  const cases: Array<[string, string, number, string]> = [
    ['a bad request line', 'GARBAGE\r\n\r\n', 400, 'bad_request'],
    ['a method the parser does not know', 'FOO /?api=ping HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'bad_request'],
    [
      'headers over the limit',
      `GET /?api=ping HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(40_000)}\r\n\r\n`,
      431,
      'headers_too_large',
    ],
    [
      'malformed chunked encoding',
      'POST /?api=accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nsecret-token-in-body\r\n0\r\n\r\n',
      400,
      'bad_request',
    ],
    ['a bad URL', 'GET /%zz?api=ping&token=vp_SecretInUrl HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'bad_request'],
    [
      'two different Content-Length headers',
      'POST /?api=accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{}',
      400,
      'bad_request',
    ],
  ];
  for (const listener of ['panel', 'whm'] as const) {
    for (const [name, request, status, code] of cases) {
      it(`${listener}: ${name} → ${status} ${code}`, async () => {
        const raw = await rawExchange(t.port(listener), request);
        assert.match(raw, new RegExp(`^HTTP/1\\.1 ${status} `), raw);
        assert.match(raw, /\r\ncontent-type: application\/json; charset=utf-8\r\n/i);
        const body = jsonBody(raw);
        assert.equal(body.ok, false);
        assert.equal(body.error, code);
        assert.equal(typeof body.message, 'string');
        assert.doesNotMatch(raw, /fastify|FST_|%zz|SecretInUrl|secret-token|api=|statusCode/i);
      });
    }
  }

  it('a path that does not exist is not echoed either', async () => {
    const raw = await rawExchange(t.port('panel'), 'GET /nothing-<b>here</b> HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(raw, /^HTTP\/1\.1 404 /);
    assert.equal(jsonBody(raw).error, 'not_found');
    assert.doesNotMatch(raw, /nothing-|<b>/);
  });
});
