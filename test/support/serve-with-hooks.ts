// `vanta serve` with test hooks, for the host-mode rig: the switches live here, in the tests,
// never in the panel's configuration. Run as `node --import tsx serve-with-hooks.ts` with the
// usual VANTA_* variables and:
//   VANTA_TEST_CRASH_AFTER=op:step  the process kills itself (SIGKILL) right after that step
//   VANTA_TEST_BREAK_SITE=user      writing that account's site makes nginx's configuration invalid
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config.js';
import type { HostDrivers, WebServer } from '../../src/host/ports.js';
import { serveUntilStopped } from '../../src/main.js';
import { watchJournal } from './journal-watch.js';

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
  };
}

const crashAfter = process.env.VANTA_TEST_CRASH_AFTER;
const breakSite = process.env.VANTA_TEST_BREAK_SITE;
try {
  const config = loadConfig();
  await serveUntilStopped(config, (line) => process.stdout.write(`${line}\n`), {
    wrapStore: (store) =>
      crashAfter
        ? watchJournal(store, (op, step) => {
            if (`${op}:${step}` === crashAfter) process.kill(process.pid, 'SIGKILL');
          })
        : store,
    wrapHost: (drivers): HostDrivers =>
      breakSite ? { ...drivers, webServer: breakingSite(drivers.webServer, breakSite, config.nginxSitesDir) } : drivers,
  });
} catch (err) {
  process.stderr.write(`serve-with-hooks: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = err instanceof ConfigError ? 78 : 1;
}
