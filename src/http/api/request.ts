import { DomainError } from '../../domain/errors.js';
import { putOwn } from '../../domain/records.js';
import { isSecretName } from '../../domain/secrets.js';
import { checkWellFormed } from '../../domain/text.js';
import { headerValues } from '../raw-headers.js';
import { type BodySpec, type ScalarType, typesOf } from './json-schema.js';

/** MAX_BODY_BYTES is the largest API body accepted. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Query is the parsed query string. */
export type Query = Record<string, string | string[] | undefined>;

/** JsonBody is a parsed JSON object body. */
export type JsonBody = Record<string, unknown>;

/** readCredentials finds the presented token in `Authorization: Bearer` or `X-Api-Key`, each sent at most once. */
export function readCredentials(rawHeaders: readonly string[]): string {
  const authorizations = headerValues(rawHeaders, 'authorization');
  const apiKeys = headerValues(rawHeaders, 'x-api-key');
  if (authorizations.length > 1 || apiKeys.length > 1) {
    throw new DomainError('conflicting_credentials', 'send Authorization and X-Api-Key at most once each');
  }
  const authorization = authorizations[0];
  const apiKey = apiKeys[0]?.trim();
  let bearer: string | undefined;
  if (authorization !== undefined) {
    const match = /^bearer(?:\s+(.*))?$/i.exec(authorization.trim());
    // Another scheme (say Basic, added by a proxy) is not an API credential.
    if (match) bearer = (match[1] ?? '').trim();
  }
  if (bearer !== undefined && apiKey !== undefined && bearer !== apiKey) {
    throw new DomainError('conflicting_credentials', 'Authorization and X-Api-Key carry different tokens');
  }
  const token = bearer ?? apiKey;
  if (token === undefined) {
    if (authorization !== undefined)
      throw new DomainError('invalid_token', 'the Authorization header is not a Bearer token');
    throw new DomainError('missing_token', 'send a token as "Authorization: Bearer <token>" or "X-Api-Key: <token>"');
  }
  if (token === '') throw new DomainError('invalid_token', 'the token is empty');
  return token;
}

/** queryValue reads a query parameter given at most once. */
export function queryValue(query: Query, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value))
    throw new DomainError('invalid_parameter', `${name} may be given only once`, { param: name });
  return value;
}

/** readJsonBody checks the size, media type and syntax of a buffered body; null when there is none. */
export function readJsonBody(raw: unknown, contentType: string | undefined): JsonBody | null {
  if (!Buffer.isBuffer(raw) || raw.length === 0) return null;
  if (raw.length > MAX_BODY_BYTES) {
    throw new DomainError('payload_too_large', `the body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  const media = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (media !== 'application/json') {
    throw new DomainError('unsupported_media_type', 'send the body as Content-Type: application/json');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new DomainError('invalid_json', 'the body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new DomainError('invalid_json', 'the body must be a JSON object');
  }
  return parsed as JsonBody;
}

/** peekJsonBody parses a body for the audit log only: any problem yields null, never an error. */
export function peekJsonBody(raw: unknown): JsonBody | null {
  if (!Buffer.isBuffer(raw) || raw.length === 0 || raw.length > MAX_BODY_BYTES) return null;
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as JsonBody) : null;
  } catch {
    return null;
  }
}

const TYPE_NAMES: Record<ScalarType, string> = {
  string: 'a string',
  integer: 'a whole number',
  boolean: 'true or false',
  null: 'null',
};

function hasType(value: unknown, type: ScalarType): boolean {
  if (type === 'null') return value === null;
  if (type === 'integer') return typeof value === 'number' && Number.isInteger(value);
  return typeof value === type;
}

/**
 * checkBody refuses unknown fields, fields of the wrong type (or text with a lone surrogate) and
 * missing required fields, in that order; what a value must look like beyond its type is the use
 * case's to check.
 */
export function checkBody(body: JsonBody | null, spec: BodySpec): JsonBody {
  const data = body ?? {};
  // Own properties only: `toString` or `__proto__` in a body is a field the call does not know.
  for (const key of Object.keys(data)) {
    if (!Object.hasOwn(spec.properties, key))
      throw new DomainError('unknown_field', `unknown field "${key}"`, { param: key });
  }
  for (const [key, field] of Object.entries(spec.properties)) {
    const value = Object.hasOwn(data, key) ? data[key] : undefined;
    if (value === undefined) continue;
    const types = typesOf(field) as readonly ScalarType[];
    if (!types.some((type) => hasType(value, type))) {
      const wanted = types.map((type) => TYPE_NAMES[type]).join(' or ');
      throw new DomainError('invalid_parameter', `${key} must be ${wanted}`, { param: key });
    }
    if (typeof value === 'string') checkWellFormed(value, key);
  }
  for (const key of spec.required ?? []) {
    if (!Object.hasOwn(data, key) || data[key] === undefined)
      throw new DomainError('missing_parameter', `${key} is required`, { param: key });
  }
  return data;
}

/** accountUser finds the account named by `user` in the query or the body. */
export function accountUser(query: Query, body: JsonBody): string {
  const fromQuery = queryValue(query, 'user');
  const fromBody = body.user as string | undefined;
  if (fromQuery !== undefined && fromBody !== undefined && fromQuery !== fromBody) {
    throw new DomainError('conflicting_parameters', 'user differs between the query string and the body', {
      param: 'user',
    });
  }
  const user = fromQuery ?? fromBody;
  if (user === undefined) throw new DomainError('missing_parameter', 'user is required', { param: 'user' });
  return user;
}

/** auditParams keeps the non-secret inputs of a call for the audit log (recordAudit shortens them). */
export function auditParams(query: Query, body: JsonBody | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (key: string, value: unknown) => {
    putOwn(out, key, isSecretName(key) ? '[redacted]' : value);
  };
  for (const [key, value] of Object.entries(query)) if (key !== 'api') put(key, value);
  for (const [key, value] of Object.entries(body ?? {})) {
    const safe = value === null || ['string', 'number', 'boolean'].includes(typeof value) ? value : '[structured]';
    put(key, safe);
  }
  return out;
}
