import { mkdtemp, rm } from 'node:fs/promises';
import { after, before } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { issueToken } from '../../src/app/issue-token.js';
import { type Runtime, type RuntimeOverrides, createRuntime } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { parseScopes } from '../../src/domain/scopes.js';
import { Argon2PasswordHasher } from '../../src/host/argon2-password-hasher.js';
import { buildServers } from '../../src/http/server.js';

/** FAST_ARGON2 keeps argon2id real but cheap, so suites that create many accounts stay quick. */
export const fastHasher = () => new Argon2PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

/** TestApp is a real runtime on a temporary data directory with both servers built (not listening). */
export interface TestApp {
  dir: string;
  rt: Runtime;
  panel: FastifyInstance;
  whm: FastifyInstance;
  token(
    scopes: string[],
    extra?: { name?: string; expiresAt?: string | null; allowedCidrs?: string[] },
  ): Promise<string>;
  api(
    method: string,
    query: string,
    opts?: { token?: string; body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string>; ip?: string },
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

let tokenSeq = 0;

/** makeApp builds a TestApp; `env` adds VANTA_* variables, `overrides` swaps runtime parts. */
export async function makeApp(env: Record<string, string> = {}, overrides: RuntimeOverrides = {}): Promise<TestApp> {
  const dir = await mkdtemp(join(tmpdir(), 'vanta-test-'));
  const config = loadConfig({
    VANTA_DATA_DIR: dir,
    VANTA_ACME_DIRECTORY: 'off',
    VANTA_AUTH_FAIL_LIMIT: '100000',
    ...env,
  });
  const rt = await createRuntime(config, {
    logger: pino({ level: 'silent' }),
    hasher: fastHasher(),
    tokenFlushMs: 0,
    ...overrides,
  });
  const { panel, whm } = buildServers(rt);
  return {
    dir,
    rt,
    panel,
    whm,
    async token(scopes, extra = {}) {
      const { secret } = await issueToken(rt.ctx, {
        name: extra.name ?? `test-token-${++tokenSeq}`,
        scopes: parseScopes(scopes),
        expiresAt: extra.expiresAt ?? null,
        allowedCidrs: extra.allowedCidrs ?? [],
        createdBy: 'test',
      });
      return secret;
    },
    api(method, query, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
      let payload: string | Buffer | undefined = opts.rawBody;
      if (opts.body !== undefined) {
        payload = JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
      return panel.inject({
        method: method as 'GET',
        url: `/?${query}`,
        headers,
        payload,
        remoteAddress: opts.ip ?? '127.0.0.1',
      });
    },
    async close() {
      await panel.close();
      await whm.close();
      await rt.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** ALL_SCOPES is every scope, for a token that may do anything. */
export const ALL_SCOPES = ['accounts:read', 'accounts:write', 'accounts:delete', 'plans:write'];

/** ApiSuite is the app and a token with every scope of one describe block, filled in by its before hook. */
export interface ApiSuite {
  app: TestApp;
  token: string;
}

/** apiSuite registers before/after hooks that build an app (with `env`) and a token with every scope, and close it. */
export function apiSuite(env: Record<string, string> = {}, overrides: RuntimeOverrides = {}): ApiSuite {
  const suite = {} as ApiSuite;
  before(async () => {
    suite.app = await makeApp(env, overrides);
    suite.token = await suite.app.token(ALL_SCOPES);
  });
  after(() => suite.app.close());
  return suite;
}

/** ListeningSuite is an app whose two listeners listen on free loopback ports. */
export interface ListeningSuite extends ApiSuite {
  port(listener: 'panel' | 'whm'): number;
}

/** listeningSuite is apiSuite with both listeners listening on loopback, for tests that need real sockets. */
export function listeningSuite(env: Record<string, string> = {}, overrides: RuntimeOverrides = {}): ListeningSuite {
  const suite = apiSuite(env, overrides) as ListeningSuite;
  before(async () => {
    await suite.app.panel.listen({ host: '127.0.0.1', port: 0 });
    await suite.app.whm.listen({ host: '127.0.0.1', port: 0 });
  });
  suite.port = (listener) => {
    const address = suite.app[listener].server.address();
    if (!address || typeof address !== 'object') throw new Error(`the ${listener} listener is not listening`);
    return address.port;
  };
  return suite;
}
