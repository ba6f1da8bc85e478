import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type AuditQueryInput, eachAuditEntry, parseAuditQuery } from '../../app/audit-query.js';
import { listAudit, verifyAudit } from '../../app/audit.js';
import type { AuditEntry } from '../../domain/types.js';
import { type AuditEntryJson, auditEntryJson } from '../../presenters/audit-entry.js';
import { AuditRows } from './dashboard.js';
import { Field, FormMessage, emptyForm } from './form.js';
import { type PageDeps, failedForm, sendPage, text } from './kit.js';

const PAGE_SIZE = 50;
const FILTERS = ['action', 'actor', 'outcome', 'target', 'from', 'to'] as const;

/** CSV_COLUMNS are the columns of the CSV export, in order: the fields of the audit entry's JSON shape. */
export const CSV_COLUMNS: readonly (keyof AuditEntryJson)[] = [
  'id',
  'at',
  'actor_type',
  'actor_id',
  'actor_name',
  'ip',
  'action',
  'target',
  'outcome',
  'status',
  'request_id',
  'params',
  'prev_hash',
  'hash',
];

/** csvCell quotes one value for CSV and defuses text that a spreadsheet would run as a formula. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let cell = String(value);
  if (/^[=+\-@\t\r]/.test(cell)) cell = `'${cell}`;
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

function readInput(req: FastifyRequest): AuditQueryInput & Record<string, string> {
  const query = req.query as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const key of [...FILTERS, 'before']) out[key] = text(query, key).trim();
  return out;
}

function withQuery(path: string, input: Record<string, string>, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const key of FILTERS) if (input[key]) params.set(key, input[key] ?? '');
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  const qs = params.toString();
  return qs === '' ? path : `${path}?${qs}`;
}

function exportName(ext: string, at: Date): string {
  return `vanta-audit-${at.toISOString().slice(0, 19).replace(/[:T]/g, '-')}.${ext}`;
}

/** registerAuditPages serves the Audit Log with filters, paging, the chain check and CSV / JSON Lines exports. */
export function registerAuditPages(scope: FastifyInstance, deps: PageDeps): void {
  const { ctx } = deps;

  scope.get('/audit', async (req, reply) => {
    const input = readInput(req);
    const form = emptyForm(input);
    let entries: AuditEntry[] = [];
    let status = 200;
    let filterOk = true;
    try {
      entries = await listAudit(ctx, parseAuditQuery(input, PAGE_SIZE));
    } catch (err) {
      const failed = failedForm(err, input, [...FILTERS, 'before']);
      Object.assign(form, failed.form);
      status = failed.status;
      filterOk = false;
    }
    const check = await verifyAudit(ctx);
    const last = entries[entries.length - 1];
    const content = (
      <>
        <h1>Audit Log</h1>
        <section class={`card ${check.ok ? 's-ok' : 's-bad'}`} aria-labelledby="h-chain" id="chain-check">
          <h2 id="h-chain">Hash chain</h2>
          {check.ok ? (
            <p>{`Intact: all ${check.entries} entries link up and none was changed after it was written.`}</p>
          ) : (
            <p role="alert">{`BROKEN at entry ${check.brokenAt ?? '?'}: ${check.reason}. The log has been tampered with or damaged.`}</p>
          )}
        </section>
        <form class="card" method="get" action="/audit" aria-label="Filter the audit log">
          <FormMessage form={form} />
          <div class="grid">
            <Field form={form} name="action" label="Action" placeholder="account.create" autocomplete="off" />
            <Field form={form} name="actor" label="Actor" placeholder="admin:alice or billing" autocomplete="off" />
            <Field form={form} name="outcome" label="Outcome" placeholder="ok or an error code" autocomplete="off" />
            <Field form={form} name="target" label="Target" placeholder="an account user name" autocomplete="off" />
            <Field form={form} name="from" label="From (UTC date)" type="date" />
            <Field form={form} name="to" label="To (UTC date, included)" type="date" />
          </div>
          <p class="actions">
            <button type="submit">Filter</button>
            <a href="/audit">Clear</a>
            {filterOk ? (
              <>
                <a class="button secondary" href={withQuery('/audit/export.csv', input)} download>
                  Export CSV
                </a>
                <a class="button secondary" href={withQuery('/audit/export.jsonl', input)} download>
                  Export JSON Lines
                </a>
              </>
            ) : null}
          </p>
        </form>
        <AuditRows entries={entries} caption="Audit entries, newest first" />
        <nav class="pager" aria-label="Pages">
          {input.before ? <a href={withQuery('/audit', input)}>Newest entries</a> : null}
          {last && entries.length === PAGE_SIZE ? (
            <a href={withQuery('/audit', input, { before: String(last.id) })}>Older entries</a>
          ) : null}
        </nav>
      </>
    );
    return sendPage(deps, req, reply, 'Audit Log', content, status);
  });

  scope.get('/audit/export.csv', async (req, reply) => {
    const filter = parseAuditQuery(readInput(req), 500);
    async function* lines() {
      yield `${CSV_COLUMNS.join(',')}\r\n`;
      for await (const e of eachAuditEntry(ctx, filter)) {
        const row = { ...auditEntryJson(e), params: JSON.stringify(e.params) };
        yield `${CSV_COLUMNS.map((c) => csvCell(row[c])).join(',')}\r\n`;
      }
    }
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${exportName('csv', ctx.now())}"`)
      .send(Readable.from(lines()));
  });

  scope.get('/audit/export.jsonl', async (req, reply) => {
    const filter = parseAuditQuery(readInput(req), 500);
    async function* lines() {
      for await (const e of eachAuditEntry(ctx, filter)) yield `${JSON.stringify(auditEntryJson(e))}\n`;
    }
    return reply
      .type('application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="${exportName('jsonl', ctx.now())}"`)
      .send(Readable.from(lines()));
  });
}
