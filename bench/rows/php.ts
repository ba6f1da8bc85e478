import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PhpFpmPools } from '../../src/host/php/php-fpm-pools.js';
import { runCommand } from '../../src/host/exec.js';
import { renderServerBlock } from '../../src/host/nginx/server-block.js';
import { poolFileName, poolSocketPath } from '../../src/host/php/pool-config.js';
import { NGINX_BIN, PrivateNginx, freePort } from '../../test/support/nginx.js';
import { PrivatePhpFpm, makeAccount, phpFpmSkip, writeAs } from '../../test/support/php-fpm.js';
import { makePrivateEtc } from '../../test/support/private-etc.js';
import type { Bench } from '../context.js';
import { type Row, median, perSecond, timed } from '../harness.js';
import { compare } from '../support/load.js';

/**
 * PAGES are the pages measured: the lightest possible, where a pool's own cost shows most, and one
 * doing about half a millisecond of work, closer to what a real page costs PHP.
 */
const PAGES = [
  { file: 'light.php', label: 'an echo page', text: '<?php\necho "ok ", getmypid(), "\\n";\n' },
  {
    file: 'work.php',
    label: 'a page doing ~0.5 ms of work',
    text: '<?php\n$x = 0;\nfor ($i = 0; $i < 100000; $i++) $x += $i % 7;\necho $x, "\\n";\n',
  },
] as const;

/** CONNECTIONS keeps every worker of either pool busy, well within the private nginx's 64 worker connections. */
const CONNECTIONS = 8;

/** POOL_CHILDREN is both pools' max_children: the stock www pool's Debian default, and the plans' default. */
const POOL_CHILDREN = 5;

/**
 * serverBlock is the account's server block as the panel renders it, on a port of its own and handing
 * `*.php` to `socket`. nginx closes a kept-alive connection after 1000 requests by default, which the
 * load would count as failures.
 */
function serverBlock(user: string, port: number, root: string, socket: string): string {
  const block = renderServerBlock({
    user,
    domain: `${user}.bench.test`,
    listen: `127.0.0.1:${port}`,
    tlsListen: '443',
    challengeDir: `${root}/.acme-challenge`,
    tls: null,
    root,
    suspended: false,
    suspendedRoot: root,
    phpSocket: socket,
  });
  return block.replace('server {\n', 'server {\n    keepalive_requests 1000000;\n');
}

/**
 * VARIANTS are the account's pool with one of the two settings that cost the echo page changed, the rest
 * as the panel renders it: what each costs, against the same stock pool, in the same run.
 */
const VARIANTS = [
  {
    suffix: 'dyn',
    label: 'pm = dynamic instead of ondemand (2 workers started, 1 to 3 idle)',
    edit: (pool: string) =>
      pool
        .replace(
          'pm = ondemand',
          'pm = dynamic\npm.start_servers = 2\npm.min_spare_servers = 1\npm.max_spare_servers = 3',
        )
        .replace(/^pm\.process_idle_timeout = .*\n/m, ''),
  },
  {
    suffix: 'nob',
    label: 'no open_basedir (so the realpath cache works)',
    edit: (pool: string) => pool.replace(/^php_admin_value\[open_basedir\] = .*\n/m, ''),
  },
] as const;

/** variantPool renames the account's pool text to a pool of its own, on a socket of its own, and applies the edit. */
function variantPool(text: string, user: string, socket: string, variant: (typeof VARIANTS)[number]): string {
  const edited = variant.edit(
    text
      .replace(`[${user}]`, `[${user}_${variant.suffix}]`)
      .replace(`listen = ${socket}`, `listen = ${variantSocket(socket, variant.suffix)}`),
  );
  if (edited === text) throw new Error(`the pool variant ${variant.suffix} changed nothing`);
  return edited;
}

function variantSocket(socket: string, suffix: string): string {
  return socket.replace(/\.sock$/, `-${suffix}.sock`);
}

