import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type SchemaController = NonNullable<FastifyServerOptions['schemaController']>;
type Factories = NonNullable<SchemaController['compilersFactory']>;
type ValidatorFactory = NonNullable<Factories['buildValidator']>;
type SerializerFactory = NonNullable<Factories['buildSerializer']>;

// Resolved from Fastify's own place: the two compilers are its dependencies, not the panel's.
const requireFromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));

function lazyFactory<F extends (...args: never[]) => unknown>(load: () => F): F {
  let factory: F | null = null;
  return ((...args: Parameters<F>) => {
    factory ??= load();
    return factory(...args);
  }) as F;
}

/**
 * LAZY_SCHEMA_COMPILERS is Fastify's `schemaController` option holding Fastify's own default
 * compilers (Ajv to validate, fast-json-stringify to serialise), loaded the first time a route with
 * a Fastify schema needs one instead of when each server is built. No route of the panel has one
 * (the API checks bodies against its own endpoint table), and the two libraries with theirs are
 * about 110 modules, about 2 MiB resident, kept for nothing.
 */
export const LAZY_SCHEMA_COMPILERS: SchemaController = {
  compilersFactory: {
    buildValidator: lazyFactory(() => (requireFromFastify('@fastify/ajv-compiler') as () => ValidatorFactory)()),
    buildSerializer: lazyFactory(() =>
      (requireFromFastify('@fastify/fast-json-stringify-compiler') as () => SerializerFactory)(),
    ),
  },
};
