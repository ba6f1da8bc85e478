// Host-mode lifecycle benchmark: creates, suspends and terminates N accounts with the real shadow
// tools (in a private copy of /etc, inside a private mount namespace) against a private nginx, and
// prints each operation's median next to the median of the raw commands alone
// (useradd + userdel + nginx -t + nginx -s reload). Needs root. Usage: npm run bench:host [-- N]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { createAccount } from '../src/app/create-account.js';
import { suspendAccount } from '../src/app/suspend-account.js';
import { terminateAccount } from '../src/app/terminate-account.js';
import { unsuspendAccount } from '../src/app/unsuspend-account.js';
import { createRuntime } from '../src/compose.js';
import { loadConfig } from '../src/config.js';
import { runCommand } from '../src/host/exec.js';
import { HostRig, hostModeSkip } from '../test/support/host-mode.js';
import { NGINX_BIN } from '../test/support/nginx.js';
import { median, timed } from './stats.js';

const N = Number(process.argv[2] ?? process.env.BENCH_N ?? 20);

/** inside runs in the private namespace: the panel's use cases, then the raw commands. */
async function inside(): Promise<void> {
  const config = loadConfig(process.env);
  const rt = await createRuntime(config, { logger: pino({ level: 'silent' }) });
  const nginxArgs = config.nginxArgs;
  const ops = { create: [] as number[], suspend: [] as number[], unsuspend: [] as number[], terminate: [] as number[] };
  const tag = Math.random().toString(36).slice(2, 6).replace(/[0-9]/g, 'b');
  try {
    for (let i = 0; i < N; i++) {
      const user = `bn${tag}${i}`;
      ops.create.push(
        await timed(() =>
          createAccount(rt.ctx, { user, domain: `${user}.bench.test`, password: 'bench-password-123' }),
        ),
      );
      ops.suspend.push(await timed(() => suspendAccount(rt.ctx, user, 'benchmark')));
      ops.unsuspend.push(await timed(() => unsuspendAccount(rt.ctx, user)));
      ops.terminate.push(await timed(() => terminateAccount(rt.ctx, user)));
    }
    const raw: number[] = [];
    for (let i = 0; i < N; i++) {
      const user = `rw${tag}${i}`;
      const home = `${config.homeBase}/${user}`;
      raw.push(
        await timed(async () => {
          await runCommand('useradd', ['--create-home', '--home-dir', home, '--user-group', user]);
          await runCommand('userdel', ['--remove', user]);
          await runCommand(config.nginxBin, [...nginxArgs, '-t']);
          await runCommand(config.nginxBin, [...nginxArgs, '-s', 'reload']);
        }),
      );
    }
    const rawMedian = median(raw);
    const lifecycle = median(ops.create) + median(ops.suspend) + median(ops.terminate);
    const row = (name: string, ms: number) => `${name.padEnd(34)}${ms.toFixed(1).padStart(9)} ms`;
    console.log(`host-mode lifecycle, ${N} accounts (medians)`);
    for (const [name, xs] of Object.entries(ops)) console.log(row(`panel ${name}`, median(xs)));
    console.log(row('raw useradd+userdel+nginx -t+reload', rawMedian));
    console.log(row('panel create+suspend+terminate', lifecycle));
    console.log(
      `ratio panel/raw: ${(lifecycle / rawMedian).toFixed(2)}x (create includes argon2id hashing and chpasswd)`,
    );
  } finally {
    await rt.close();
  }
}

/** outside prepares the throwaway host and runs this script again inside a private mount namespace. */
async function outside(): Promise<void> {
  const why = hostModeSkip();
  if (why) {
    console.error(`bench:host cannot run here: ${why}`);
    process.exit(1);
  }
  const rig = await HostRig.create();
  try {
    const helper = fileURLToPath(new URL('../test/support/private-etc-exec.mjs', import.meta.url));
    const self = fileURLToPath(import.meta.url);
    const code = await new Promise<number>((resolve) => {
      const child = spawn(
        'unshare',
        [
          '--mount',
          '--propagation',
          'private',
          process.execPath,
          helper,
          rig.etc,
          '--',
          process.execPath,
          '--import',
          'tsx',
          self,
          String(N),
        ],
        { stdio: 'inherit', env: { ...rig.env({ VANTA_BENCH_INSIDE: '1' }), VANTA_TEST_NGINX: NGINX_BIN } },
      );
      child.on('exit', (c) => resolve(c ?? 1));
    });
    process.exitCode = code;
  } finally {
    await rig.close();
  }
}

await (process.env.VANTA_BENCH_INSIDE ? inside() : outside());
