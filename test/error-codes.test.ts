import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES } from '../src/domain/errors.js';
import { STATUS_BY_CODE } from '../src/http/errors.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const docs = readFileSync(join(root, 'docs', 'api.md'), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
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

it('every error code is documented in docs/api.md with its HTTP status', () => {
  const lines = docs.split('\n');
  for (const code of ERROR_CODES) {
    const status = String(STATUS_BY_CODE[code]);
    const documented = lines.some((line) => line.includes(`\`${code}\``) && new RegExp(`\\b${status}\\b`).test(line));
    assert.ok(documented, `${code} (${status}) is missing from the error table of docs/api.md`);
  }
});
