import type { CertificateState } from '../domain/certificates.js';
import type { AppContext } from './ports.js';

/** getCertificate gives the account's certificate state, or null when none was ever asked for. */
export async function getCertificate(ctx: AppContext, user: string): Promise<CertificateState | null> {
  return (await ctx.store.certificates.get(user)) ?? null;
}
