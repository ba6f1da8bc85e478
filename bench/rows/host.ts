import { spawn } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HostRig, hostModeSkip } from '../../test/support/host-mode.js';
import { NGINX_BIN } from '../../test/support/nginx.js';
import { PHPFPM_BIN } from '../../test/support/php-fpm.js';
import type { Bench } from '../context.js';
import { type Row, median, perSecond } from '../harness.js';
import type { HostFigures, HostJob, RawBulk } from '../host-inside.js';
import { PANEL_NODE } from '../support/panel-process.js';
import { CREATE_CONCURRENCY } from '../support/sandbox.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXEC_HELPER = fileURLToPath(new URL('../../test/support/private-etc-exec.mjs', import.meta.url));

/**
 * countingWrapper writes a script that appends its arguments to `log` and runs `bin` with them, so
 * the bench can count the `nginx -t` and reload runs of a phase (a few ms of sh per call).
 */
async function countingWrapper(path: string, bin: string, log: string): Promise<string> {
  const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  await writeFile(path, `#!/bin/sh\necho "$*" >> ${q(log)}\nexec ${q(bin)} "$@"\n`);
  await chmod(path, 0o755);
  return path;
}

/** measureHost runs bench/host-inside.ts in a private mount namespace on a throwaway host and reads its figures. */
async function measureHost(bench: Bench): Promise<HostFigures> {
  const rig = await HostRig.create();
  try {
    const job: HostJob = {
      token: rig.token,
      lifecycles: bench.options.quick ? 3 : 10,
      bulk: bench.options.quick ? 16 : 40,
      out: join(rig.dir, 'figures.json'),
      logFile: join(rig.dir, 'panel.log'),
      nginxCalls: join(rig.dir, 'nginx-calls'),
      phpCalls: join(rig.dir, 'php-fpm-calls'),
      nginxLog: join(rig.nginx.prefix, 'logs', 'error.log'),
      fpmLog: rig.fpm.errorLog,
      nginxPidFile: join(rig.nginx.prefix, 'nginx.pid'),
    };
    const wrappers = {
      VANTA_NGINX_BIN: await countingWrapper(join(rig.dir, 'nginx-counted'), NGINX_BIN, job.nginxCalls),
      VANTA_PHPFPM_BIN: await countingWrapper(join(rig.dir, 'php-fpm-counted'), PHPFPM_BIN, job.phpCalls),
    };
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(
        'unshare',
        [
          '--mount',
          '--propagation',
          'private',
          PANEL_NODE,
          EXEC_HELPER,
          rig.etc,
          '--',
          PANEL_NODE,
          '--import',
          'tsx',
          fileURLToPath(new URL('../host-inside.ts', import.meta.url)),
        ],
        {
          cwd: ROOT,
          stdio: ['ignore', 'inherit', 'inherit'],
          env: rig.env({ VANTA_BENCH_HOST: JSON.stringify(job), ...wrappers }),
        },
      );
      child.once('error', reject);
      child.once('exit', (c) => resolve(c ?? 1));
    });
    if (code !== 0) {
      const log = await readFile(job.logFile, 'utf8').catch(() => '');
      throw new Error(`the host-mode run exited with ${code}; panel log ends: ${log.slice(-1500)}`);
    }
    return JSON.parse(await readFile(job.out, 'utf8')) as HostFigures;
  } finally {
    await rig.close();
  }
}

function ms(n: number): string {
  return `${n.toFixed(0)} ms`;
}

/**
 * host is host mode (root only): create + suspend + terminate one account at a time through the
 * API of the real panel, over the raw commands those operations run; then creates 8 at a time.
 */
