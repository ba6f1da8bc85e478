import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const docs = readFileSync(join(root, 'docs', 'api.md'), 'utf8');

/** tableRows returns the cells of each row of the first table under the heading `## title` of docs/api.md. */
export function tableRows(title: string): string[][] {
  const start = docs.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `docs/api.md has no section "${title}"`);
  const section = docs.slice(start + 1).split(/\n## /)[0] ?? '';
  const rows = section
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
  assert.ok(rows.length > 2, `the "${title}" section has no table`);
  return rows.slice(2);
}

/** codesIn lists the `code` spans of a table cell. */
export function codesIn(cell: string): string[] {
  return [...cell.matchAll(/`([a-z_]+)`/g)].map((m) => m[1] ?? '');
}

/** documentedErrorCodes maps each code of the error table of docs/api.md to its documented HTTP status. */
export function documentedErrorCodes(): ReadonlyMap<string, number> {
  return new Map(tableRows('Error codes').map((row) => [codesIn(row[0] ?? '')[0] ?? '', Number(row[1])]));
}
