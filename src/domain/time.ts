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
