import assert from 'node:assert/strict';
import { it } from 'node:test';
import { makeApp } from './support/app.js';

// The finding: every `vanta serve` printed Fastify's FSTDEP023 warning to stderr at start, for the
// top-level `disableRequestLogging` option, which Fastify 6 removes. Fastify warns once a process,
// so this file builds the panel's servers first thing.
it('building the panel’s servers raises no Fastify deprecation warning', async () => {
  const warnings: Error[] = [];
  const seen = (w: Error) => warnings.push(w);
  process.on('warning', seen);
  const app = await makeApp();
  try {
    const answer = await app.api('GET', 'api=ping', { token: await app.token(['accounts:read']) });
    assert.equal(answer.statusCode, 200);
    await new Promise((resolve) => setImmediate(resolve));
    const fastify = warnings.filter((w) => /^FST/.test((w as { code?: string }).code ?? ''));
    assert.deepEqual(
      fastify.map((w) => `${(w as { code?: string }).code}: ${w.message}`),
      [],
    );
  } finally {
    process.off('warning', seen);
    await app.close();
  }
});
