// PHP pool benchmark: requests/s of one small PHP page through an account's pool (as the panel
// renders it: ondemand, open_basedir, its own socket) against the same page through a stock `www`
// pool (Debian's settings) on the same private php-fpm master and nginx, in one run, alternating
// rounds; then what a pool write + `php-fpm -t` + reload costs, median of N fresh accounts.
// Needs root and php8.2-fpm. Usage: npm run bench:php [-- N]
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PhpFpmPools } from '../src/host/php/php-fpm-pools.js';
import { median, timed } from './stats.js';
import { poolSocketPath, renderPhpLocation } from '../src/host/php/pool-config.js';
import { NGINX_BIN, PrivateNginx, freePort } from '../test/support/nginx.js';
import { PrivatePhpFpm, makeAccount, phpFpmSkip, writeAs } from '../test/support/php-fpm.js';
import { makePrivateEtc } from '../test/support/private-etc.js';

const N = Number(process.argv[2] ?? process.env.BENCH_N ?? 15);
const ROUNDS = 3;
const SECONDS = 3;
const CONNECTIONS = 8;
const PAGE = "<?php\n$s = str_repeat('vanta ', 20);\necho 'ok ', strlen($s), ' ', getmypid(), \"\\n\";\n";

/** hit makes one request on a kept-alive connection and tells whether it answered 200. */
function hit(agent: Agent, port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/page.php', headers: { host }, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** load keeps CONNECTIONS requests in flight for `seconds` and returns the answered requests per second. */
async function load(port: number, host: string, seconds: number): Promise<{ rps: number; failed: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let ok = 0;
  let failed = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) {
        if (await hit(agent, port, host)) ok++;
        else failed++;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  return { rps: ok / elapsed, failed };
}

async function main(): Promise<void> {
  const why = phpFpmSkip() ?? (existsSync(NGINX_BIN) ? null : 'nginx is missing');
  if (why) {
    console.error(`bench:php cannot run here: ${why}`);
    process.exit(1);
  }
  const dir = await mkdtemp(join(tmpdir(), 'vanta-bench-php-'));
  const fpm = new PrivatePhpFpm(join(dir, 'fpm'), await makePrivateEtc(dir));
  let nginx: PrivateNginx | null = null;
  try {
    await chmod(dir, 0o711);
    await fpm.start();
    const homes = join(dir, 'homes');
    await mkdir(homes, { mode: 0o711 });
    const tag = Math.random().toString(36).slice(2, 6).replace(/[0-9]/g, 'b');
    const etc = join(dir, 'etc');
    const account = await makeAccount(fpm, etc, homes, `bp${tag}`);
    await writeAs(account, join(account.web, 'page.php'), PAGE);
    const wwwRoot = join(dir, 'www');
    await mkdir(wwwRoot, { mode: 0o755 });
    await writeFile(join(wwwRoot, 'page.php'), PAGE, { mode: 0o644 });

    const pools = new PhpFpmPools(fpm.poolOptions());
    await pools.writePool({ user: account.user, home: account.home, maxChildren: 5, memoryMb: 256 });
    await pools.reload();

    const sites = join(dir, 'sites');
    await mkdir(sites);
    const port = await freePort();
    const block = (host: string, root: string, socket: string) =>
      `server {\n    listen 127.0.0.1:${port};\n    server_name ${host};\n    root ${root};\n${renderPhpLocation(socket)}}\n`;
    await writeFile(
      join(sites, 'bench.conf'),
      block('account.bench', account.web, poolSocketPath(fpm.runDir, account.user)) +
        block('www.bench', wwwRoot, fpm.wwwSocket),
    );
    nginx = new PrivateNginx(join(dir, 'nginx'), port, sites);
    await nginx.start();

    // Warm both pools (ondemand starts its workers on the first requests, opcache fills).
    await load(port, 'account.bench', 1);
    await load(port, 'www.bench', 1);
    const rps = { account: [] as number[], www: [] as number[] };
    let failed = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, host] of [
        ['account', 'account.bench'],
        ['www', 'www.bench'],
      ] as const) {
        const r = await load(port, host, SECONDS);
        rps[name].push(r.rps);
        failed += r.failed;
      }
    }

    // The cost a pool adds to an account's create: write (with its tmp dir) + php-fpm -t, then the reload.
    const fresh = [];
    for (let i = 0; i < N; i++) fresh.push(await makeAccount(fpm, etc, homes, `bq${tag}n${i}`));
    const write: number[] = [];
    const reload: number[] = [];
    const check: number[] = [];
    for (const acc of fresh) {
      const spec = { user: acc.user, home: acc.home, maxChildren: 5, memoryMb: 256 };
      write.push(await timed(() => pools.writePool(spec)));
      reload.push(await timed(() => pools.reload()));
      check.push(await timed(() => pools.check()));
      await pools.removePool(acc.user);
      await pools.reload();
    }

    const row = (name: string, value: string) => `${name.padEnd(52)}${value.padStart(12)}`;
    const a = median(rps.account);
    const w = median(rps.www);
    console.log(`PHP pool benchmark: ${ROUNDS} alternating rounds of ${SECONDS} s, ${CONNECTIONS} connections`);
    console.log(row('page through the account pool (req/s, median)', a.toFixed(0)));
    console.log(row('page through the stock www pool (req/s, median)', w.toFixed(0)));
    console.log(row('ratio account/www', `${(a / w).toFixed(3)}x`));
    console.log(row('failed requests', String(failed)));
    console.log(`pool cost on create, median of ${N} fresh accounts`);
    console.log(row('write pool + tmp dir + php-fpm -t', `${median(write).toFixed(1)} ms`));
    console.log(row('reload (-t, SIGUSR2, until the master re-read)', `${median(reload).toFixed(1)} ms`));
    console.log(row('write + reload', `${median(write.map((x, i) => x + (reload[i] ?? 0))).toFixed(1)} ms`));
    console.log(row('of which one php-fpm -t (through nsenter here)', `${median(check).toFixed(1)} ms`));
  } finally {
    await nginx?.stop().catch(() => {});
    await fpm.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
