import { readFile } from 'node:fs/promises';
import type * as Https from 'node:https';
import type * as Acme from 'acme-client';
import {
  type CertificateAuthority,
  CertificateAuthorityError,
  type ChallengeAnswers,
  type IssuedCertificate,
  type RenewalWindow,
} from '../../app/ports.js';
import { readSecretFile } from '../secret-key-file.js';
import { parseRenewalInfo, renewalCertId } from './renewal-info.js';

/** AcmeOptions say which CA to use, how to reach it and where the panel's ACME account key lives. */
export interface AcmeOptions {
  directory: string;
  email: string | null;
  /** caFile is an extra CA certificate (PEM) trusted for the CA's own TLS. */
  caFile: string | null;
  /** accountKeyFile holds the panel's one ACME account key (0600), made on first use. */
  accountKeyFile: string;
  timeoutMs: number;
}

/** Configured is what the first order or renewal check loads: acme-client, set up, and Node's HTTPS client with the agent it uses. */
interface Configured {
  acme: typeof Acme;
  agent: Https.Agent;
  request: typeof Https.request;
}

/**
 * AcmeCertificateAuthority orders certificates with acme-client over http-01. acme-client keeps its
 * HTTP settings (trusted CAs, time limit) on one module-wide axios instance: they are set here, once
 * per process, from the one configuration the process has.
 */
export class AcmeCertificateAuthority implements CertificateAuthority {
  readonly label: string;
  private accountKey: Promise<string> | null = null;
  private configured: Promise<Configured> | null = null;
  /** accountUrl is the panel's ACME account once looked up or made in this process. */
  private accountUrl: string | null = null;

  constructor(private readonly opts: AcmeOptions) {
    this.label = opts.directory;
  }

  async issue(domains: readonly string[], answers: ChallengeAnswers): Promise<IssuedCertificate> {
    const { acme, agent, request } = await this.configure();
    await this.reach(agent, request);
    const client = new acme.Client({
      directoryUrl: this.opts.directory,
      accountKey: await this.loadAccountKey(acme),
      accountUrl: this.accountUrl ?? undefined,
      backoffAttempts: 20,
      backoffMin: 250,
      backoffMax: 5000,
    });
    const [key, csr] = await acme.crypto.createCsr(
      { commonName: domains[0], altNames: [...domains] },
      await acme.crypto.createPrivateEcdsaKey('P-256'),
    );
    try {
      await this.account(client);
      const certPem = await client.auto({
        csr,
        email: this.opts.email ?? undefined,
        termsOfServiceAgreed: true,
        challengePriority: ['http-01'],
        // The CA checks the answer itself; acme-client's own pre-check resolves through the
        // system's DNS, which neither a private CA's names nor an offline sandbox have.
        skipChallengeVerification: true,
        challengeCreateFn: async (_authz, challenge, keyAuthorization) => {
          await answers.put(challenge.token, keyAuthorization);
        },
        challengeRemoveFn: async (_authz, challenge) => {
          await answers.remove(challenge.token);
        },
      });
      return { keyPem: key.toString(), certPem };
    } catch (err) {
      throw new CertificateAuthorityError(problemText(err), { cause: err });
    }
  }

  /**
   * account finds the panel's ACME account by its key, or registers it, once per process. An
   * existing account is looked up with `onlyReturnExisting` (acme-client's own path for it sends an
   * update some CAs refuse as empty), and its URL is then given to every client, so `auto` skips it.
   */
  private async account(client: Acme.Client): Promise<void> {
    if (this.accountUrl !== null) return;
    try {
      await client.createAccount({ onlyReturnExisting: true });
    } catch {
      await client.createAccount({
        termsOfServiceAgreed: true,
        ...(this.opts.email === null ? {} : { contact: [`mailto:${this.opts.email}`] }),
      });
    }
    this.accountUrl = client.getAccountUrl();
  }

  async renewalWindow(certPem: string): Promise<RenewalWindow | null> {
    const { acme } = await this.configure();
    const directory = (await acme.axios.get(this.opts.directory)).data as { renewalInfo?: unknown };
    if (typeof directory.renewalInfo !== 'string') return null;
    const id = renewalCertId(certPem);
    if (id === null) return null;
    const base = directory.renewalInfo.replace(/\/+$/, '');
    return parseRenewalInfo((await acme.axios.get(`${base}/${id}`)).data);
  }

  /**
   * configure loads acme-client (about 30 MiB resident) and Node's HTTPS client (node:https and
   * node:tls, about 3 MiB more), only once a certificate is asked for, and sets acme-client's HTTP
   * settings. The agent carries the CAs the CA's own TLS is checked against, for acme-client and the
   * reach check alike.
   */
  private configure(): Promise<Configured> {
    this.configured ??= (async () => {
      const [acme, https, tls] = await Promise.all([import('acme-client'), import('node:https'), import('node:tls')]);
      const ca = this.opts.caFile === null ? [] : [await readFile(this.opts.caFile, 'utf8')];
      const agent = new https.Agent({ ca: [...tls.rootCertificates, ...ca], keepAlive: false });
      acme.axios.defaults.httpsAgent = agent;
      acme.axios.defaults.timeout = this.opts.timeoutMs;
      return { acme, agent, request: https.request };
    })().catch((err: unknown) => {
      this.configured = null;
      throw err;
    });
    return this.configured;
  }

  /**
   * reach asks the CA for its directory once, with no retry, before an order: a CA that cannot be
   * reached fails the attempt at once and says why. acme-client retries a request that got no
   * answer for over a minute and then fails with a TypeError of its own that names no cause.
   */
  private reach(agent: Https.Agent, request: typeof Https.request): Promise<void> {
    const url = new URL(this.opts.directory);
    return new Promise((resolve, reject) => {
      const req = request(url, { agent, timeout: this.opts.timeoutMs }, (res) => {
        res.resume();
        res.once('end', resolve);
        res.once('error', resolve);
      });
      req.once('timeout', () => req.destroy(Object.assign(new Error('no answer in time'), { code: 'ETIMEDOUT' })));
      req.once('error', (err: NodeJS.ErrnoException) => {
        const why = err.code ?? err.message;
        reject(
          new CertificateAuthorityError(`the ACME server ${url.host} could not be reached (${why})`, { cause: err }),
        );
      });
      req.end();
    });
  }

  private loadAccountKey(acme: typeof Acme): Promise<string> {
    this.accountKey ??= readSecretFile(this.opts.accountKeyFile, async () =>
      (await acme.crypto.createPrivateEcdsaKey('P-256')).toString(),
    ).catch((err: unknown) => {
      this.accountKey = null;
      throw err;
    });
    return this.accountKey;
  }
}

/** problemText is the CA's own problem text when it gave one, else the error's message, on one line. */
function problemText(err: unknown): string {
  // acme-client ends its retries of a request that got no answer with a TypeError of its own.
  if (err instanceof TypeError && /\bacme-client\b/.test(err.stack ?? ''))
    return 'the ACME server stopped answering (no answer after acme-client retried)';
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s+/g, ' ').trim() || 'the ACME server gave no reason';
}
