import assert from 'node:assert/strict';
import { type Socket, connect } from 'node:net';
import { before, describe, it } from 'node:test';
import { addAdmin } from '../src/app/admins.js';
import { listeningSuite } from './support/app.js';
import { rawExchange } from './support/raw-socket.js';
import { basicAuth } from './support/whm.js';

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

describe('16.12: a credential header sent twice is refused, never picked', () => {
  const t = listeningSuite();
  const ask = (headers: string[]) =>
    rawExchange(t.port('panel'), `GET /?api=ping HTTP/1.1\r\nHost: x\r\n${headers.join('\r\n')}\r\n\r\n`);

  it('two Authorization headers → 400 conflicting_credentials, whichever is valid', async () => {
    for (const pair of [
      [`Authorization: Bearer ${t.token}`, 'Authorization: Bearer vp_notAToken'],
      ['Authorization: Bearer vp_notAToken', `Authorization: Bearer ${t.token}`],
      [`Authorization: Bearer ${t.token}`, `Authorization: Bearer ${t.token}`],
    ]) {
      const raw = await ask(pair);
      assert.match(raw, /^HTTP\/1\.1 400 /, raw);
      assert.equal(jsonBody(raw).error, 'conflicting_credentials');
    }
  });

  it('two X-Api-Key headers → 400 conflicting_credentials', async () => {
    const raw = await ask([`X-Api-Key: ${t.token}`, 'X-Api-Key: vp_other']);
    assert.match(raw, /^HTTP\/1\.1 400 /, raw);
    assert.equal(jsonBody(raw).error, 'conflicting_credentials');
  });

  it('vWHM: two Authorization headers are no credentials (401)', async () => {
    await addAdmin(t.app.rt.ctx, 'alice', 'correct-horse-battery-9');
    const good = basicAuth('alice', 'correct-horse-battery-9');
    const raw = await rawExchange(
      t.port('whm'),
      `GET / HTTP/1.1\r\nHost: x\r\nAuthorization: ${good}\r\nAuthorization: Basic eDp5\r\nConnection: close\r\n\r\n`,
      () => false,
    );
    assert.match(raw, /^HTTP\/1\.1 401 /, raw);
  });
});

/** opened connects a raw socket and resolves once it is connected. */
function opened(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

/**
 * closedByServer resolves to what the server sent before it closed the connection. A generous
 * deadline turns a connection that is never closed into a failure instead of a hung suite.
 */
function closedByServer(socket: Socket, deadlineMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const timer = setTimeout(() => reject(new Error('the server never closed the connection')), deadlineMs);
    socket.on('data', (d: Buffer) => {
      received += d.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
  });
}

/** askOn sends one keep-alive request on an open socket and resolves to the answer's status line. */
function askOn(socket: Socket, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const onData = (d: Buffer) => {
      received += d.toString('latin1');
      const head = received.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(received);
      if (head !== -1 && length && received.length >= head + 4 + Number(length[1])) {
        socket.off('data', onData);
        resolve(received.split('\r\n')[0] ?? '');
      }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`closed before an answer: ${received}`)));
    socket.write(request);
  });
}

describe('16.3: header and body timeouts close slow connections on both listeners', () => {
  const t = listeningSuite({ VANTA_HEADER_TIMEOUT: '1', VANTA_BODY_TIMEOUT: '2', VANTA_IDLE_TIMEOUT: '30' });
  before(() => addAdmin(t.app.rt.ctx, 'alice', 'correct-horse-battery-9'));

  for (const listener of ['panel', 'whm'] as const) {
    it(`${listener}: headers and 10 of 100 body bytes, then nothing: closed with 408 request_timeout`, async () => {
      const socket = await opened(t.port(listener));
      const closed = closedByServer(socket);
      const [path, authorization] =
        listener === 'panel'
          ? ['/?api=accounts', `Bearer ${t.token}`]
          : ['/plans', basicAuth('alice', 'correct-horse-battery-9')];
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user":"a',
      );
      const raw = await closed;
      assert.match(raw, /^HTTP\/1\.1 408 /, raw);
      assert.equal(jsonBody(raw).error, 'request_timeout');
    });

    it(`${listener}: a connection that sends nothing, or half its headers, is closed`, async () => {
      const silent = await opened(t.port(listener));
      const half = await opened(t.port(listener));
      const closed = [closedByServer(silent), closedByServer(half)];
      half.write('GET / HTTP/1.1\r\nHost: x\r\n');
      await Promise.all(closed);
    });
  }
});

describe('16.3: past the connection cap new connections are closed, established ones keep working', () => {
  const t = listeningSuite({
    VANTA_MAX_CONNECTIONS: '3',
    VANTA_IDLE_TIMEOUT: '60',
    VANTA_HEADER_TIMEOUT: '60',
    VANTA_BODY_TIMEOUT: '60',
  });

  for (const listener of ['panel', 'whm'] as const) {
    it(listener, async () => {
      const request =
        listener === 'panel'
          ? `GET /?api=ping HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.token}\r\n\r\n`
          : 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';
      const expected = listener === 'panel' ? 'HTTP/1.1 200 OK' : 'HTTP/1.1 401 Unauthorized';
      const established = [];
      for (let i = 0; i < 3; i++) {
        const socket = await opened(t.port(listener));
        assert.equal(await askOn(socket, request), expected);
        established.push(socket);
      }
      const extra = await opened(t.port(listener));
      const refused = closedByServer(extra);
      extra.write(request);
      assert.equal(await refused, '', 'the fourth connection is closed unanswered');
      for (const socket of established) assert.equal(await askOn(socket, request), expected);
      for (const socket of established) socket.destroy();
    });
  }
});
