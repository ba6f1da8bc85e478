import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_FPM_CONFIG, includesPoolDir, mainConfigPath, parseFpmDump } from './fpm-checks.js';

describe('mainConfigPath', () => {
  const cases: [string[], string][] = [
    [[], DEFAULT_FPM_CONFIG],
    [['-y', '/srv/fpm.conf', '-c', '/srv/php.ini'], '/srv/fpm.conf'],
    [['--fpm-config', '/srv/a.conf'], '/srv/a.conf'],
    [['--fpm-config=/srv/b.conf'], '/srv/b.conf'],
    [['-c', '/srv/php.ini'], DEFAULT_FPM_CONFIG],
  ];
  for (const [args, want] of cases)
    it(`${args.join(' ') || '(none)'} → ${want}`, () => assert.equal(mainConfigPath(args), want));
});

describe('includesPoolDir', () => {
  const dir = '/etc/php/8.2/fpm/pool.d';
  const cases: [string, string, boolean][] = [
    ["Debian's line", 'include=/etc/php/8.2/fpm/pool.d/*.conf', true],
    ['with spaces and quotes', 'include = "/etc/php/8.2/fpm/pool.d/*.conf"', true],
    ['commented out', ';include=/etc/php/8.2/fpm/pool.d/*.conf', false],
    ['a wider glob that would load disabled pools', 'include=/etc/php/8.2/fpm/pool.d/*', false],
    ['another directory', 'include=/etc/php/8.2/fpm/other.d/*.conf', false],
    ['a directory that only starts the same', 'include=/etc/php/8.2/fpm/pool.d2/*.conf', false],
  ];
  for (const [name, line, want] of cases)
    it(name, () => assert.equal(includesPoolDir(`[global]\npid = /run/x.pid\n${line}\n`, dir), want));
  it('ignores a trailing slash on the directory', () =>
    assert.equal(includesPoolDir('include=/srv/pools/*.conf', '/srv/pools/'), true));
});

describe('parseFpmDump', () => {
  it('reads the pid file, the control timeout and the pools of `php-fpm -tt`', () => {
    const text = [
      '[28-Nov-2026 05:05:17] NOTICE: [global]',
      '[28-Nov-2026 05:05:17] NOTICE: \tpid = /run/php/php8.2-fpm.pid',
      '[28-Nov-2026 05:05:17] NOTICE: \tprocess_control_timeout = 0s',
      '[28-Nov-2026 05:05:17] NOTICE:  ',
      '[28-Nov-2026 05:05:17] NOTICE: [www]',
      '[28-Nov-2026 05:05:17] NOTICE: \tpid = /not/global',
      '[28-Nov-2026 05:05:17] NOTICE: [alice]',
      '[28-Nov-2026 05:05:17] NOTICE: configuration file /etc/php/8.2/fpm/php-fpm.conf test is successful',
    ].join('\n');
    assert.deepEqual(parseFpmDump(text), {
      pidFile: '/run/php/php8.2-fpm.pid',
      processControlTimeoutSec: 0,
      pools: ['www', 'alice'],
    });
  });
  it('knows nothing from an empty dump', () =>
    assert.deepEqual(parseFpmDump(''), { pidFile: null, processControlTimeoutSec: null, pools: [] }));
});
