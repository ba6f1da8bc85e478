import { mkdir, readFile } from 'node:fs/promises';
import { CommandError, runCommand } from '../exec.js';
import { findProgram } from '../host-mode/host-checks.js';
import { includesPoolDir, mainConfigPath, parseFpmDump } from './fpm-checks.js';
import { type PhpFpmOptions, PhpFpmPools, masterRuns } from './php-fpm-pools.js';

/** PhpFpmSetup is host mode's PHP-FPM configuration, from VANTA_PHP_* and VANTA_PHPFPM_* (see the README). */
export type PhpFpmSetup = Omit<PhpFpmOptions, 'reloadWaitMs'>;

/** PhpSetupError is a start-up check of PHP-FPM that failed; its message is one line an operator can act on. */
export class PhpSetupError extends Error {
  override readonly name = 'PhpSetupError';
}

/** PhpFpmReady is the checked driver and what the start-up log should say about it. */
export interface PhpFpmReady {
  pools: PhpFpmPools;
  /** checked is false when PHP-FPM was not required, so not looked at. */
  checked: boolean;
  /** warnings are things that work but should be fixed, one line each. */
  warnings: string[];
}

/** RELOAD_MARGIN_MS is how much longer than its process_control_timeout a reload may take (re-reading, forking). */
const RELOAD_MARGIN_MS = 10_000;

function firstError(err: unknown): string {
  if (err instanceof CommandError) {
    const line = /ERROR: (.*)/.exec(err.stderr)?.[1];
    return (line ?? err.message.split('\n')[0] ?? '').trim();
  }
  return err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
}

/**
 * setUpPhpFpm checks PHP-FPM for host mode and builds its pools driver. When PHP is `required` (some
 * plan, or an account without a plan, has PHP): the binary is there, its main configuration includes
 * exactly `<poolDir>/*.conf`, `php-fpm -t` passes, and the master writes its pid where the panel
 * looks (unless a reload command replaces the signal); any of these failing is a PhpSetupError.
 * Not required, nothing is looked at: the panel then never calls PHP-FPM.
 */
export async function setUpPhpFpm(setup: PhpFpmSetup, required: boolean): Promise<PhpFpmReady> {
  const unchecked = { ...setup, reloadWaitMs: setup.timeoutMs };
  if (!required) return { pools: new PhpFpmPools(unchecked), checked: false, warnings: [] };
  if (!(await findProgram(setup.bin)))
    throw new PhpSetupError(
      `PHP is on in a plan, so host mode needs ${setup.bin} (VANTA_PHPFPM_BIN): install php8.2-fpm`,
    );
  const config = mainConfigPath(setup.args);
  const text = await readFile(config, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new PhpSetupError(`cannot read the php-fpm configuration ${config}: ${err.code ?? err.message}`);
  });
  if (!includesPoolDir(text, setup.poolDir))
    throw new PhpSetupError(
      `php-fpm does not include the pool directory; add "include=${setup.poolDir}/*.conf" to ${config}`,
    );
  let dumped: string;
  try {
    // -tt is -t that also prints the configuration it read (on stderr). In the machine's turn: another
    // panel process may have a pool written for its own check, which this one must not judge.
    const check = () => runCommand(setup.bin, [...setup.args, '-tt'], { timeoutMs: setup.timeoutMs });
    dumped = (await (setup.lock ? setup.lock.hold(check) : check())).stderr;
  } catch (err) {
    throw new PhpSetupError(`php-fpm configuration is not valid (php-fpm -t): ${firstError(err)}`);
  }
  const dump = parseFpmDump(dumped);
  if (setup.reloadCommand === null && dump.pidFile !== setup.pidFile)
    throw new PhpSetupError(
      `php-fpm writes its pid to ${dump.pidFile ?? 'no file'}, but the panel signals the pid in ${setup.pidFile}; ` +
        'set VANTA_PHPFPM_PID to the pid = of php-fpm.conf (or VANTA_PHPFPM_RELOAD to a reload command)',
    );
  const warnings: string[] = [];
  const timeoutSec = dump.processControlTimeoutSec ?? 0;
  if (timeoutSec === 0)
    warnings.push(
      'php-fpm has process_control_timeout = 0: every reload (each create, suspend, plan change) cuts the PHP ' +
        'requests in flight on every site; set it to 10s in php-fpm.conf',
    );
  if (setup.reloadCommand === null && !(await masterRuns(setup.pidFile)))
    warnings.push(
      `no php-fpm master runs with the pid in ${setup.pidFile}: operations on PHP sites fail until it runs`,
    );
  await mkdir(setup.runDir, { recursive: true, mode: 0o755 });
  const reloadWaitMs = Math.max(setup.timeoutMs, timeoutSec * 1000 + RELOAD_MARGIN_MS);
  return { pools: new PhpFpmPools({ ...setup, reloadWaitMs }), checked: true, warnings };
}
