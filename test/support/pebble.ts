import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { freePort } from './nginx.js';
import { selfSignedCert } from './self-signed.js';

/** PEBBLE_BIN and CHALLTESTSRV_BIN are Debian's pebble package (scripts/test-deps.sh installs it). */
export const PEBBLE_BIN = '/usr/bin/pebble';
export const CHALLTESTSRV_BIN = '/usr/bin/pebble-challtestsrv';

/** pebbleSkip says why ACME tests cannot run here, or null when they can. */
export function pebbleSkip(): string | null {
  if (!existsSync(PEBBLE_BIN) || !existsSync(CHALLTESTSRV_BIN))
    return 'ACME tests need pebble (scripts/test-deps.sh installs it)';
  if (!existsSync('/usr/bin/openssl')) return 'ACME tests need openssl';
  return null;
}

/**
 * Pebble is a private ACME server: Pebble itself (its TLS certificate made with openssl here) and
 * pebble-challtestsrv as its DNS server, answering 127.0.0.1 for every name, so that Pebble
 * validates http-01 against the test's nginx on `httpPort`.
 */
export class Pebble {
  private procs: ChildProcess[] = [];
  output = '';
  acmePort = 0;
  managementPort = 0;
  dnsPort = 0;
  challtestPort = 0;

  private constructor(
    readonly dir: string,
    readonly httpPort: number,
  ) {}

  /** directory is the ACME directory URL the panel is pointed at. */
  get directory(): string {
    return `https://127.0.0.1:${this.acmePort}/dir`;
  }

  /** caFile is Pebble's own TLS certificate, for VANTA_ACME_CA_FILE. */
  get caFile(): string {
    return join(this.dir, 'cert.pem');
  }

  /** start runs challtestsrv and Pebble, validating http-01 on `httpPort`, and waits until Pebble answers. */
  static async start(dir: string, httpPort: number): Promise<Pebble> {
    await mkdir(dir, { recursive: true });
    const pebble = new Pebble(dir, httpPort);
    try {
      await pebble.boot();
    } catch (err) {
      await pebble.stop();
      throw err;
    }
    return pebble;
  }

  private async boot(): Promise<void> {
    await selfSignedCert({
      keyFile: join(this.dir, 'key.pem'),
      certFile: this.caFile,
      days: 2,
      commonName: 'localhost',
      altNames: ['DNS:localhost', 'IP:127.0.0.1'],
    });
    this.dnsPort = await freePort();
    this.challtestPort = await freePort();
    this.acmePort = await freePort();
    this.managementPort = await freePort();
    this.spawn(CHALLTESTSRV_BIN, [
      '-defaultIPv4',
      '127.0.0.1',
      '-defaultIPv6',
      '',
      '-dns01',
      `127.0.0.1:${this.dnsPort}`,
      '-http01',
      '',
      '-https01',
      '',
      '-tlsalpn01',
      '',
      '-management',
      `127.0.0.1:${this.challtestPort}`,
    ]);
    const config = join(this.dir, 'pebble.json');
    await writeFile(
      config,
      JSON.stringify({
        pebble: {
          listenAddress: `127.0.0.1:${this.acmePort}`,
          managementListenAddress: `127.0.0.1:${this.managementPort}`,
          certificate: this.caFile,
          privateKey: join(this.dir, 'key.pem'),
          httpPort: this.httpPort,
          tlsPort: await freePort(),
          ocspResponderURL: '',
          externalAccountBindingRequired: false,
        },
      }),
    );
    // No authorization reuse: each order proves control again, so a challenge made to fail fails.
    this.spawn(PEBBLE_BIN, ['-config', config, '-dnsserver', `127.0.0.1:${this.dnsPort}`], {
      PEBBLE_VA_NOSLEEP: '1',
      PEBBLE_WFE_NONCEREJECT: '0',
      PEBBLE_AUTHZREUSE: '0',
    });
    for (let i = 0; i < 200; i++) {
      const up = await this.fetch(this.directory).catch(() => null);
      const dns = await this.management('/clear-a', { host: 'probe.invalid.' }).catch(() => null);
      if (up !== null && dns !== null) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`pebble did not start: ${this.output}`);
  }

  private spawn(bin: string, args: string[], env: Record<string, string> = {}): void {
    const child = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.procs.push(child);
  }

  /** fetch GETs an https URL of Pebble, trusting its certificate. */
  fetch(url: string): Promise<string> {
    return new Promise((resolve, reject) => {
      readFile(this.caFile, 'utf8').then((ca) => {
        const req = httpsRequest(url, { ca, agent: false, timeout: 5000 }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            body += c;
          });
          res.on('end', () =>
            (res.statusCode ?? 0) < 300 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode} ${body}`)),
          );
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', reject);
        req.end();
      }, reject);
    });
  }

  /** root is Pebble's root certificate (PEM): what the certificates it issues chain to. */
  root(): Promise<string> {
    return this.fetch(`https://127.0.0.1:${this.managementPort}/roots/0`);
  }

  /** resolveTo makes challtestsrv answer `address` for `name` (for instance an address nothing listens on). */
  async resolveTo(name: string, address: string): Promise<void> {
    await this.management('/add-a', { host: `${name}.`, addresses: [address] });
  }

  /** resolveDefault makes `name` resolve to 127.0.0.1 again. */
  async resolveDefault(name: string): Promise<void> {
    await this.management('/clear-a', { host: `${name}.` });
  }

  private management(path: string, body: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      const payload = JSON.stringify(body);
      const req = httpRequest(
        { host: '127.0.0.1', port: this.challtestPort, path, method: 'POST', agent: false, timeout: 5000 },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`challtestsrv ${path}: ${res.statusCode}`)),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** stop ends Pebble and challtestsrv. */
  async stop(): Promise<void> {
    await Promise.all(
      this.procs.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    this.procs = [];
  }
}