export const host: Row = {
  id: 'host',
  measures: [
    { measure: 'host-mode create+suspend+terminate ÷ the raw commands they run', target: '≤ 1.50×' },
    { measure: `host-mode bulk creates, ${CREATE_CONCURRENCY} at a time`, target: '≥ 20 accounts/s' },
    {
      measure: 'time a PHP pool adds to a host-mode create (with PHP − PHP off, medians)',
      target: '≤ 50 ms median',
    },
  ],
  skip: hostModeSkip,
  async run(bench: Bench) {
    const f = await measureHost(bench);
    const create = median(f.panel.create);
    const suspend = median(f.panel.suspend);
    const terminate = median(f.panel.terminate);
    const raw = median(f.raw.total);
    const ratio = (create + suspend + terminate) / raw;
    const command = (name: string) => median(f.raw.commands[name] ?? [0]);
    const commands = Object.keys(f.raw.commands)
      .map((name) => `${name} ${ms(command(name))}`)
      .join(', ');
    // The figure the issue quotes compared with useradd + userdel + nginx -t + reload only.
    const narrow = command('useradd') + command('userdel') + command('nginx -t') + command('reload');
    const bulk = f.bulkCreate.count / f.bulkCreate.seconds;
    const withoutPhp = median(f.createNoPhp);
    const poolAdds = create - withoutPhp;
    const notes = [
      `host lifecycle, ${f.panel.create.length} accounts one at a time (medians): create ${ms(create)}, ` +
        `suspend ${ms(suspend)}, terminate ${ms(terminate)}; raw sequence ${ms(raw)} (medians of each command: ${commands})`,
      `host creates one at a time, alternating (medians): with PHP ${ms(create)}, PHP off ${ms(withoutPhp)}`,
      `host: against useradd + userdel + nginx -t + reload alone (${ms(narrow)}), the old baseline of bench:host, ` +
        `the ratio would be ${((create + suspend + terminate) / narrow).toFixed(2)}×`,
      `host bulk: ${f.bulkCreate.count} creates in ${f.bulkCreate.seconds.toFixed(2)} s, then ${f.bulkCreate.count} ` +
        `terminates ${CREATE_CONCURRENCY} at a time in ${f.bulkTerminateSeconds.toFixed(2)} s`,
    ];
    for (const [op, steps] of Object.entries(f.steps)) {
      const parts = Object.entries(steps).map(([step, times]) => `${step} ${median(times).toFixed(0)}`);
      notes.push(`host steps, ${op} (median ms of each step as the panel timed it): ${parts.join(', ')}`);
    }
    for (const [phase, c] of Object.entries(f.commandCounts))
      notes.push(
        `host bulk ${phase} of ${f.bulkCreate.count}: nginx -t ${c.nginxChecks}, nginx reloads ${c.nginxReloads}, ` +
          `php-fpm -t ${c.phpChecks}, php-fpm reloads ${c.phpReloads}`,
      );
    const cores = availableParallelism();
    for (const [phase, c] of Object.entries(f.cpu)) {
      const each = (n: number) => `${(n / f.bulkCreate.count).toFixed(0)} ms`;
      const rest = c.machine - c.panel - c.commands - c.fpmMaster - c.nginxMaster;
      notes.push(
        `host bulk ${phase}, CPU per account: ${each(c.machine)} on the machine (${cores} cores give ${((cores * 1000) / (c.machine / f.bulkCreate.count)).toFixed(1)}/s at most), ` +
          `panel ${each(c.panel)}, its commands ${each(c.commands)}, php-fpm master ${each(c.fpmMaster)}, ` +
          `nginx master ${each(c.nginxMaster)}, everything else on the machine (MariaDB, the bench, kernel threads, other work) ${each(rest)}`,
      );
    }
    // In the raw floor the bench stands in the panel's place: `panel` is then the bench's own CPU.
    const floor = (r: RawBulk) => {
      const each = (n: number) => `${(n / r.count).toFixed(0)} ms`;
      const machine = r.cpu.machine / r.count;
      const rest = r.cpu.machine - r.cpu.panel - r.cpu.commands - r.cpu.fpmMaster - r.cpu.nginxMaster;
      return (
        `${perSecond(r.count / r.seconds)} accounts/s, ${each(r.cpu.machine)} CPU per account on the machine ` +
        `(${cores} cores give ${((cores * 1000) / machine).toFixed(1)}/s at most; the commands ${each(r.cpu.commands)}, ` +
        `php-fpm master ${each(r.cpu.fpmMaster)}, nginx master ${each(r.cpu.nginxMaster)}, the bench ${each(r.cpu.panel)}, ` +
        `everything else on the machine ${each(rest)})`
      );
    };
    const { servers, shadow } = f.rawFloor;
    notes.push(
      `host bulk raw floor: the create commands alone, ${CREATE_CONCURRENCY} at a time, one check and reload of each ` +
        `server per ${CREATE_CONCURRENCY}: ${floor(servers)}; useradd + chpasswd alone, ${CREATE_CONCURRENCY} at a ` +
        `time: ${floor(shadow)}`,
    );
    if (f.bulkCreate.failures.length > 0)
      notes.push(`host bulk creates failed: ${f.bulkCreate.failures.slice(0, 3).join('; ')}`);
    const floorFailures = [...servers.failures, ...shadow.failures];
    if (floorFailures.length > 0) notes.push(`host bulk raw floor failed: ${floorFailures.slice(0, 3).join('; ')}`);
    return {
      measured: [
        { now: `${ratio.toFixed(2)}× (${ms(create + suspend + terminate)} vs ${ms(raw)})`, meets: ratio <= 1.5 },
        { now: `${perSecond(bulk)} accounts/s`, meets: f.bulkCreate.failures.length === 0 && bulk >= 20 },
        { now: ms(poolAdds), meets: poolAdds <= 50 },
      ],
      notes,
    };
  },
};
