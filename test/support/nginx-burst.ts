// Bursts of block writes, removals and reloads against a real nginx, for tests of what two panel
// processes (`vanta serve` and the CLI) do to one sites directory side by side. Run as a script
// (`node --import tsx nginx-burst.ts JSON`) it does one process's share once a line comes on its
// stdin, and prints its failures.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NginxWebServer } from '../../src/host/nginx/nginx-web-server.js';
import { ProcessLock } from '../../src/host/process-lock.js';
import { NginxTrafficLogs } from '../../src/host/traffic/nginx-traffic-logs.js';
import { NGINX_BIN, PrivateNginx, freePort } from './nginx.js';

/** BurstSetup is the private nginx a burst works on, and the lock its processes share (none: no lock). */
export interface BurstSetup {
  dir: string;
  sitesDir: string;
  nginxArgs: string[];
  pidFile: string;
  port: number;
  tlsPort: number;
  lockFile: string | null;
  /** bin is the nginx binary the web servers run (a wrapper that notes each run, in the tests). */
  bin: string;
}

/**
 * startBurst starts a private nginx over a fresh sites directory for a burst; `bin` (given the
 * directory) may wrap nginx, and `locked` gives the burst's processes a lock to share.
 */
export async function startBurst(
  locked: boolean,
  bin: (dir: string) => string = () => NGINX_BIN,
): Promise<{ setup: BurstSetup; nginx: PrivateNginx }> {
  const dir = mkdtempSync(join(tmpdir(), 'vanta-nginx-burst-'));
  const sitesDir = join(dir, 'sites');
  mkdirSync(sitesDir, { recursive: true });
  const port = await freePort();
  const nginx = new PrivateNginx(join(dir, 'nginx'), port, sitesDir);
  const setup: BurstSetup = {
    dir,
    sitesDir,
    bin: bin(dir),
    nginxArgs: nginx.args,
    pidFile: nginx.pidFile,
    port,
    tlsPort: await freePort(),
    lockFile: locked ? join(dir, 'nginx.lock') : null,
  };
  await burstServer(setup).writeLogFormat();
  await nginx.start();
  return { setup, nginx };
}

/** burstServer is the web server one process of the burst drives. */
export function burstServer(s: BurstSetup): NginxWebServer {
  const web: NginxWebServer = new NginxWebServer({
    sitesDir: s.sitesDir,
    bin: s.bin,
    args: s.nginxArgs,
    reloadCommand: null,
    pidFile: s.pidFile,
    reloadWaitMs: 30_000,
    listen: `127.0.0.1:${s.port}`,
    tlsListen: `127.0.0.1:${s.tlsPort}`,
    challengeDir: join(s.dir, 'challenges'),
    suspendedRoot: join(s.dir, 'suspended'),
    timeoutMs: 30_000,
    reopenCommand: null,
    logs: new NginxTrafficLogs({ dir: join(s.dir, 'traffic'), buffer: null, reopen: () => web.reopenLogs() }),
    ...(s.lockFile === null ? {} : { lock: new ProcessLock(s.lockFile) }),
  });
  return web;
}

/** createSite writes `user`'s site at `<user>.example`, serving the home of `home`, and reloads. */
export async function createSite(s: BurstSetup, web: NginxWebServer, user: string, home: string): Promise<void> {
  await web.writeSite({
    user,
    domain: `${user}.example`,
    root: join(s.dir, 'homes', home),
    suspended: false,
    phpSocket: null,
    tls: null,
  });
  await web.reload();
}

/**
 * burst creates each user's site, then terminates half of them while the others are written again,
 * then terminates the rest, `rounds` times; it returns the operations that failed, with their errors.
 */
export async function burst(s: BurstSetup, web: NginxWebServer, users: string[], rounds: number): Promise<string[]> {
  for (const user of users) {
    mkdirSync(join(s.dir, 'homes', user), { recursive: true });
    writeFileSync(join(s.dir, 'homes', user, 'index.html'), `<h1>${user}</h1>\n`);
  }
  const create = (user: string) => createSite(s, web, user, user);
  const terminate = async (user: string) => {
    await web.removeSite(user);
    await web.reload();
  };
  const failed: string[] = [];
  const run = async (ops: (readonly [string, (user: string) => Promise<void>])[], what: string) => {
    const results = await Promise.allSettled(ops.map(([user, op]) => op(user)));
    results.forEach((r, i) => {
      if (r.status === 'rejected') failed.push(`${what} ${ops[i]?.[0]}: ${(r.reason as Error).message.split('\n')[0]}`);
    });
  };
  for (let round = 0; round < rounds; round++) {
    await run(
      users.map((u) => [u, create] as const),
      'create',
    );
    const [gone, kept] = [users.filter((_, i) => i % 2 === 0), users.filter((_, i) => i % 2 === 1)];
    await run([...gone.map((u) => [u, terminate] as const), ...kept.map((u) => [u, create] as const)], 'rewrite');
    await run(
      kept.map((u) => [u, terminate] as const),
      'terminate',
    );
  }
  return failed;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { setup, users, rounds } = JSON.parse(process.argv[2] ?? '{}') as {
    setup: BurstSetup;
    users: string[];
    rounds: number;
  };
  const web = burstServer(setup);
  // Loaded and ready: the burst starts when the test says so, at the same time as its own.
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  const failed = await burst(setup, web, users, rounds);
  process.stdout.write(`${JSON.stringify(failed)}\n`);
}
