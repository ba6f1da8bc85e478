import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { normalizeCidr } from './domain/cidr.js';

/** Config is the panel's configuration, read from VANTA_* environment variables. */
export interface Config {
  dataDir: string;
  host: string;
  panelPort: number;
  whmPort: number;
  mode: 'sandbox' | 'host';
  mysqlUrl: string | null;
  trustedProxies: string[];
  logLevel: string;
  authFailLimit: number;
  authFailWindowMs: number;
  nginxListen: string;
  suspendedDir: string;
  /** homeBase is where host mode makes account homes. */
  homeBase: string;
  nginxSitesDir: string;
  nginxBin: string;
  nginxArgs: string[];
  /** nginxReload replaces `nginx ARGS -s reload` when set. */
  nginxReload: string[] | null;
  /** nginxReopen replaces `nginx ARGS -s reopen` (after a traffic log rotation) when set. */
  nginxReopen: string[] | null;
  /** nginxPidFile is nginx's master's pid file, whose new workers confirm a reload; null: where nginx's configuration says. */
  nginxPidFile: string | null;
  /** trafficDir holds each account's nginx traffic log, which the panel meters and rotates. */
  trafficDir: string;
  /** trafficIntervalMs is how often `vanta serve` meters the accounts' traffic logs. */
  trafficIntervalMs: number;
  hostTimeoutMs: number;
  /** recoveryIntervalMs is how often `vanta serve` looks for operations that dead processes left. */
  recoveryIntervalMs: number;
  /** listener holds the time limits and connection cap of both HTTP listeners. */
  listener: ListenerLimits;
  /**
   * panelUrl is the user panel's public base URL (origin), for the single sign-on links the API
   * and vWHM make; null: the API's own request origin, and vWHM's host with the panel's port.
   */
  panelUrl: string | null;
  /** secretKeyFile holds the keys that seal two-factor secrets, outside the store. */
  secretKeyFile: string;
  /** diskUsageIntervalMs is how often `vanta serve` measures every account's disk use. */
  diskUsageIntervalMs: number;
  /**
   * publicIp is VANTA_PUBLIC_IP, the address the accounts' domains point to (the Account object's
   * `ip`); null: the machine's first non-loopback IPv4 address, found at start-up.
   */
  publicIp: string | null;
  /** php says where the accounts' PHP-FPM pools and sockets go and how php-fpm is checked and reloaded. */
  php: PhpConfig;
  /** acme is the certificate authority the sites' certificates come from, and where they are kept. */
  acme: AcmeConfig;
  /** nginxTlsListen is what the server blocks of accounts with a certificate listen on for TLS. */
  nginxTlsListen: string;
}

/** AcmeConfig is the ACME certificate authority (VANTA_ACME_*) and the certificate directory (VANTA_CERT_DIR). */
export interface AcmeConfig {
  /** directory is the ACME directory URL; null when VANTA_ACME_DIRECTORY is `off` (no TLS work at all). */
  directory: string | null;
  email: string | null;
  /** caFile is an extra CA certificate (PEM) trusted for the ACME server, for private CAs and tests. */
  caFile: string | null;
  /** certDir holds the accounts' keys and certificates (keys 0600) and the panel's ACME account key. */
  certDir: string;
  /** challengeDir is where the http-01 answers are written; every server block serves it. */
  challengeDir: string;
  /** checkIntervalMs is how often `vanta serve` looks for certificates due for issuance or renewal. */
  checkIntervalMs: number;
}

/** LETS_ENCRYPT_DIRECTORY is Let's Encrypt's production ACME directory, the default CA. */
export const LETS_ENCRYPT_DIRECTORY = 'https://acme-v02.api.letsencrypt.org/directory';

/** PhpConfig is host mode's PHP-FPM (VANTA_PHP_* and VANTA_PHPFPM_*); the sandbox uses the web group only. */
export interface PhpConfig {
  /** poolDir is where account pools are written; php-fpm's configuration includes `<poolDir>/*.conf`. */
  poolDir: string;
  /** runDir is where account sockets are made. */
  runDir: string;
  /** bin is the php-fpm binary used for `-t`. */
  bin: string;
  /** args go before every php-fpm call, e.g. `-y CONF -c PHP_INI`. */
  args: string[];
  /** reload replaces the SIGUSR2 to the master when set (e.g. `systemctl reload php8.2-fpm`). */
  reload: string[] | null;
  /** pidFile is the master's pid file: whom SIGUSR2 goes to, and whose rewrite says the reload is done. */
  pidFile: string;
  /** webGroup is nginx's worker group: the sockets' group, the one group besides the account let in. */
  webGroup: string;
}

