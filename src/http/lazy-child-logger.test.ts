import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { it } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { lazyChildLogger } from './lazy-child-logger.js';

it('a request logger is made on the first line it writes, bound as Fastify binds it', () => {
  const lines: string[] = [];
  const root = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  let made = 0;
  const log = lazyChildLogger(() => {
    made++;
    return root.child({ reqId: 'r-1' }) as FastifyBaseLogger;
  });
  assert.equal(made, 0, 'nothing made while nothing is logged');
  log.debug({ skipped: true }, 'below the level');
  log.info({ a: 1 }, 'first');
  log.warn('second');
  log.child({ sub: true }).error('third');
  assert.equal(made, 1, 'one child, made once');
  assert.equal(log.level, 'info');
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    parsed.map((l) => [l.reqId, l.msg, l.a ?? l.sub ?? null]),
    [
      ['r-1', 'first', 1],
      ['r-1', 'second', null],
      ['r-1', 'third', true],
    ],
  );
});
