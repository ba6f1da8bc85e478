import { DomainError } from '../domain/errors.js';
import { DAY_MS, parseUtcDay } from '../domain/time.js';
import { ACTOR_TYPES, type AuditEntry } from '../domain/types.js';
import type { AuditFilter } from '../store/store.js';
import type { AppContext } from './ports.js';

/** AuditQueryInput is an audit search as a door receives it: text fields, any of them empty. */
export interface AuditQueryInput {
  action?: string;
  actor?: string;
  outcome?: string;
  target?: string;
  from?: string;
  to?: string;
  before?: string;
}

/**
 * parseAuditQuery turns a search into a store filter. `from` and `to` are whole UTC days, both
 * included; `actor` is a name, or `type:name` (as the log shows it) to tell an admin from a token.
 */
export function parseAuditQuery(input: AuditQueryInput, limit: number): AuditFilter {
  const text = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  const filter: AuditFilter = { limit };
  filter.action = text(input.action);
  filter.outcome = text(input.outcome);
  filter.target = text(input.target);
  const actor = text(input.actor);
  if (actor !== undefined) {
    const colon = actor.indexOf(':');
    const type = colon > 0 ? actor.slice(0, colon) : '';
    if ((ACTOR_TYPES as readonly string[]).includes(type)) {
      filter.actorType = type;
      filter.actor = actor.slice(colon + 1);
    } else {
      filter.actor = actor;
    }
  }
  const from = text(input.from);
  const to = text(input.to);
  if (from !== undefined) filter.since = new Date(parseUtcDay(from, 'from')).toISOString();
  if (to !== undefined) filter.until = new Date(parseUtcDay(to, 'to') + DAY_MS).toISOString();
  if (filter.since !== undefined && filter.until !== undefined && filter.since >= filter.until) {
    throw new DomainError('invalid_parameter', 'the "to" date must not be before the "from" date', { param: 'to' });
  }
  const before = text(input.before);
  if (before !== undefined) {
    if (!/^\d{1,15}$/.test(before))
      throw new DomainError('invalid_parameter', 'before must be an entry number', { param: 'before' });
    filter.beforeId = Number(before);
  }
  return filter;
}

/** eachAuditEntry walks every entry a filter matches, newest first, a page at a time (for exports). */
export async function* eachAuditEntry(
  ctx: AppContext,
  filter: AuditFilter,
  pageSize = 500,
): AsyncGenerator<AuditEntry> {
  let beforeId = filter.beforeId;
  for (;;) {
    const page = await ctx.store.audit.list({ ...filter, beforeId, limit: pageSize });
    yield* page;
    const last = page[page.length - 1];
    if (page.length < pageSize || last === undefined) return;
    beforeId = last.id;
  }
}
