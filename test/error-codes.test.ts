import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EXIT, EXIT_BY_CODE } from '../src/cli/exit-codes.js';
import { ERROR_CODES } from '../src/domain/errors.js';
import { STATUS_BY_CODE } from '../src/http/errors.js';
import { codesIn, tableRows } from './support/docs.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [path] : [];
  });
}

it('every error code thrown anywhere in src/ is a known code', () => {
  const used = new Set<string>();
  for (const file of sourceFiles(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/DomainError\(\s*'([a-z_]+)'/g)) used.add(m[1] ?? '');
  }
  assert.ok(used.size > 20, `found only ${used.size} codes: the scan is broken`);
  for (const code of used)
    assert.ok((ERROR_CODES as readonly string[]).includes(code), `${code} is not in ERROR_CODES`);
});

describe('the error-code table of docs/api.md', () => {
  const rows = tableRows('Error codes');
  const documented = new Map(rows.map((row) => [codesIn(row[0] ?? '')[0] ?? row[0] ?? '', row]));

  it('documents every error code, with its HTTP status and CLI exit status', () => {
    for (const code of ERROR_CODES) {
      const row = documented.get(code);
      assert.ok(row, `${code} is missing from the error table`);
      assert.equal(row[1], String(STATUS_BY_CODE[code]), `${code}: HTTP status`);
      assert.equal(row[2], String(EXIT_BY_CODE[code]), `${code}: CLI exit status`);
    }
  });

  it('documents no code that does not exist, and each code once', () => {
    assert.equal(documented.size, rows.length, 'a code has two rows');
    for (const code of documented.keys())
      assert.ok((ERROR_CODES as readonly string[]).includes(code), `the table documents ${code}, which is no code`);
  });
});

describe('the CLI exit-status table of docs/api.md', () => {
  const rows = tableRows('CLI exit codes');
  const byExit = new Map(rows.map((row) => [Number(row[0]), codesIn(row[2] ?? '')]));

  it('has a row for every exit status the CLI uses, and none it does not use', () => {
    assert.deepEqual(
      [...byExit.keys()].sort((a, b) => a - b),
      [...new Set(Object.values(EXIT))].sort((a, b) => a - b),
    );
  });

  it('lists each error code in the row of the exit status it gives, and only there', () => {
    for (const code of ERROR_CODES) {
      const rowsWithCode = [...byExit].filter(([, codes]) => codes.includes(code)).map(([exit]) => exit);
      assert.deepEqual(rowsWithCode, [EXIT_BY_CODE[code]], `${code} exits ${EXIT_BY_CODE[code]}`);
    }
    for (const codes of byExit.values())
      for (const code of codes)
        assert.ok((ERROR_CODES as readonly string[]).includes(code), `the exit table lists ${code}, which is no code`);
  });
});
