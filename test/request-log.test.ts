import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiSuite } from './support/app.js';
import { logCapture } from './support/log-capture.js';

// Regression test of issue 15 (performance): the request log cost two lines a request.

describe('15.3: each request is logged once, when it is answered', () => {
  const log = logCapture();
  const t = apiSuite({}, { logger: log.logger });

  it('one line with the method, the redacted URL, the status and the time taken', async () => {
    log.clear();
    assert.equal((await t.app.api('GET', 'api=ping&token=S3cretTok', { token: t.token })).statusCode, 200);
    assert.equal((await t.app.api('GET', 'api=accounts&user=nobody')).statusCode, 401);
    type Line = { req?: { method: string; url: string }; res?: { statusCode: number }; responseTime?: unknown };
    const lines = log.entries().filter((e) => e.req !== undefined) as Line[];
    assert.equal(lines.length, 2, log.text());
    assert.deepEqual(
      lines.map((l) => [l.req?.method, l.req?.url, l.res?.statusCode, typeof l.responseTime]),
      [
        ['GET', '/?api=ping&token=[redacted]', 200, 'number'],
        ['GET', '/?api=accounts&user=nobody', 401, 'number'],
      ],
    );
    assert.ok(!log.text().includes('S3cretTok'));
  });
});
