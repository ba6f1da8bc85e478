import type { AuditEntryJson } from '../../../presenters/audit-entry.js';

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