/** ListenerLimits bound what one client can hold of a listener: time per request, idle time, connections. */
export interface ListenerLimits {
  /** headerTimeoutMs is how long a connection may take to send a request's headers (also its first ones). */
  headerTimeoutMs: number;
  /** bodyTimeoutMs is how long a request may take to arrive whole, headers and body. */
  bodyTimeoutMs: number;
  /** idleTimeoutMs is how long a kept-alive connection may wait for its next request. */
  idleTimeoutMs: number;
  /** maxConnections is the most connections each listener holds; more are closed at once. */
  maxConnections: number;
}

/** ConfigError is a bad configuration value, reported in one line at start-up. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function port(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ConfigError(`${key} must be a port number (0-65535), got "${raw}"`);
  return n;
}

// As the server-block renderer accepts it: a port, or an IPv4 address or a bracketed IPv6 address and a port.
const NGINX_LISTEN_RE = /^(?:\[[0-9a-f:.]+\]:|[0-9.]+:)?[0-9]{1,5}$/i;

/** nginxListen reads a `listen` value for the server blocks, refused at start rather than at the first block written. */
function nginxListen(env: NodeJS.ProcessEnv, key: string, fallback: string): string {
  const value = (env[key] ?? '').trim() || fallback;
  const portText = /([0-9]+)$/.exec(value)?.[1] ?? '';
  if (!NGINX_LISTEN_RE.test(value) || Number(portText) < 1 || Number(portText) > 65535) {
    throw new ConfigError(`${key} must be a port or address:port (IPv6 in brackets), got "${value}"`);
  }
  return value;
}

function positive(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${key} must be a whole number of 1 or more, got "${raw}"`);
  return n;
}

function words(env: NodeJS.ProcessEnv, key: string): string[] {
  return (env[key] ?? '').split(/\s+/).filter((w) => w !== '');
}

function absolute(env: NodeJS.ProcessEnv, key: string, fallback: string): string {
  const raw = env[key] || fallback;
  if (!raw.startsWith('/')) throw new ConfigError(`${key} must be an absolute path, got "${raw}"`);
  return resolve(raw);
}

/** origin reads a public base URL: http or https, a host, an optional port, and nothing after it. */
function origin(env: NodeJS.ProcessEnv, key: string): string | null {
  const raw = env[key];
  if (raw === undefined || raw === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${key} must be a URL such as https://panel.example.com, got "${raw}"`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) {
    throw new ConfigError(`${key} must be an http or https URL without credentials, got "${raw}"`);
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new ConfigError(`${key} must name the panel's origin alone (no path), got "${raw}"`);
  }
  return url.origin;
}

function listenerLimits(env: NodeJS.ProcessEnv): ListenerLimits {
  const limits = {
    headerTimeoutMs: positive(env, 'VANTA_HEADER_TIMEOUT', 10) * 1000,
    bodyTimeoutMs: positive(env, 'VANTA_BODY_TIMEOUT', 30) * 1000,
    idleTimeoutMs: positive(env, 'VANTA_IDLE_TIMEOUT', 5) * 1000,
    maxConnections: positive(env, 'VANTA_MAX_CONNECTIONS', 1000),
  };
  // The body timeout covers the headers too, so it cannot be the shorter one.
  if (limits.bodyTimeoutMs < limits.headerTimeoutMs)
    throw new ConfigError('VANTA_BODY_TIMEOUT must not be shorter than VANTA_HEADER_TIMEOUT');
  return limits;
}

/** publicIp reads an IPv4 or IPv6 address, as written (IPv6 lower-cased). */
function publicIp(env: NodeJS.ProcessEnv): string | null {
  const raw = env.VANTA_PUBLIC_IP;
  if (raw === undefined || raw === '') return null;
  const value = raw.trim().toLowerCase();
  if (isIP(value) === 0) throw new ConfigError(`VANTA_PUBLIC_IP must be an IPv4 or IPv6 address, got "${raw}"`);
  return value;
}

const GROUP_RE = /^[a-z_][a-z0-9_-]{0,31}$/;

function phpConfig(env: NodeJS.ProcessEnv): PhpConfig {
  const webGroup = env.VANTA_PHP_WEB_GROUP || 'www-data';
  if (!GROUP_RE.test(webGroup)) throw new ConfigError(`VANTA_PHP_WEB_GROUP must be a group name, got "${webGroup}"`);
  const reload = words(env, 'VANTA_PHPFPM_RELOAD');
  return {
    poolDir: absolute(env, 'VANTA_PHP_POOL_DIR', '/etc/php/8.2/fpm/pool.d'),
    runDir: absolute(env, 'VANTA_PHP_RUN_DIR', '/run/php'),
    bin: env.VANTA_PHPFPM_BIN || 'php-fpm8.2',
    args: words(env, 'VANTA_PHPFPM_ARGS'),
    reload: reload.length > 0 ? reload : null,
    pidFile: absolute(env, 'VANTA_PHPFPM_PID', '/run/php/php8.2-fpm.pid'),
    webGroup,
  };
}

