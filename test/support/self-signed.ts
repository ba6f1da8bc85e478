import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** SelfSignedOptions name the files and what the certificate says. */
export interface SelfSignedOptions {
  keyFile: string;
  certFile: string;
  days: number;
  /** commonName is the subject's CN. */
  commonName: string;
  /** altNames go into subjectAltName as written (`DNS:x`, `IP:y`); none when empty. */
  altNames?: readonly string[];
  /** serial is the certificate's serial number (e.g. `0x87654321`); openssl picks one when absent. */
  serial?: string;
}

/** selfSignedCert makes a P-256 key and a self-signed certificate for it with openssl. */
export async function selfSignedCert(o: SelfSignedOptions): Promise<void> {
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  args.push('-keyout', o.keyFile, '-out', o.certFile, '-days', String(o.days), '-subj', `/CN=${o.commonName}`);
  if (o.altNames && o.altNames.length > 0) args.push('-addext', `subjectAltName=${o.altNames.join(',')}`);
  if (o.serial !== undefined) args.push('-set_serial', o.serial);
  await run('openssl', args);
}
