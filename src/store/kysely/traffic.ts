import { type Kysely, sql } from 'kysely';
import {
  EMPTY_TRAFFIC_STATE,
  type RotatedCursor,
  type TrafficCursor,
  type TrafficLogState,
} from '../../domain/traffic.js';
import type { Database } from '../schema.js';
import type { Store } from '../store.js';

const text = (v: unknown): v is string => typeof v === 'string';

function cursorOf(raw: unknown, rotated: false): TrafficCursor | null;
function cursorOf(raw: unknown, rotated: true): RotatedCursor | null;
function cursorOf(raw: unknown, rotated: boolean): TrafficCursor | RotatedCursor | null {
  if (raw === null) return null;
  const c = raw as Record<string, unknown>;
  const ok =
    typeof c === 'object' &&
    text(c.dev) &&
    text(c.ino) &&
    text(c.born) &&
    text(c.since) &&
    Number.isSafeInteger(c.offset) &&
    (c.offset as number) >= 0 &&
    (!rotated || text(c.rotatedAt));
  // A state the panel cannot read is never replaced by an empty one: that would count the log twice.
  if (!ok) throw new Error('stored traffic log state is not readable');
  const cursor: TrafficCursor = {
    dev: c.dev as string,
    ino: c.ino as string,
    born: c.born as string,
    offset: c.offset as number,
    since: c.since as string,
  };
  return rotated ? { ...cursor, rotatedAt: c.rotatedAt as string } : cursor;
}

/** parseTrafficState reads a stored TrafficLogState, refusing anything else. */
export function parseTrafficState(json: string): TrafficLogState {
  const raw = JSON.parse(json) as { current?: unknown; rotated?: unknown } | null;
  if (raw === null || typeof raw !== 'object') throw new Error('stored traffic log state is not readable');
  return { current: cursorOf(raw.current ?? null, false), rotated: cursorOf(raw.rotated ?? null, true) };
}

/** kyselyTraffic is the `traffic_months` and `traffic_logs` tables: metered bandwidth and how far each log was read. */
export function kyselyTraffic(db: Kysely<Database>): Store['traffic'] {
  const saveState = (q: Kysely<Database>, account: string, state: TrafficLogState, readAt: string | null) =>
    // Through a select, so that a pass finishing after its account was terminated keeps nothing.
    sql`insert into traffic_logs (account, state, read_at)
      select ${account}, ${JSON.stringify(state)}, ${readAt} where exists (select 1 from accounts where "user" = ${account})
      on conflict (account) do update set state = excluded.state,
        read_at = coalesce(excluded.read_at, traffic_logs.read_at)`.execute(q);
  return {
    state: async (account) => {
      const row = await db.selectFrom('traffic_logs').select('state').where('account', '=', account).executeTakeFirst();
      return row ? parseTrafficState(row.state) : EMPTY_TRAFFIC_STATE;
    },
    record: async (account, months, state, readAt) => {
      await db.transaction().execute(async (tx) => {
        for (const m of months) {
          await sql`insert into traffic_months (account, month, bytes_sent, request_bytes, requests)
            select ${account}, ${m.month}, ${m.bytesSent}, ${m.requestBytes}, ${m.requests}
            where exists (select 1 from accounts where "user" = ${account})
            on conflict (account, month) do update set
              bytes_sent = bytes_sent + excluded.bytes_sent,
              request_bytes = request_bytes + excluded.request_bytes,
              requests = requests + excluded.requests`.execute(tx);
        }
        await saveState(tx, account, state, readAt);
      });
    },
    saveState: async (account, state) => {
      await saveState(db, account, state, null);
    },
    month: async (account, month) => {
      const log = await db
        .selectFrom('traffic_logs')
        .select('read_at')
        .where('account', '=', account)
        .executeTakeFirst();
      const row = await db
        .selectFrom('traffic_months')
        .select('bytes_sent')
        .where('account', '=', account)
        .where('month', '=', month)
        .executeTakeFirst();
      return { bytesSent: row?.bytes_sent ?? 0, readAt: log?.read_at ?? null };
    },
  };
}