/**
 * php compares, in one run and on one private php-fpm master and nginx, a PHP page in an account's
 * public_html served through its own pool (as the panel renders it: ondemand, open_basedir, its
 * socket) with the very same file served through a stock `www` pool (Debian's settings: dynamic);
 * then times a pool's own steps one after another: the pool write with its tmp dir and `php-fpm -t`,
 * and the reload until the master has re-read its files (what the pool adds to a create, whose
 * steps overlap these with others, is the host row's figure).
 */
export const php: Row = {
  id: 'php',
  measures: [
    ...PAGES.map((p) => ({
      measure: `PHP ${p.label}: req/s through the account's pool ÷ a stock pool`,
      target: '≥ 0.95×',
    })),
    // What a pool adds to a create is the host row's figure: a create overlaps these steps with others.
    { measure: 'a PHP pool on its own: pool write + php-fpm -t + reload, in sequence', target: '— (see host)' },
  ],
  skip: () => phpFpmSkip() ?? (existsSync(NGINX_BIN) ? null : 'the PHP row needs nginx'),
  async run(bench: Bench) {
    const dir = await bench.subdir('php');
    // The pools' users must pass through to the homes (traverse, not list).
    for (const d of [bench.dir, dir]) await chmod(d, 0o711);
    const etc = await makePrivateEtc(dir);
    const fpm = new PrivatePhpFpm(join(dir, 'fpm'), etc);
    await fpm.start();
    bench.onClose(() => fpm.stop());
    const homes = join(dir, 'homes');
    await mkdir(homes, { mode: 0o711 });
    const tag = Math.random().toString(36).slice(2, 6).replace(/[0-9]/g, 'b');
    const account = await makeAccount(fpm, etc, homes, `bp${tag}`);
    for (const page of PAGES) await writeAs(account, join(account.web, page.file), page.text);

    const pools = new PhpFpmPools(fpm.poolOptions());
    await pools.writePool({ user: account.user, home: account.home, maxChildren: POOL_CHILDREN, memoryMb: 256 });
    const socket = poolSocketPath(fpm.runDir, account.user);
    const poolText = await readFile(join(fpm.poolDir, poolFileName(account.user)), 'utf8');
    for (const v of VARIANTS)
      await writeFile(join(fpm.poolDir, `bench-${v.suffix}.conf`), variantPool(poolText, account.user, socket, v));
    await pools.reload();

    const sites = join(dir, 'sites');
    await mkdir(sites);
    // Each pool's site on a port of its own, so the load needs no Host header.
    const [nginxPort, accountPort, wwwPort] = [await freePort(), await freePort(), await freePort()];
    const variantPorts: number[] = [];
    for (const _ of VARIANTS) variantPorts.push(await freePort());
    await writeFile(
      join(sites, 'bench.conf'),
      serverBlock(account.user, accountPort, account.web, socket) +
        serverBlock(account.user, wwwPort, account.web, fpm.wwwSocket) +
        VARIANTS.map((v, i) =>
          serverBlock(account.user, variantPorts[i] ?? 0, account.web, variantSocket(socket, v.suffix)),
        ).join(''),
    );
    const nginx = new PrivateNginx(join(dir, 'nginx'), nginxPort, sites);
    await nginx.start();
    bench.onClose(() => nginx.stop());

    const t = bench.timing;
    const measured = [];
    const notes: string[] = [];
    for (const page of PAGES) {
      const c = await compare({
        panelUrl: `http://127.0.0.1:${accountPort}/${page.file}`,
        bareUrl: `http://127.0.0.1:${wwwPort}/${page.file}`,
        headers: {},
        warmupSeconds: t.warmupSeconds,
        rounds: t.rounds * 2,
        seconds: t.seconds,
        connections: CONNECTIONS,
      });
      const failures = c.panel.failures + c.bare.failures;
      measured.push({
        now: `${c.ratio.toFixed(2)}× (${perSecond(c.panel.perSecond)} vs ${perSecond(c.bare.perSecond)} req/s)`,
        meets: failures === 0 && c.ratio >= 0.95,
      });
      if (failures > 0)
        notes.push(
          `php ${page.file}: ${c.panel.failures} failed answers from the account's pool, ${c.bare.failures} from www`,
        );
    }
    // The echo page through each variant, against the same stock pool: what each of the two settings costs.
    for (const [i, v] of VARIANTS.entries()) {
      const c = await compare({
        panelUrl: `http://127.0.0.1:${variantPorts[i]}/${PAGES[0].file}`,
        bareUrl: `http://127.0.0.1:${wwwPort}/${PAGES[0].file}`,
        headers: {},
        warmupSeconds: t.warmupSeconds,
        rounds: t.rounds,
        seconds: t.seconds,
        connections: CONNECTIONS,
      });
      const failed = c.panel.failures + c.bare.failures;
      notes.push(
        `php ${PAGES[0].file}: the account's pool with ${v.label}, everything else as the panel renders it: ` +
          `${c.ratio.toFixed(2)}× the stock pool (${perSecond(c.panel.perSecond)} vs ${perSecond(c.bare.perSecond)} req/s)` +
          (failed > 0 ? `; ${failed} failed answers` : ''),
      );
    }
    const depth = join(account.web, PAGES[0].file).split('/').length - 1;
    notes.push(
      `php: ${CONNECTIONS} connections through nginx, both pools max_children ${POOL_CHILDREN}, alternating rounds; ` +
        "the account's pool is pm = ondemand (as the issue asks), whose master wakes on every new connection to decide " +
        'whether to fork; the stock pool is pm = dynamic with idle workers waiting; and PHP turns its realpath cache ' +
        `off under open_basedir, so each request lstat()s every step of the script's path (${depth} here)`,
    );

    // What a pool adds to a create, on fresh accounts: the write (tmp dir, pool file, php-fpm -t) and the reload.
    const count = bench.options.quick ? 5 : 15;
    const write: number[] = [];
    const reload: number[] = [];
    const checks: number[] = [];
    const reloadChecks: number[] = [];
    for (let i = 0; i < count; i++) {
      const fresh = await makeAccount(fpm, etc, homes, `bq${tag}n${i}`);
      write.push(
        await timed(() => pools.writePool({ user: fresh.user, home: fresh.home, maxChildren: 5, memoryMb: 256 })),
      );
      const before = pools.checks;
      reload.push(await timed(() => pools.reload()));
      reloadChecks.push(pools.checks - before);
      // The shares, outside the timed sum: php-fpm -t alone, on the same files.
      checks.push(await timed(() => pools.check()));
      await pools.removePool(fresh.user);
      await pools.reload();
      await pools.endWorkers(fresh.user, fresh.home);
    }
    const [nsenter, ...nsArgs] = fpm.inside();
    const wrapped: number[] = [];
    for (let i = 0; i < 5; i++) wrapped.push(await timed(() => runCommand(nsenter ?? 'true', [...nsArgs, 'true'])));
    const wrapper = median(wrapped);
    const total = median(write.map((w, i) => w + (reload[i] ?? 0)));
    measured.push({ now: `${total.toFixed(0)} ms`, meets: null });
    const reran = reloadChecks.filter((n) => n > 0).length;
    notes.push(
      `php create cost, medians of ${count} fresh accounts: pool write (tmp dir, file, its php-fpm -t) ${median(write).toFixed(0)} ms, ` +
        `reload ${median(reload).toFixed(0)} ms (SIGUSR2 until the master re-read its files; ${reran} of ${count} reloads ran ` +
        `a php-fpm -t of their own, the others were gated by the write's); php-fpm -t alone ${median(checks).toFixed(0)} ms, ` +
        `of which ${wrapper.toFixed(0)} ms is nsenter, which runs it in the private /etc's namespace here`,
    );
    return { measured, notes };
  },
};
