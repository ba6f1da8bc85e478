// Host mode's start-up checks of PHP-FPM against the real php-fpm binary, on configurations of the
// test's own (`php-fpm -t` needs no running master).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type PhpFpmSetup, setUpPhpFpm } from '../src/host/php/php-fpm-setup.js';
import { ProcessLock } from '../src/host/process-lock.js';
import { PHPFPM_BIN, PHP_INI } from './support/php-fpm.js';

const skip = existsSync(PHPFPM_BIN) ? null : 'needs php8.2-fpm (scripts/test-deps.sh installs it)';

describe('the start-up checks of PHP-FPM', { skip: skip ?? false }, () => {
  let dir: string;
  let conf: string;
  let setup: PhpFpmSetup;

  /** writeConf writes a main configuration; `include` and `timeout` vary what the checks find. */
  const writeConf = (opts: { include?: string; timeout?: string; pid?: string } = {}) =>
    writeFile(
      conf,
      `[global]
pid = ${opts.pid ?? join(dir, 'fpm.pid')}
error_log = ${join(dir, 'error.log')}
${opts.timeout === undefined ? '' : `process_control_timeout = ${opts.timeout}\n`}include = ${opts.include ?? `${join(dir, 'pool.d')}/*.conf`}

[www]
user = www-data
group = www-data
listen = ${join(dir, 'www.sock')}
pm = ondemand
pm.max_children = 2
`,
    );

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vanta-fpm-setup-'));
    conf = join(dir, 'php-fpm.conf');
    await mkdir(join(dir, 'pool.d'));
    setup = {
      poolDir: join(dir, 'pool.d'),
      runDir: join(dir, 'run'),
      bin: PHPFPM_BIN,
      args: ['-y', conf, '-c', PHP_INI],
      reloadCommand: null,
      pidFile: join(dir, 'fpm.pid'),
      webGroup: 'www-data',
      timeoutMs: 30_000,
    };
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('a valid configuration passes; a zero process_control_timeout and a master not running are warned of', async () => {
    await writeConf();
    const ready = await setUpPhpFpm(setup, true);
    assert.equal(ready.checked, true);
    assert.equal(ready.warnings.length, 2, ready.warnings.join('\n'));
    assert.match(ready.warnings[0] ?? '', /process_control_timeout = 0: every reload .* set it to 10s/);
    assert.match(ready.warnings[1] ?? '', /no php-fpm master runs with the pid in .*fpm\.pid/);
    assert.equal(existsSync(setup.runDir), true, 'the socket directory is made');
    assert.equal(ready.pools.opts.reloadWaitMs, 30_000);

    await writeConf({ timeout: '25s' });
    const patient = await setUpPhpFpm(setup, true);
    assert.equal(patient.warnings.length, 1, 'only the master');
    assert.equal(patient.pools.opts.reloadWaitMs, 35_000, 'a reload may take its control timeout and more');
  });

  it("checked php-fpm's configuration outside the machine's turn, so it could judge a pool another panel process had written for its own check: it now takes the turn", async () => {
    await writeConf();
    const [ours, theirs] = [new ProcessLock(join(dir, 'php-fpm.lock')), new ProcessLock(join(dir, 'php-fpm.lock'))];
    try {
      let release: () => void = () => {};
      const held = theirs.hold(() => new Promise<void>((resolve) => (release = resolve)));
      let ready = false;
      const starting = setUpPhpFpm({ ...setup, lock: ours }, true).then(() => {
        ready = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(ready, false, 'the check ran while another process held the turn');
      release();
      await Promise.all([held, starting]);
      assert.equal(ready, true);
    } finally {
      ours.close();
      theirs.close();
    }
  });

  const refusals: [string, () => Promise<unknown>, Partial<PhpFpmSetup>, RegExp][] = [
    [
      'the binary is missing',
      () => writeConf(),
      { bin: '/nonexistent/php-fpm8.2' },
      /needs \/nonexistent\/php-fpm8\.2 .*install php8\.2-fpm/,
    ],
    [
      'the pool directory is not included',
      () => writeConf({ include: `${join(dir, 'other.d')}/*.conf` }),
      {},
      /does not include the pool directory; add "include=.*\/pool\.d\/\*\.conf" to .*php-fpm\.conf/,
    ],
    [
      'a wider glob would load the pools kept aside',
      () => writeConf({ include: `${join(dir, 'pool.d')}/*` }),
      {},
      /does not include the pool directory/,
    ],
    [
      'php-fpm -t fails',
      async () => {
        await writeConf();
        await writeFile(join(dir, 'pool.d', 'broken.conf'), '[broken]\nvanta_test_invalid_directive = on\n');
      },
      {},
      /^php-fpm configuration is not valid \(php-fpm -t\): .*vanta_test_invalid_directive/,
    ],
    [
      'the pid file is not where the panel looks',
      () => writeConf({ pid: join(dir, 'elsewhere.pid') }),
      {},
      /writes its pid to .*elsewhere\.pid, but the panel signals the pid in .*fpm\.pid; set VANTA_PHPFPM_PID/,
    ],
  ];
  for (const [name, arrange, change, message] of refusals) {
    it(`refuses to start when ${name}, in one line`, async () => {
      await rm(join(dir, 'pool.d', 'broken.conf'), { force: true });
      await arrange();
      await assert.rejects(setUpPhpFpm({ ...setup, ...change }, true), (err: Error) => {
        assert.equal(err.name, 'PhpSetupError');
        assert.match(err.message, message);
        assert.doesNotMatch(err.message, /\n/);
        return true;
      });
      await rm(join(dir, 'pool.d', 'broken.conf'), { force: true });
    });
  }

  it('with a reload command, the pid file is not the panel’s business', async () => {
    await writeConf({ pid: join(dir, 'elsewhere.pid') });
    const ready = await setUpPhpFpm({ ...setup, reloadCommand: ['true'] }, true);
    assert.equal(ready.warnings.length, 1, 'only the control timeout');
  });

  it('not required (PHP off in every plan), nothing is looked at: not even the binary', async () => {
    const ready = await setUpPhpFpm({ ...setup, bin: '/nonexistent/php-fpm8.2' }, false);
    assert.deepEqual([ready.checked, ready.warnings], [false, []]);
  });
});
