import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DISABLED_FUNCTIONS, poolFileName, poolSocketPath, renderPool } from './pool-config.js';

const input = {
  user: 'alice',
  home: '/srv/homes/alice',
  runDir: '/run/php',
  webGroup: 'www-data',
  maxChildren: 5,
  memoryMb: 256,
};

describe('renderPool', () => {
  it('renders the pool of an account exactly', () => {
    assert.equal(
      renderPool(input),
      `; Vanta Panel: PHP pool of account alice. Managed file, rewritten by the panel.
[alice]
user = alice
group = alice
listen = /run/php/vanta-alice.sock
listen.owner = alice
listen.group = www-data
listen.mode = 0660
pm = ondemand
pm.max_children = 5
pm.process_idle_timeout = 10s
pm.max_requests = 10000
request_terminate_timeout = 300s
security.limit_extensions = .php
clear_env = yes
env[PATH] = /usr/local/bin:/usr/bin:/bin
env[TMPDIR] = /srv/homes/alice/tmp
php_admin_value[open_basedir] = /srv/homes/alice/:/srv/homes/alice/tmp/
php_admin_value[upload_tmp_dir] = /srv/homes/alice/tmp
php_admin_value[sys_temp_dir] = /srv/homes/alice/tmp
php_admin_value[session.save_path] = /srv/homes/alice/tmp
php_admin_value[memory_limit] = 256M
php_admin_value[disable_functions] = ${DISABLED_FUNCTIONS.join(',')}
php_admin_flag[allow_url_include] = off
`,
    );
  });

  const variants: [string, Partial<typeof input> & Record<string, unknown>, string[]][] = [
    [
      'the plan sets the children and the memory limit',
      { maxChildren: 12, memoryMb: 1024 },
      ['pm.max_children = 12', 'php_admin_value[memory_limit] = 1024M'],
    ],
    [
      'nginx may run under another group, and the account under a group of another name',
      { webGroup: 'nginx', group: 'customers' },
      ['listen.group = nginx', 'group = customers', 'listen.owner = alice'],
    ],
    [
      'timeouts and recycling are tunable',
      { idleTimeoutSec: 30, requestTimeoutSec: 60, maxRequests: 0 },
      ['pm.process_idle_timeout = 30s', 'request_terminate_timeout = 60s', 'pm.max_requests = 0'],
    ],
    [
      'the list of disabled functions can be replaced',
      { disableFunctions: ['exec', 'system'] },
      ['php_admin_value[disable_functions] = exec,system'],
    ],
    ['another socket directory', { runDir: '/var/run/php-fpm' }, ['listen = /var/run/php-fpm/vanta-alice.sock']],
  ];
  for (const [name, change, lines] of variants) {
    it(name, () => {
      const text = renderPool({ ...input, ...change });
      for (const line of lines) assert.ok(text.split('\n').includes(line), `${line} in\n${text}`);
    });
  }

  it('disables every function that starts a program, and putenv', () => {
    for (const f of ['exec', 'passthru', 'shell_exec', 'system', 'popen', 'proc_open', 'pcntl_exec', 'pcntl_fork'])
      assert.ok(DISABLED_FUNCTIONS.includes(f), f);
    assert.ok(DISABLED_FUNCTIONS.includes('putenv'), 'putenv + mail() would load a library from the home');
    assert.ok(!DISABLED_FUNCTIONS.includes('mail'), 'mail() stays: applications send mail');
  });

  const refused: [string, Record<string, unknown>][] = [
    ['a user with a line break', { user: 'alice\nuser = root' }],
    ['a user with a section bracket', { user: 'alice]' }],
    ['the name of php-fpm global section', { user: 'global' }],
    ['an upper-case user', { user: 'Alice' }],
    ['a user of 33 characters', { user: 'a'.repeat(33) }],
    ['a group with an equals sign', { group: 'x=y' }],
    ['a web group with a space', { webGroup: 'www data' }],
    ['a home with a line break', { home: '/srv/homes/alice\nphp_admin_value[open_basedir] = /' }],
    ['a home with a colon (a second open_basedir entry)', { home: '/srv/homes/alice:/etc' }],
    ['a home with a semicolon (a comment)', { home: '/srv/homes/alice;x' }],
    ['a home with an INI variable', { home: '/srv/$HOME' }],
    ['a home with a double quote', { home: '/srv/"alice' }],
    ['a home with a space', { home: '/srv/homes/al ice' }],
    ['a home with a dot-dot step', { home: '/srv/homes/../etc' }],
    ['a relative home', { home: 'srv/homes/alice' }],
    ['the root as home', { home: '/' }],
    ['a home with a trailing slash', { home: '/srv/homes/alice/' }],
    ['a run dir with a line break', { runDir: '/run/php\nx' }],
    ['a socket path too long for the kernel', { runDir: `/run/${'p'.repeat(100)}` }],
    ['zero children', { maxChildren: 0 }],
    ['fractional children', { maxChildren: 2.5 }],
    ['children as text', { maxChildren: '5\nuser = root' }],
    ['a memory limit below 16 MiB', { memoryMb: 8 }],
    ['a memory limit that is not a number', { memoryMb: Number.NaN }],
    ['a disabled function with a comma', { disableFunctions: ['exec,phpinfo'] }],
    ['a disabled function with a line break', { disableFunctions: ['exec\nx'] }],
    ['a negative request timeout', { requestTimeoutSec: -1 }],
  ];
  for (const [name, change] of refused) {
    it(`refuses ${name} with invalid_pool_value`, () => {
      assert.throws(() => renderPool({ ...input, ...change } as typeof input), { code: 'invalid_pool_value' });
    });
  }
});

describe('pool names', () => {
  it('names the pool file and the socket after the account', () => {
    assert.equal(poolFileName('alice'), 'vanta-alice.conf');
    assert.equal(poolSocketPath('/run/php', 'alice'), '/run/php/vanta-alice.sock');
  });
  it('refuses a user that would step out of the directory', () => {
    assert.throws(() => poolFileName('../x'), { code: 'invalid_pool_value' });
    assert.throws(() => poolSocketPath('/run/php', 'a/b'), { code: 'invalid_pool_value' });
  });
});
