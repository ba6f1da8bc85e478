import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import pino from 'pino';
import { runCertificatePass } from '../../src/app/certificate-scheduler.js';
import type { CertificateAuthority } from '../../src/app/ports.js';
import { createRuntime } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import type { CertificateFiles, HostDrivers } from '../../src/host/ports.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { HostRig, hostModeSkip } from '../../test/support/host-mode.js';
import { freePort } from '../../test/support/nginx.js';
import { Pebble, pebbleSkip } from '../../test/support/pebble.js';
import type { Bench } from '../context.js';
import { type Row, median } from '../harness.js';

/** CERTIFICATES is how many certificate rows the scheduler pass is timed over. */
const CERTIFICATES = 10_000;

/** served tells whether `name` answers over TLS on the private nginx with a chain that verifies against `ca`. */
function served(port: number, name: string, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, servername: name, ca, headers: { host: name }, agent: false, timeout: 2000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** createToServed times account creates against Pebble until each site is served over TLS, one at a time. */
async function createToServed(times: number): Promise<number[]> {
  const rig = await HostRig.create();
  let pebble: Pebble | null = null;
  try {
    pebble = await Pebble.start(join(rig.dir, 'pebble'), rig.nginx.port);
    const root = await pebble.root();
    const tlsPort = await freePort();
    await rig.start({
      VANTA_ACME_DIRECTORY: pebble.directory,
      VANTA_ACME_CA_FILE: pebble.caFile,
      VANTA_CERT_DIR: join(rig.dir, 'certs'),
      VANTA_NGINX_TLS_LISTEN: `127.0.0.1:${tlsPort}`,
    });
    const out: number[] = [];
    for (let i = 0; i < times; i++) {
      const user = `tlsbench${String.fromCharCode(97 + i)}`;
      const domain = `${user}.bench.test`;
      const t0 = performance.now();
      const made = await rig.api('POST', 'api=accounts', { user, domain });
      if (made.status !== 201) throw new Error(`create failed: ${JSON.stringify(made.body)}`);
      let ok = false;
      for (let tries = 0; tries < 1500 && !ok; tries++) {
        ok = await served(tlsPort, domain, root);
        if (!ok) await new Promise((r) => setTimeout(r, 20));
      }
      if (!ok) throw new Error(`${domain} was never served over TLS: ${rig.output.slice(-1500)}`);
      out.push(performance.now() - t0);
    }
    return out;
  } finally {
    await rig.close();
    await pebble?.stop();
  }
}

/** seedCertificates writes `count` accounts with valid certificates, renewal far off, straight into a new store. */
async function seedCertificates(dataDir: string, count: number): Promise<void> {
  const file = join(dataDir, 'vanta.db');
  await (await openSqliteStore(file)).close();
  const db = new BetterSqlite3(file);
  try {
    const now = Date.now();
    const iso = (days: number) => new Date(now + days * 86_400_000).toISOString();
    const account = db.prepare(
      `insert into accounts (user, domain, status, password_hash, created_at) values (?, ?, 'active', 'x', ?)`,
    );
    const cert = db.prepare(
      `insert into certificates (account, domains, status, version, not_before, not_after, next_attempt_at)
       values (?, ?, 'valid', ?, ?, ?, ?)`,
    );
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const user = `c${i.toString(36)}`;
        const domain = `${user}.bench.test`;
        account.run(user, domain, iso(-30));
        // Spread over the next 60 days: none is due, as on a healthy server between renewals.
        cert.run(
          user,
          JSON.stringify([domain, `www.${domain}`]),
          '20260101T000000Z-00000000',
          iso(-30),
          iso(90),
          iso(1 + (i % 60)),
        );
      }
    })();
  } finally {
    db.close();
  }
}

/** noCa is a CA the pass must never call: nothing is due. */
const noCa: CertificateAuthority = {
  label: 'none',
  issue: async () => {
    throw new Error('a pass with nothing due ordered a certificate');
  },
  renewalWindow: async () => null,
};

/** schedulerPass times the scheduler's pass over CERTIFICATES rows and counts the certificate file calls it made. */
async function schedulerPass(): Promise<{ ms: number[]; fileCalls: number }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'vanta-bench-certs-'));
  let fileCalls = 0;
  const counting = (host: HostDrivers): HostDrivers => {
    const real = host.certificates;
    const files = Object.create(real) as CertificateFiles;
    for (const name of [
      'install',
      'remove',
      'removeAll',
      'users',
      'sweep',
      'putChallenge',
      'removeChallenge',
    ] as const) {
      Object.defineProperty(files, name, {
        value: (...args: never[]) => {
          fileCalls++;
          return (real[name] as (...a: never[]) => Promise<unknown>).apply(real, args);
        },
      });
    }
    return { ...host, certificates: files };
  };
  try {
    await seedCertificates(dataDir, CERTIFICATES);
    const rt = await createRuntime(
      loadConfig({ VANTA_DATA_DIR: dataDir, VANTA_ACME_DIRECTORY: 'https://ca.invalid/directory' }),
      { logger: pino({ level: 'silent' }), ca: noCa, wrapHost: counting },
    );
    try {
      const ms: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        const pass = await runCertificatePass(rt.ctx);
        ms.push(performance.now() - t0);
        if (pass.attempts.length > 0) throw new Error('a pass attempted a certificate that was not due');
      }
      return { ms, fileCalls };
    } finally {
      await rt.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * https is the certificate work: the time from an account create to its site served over TLS with
 * a certificate from Pebble (through the real panel in host mode and a private nginx), and the
 * scheduler's pass over 10k certificates, none due: one indexed query, no file touched.
 */
export const https: Row = {
  id: 'https',
  measures: [
    { measure: 'create → certificate served over TLS (Pebble), median of 10', target: '≤ 10 s' },
    { measure: `certificate scheduler pass over ${CERTIFICATES / 1000}k certificates`, target: '< 1 s, no file read' },
  ],
  skip: () => hostModeSkip() ?? pebbleSkip(),
  async run(bench: Bench) {
    const times = await createToServed(bench.options.quick ? 3 : 10);
    const served = median(times);
    const pass = await schedulerPass();
    const passMs = median(pass.ms);
    const notes = [
      `create → served: ${times.map((t) => t.toFixed(0)).join(', ')} ms`,
      `scheduler pass over ${CERTIFICATES} rows: ${pass.ms.map((t) => t.toFixed(1)).join(', ')} ms; certificate file calls: ${pass.fileCalls}`,
    ];
    return {
      measured: [
        { now: `${(served / 1000).toFixed(2)} s`, meets: served <= 10_000 },
        { now: `${passMs.toFixed(1)} ms, ${pass.fileCalls} file calls`, meets: passMs < 1000 && pass.fileCalls === 0 },
      ],
      notes,
    };
  },
};
