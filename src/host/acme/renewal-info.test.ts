import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { parseRenewalInfo, renewalCertId } from './renewal-info.js';
import { selfSignedCert } from '../../../test/support/self-signed.js';

const run = promisify(execFile);

test('the ARI certificate id is the base64url authority key id, a dot, and the DER serial with its leading zero', async () => {
  // RFC 9773 section 4.1: the serial 0x87654321 is encoded 00 87 65 43 21, "AIdlQyE".
  const dir = await mkdtemp(join(tmpdir(), 'vanta-ari-'));
  try {
    const cert = join(dir, 'cert.pem');
    await selfSignedCert({
      keyFile: join(dir, 'key.pem'),
      certFile: cert,
      days: 1,
      commonName: 'ari.example',
      serial: '0x87654321',
    });
    const shown = (await run('openssl', ['x509', '-in', cert, '-noout', '-ext', 'authorityKeyIdentifier'])).stdout;
    const hex = /([0-9A-F]{2}(?::[0-9A-F]{2})+)/.exec(shown)?.[1] ?? '';
    assert.ok(hex, shown);
    const aki = Buffer.from(hex.replace(/:/g, ''), 'hex').toString('base64url');
    assert.equal(renewalCertId(await readFile(cert, 'utf8')), `${aki}.AIdlQyE`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a renewalInfo answer gives its suggested window, and nothing usable gives null', () => {
  assert.deepEqual(
    parseRenewalInfo({ suggestedWindow: { start: '2026-03-01T00:00:00Z', end: '2026-03-03T00:00:00Z' } }),
    { start: new Date('2026-03-01T00:00:00Z'), end: new Date('2026-03-03T00:00:00Z') },
  );
  for (const body of [
    null,
    'x',
    {},
    { suggestedWindow: { start: 'soon', end: 'later' } },
    { suggestedWindow: { start: '2026-03-03T00:00:00Z', end: '2026-03-01T00:00:00Z' } },
  ])
    assert.equal(parseRenewalInfo(body), null, JSON.stringify(body));
});
