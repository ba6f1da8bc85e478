import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CertificateAuthority,
  CertificateAuthorityError,
  type ChallengeAnswers,
  type IssuedCertificate,
  type RenewalWindow,
} from '../../src/app/ports.js';
import { selfSignedCert } from './self-signed.js';

/**
 * FakeCa stands in for the ACME CA in unit tests of the surrounding code (the scheduler, the
 * doors): it answers a challenge through the port like the real one, then signs a self-signed
 * certificate with openssl for the names, valid `days`; `failWith` makes every order fail with
 * that problem text. The real CA is tested against Pebble (test/https-acme.test.ts).
 */
export class FakeCa implements CertificateAuthority {
  readonly label = 'fake-ca';
  orders: string[][] = [];
  failWith: string | null = null;
  days = 90;
  window: RenewalWindow | null = null;

  async issue(domains: readonly string[], answers: ChallengeAnswers): Promise<IssuedCertificate> {
    this.orders.push([...domains]);
    await answers.put('fake-token', 'fake-token.key-authorization');
    await answers.remove('fake-token');
    if (this.failWith !== null) throw new CertificateAuthorityError(this.failWith);
    const dir = await mkdtemp(join(tmpdir(), 'vanta-fake-ca-'));
    try {
      await selfSignedCert({
        keyFile: join(dir, 'key.pem'),
        certFile: join(dir, 'cert.pem'),
        days: this.days,
        commonName: domains[0] ?? 'localhost',
        altNames: domains.map((d) => `DNS:${d}`),
      });
      return {
        keyPem: await readFile(join(dir, 'key.pem'), 'utf8'),
        certPem: await readFile(join(dir, 'cert.pem'), 'utf8'),
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async renewalWindow(): Promise<RenewalWindow | null> {
    return this.window;
  }
}
