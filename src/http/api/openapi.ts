import type { ErrorCode } from '../../domain/errors.js';
import { VERSION } from '../../version.js';
import { STATUS_BY_CODE } from '../errors.js';
import { type Endpoint, type RoutedEndpoint, listEndpoints } from './endpoints.js';
import type { JsonSchema } from './json-schema.js';
import { ACCOUNT_SCHEMA, PLAN_SCHEMA } from './schemas.js';

/** OpenApiDocument is the OpenAPI 3.1 document as JSON data. */
export type OpenApiDocument = Record<string, unknown>;

/** AUTH_ERRORS are the codes of authentication, which every call with a token can answer. */
const AUTH_ERRORS: readonly ErrorCode[] = [
  'missing_token',
  'invalid_token',
  'token_expired',
  'token_revoked',
  'conflicting_credentials',
  'ip_not_allowed',
  'rate_limited',
];

/** BODY_ERRORS are the codes of reading a JSON body. */
const BODY_ERRORS: readonly ErrorCode[] = [
  'unsupported_media_type',
  'payload_too_large',
  'invalid_json',
  'unknown_field',
  'invalid_parameter',
  'missing_parameter',
];

/** IDEMPOTENCY_ERRORS are the codes of the Idempotency-Key, which every POST takes. */
const IDEMPOTENCY_ERRORS: readonly ErrorCode[] = [
  'invalid_idempotency_key',
  'idempotency_key_reused',
  'request_in_progress',
];

/** apiPath is the path of a call in the document: `/api/NAME[/ACTION]`, the alias of `/?api=NAME[&action=ACTION]`. */
export function apiPath(call: Pick<RoutedEndpoint, 'api' | 'action'>): string {
  return call.action === null ? `/api/${call.api}` : `/api/${call.api}/${call.action}`;
}

/** errorCodesOf lists every code a call can answer: those of its own and those its shape brings. */
export function errorCodesOf(call: RoutedEndpoint): ErrorCode[] {
  const { endpoint, method } = call;
  const codes = new Set<ErrorCode>([...AUTH_ERRORS, 'internal_error', ...endpoint.errors]);
  if (endpoint.scope !== null) codes.add('insufficient_scope');
  if (endpoint.query?.user) {
    codes.add('missing_parameter');
    codes.add('invalid_user');
    if (endpoint.body?.properties.user) codes.add('conflicting_parameters');
  }
  if (endpoint.query && Object.keys(endpoint.query).some((name) => name !== 'user')) codes.add('invalid_parameter');
  if (endpoint.body) for (const code of BODY_ERRORS) codes.add(code);
  if (method === 'POST') for (const code of IDEMPOTENCY_ERRORS) codes.add(code);
  return [...codes];
}

/** NAMED are the schemas the document defines once, under components, and refers to everywhere else. */
const NAMED = new Map<unknown, string>([
  [ACCOUNT_SCHEMA, 'Account'],
  [PLAN_SCHEMA, 'Plan'],
]);

function withRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withRefs);
  if (value === null || typeof value !== 'object') return value;
  const name = NAMED.get(value);
  if (name !== undefined) return { $ref: `#/components/schemas/${name}` };
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, withRefs(v)]));
}

function successSchema(endpoint: Endpoint): JsonSchema {
  const optional = new Set(endpoint.optional ?? []);
  return {
    type: 'object',
    properties: { ok: { const: true }, ...endpoint.response },
    required: ['ok', ...Object.keys(endpoint.response).filter((name) => !optional.has(name))],
  };
}

function errorResponses(codes: readonly ErrorCode[]): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(STATUS_BY_CODE[code], [...(byStatus.get(STATUS_BY_CODE[code]) ?? []), code]);
  const out: Record<string, unknown> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    out[String(status)] = {
      description: `Refused: ${list.join(', ')}.`,
      content: {
        'application/json': {
          schema: {
            allOf: [
              { $ref: '#/components/schemas/Error' },
              { type: 'object', properties: { error: { type: 'string', enum: list } } },
            ],
          },
        },
      },
    };
  }
  return out;
}

