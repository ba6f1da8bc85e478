import { issueCertificate, type CertificateAttempt } from './issue-certificate.js';
import { Periodic } from './periodic.js';
import type { AppContext, Logger } from './ports.js';

/** PASS_LIMIT is the most certificates one pass attempts; the rest are due at the next pass. */
const PASS_LIMIT = 100;

/** CertificatePass is what one scheduler pass did. */
export interface CertificatePass {
  expired: number;
  attempts: CertificateAttempt[];
}

/**
 * runCertificatePass marks certificates past their end `expired`, then issues or renews each one
 * due now, earliest first, one at a time. It reads only the store's rows that are due (one indexed
 * query), never the certificate files: a pass over thousands of certificates with none due is one
 * query and one update. `stopped` is asked before each attempt: once it says yes, the pass ends
 * and leaves the rest due for the next one.
 */
export async function runCertificatePass(
  ctx: AppContext,
  limit = PASS_LIMIT,
  stopped: () => boolean = () => false,
): Promise<CertificatePass> {
  const now = ctx.now().toISOString();
  const expired = await ctx.store.certificates.markExpired(now);
  const attempts: CertificateAttempt[] = [];
  for (const user of await ctx.store.certificates.due(now, limit)) {
    if (stopped()) break;
    attempts.push(await issueCertificate(ctx, user, { audit: true, throwOnFailure: false }));
  }
  return { expired, attempts };
}

/**
 * CertificateScheduler is `vanta serve`'s certificate work: a pass every `intervalMs` (and at start,
 * for what a stopped panel left due), and one soon after `wake` (a new account, a button). Until it
 * is started `wake` does nothing, so the CLI's processes never issue in the background.
 */
export class CertificateScheduler {
  private periodic: Periodic | null = null;
  private passing = false;
  private again = false;
  private stopping = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  /** start runs a first pass at once, then one every interval. */
  start(): void {
    this.periodic ??= new Periodic(
      'certificates',
      this.intervalMs,
      async () => {
        this.passing = true;
        try {
          do {
            this.again = false;
            const pass = await runCertificatePass(this.ctx, PASS_LIMIT, () => this.stopping);
            const failed = pass.attempts.filter((a) => a.outcome === 'failed');
            if (failed.length > 0) this.logger.warn({ failed }, 'certificates: some could not be issued or renewed');
          } while (this.again && !this.stopping);
        } finally {
          this.passing = false;
        }
      },
      this.logger,
    );
    this.periodic.start(0);
  }

  /** wake asks for a pass now; during a pass, for another one right after it. */
  wake(): void {
    if (this.passing) this.again = true;
    else void this.periodic?.runNow();
  }

  /**
   * stop cancels the next pass and waits for the attempt in progress, not for the rest of its
   * pass: each attempt can take minutes when the CA does not answer, and a pass makes up to
   * PASS_LIMIT of them, which would keep `vanta serve` from stopping until its service manager
   * killed it. What the pass had left stays due.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.periodic?.stop();
  }
}
