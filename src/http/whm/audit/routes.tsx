import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type AuditQueryInput, eachAuditEntry, parseAuditQuery } from '../../../app/audit-query.js';
import { listAudit, verifyAudit } from '../../../app/audit.js';
import type { AuditEntry } from '../../../domain/types.js';
import { auditEntryJson } from '../../../presenters/audit-entry.js';
import { emptyForm } from '../../ui/form.js';
import { type PageDeps, sendPage } from '../kit.js';
import { failedForm, text } from '../../ui/kit.js';
import { CSV_COLUMNS, csvCell } from './csv.js';
import { AuditPage, FILTERS } from './views.js';

const PAGE_SIZE = 50;

function readInput(req: FastifyRequest): AuditQueryInput & Record<string, string> {
  const query = req.query as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const key of [...FILTERS, 'before']) out[key] = text(query, key).trim();
  return out;
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
    const content = (
      <AuditPage
        entries={entries}
        check={await verifyAudit(ctx)}
        form={form}
        input={input}
        filterOk={filterOk}
        pageSize={PAGE_SIZE}
      />
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
