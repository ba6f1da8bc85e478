// `vanta serve` with test hooks, for the host-mode rig: the switches live here, in the tests,
// never in the panel's configuration. Run as `node --import tsx serve-with-hooks.ts` with the
// usual VANTA_* variables and:
//   VANTA_TEST_CRASH_AFTER=op:step  the process kills itself (SIGKILL) right after that step
//   VANTA_TEST_BREAK_SITE=user      writing that account's site makes nginx's configuration invalid
//   VANTA_TEST_BREAK_POOL=user      that account's PHP pool is written with a directive php-fpm refuses
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config.js';
import { PhpFpmPools } from '../../src/host/php/php-fpm-pools.js';
import type { HostDrivers, WebServer } from '../../src/host/ports.js';
import { serveUntilStopped } from '../../src/main.js';
import { watchJournal } from './journal-watch.js';
import { BrokenPoolFor } from './php-fpm.js';

/**
 * breakingSite makes nginx refuse the configuration while `user`'s site is written: an invalid
 * file stands beside the block for as long as the real driver writes and checks it, so the
 * driver's own `nginx -t` must catch it and roll the block back.
 */
function breakingSite(real: WebServer, user: string, sitesDir: string): WebServer {
  const broken = join(sitesDir, `zz-vanta-test-broken-${user}.conf`);
  return {
    writeSite: async (site) => {
      if (site.user !== user) return real.writeSite(site);
      await writeFile(broken, 'vanta_test_invalid_directive on;\n');
      try {
        await real.writeSite(site);
      } finally {
        await rm(broken, { force: true });
      }
    },
    removeSite: (name) => real.removeSite(name),
    reload: () => real.reload(),
    requestReload: () => real.requestReload(),
    reopenLogs: () => real.reopenLogs(),
  };
}

const crashAfter = process.env.VANTA_TEST_CRASH_AFTER;
const breakSite = process.env.VANTA_TEST_BREAK_SITE;
const breakPool = process.env.VANTA_TEST_BREAK_POOL;

/** hooked applies the host hooks asked for to the real drivers. */
function hooked(drivers: HostDrivers, sitesDir: string): HostDrivers {
  let out = drivers;
  if (breakSite) out = { ...out, webServer: breakingSite(out.webServer, breakSite, sitesDir) };
  if (breakPool) {
    if (!(out.php instanceof PhpFpmPools)) throw new Error('VANTA_TEST_BREAK_POOL needs host mode');
    out = { ...out, php: new BrokenPoolFor(breakPool, out.php.opts) };
  }
  return out;
}
try {
  const config = loadConfig();
  await serveUntilStopped(config, (line) => process.stdout.write(`${line}\n`), {
    wrapStore: (store) =>
      crashAfter
        ? watchJournal(store, (op, step) => {
            if (`${op}:${step}` === crashAfter) process.kill(process.pid, 'SIGKILL');
          })
        : store,
    wrapHost: (drivers) => hooked(drivers, config.nginxSitesDir),
  });
} catch (err) {
  process.stderr.write(`serve-with-hooks: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = err instanceof ConfigError ? 78 : 1;
}
