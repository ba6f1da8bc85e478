import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { LAZY_SCHEMA_COMPILERS } from './schema-compilers.js';

/** withSchemaRoutes adds routes whose Fastify schemas validate, coerce, fill defaults and serialise. */
function withSchemaRoutes(app: FastifyInstance): FastifyInstance {
  app.post(
    '/things',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', default: 10 } },
        },
        body: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', minLength: 2 }, tags: { type: 'array', items: { type: 'string' } } },
        },
        response: {
          201: {
            type: 'object',
            properties: { name: { type: 'string' }, limit: { type: 'integer' }, tags: { type: 'array' } },
          },
        },
      },
    },
    async (req, reply) => {
      const body = req.body as { name: string; tags?: string[] };
      const query = req.query as { limit: number };
      return reply.code(201).send({ ...body, limit: query.limit, secret: 'not in the response schema' });
    },
  );
  return app;
}

describe('15.5: Fastify schemas compile the same with the compilers loaded on first use', () => {
  const requests = [
    { method: 'POST' as const, url: '/things?limit=5', payload: { name: 'ab', tags: ['x'] } },
    { method: 'POST' as const, url: '/things', payload: { name: 'ab' } },
    { method: 'POST' as const, url: '/things?limit=five', payload: { name: 'ab' } },
    { method: 'POST' as const, url: '/things', payload: { name: 'a' } },
    { method: 'POST' as const, url: '/things', payload: { tags: [] } },
  ];

  it('answers every request as Fastify with its default compilers does', async () => {
    const eager = withSchemaRoutes(Fastify());
    const lazy = withSchemaRoutes(Fastify({ schemaController: LAZY_SCHEMA_COMPILERS }));
    try {
      for (const request of requests) {
        const want = await eager.inject(request);
        const got = await lazy.inject(request);
        assert.equal(got.statusCode, want.statusCode, request.url);
        assert.deepEqual(got.json(), want.json(), `${request.url} ${JSON.stringify(request.payload)}`);
      }
      // The table covers what the compilers do: accept, fill a default, refuse a bad query and body, drop a field.
      const ok = await lazy.inject(requests[0] ?? { url: '/' });
      assert.deepEqual(ok.json(), { name: 'ab', limit: 5, tags: ['x'] });
      assert.equal((await lazy.inject(requests[1] ?? { url: '/' })).json().limit, 10);
      assert.equal((await lazy.inject(requests[2] ?? { url: '/' })).statusCode, 400);
    } finally {
      await Promise.all([eager.close(), lazy.close()]);
    }
  });
});
