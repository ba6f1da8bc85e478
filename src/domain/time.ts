import { DomainError } from './errors.js';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** parseExpiry turns "30d", "12h", "2w", "90m" or an ISO-8601 time into an ISO time in the future. */
export function parseExpiry(value: string, now: Date): string {
  const invalid = (why: string) => new DomainError('invalid_parameter', `expiry ${why}`, { param: 'expires' });
  const relative = /^(\d{1,5})([mhdw])$/.exec(value.trim());
  let at: Date;
  if (relative) {
    at = new Date(now.getTime() + Number(relative[1]) * (UNIT_MS[relative[2] ?? 'd'] ?? 0));
  } else if (/^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim())) {
    at = new Date(value.trim());
  } else {
    throw invalid('must be a duration such as 30d, 12h, 2w, or an ISO-8601 date');
  }
  if (Number.isNaN(at.getTime())) throw invalid('is not a valid date');
  if (at.getTime() <= now.getTime()) throw invalid('must be in the future');
  return at.toISOString();
}

/** DAY_MS is one day in milliseconds. */
export const DAY_MS = 86_400_000;

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * parseUtcDay reads a date such as 2026-01-31 as the start of that day in UTC, in milliseconds;
 * `param` names the input in the error, `name` in its message (when it reads better than the param).
 */
export function parseUtcDay(value: string, param: string, name = param): number {
  const ms = Date.parse(`${value}T00:00:00.000Z`);
  if (!DAY_RE.test(value) || Number.isNaN(ms)) {
    throw new DomainError('invalid_parameter', `${name} must be a date such as 2026-01-31`, { param });
  }
  return ms;
}

/** parseExpiryDay reads an expiry given as a UTC date: the token works through the whole of that day; '' is none. */
export function parseExpiryDay(value: string): string | null {
  if (value === '') return null;
  return new Date(parseUtcDay(value, 'expires', 'expiry') + DAY_MS).toISOString();
}
