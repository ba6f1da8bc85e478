// PHP pool benchmark: requests/s of one small PHP page in an account's public_html through its pool
// (as the panel renders it: ondemand, open_basedir, its own socket) against the same file through a
// stock `www` pool (Debian's settings) on the same private php-fpm master and nginx, in one run, alternating
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
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
/** PAGES are the pages measured: the lightest possible, where a pool's own cost shows most, and one with some work. */
const PAGES: [string, string][] = [
  ['light.php', '<?php\necho \'ok \', getmypid(), "\\n";\n'],
  ['work.php', '<?php\n$x = 0;\nfor ($i = 0; $i < 100000; $i++) $x += $i % 7;\necho $x, "\\n";\n'],
];

/** hit makes one request on a kept-alive connection and tells whether it answered 200. */
function hit(agent: Agent, port: number, host: string, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** load keeps CONNECTIONS requests in flight for `seconds` and returns the answered requests per second. */
async function load(
  port: number,
  host: string,
  path: string,
  seconds: number,
): Promise<{ rps: number; failed: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let ok = 0;
  let failed = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) {
        if (await hit(agent, port, host, path)) ok++;
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
    for (const [name, text] of PAGES) await writeAs(account, join(account.web, name), text);

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
        // The very same file through the stock pool: only the pool differs.
        block('www.bench', account.web, fpm.wwwSocket),
    );
    nginx = new PrivateNginx(join(dir, 'nginx'), port, sites);
    await nginx.start();

    // Short rounds, each pool first in every other one: the machine's other load falls on both alike,
    // and the ratio is taken round by round.
    let failed = 0;
    const results: { page: string; account: number; www: number; ratio: number; low: number; high: number }[] = [];
    for (const [page] of PAGES) {
      const path = `/${page}`;
      // Warm both pools (ondemand starts its workers on the first requests, opcache fills).
      await load(port, 'account.bench', path, 1);
      await load(port, 'www.bench', path, 1);
      const rps = { account: [] as number[], www: [] as number[] };
      const ratios: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const order = [
          ['account', 'account.bench'],
          ['www', 'www.bench'],
        ] as const;
        for (const [name, host] of round % 2 ? [...order].reverse() : order) {
          const r = await load(port, host, path, SECONDS);
          rps[name].push(r.rps);
          failed += r.failed;
        }
        ratios.push((rps.account[round] ?? 0) / (rps.www[round] ?? 1));
      }
      results.push({
        page,
        account: median(rps.account),
        www: median(rps.www),
        ratio: median(ratios),
        low: Math.min(...ratios),
        high: Math.max(...ratios),
      });
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
    console.log(
      `PHP pool benchmark: ${ROUNDS} alternating rounds of ${SECONDS} s a page and pool, ${CONNECTIONS} connections`,
    );
    console.log(
      `${'page'.padEnd(12)}${'account req/s'.padStart(15)}${'www req/s'.padStart(12)}${'ratio (median)'.padStart(16)}${'range'.padStart(13)}`,
    );
    for (const r of results)
      console.log(
        `${r.page.padEnd(12)}${r.account.toFixed(0).padStart(15)}${r.www.toFixed(0).padStart(12)}${`${r.ratio.toFixed(3)}x`.padStart(16)}${`${r.low.toFixed(2)}-${r.high.toFixed(2)}`.padStart(13)}`,
      );
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
