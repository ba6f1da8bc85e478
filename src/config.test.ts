import assert from 'node:assert/strict';
import { it } from 'node:test';
import { loadConfig } from './config.js';

it("PHP-FPM's settings default to Debian's php8.2-fpm and read VANTA_PHP_* and VANTA_PHPFPM_*", () => {
  assert.deepEqual(loadConfig({}).php, {
    poolDir: '/etc/php/8.2/fpm/pool.d',
    runDir: '/run/php',
    bin: 'php-fpm8.2',
    args: [],
    reload: null,
    pidFile: '/run/php/php8.2-fpm.pid',
    webGroup: 'www-data',
  });
  assert.deepEqual(
    loadConfig({
      VANTA_PHP_POOL_DIR: '/srv/fpm/pool.d/',
      VANTA_PHP_RUN_DIR: '/srv/fpm/run',
      VANTA_PHPFPM_BIN: '/usr/local/sbin/php-fpm',
      VANTA_PHPFPM_ARGS: ' -y /srv/fpm/php-fpm.conf  -c /srv/php.ini ',
      VANTA_PHPFPM_RELOAD: 'systemctl reload php8.2-fpm',
      VANTA_PHPFPM_PID: '/srv/fpm/fpm.pid',
      VANTA_PHP_WEB_GROUP: 'nginx',
    }).php,
    {
      poolDir: '/srv/fpm/pool.d',
      runDir: '/srv/fpm/run',
      bin: '/usr/local/sbin/php-fpm',
      args: ['-y', '/srv/fpm/php-fpm.conf', '-c', '/srv/php.ini'],
      reload: ['systemctl', 'reload', 'php8.2-fpm'],
      pidFile: '/srv/fpm/fpm.pid',
      webGroup: 'nginx',
    },
  );
  for (const [key, value, message] of [
    ['VANTA_PHP_POOL_DIR', 'pool.d', /VANTA_PHP_POOL_DIR must be an absolute path/],
    ['VANTA_PHP_RUN_DIR', 'run/php', /VANTA_PHP_RUN_DIR must be an absolute path/],
    ['VANTA_PHPFPM_PID', 'fpm.pid', /VANTA_PHPFPM_PID must be an absolute path/],
    ['VANTA_PHP_WEB_GROUP', 'www data', /VANTA_PHP_WEB_GROUP must be a group name/],
  ] as const)
    assert.throws(() => loadConfig({ [key]: value }), { name: 'ConfigError', message }, key);
});

it('VANTA_PUBLIC_IP is an IPv4 or IPv6 address, or unset (then found at start-up)', () => {
  assert.equal(loadConfig({}).publicIp, null);
  assert.equal(loadConfig({ VANTA_PUBLIC_IP: '' }).publicIp, null);
  assert.equal(loadConfig({ VANTA_PUBLIC_IP: ' 203.0.113.7 ' }).publicIp, '203.0.113.7');
  assert.equal(loadConfig({ VANTA_PUBLIC_IP: '2001:DB8::7' }).publicIp, '2001:db8::7');
  for (const bad of ['example.com', '203.0.113', '203.0.113.7/24', '999.1.1.1', '203.0.113.7:80']) {
    assert.throws(() => loadConfig({ VANTA_PUBLIC_IP: bad }), /VANTA_PUBLIC_IP must be an IPv4 or IPv6 address/, bad);
  }
});

it("ACME settings default to Let's Encrypt production, keep certificates by mode, and refuse what cannot work", () => {
  const sandbox = loadConfig({ VANTA_DATA_DIR: '/srv/vanta' });
  assert.deepEqual(sandbox.acme, {
    directory: 'https://acme-v02.api.letsencrypt.org/directory',
    email: null,
    caFile: null,
    certDir: '/srv/vanta/certs',
    challengeDir: '/srv/vanta/acme-challenge',
    checkIntervalMs: 3_600_000,
  });
  assert.equal(sandbox.nginxTlsListen, '443');
  assert.equal(loadConfig({ VANTA_MODE: 'host' }).acme.certDir, '/etc/vanta/certs');
  assert.equal(loadConfig({ VANTA_ACME_DIRECTORY: 'off' }).acme.directory, null);
  const custom = loadConfig({
    VANTA_ACME_DIRECTORY: 'https://127.0.0.1:14000/dir',
    VANTA_ACME_EMAIL: 'ops@example.com',
    VANTA_ACME_CA_FILE: '/srv/pebble.pem',
    VANTA_CERT_DIR: '/srv/certs/',
    VANTA_NGINX_TLS_LISTEN: '127.0.0.1:8443',
  });
  assert.deepEqual(
    [custom.acme.directory, custom.acme.email, custom.acme.caFile, custom.acme.certDir, custom.nginxTlsListen],
    ['https://127.0.0.1:14000/dir', 'ops@example.com', '/srv/pebble.pem', '/srv/certs', '127.0.0.1:8443'],
  );
  for (const [key, value, message] of [
    ['VANTA_ACME_DIRECTORY', 'http://ca.example/dir', /VANTA_ACME_DIRECTORY must be an https URL or "off"/],
    ['VANTA_ACME_DIRECTORY', 'letsencrypt', /VANTA_ACME_DIRECTORY must be an https URL or "off"/],
    ['VANTA_ACME_EMAIL', 'not an address', /VANTA_ACME_EMAIL must be an e-mail address/],
    ['VANTA_CERT_DIR', 'certs', /VANTA_CERT_DIR must be an absolute path/],
    ['VANTA_ACME_CA_FILE', 'ca.pem', /VANTA_ACME_CA_FILE must be an absolute path/],
  ] as const)
    assert.throws(() => loadConfig({ [key]: value }), { name: 'ConfigError', message }, `${key}=${value}`);
});

it('VANTA_NGINX_LISTEN and VANTA_NGINX_TLS_LISTEN are refused at start when no server block could use them', () => {
  assert.equal(loadConfig({}).nginxListen, '80');
  assert.equal(loadConfig({ VANTA_NGINX_LISTEN: ' 127.0.0.1:8080 ' }).nginxListen, '127.0.0.1:8080');
  assert.equal(loadConfig({ VANTA_NGINX_TLS_LISTEN: '[::1]:8443' }).nginxTlsListen, '[::1]:8443');
  for (const key of ['VANTA_NGINX_LISTEN', 'VANTA_NGINX_TLS_LISTEN']) {
    for (const bad of ['80; ssl', 'localhost:80', '0', '70000', '[::1]', ':443', '443 ssl']) {
      assert.throws(
        () => loadConfig({ [key]: bad }),
        { name: 'ConfigError', message: new RegExp(`${key} must be`) },
        bad,
      );
    }
  }
});

it('VANTA_NGINX_PID_FILE is an absolute path, or unset (then found in nginx configuration at start-up)', () => {
  assert.equal(loadConfig({}).nginxPidFile, null);
  assert.equal(loadConfig({ VANTA_NGINX_PID_FILE: '/run/nginx.pid' }).nginxPidFile, '/run/nginx.pid');
  assert.throws(() => loadConfig({ VANTA_NGINX_PID_FILE: 'nginx.pid' }), {
    name: 'ConfigError',
    message: /VANTA_NGINX_PID_FILE must be an absolute path/,
  });
});
