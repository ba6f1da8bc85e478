import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { spawn } from 'node:child_process';
import { VANTA_BIN, runVanta } from './support/cli.js';
import { hostModeSkip } from './support/host-mode.js';
import { loadConfig } from '../src/config.js';
import { type HostOptions, createHostDrivers } from '../src/host/host-mode/host-mode-drivers.js';
import { NoDatabaseServer } from '../src/host/no-database-server.js';
import { NGINX_BIN, PrivateNginx, freePort } from './support/nginx.js';
import { PHPFPM_BIN, PHP_INI } from './support/php-fpm.js';

const skip = hostModeSkip();

describe('host mode refuses to start, in one line, where it cannot work', { skip: skip ?? false }, () => {
  let dir: string;
  let nginxArgs: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vanta-startup-'));
    for (const d of ['homes', 'sites', 'nginx/logs', 'other', 'fpm/pool.d', 'fpm/run'])
      await mkdir(join(dir, d), { recursive: true });
    nginxArgs = `-p ${join(dir, 'nginx')} -c ${join(dir, 'nginx', 'nginx.conf')} -e ${join(dir, 'nginx', 'logs', 'error.log')}`;
    // A plan with PHP: php-fpm is required from now on.
    const plan = await runVanta(join(dir, 'data'), ['plan', 'add', 'with-php']);
    assert.equal(plan.code, 0, plan.stderr);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function nginxConf(httpBody: string): Promise<void> {
    await writeFile(
      join(dir, 'nginx', 'nginx.conf'),
      `pid ${join(dir, 'nginx', 'nginx.pid')};\nevents {}\nhttp {\n${httpBody}\n}\n`,
    );
  }

  /** fpmConf writes a php-fpm main configuration including `include` (the pool directory unless told), with `extra` lines. */
  async function fpmConf(include = join(dir, 'fpm', 'pool.d'), extra = ''): Promise<void> {
    await writeFile(
      join(dir, 'fpm', 'php-fpm.conf'),
      `[global]\npid = ${join(dir, 'fpm', 'fpm.pid')}\nerror_log = ${join(dir, 'fpm', 'error.log')}\n` +
        `include = ${include}/*.conf\n\n[www]\nuser = www-data\ngroup = www-data\n` +
        `listen = ${join(dir, 'fpm', 'run', 'www.sock')}\npm = ondemand\npm.max_children = 1\n${extra}`,
    );
  }

  function hostEnv(env: Record<string, string>): Record<string, string> {
    return {
      VANTA_MODE: 'host',
      VANTA_HOME_BASE: join(dir, 'homes'),
      VANTA_NGINX_SITES_DIR: join(dir, 'sites'),
      VANTA_NGINX_BIN: NGINX_BIN,
      VANTA_NGINX_ARGS: nginxArgs,
      VANTA_PANEL_PORT: '0',
      VANTA_WHM_PORT: '0',
      VANTA_PHP_POOL_DIR: join(dir, 'fpm', 'pool.d'),
      VANTA_PHP_RUN_DIR: join(dir, 'fpm', 'run'),
      VANTA_PHPFPM_BIN: PHPFPM_BIN,
      VANTA_PHPFPM_ARGS: `-y ${join(dir, 'fpm', 'php-fpm.conf')} -c ${PHP_INI}`,
      VANTA_PHPFPM_PID: join(dir, 'fpm', 'fpm.pid'),
      ...env,
    };
  }

  async function serve(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
    return runVanta(join(dir, 'data'), ['serve'], undefined, hostEnv(env));
  }

  const table: {
    name: string;
    conf: string;
    env?: Record<string, string>;
    fpm?: () => Promise<void>;
    want: RegExp;
  }[] = [
    {
      name: 'nginx is missing',
      conf: 'include SITES/*.conf;',
      env: { VANTA_NGINX_BIN: '/nonexistent/nginx' },
      want: /needs these programs on PATH: \/nonexistent\/nginx/,
    },
    {
      name: 'the homes base is missing',
      conf: 'include SITES/*.conf;',
      env: { VANTA_HOME_BASE: '/nonexistent-homes' },
      want: /VANTA_HOME_BASE \/nonexistent-homes is not a directory/,
    },
    {
      name: 'the nginx configuration is invalid',
      conf: 'include SITES/*.conf; no_such_directive on;',
      want: /nginx configuration is not valid/,
    },
    {
      name: 'nginx does not include the sites directory',
      conf: 'include OTHER/*.conf;',
      want: /nginx does not include the sites directory; add "include .*\/sites\/\*\.conf;"/,
    },
    {
      name: 'a plan has PHP and php-fpm is missing',
      conf: 'include SITES/*.conf;',
      env: { VANTA_PHPFPM_BIN: '/nonexistent/php-fpm8.2' },
      want: /PHP is on in a plan, so host mode needs \/nonexistent\/php-fpm8\.2 \(VANTA_PHPFPM_BIN\): install php8\.2-fpm/,
    },
    {
      name: 'php-fpm does not include the pool directory',
      conf: 'include SITES/*.conf;',
      fpm: () => fpmConf(join(dir, 'other')),
      want: /php-fpm does not include the pool directory; add "include=.*\/fpm\/pool\.d\/\*\.conf" to /,
    },
    {
      name: 'the php-fpm configuration is invalid',
      conf: 'include SITES/*.conf;',
      fpm: () => fpmConf(undefined, 'no_such_directive = on\n'),
      want: /php-fpm configuration is not valid \(php-fpm -t\): .*no_such_directive/,
    },
    {
      name: "nginx's worker group does not exist (public_html and the sockets are given to it)",
      conf: 'include SITES/*.conf;',
      env: { VANTA_PHP_WEB_GROUP: 'no-such-web-group' },
      want: /nginx's worker group no-such-web-group does not exist: set VANTA_PHP_WEB_GROUP/,
    },
    {
      name: "VANTA_NGINX_PID_FILE names a file nginx's own reload does not signal",
      conf: 'include SITES/*.conf;',
      env: { VANTA_NGINX_PID_FILE: '/nonexistent/other-nginx.pid' },
      want: /nginx -s reload signals the pid in .*\/nginx\.pid, but VANTA_NGINX_PID_FILE is \/nonexistent\/other-nginx\.pid/,
    },
  ];
  for (const row of table) {
    test(row.name, async () => {
      await nginxConf(row.conf.replace('SITES', join(dir, 'sites')).replace('OTHER', join(dir, 'other')));
      await (row.fpm ?? fpmConf)();
      const r = await serve(row.env ?? {});
      assert.equal(r.code, 78, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0] ?? '', row.want);
    });
  }

  test('with PHP off in every plan, php-fpm is not required: the panel starts without it', async () => {
    const data = join(dir, 'data-static');
    assert.equal((await runVanta(data, ['plan', 'add', 'static', '--no-php'])).code, 0);
    await nginxConf(`include ${join(dir, 'sites')}/*.conf;`);
    const child = spawn(process.execPath, [VANTA_BIN, 'serve'], {
      env: {
        PATH: process.env.PATH ?? '',
        VANTA_DATA_DIR: data,
        VANTA_ACME_DIRECTORY: 'off',
        ...hostEnv({ VANTA_PHPFPM_BIN: '/nonexistent/php-fpm8.2' }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 200 && !output.includes('Vanta Panel started') && child.exitCode === null; i++)
        await new Promise((r) => setTimeout(r, 50));
      assert.match(output, /Vanta Panel started/, output);
      assert.match(output, /PHP is off in every plan: php-fpm is not checked and not called/);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});

describe("host mode finds nginx's pid file at start-up, for the reload's confirmation", { skip: skip ?? false }, () => {
  let dir: string;
  let nginx: PrivateNginx;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vanta-startup-pid-'));
    for (const d of ['homes', 'sites']) await mkdir(join(dir, d), { recursive: true });
    nginx = new PrivateNginx(join(dir, 'nginx'), await freePort(), join(dir, 'sites'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** start builds the host drivers as `vanta serve` does (PHP off), with the warnings they log. */
  async function start(extra: Partial<HostOptions>): Promise<string[]> {
    const warnings: string[] = [];
    const config = loadConfig({ VANTA_DATA_DIR: join(dir, 'data') });
    await createHostDrivers(
      {
        homeBase: join(dir, 'homes'),
        sitesDir: join(dir, 'sites'),
        nginxBin: NGINX_BIN,
        nginxArgs: nginx.args,
        nginxReload: null,
        nginxReopen: null,
        trafficDir: join(dir, 'traffic'),
        listen: `127.0.0.1:${nginx.port}`,
        tlsListen: `127.0.0.1:${nginx.port + 1}`,
        suspendedDir: join(dir, 'suspended'),
        certDir: join(dir, 'certs'),
        challengeDir: join(dir, 'challenges'),
        timeoutMs: 30_000,
        php: { ...config.php, reloadCommand: null, timeoutMs: 30_000 },
        phpRequired: false,
        warn: (line) => warnings.push(line),
        lockDir: dir,
        ...extra,
      },
      new NoDatabaseServer(),
    );
    return warnings;
  }

  test("with nginx's own reload, a VANTA_NGINX_PID_FILE other than nginx's is refused: no reload could be confirmed", async () => {
    await assert.rejects(start({ nginxPidFile: join(dir, 'other.pid') }), {
      name: 'HostSetupError',
      message: `nginx -s reload signals the pid in ${nginx.pidFile}, but VANTA_NGINX_PID_FILE is ${join(dir, 'other.pid')}: the panel would wait for workers of a master that never reloads; set it to ${nginx.pidFile}, or unset it`,
    });
    // nginx -t leaves an empty pid file behind.
    assert.deepEqual(await start({ nginxPidFile: nginx.pidFile }), [
      `nginx's master is not found (${nginx.pidFile} holds no pid): reloads fail until nginx runs`,
    ]);
  });

  test('a lock file that cannot be opened stopped the start with a raw SQLite error: it is now a host setup error naming the file', async () => {
    const lockDir = join(dir, 'no-such-dir');
    await assert.rejects(start({ lockDir }), {
      name: 'HostSetupError',
      message: new RegExp(`^cannot open the lock file ${join(lockDir, 'nginx.lock')}: `),
    });
  });

  test('a master not running yet is warned of, never refused; found, nothing is said', async () => {
    assert.deepEqual(await start({ nginxReload: ['systemctl', 'reload', 'nginx'] }), [
      `nginx's master is not found (${nginx.pidFile} holds no pid): reloads are not confirmed until it runs ` +
        '(VANTA_NGINX_PID_FILE names the pid file of the nginx that VANTA_NGINX_RELOAD reloads)',
    ]);
    await nginx.start();
    try {
      assert.deepEqual(await start({}), []);
    } finally {
      await nginx.stop();
    }
  });
});