function operation(call: RoutedEndpoint): Record<string, unknown> {
  const { endpoint, api, action, method } = call;
  const canonical = `${method} /?api=${api}${action === null ? '' : `&action=${action}`}`;
  const parameters: Record<string, unknown>[] = Object.entries(endpoint.query ?? {}).map(([name, p]) => ({
    name,
    in: 'query',
    required: p.required === true,
    description: p.description,
    schema: p.schema,
  }));
  if (method === 'POST') parameters.push({ $ref: '#/components/parameters/IdempotencyKey' });
  const responses: Record<string, unknown> = {};
  for (const status of endpoint.success) {
    responses[String(status)] = {
      description: endpoint.success.length > 1 && status === endpoint.success[0] ? 'Made.' : 'Done.',
      headers: method === 'POST' ? { 'Idempotent-Replayed': { $ref: '#/components/headers/IdempotentReplayed' } } : {},
      content: { 'application/json': { schema: successSchema(endpoint) } },
    };
  }
  return {
    operationId: endpoint.operationId,
    summary: endpoint.summary,
    description: `${endpoint.description}\n\nAlso reachable as \`${canonical}\`.${
      endpoint.scope === null ? ' Any valid token.' : ` Scope \`${endpoint.scope}\`.`
    }`,
    tags: [api === 'plans' ? 'plans' : api === 'ping' ? 'token' : 'accounts'],
    parameters,
    ...(endpoint.body
      ? {
          requestBody: {
            required: (endpoint.body.required ?? []).length > 0,
            content: { 'application/json': { schema: endpoint.body } },
          },
        }
      : {}),
    responses: { ...responses, ...errorResponses(errorCodesOf(call)) },
  };
}

/**
 * buildOpenApi generates the OpenAPI 3.1 document of the account API from the endpoint table.
 * OpenAPI paths cannot carry a query string, and every call shares the path `/`: each call is
 * described at its alias `/api/NAME[/ACTION]`, which the panel serves exactly as
 * `/?api=NAME[&action=ACTION]`, so that a generated client gets one typed operation per call.
 */
export function buildOpenApi(): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const call of listEndpoints()) {
    const path = apiPath(call);
    paths[path] = { ...(paths[path] ?? {}), [call.method.toLowerCase()]: withRefs(operation(call)) };
  }
  paths['/api/openapi'] = {
    get: {
      operationId: 'getOpenApi',
      summary: 'This document',
      description:
        'The OpenAPI 3.1 document of the account API. Needs no token.\n\nAlso reachable as `GET /?api=openapi`.',
      tags: ['token'],
      security: [],
      responses: {
        '200': { description: 'The document.', content: { 'application/json': { schema: { type: 'object' } } } },
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vanta Panel account API',
      version: VERSION,
      description:
        'The account API of Vanta Panel, for billing systems and provisioning scripts. Every call is `METHOD /?api=NAME[&action=ACTION]` on the user-panel listener; the paths here are its aliases `/api/NAME[/ACTION]`, answered the same way. Every POST takes an `Idempotency-Key` for safe retries. Errors are `{"ok":false,"error":CODE,"message":...}`; program against the code.',
    },
    servers: [{ url: '/', description: 'The user-panel listener that serves this document.' }],
    security: [{ bearerToken: [] }, { apiKey: [] }],
    tags: [
      { name: 'accounts', description: 'Hosting accounts.' },
      { name: 'plans', description: 'Hosting plans.' },
      { name: 'token', description: 'The token, and this document.' },
    ],
    paths,
    components: {
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: 'An API token: vp_ and 32 base62 characters.' },
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Api-Key',
          description: 'The same token, where a proxy strips Authorization.',
        },
      },
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'A key unique to this request (1 to 255 printable ASCII characters). A retry with the same key and request within 24 hours gets the first answer again; the same key with another request answers 422 idempotency_key_reused, and while the first still runs 409 request_in_progress.',
          schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7e]+$' },
        },
      },
      headers: {
        IdempotentReplayed: {
          description: 'true when this is the kept answer of an earlier request with the same Idempotency-Key.',
          schema: { type: 'string', const: 'true' },
        },
      },
      schemas: {
        Account: ACCOUNT_SCHEMA,
        Plan: PLAN_SCHEMA,
        Error: {
          type: 'object',
          properties: {
            ok: { const: false },
            error: { type: 'string', description: 'The stable error code.' },
            message: { type: 'string', description: 'A plain-English explanation; its wording may change.' },
            param: { type: 'string', description: 'The input at fault.' },
            required_scope: { type: 'string', description: 'With insufficient_scope: the scope needed.' },
            step: { type: 'string', description: 'With provisioning_failed: the step that failed.' },
          },
          required: ['ok', 'error', 'message'],
        },
      },
    },
  };
}
