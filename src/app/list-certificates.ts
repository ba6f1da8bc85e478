import { NEEDS_ATTENTION_MS } from '../domain/certificates.js';
import type { CertificateListing } from '../store/store.js';
import type { AppContext } from './ports.js';

/** listCertificates gives every account's certificate state, by user name. */
export async function listCertificates(ctx: AppContext): Promise<CertificateListing[]> {
  return ctx.store.certificates.list();
}

/** ATTENTION_LIMIT is the most certificates the dashboard lists. */
const ATTENTION_LIMIT = 50;

/** certificatesNeedingAttention lists the certificates that failed, expired or end within two weeks, soonest first. */
export async function certificatesNeedingAttention(ctx: AppContext): Promise<CertificateListing[]> {
  const before = new Date(ctx.now().getTime() + NEEDS_ATTENTION_MS).toISOString();
  return ctx.store.certificates.attention(before, ATTENTION_LIMIT);
}