function acmeConfig(env: NodeJS.ProcessEnv, dataDir: string, mode: 'sandbox' | 'host'): AcmeConfig {
  const raw = env.VANTA_ACME_DIRECTORY || LETS_ENCRYPT_DIRECTORY;
  let directory: string | null = null;
  if (raw !== 'off') {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ConfigError(`VANTA_ACME_DIRECTORY must be an https URL or "off", got "${raw}"`);
    }
    if (url.protocol !== 'https:')
      throw new ConfigError(`VANTA_ACME_DIRECTORY must be an https URL or "off", got "${raw}"`);
    directory = url.href;
  }
  const email = env.VANTA_ACME_EMAIL || null;
  if (email !== null && !/^[^\s@]+@[^\s@]+$/.test(email))
    throw new ConfigError(`VANTA_ACME_EMAIL must be an e-mail address, got "${email}"`);
  return {
    directory,
    email,
    caFile: env.VANTA_ACME_CA_FILE ? absolute(env, 'VANTA_ACME_CA_FILE', '') : null,
    certDir: absolute(env, 'VANTA_CERT_DIR', mode === 'host' ? '/etc/vanta/certs' : resolve(dataDir, 'certs')),
    challengeDir: absolute(env, 'VANTA_ACME_CHALLENGE_DIR', resolve(dataDir, 'acme-challenge')),
    checkIntervalMs: positive(env, 'VANTA_ACME_CHECK_INTERVAL', 3600) * 1000,
  };
}

/** loadConfig reads the environment; every command reads the same variables. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = resolve(env.VANTA_DATA_DIR || './data');
  const mode = env.VANTA_MODE || 'sandbox';
  if (mode !== 'sandbox' && mode !== 'host')
    throw new ConfigError(`VANTA_MODE must be "sandbox" or "host", got "${mode}"`);
  let trustedProxies: string[];
  try {
    trustedProxies = (env.VANTA_TRUSTED_PROXIES ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map(normalizeCidr);
  } catch {
    throw new ConfigError('VANTA_TRUSTED_PROXIES must be a comma-separated list of addresses or CIDR blocks');
  }
  return {
    dataDir,
    host: env.VANTA_HOST || '127.0.0.1',
    panelPort: port(env, 'VANTA_PANEL_PORT', 2083),
    whmPort: port(env, 'VANTA_WHM_PORT', 2087),
    mode,
    mysqlUrl: env.VANTA_MYSQL_URL || null,
    trustedProxies,
    logLevel: env.VANTA_LOG_LEVEL || 'info',
    authFailLimit: positive(env, 'VANTA_AUTH_FAIL_LIMIT', 20),
    authFailWindowMs: positive(env, 'VANTA_AUTH_FAIL_WINDOW', 300) * 1000,
    nginxListen: nginxListen(env, 'VANTA_NGINX_LISTEN', '80'),
    suspendedDir: resolve(env.VANTA_SUSPENDED_DIR || resolve(dataDir, 'suspended')),
    homeBase: absolute(env, 'VANTA_HOME_BASE', '/home'),
    nginxSitesDir: absolute(env, 'VANTA_NGINX_SITES_DIR', '/etc/nginx/conf.d/vanta'),
    nginxBin: env.VANTA_NGINX_BIN || 'nginx',
    nginxArgs: words(env, 'VANTA_NGINX_ARGS'),
    nginxReload: words(env, 'VANTA_NGINX_RELOAD').length > 0 ? words(env, 'VANTA_NGINX_RELOAD') : null,
    nginxReopen: words(env, 'VANTA_NGINX_REOPEN').length > 0 ? words(env, 'VANTA_NGINX_REOPEN') : null,
    nginxPidFile: env.VANTA_NGINX_PID_FILE ? absolute(env, 'VANTA_NGINX_PID_FILE', '') : null,
    trafficDir: absolute(env, 'VANTA_TRAFFIC_DIR', resolve(dataDir, 'traffic')),
    trafficIntervalMs: positive(env, 'VANTA_TRAFFIC_INTERVAL', 300) * 1000,
    hostTimeoutMs: positive(env, 'VANTA_HOST_TIMEOUT', 30) * 1000,
    recoveryIntervalMs: positive(env, 'VANTA_RECOVERY_INTERVAL', 30) * 1000,
    listener: listenerLimits(env),
    panelUrl: origin(env, 'VANTA_PANEL_URL'),
    secretKeyFile: absolute(env, 'VANTA_SECRET_KEY_FILE', resolve(dataDir, 'secret.key')),
    diskUsageIntervalMs: positive(env, 'VANTA_DISK_USAGE_INTERVAL', 3600) * 1000,
    publicIp: publicIp(env),
    php: phpConfig(env),
    acme: acmeConfig(env, dataDir, mode),
    nginxTlsListen: nginxListen(env, 'VANTA_NGINX_TLS_LISTEN', '443'),
  };
}
