import { X509Certificate } from 'node:crypto';
import type { RenewalWindow } from '../../app/ports.js';

/** AKI_OID is the DER of the authorityKeyIdentifier extension's OID, 2.5.29.35. */
const AKI_OID = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x23]);

/** readLength reads a DER length at `at` and returns it with the offset of the contents. */
function readLength(der: Buffer, at: number): { length: number; start: number } {
  const first = der[at];
  if (first === undefined) throw new Error('truncated DER');
  if (first < 0x80) return { length: first, start: at + 1 };
  const bytes = first & 0x7f;
  if (bytes === 0 || bytes > 4) throw new Error('unsupported DER length');
  let length = 0;
  for (let i = 1; i <= bytes; i++) length = length * 256 + (der[at + i] ?? 0);
  return { length, start: at + 1 + bytes };
}

/** authorityKeyId returns the keyIdentifier of the certificate's authorityKeyIdentifier extension, or null. */
export function authorityKeyId(der: Buffer): Buffer | null {
  const oid = der.indexOf(AKI_OID);
  if (oid === -1) return null;
  let at = oid + AKI_OID.length;
  if (der[at] === 0x01) at = readLength(der, at + 1).start + 1; // the `critical` BOOLEAN
  if (der[at] !== 0x04) return null; // extnValue OCTET STRING
  const value = readLength(der, at + 1);
  if (der[value.start] !== 0x30) return null; // AuthorityKeyIdentifier SEQUENCE
  const seq = readLength(der, value.start + 1);
  if (der[seq.start] !== 0x80) return null; // [0] keyIdentifier
  const key = readLength(der, seq.start + 1);
  return der.subarray(key.start, key.start + key.length);
}

/** serialBytes is the certificate's serial as the content octets of its DER INTEGER. */
function serialBytes(hex: string): Buffer {
  const bytes = Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, 'hex');
  return (bytes[0] ?? 0) >= 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
}

/**
 * renewalCertId is the certificate's identifier for ACME Renewal Information (RFC 9773 section 4.1):
 * the base64url authority key identifier, a dot, the base64url serial. Null without an AKI.
 */
export function renewalCertId(certPem: string): string | null {
  const cert = new X509Certificate(certPem);
  const aki = authorityKeyId(cert.raw);
  if (aki === null) return null;
  return `${aki.toString('base64url')}.${serialBytes(cert.serialNumber).toString('base64url')}`;
}

/** parseRenewalInfo reads a renewalInfo answer's `suggestedWindow`; null when it is not a usable window. */
export function parseRenewalInfo(body: unknown): RenewalWindow | null {
  if (typeof body !== 'object' || body === null) return null;
  const window = (body as { suggestedWindow?: { start?: unknown; end?: unknown } }).suggestedWindow;
  if (typeof window?.start !== 'string' || typeof window.end !== 'string') return null;
  const start = new Date(window.start);
  const end = new Date(window.end);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || end < start) return null;
  return { start, end };
}
