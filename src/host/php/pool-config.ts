import { PhpFpmError } from './errors.js';

/** PoolConfigInput is everything one account's php-fpm pool file depends on. */
export interface PoolConfigInput {
  /** user is the account: pool name, process user and socket owner. */
  user: string;
  /** group is the processes' group; the account's own group when omitted (useradd --user-group). */
  group?: string;
  home: string;
  /** runDir holds the sockets (`/run/php` on Debian). */
  runDir: string;
  /** webGroup is nginx's worker group, the only one besides the account allowed on the socket. */
  webGroup: string;
  /** maxChildren is the plan's `php_max_children`. */
  maxChildren: number;
  /** memoryMb is the plan's `php_memory_mb`, each worker's memory_limit. */
  memoryMb: number;
  /** idleTimeoutSec ends an idle worker after this many seconds (ondemand); 10 when omitted. */
  idleTimeoutSec?: number;
  /** requestTimeoutSec kills a request running longer, in wall-clock seconds; 300 when omitted. */
  requestTimeoutSec?: number;
  /**
   * maxRequests recycles a worker after this many requests, so a leak cannot grow for ever; 10000 when
   * omitted (at 500, the forks cost a light page 40% of its throughput in the PHP benchmark).
   */
  maxRequests?: number;
  /** disableFunctions replaces DISABLED_FUNCTIONS when given. */
  disableFunctions?: readonly string[];
}

/**
 * DISABLED_FUNCTIONS are the PHP functions no account's code may call: everything that starts a
 * program (a shell would step out of open_basedir at once), the process-control functions (pcntl is
 * not loaded by Debian's php-fpm, they are listed should it ever be), and putenv, which together with
 * mail() (sendmail started with LD_PRELOAD from the account's home) runs any code past this list.
 * mail() itself, posix_* and phpinfo() stay: common applications need them and the kernel and
 * open_basedir already bound what they can reach.
 */
export const DISABLED_FUNCTIONS: readonly string[] = [
  'exec',
  'passthru',
  'shell_exec',
  'system',
  'popen',
  'proc_open',
  'proc_close',
  'proc_get_status',
  'proc_nice',
  'proc_terminate',
  'pcntl_alarm',
  'pcntl_exec',
  'pcntl_fork',
  'pcntl_rfork',
  'pcntl_signal',
  'pcntl_signal_dispatch',
  'pcntl_sigprocmask',
  'pcntl_sigtimedwait',
  'pcntl_sigwaitinfo',
  'pcntl_unshare',
  'pcntl_wait',
  'pcntl_waitpid',
  'putenv',
  'dl',
];

const NAME_RE = /^[a-z][a-z0-9_-]{0,31}$/;
const GROUP_RE = /^[a-z_][a-z0-9_-]{0,31}$/;
const PATH_RE = /^(?:\/[A-Za-z0-9_.+-]+)+$/;
const FUNCTION_RE = /^[a-z_][a-z0-9_]{0,63}$/;
/** SUN_PATH_MAX is the longest unix socket path the kernel accepts (108 bytes with the final NUL). */
const SUN_PATH_MAX = 107;

function refuse(what: string, value: unknown): never {
  throw new PhpFpmError('invalid_pool_value', `${what} cannot be used in a php-fpm pool: ${JSON.stringify(value)}`);
}

/** checkName accepts a pool, user or group name that is one safe INI token; `global` is php-fpm's own section. */
function checkName(what: string, value: string, re: RegExp): string {
  if (!re.test(value) || value === 'global') refuse(what, value);
  return value;
}

/**
 * checkPath accepts an absolute path made only of characters that mean nothing to an INI parser
 * (no `;`, quotes, `$`, `{`, `=`, spaces or line breaks) and nothing to open_basedir (no `:`), with
 * no `.` or `..` step.
 */
export function checkPath(what: string, value: string): string {
  if (!PATH_RE.test(value) || value.split('/').some((s) => s === '.' || s === '..')) refuse(what, value);
  return value;
}

function checkInt(what: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) refuse(what, value);
  return value;
}

/** DISABLED_POOL_SUFFIX marks a pool kept aside (suspended): php-fpm includes `*.conf` only, so it is not read. */
export const DISABLED_POOL_SUFFIX = '.disabled';

/** poolFileName is the account's pool file in the pool directory; `*.conf` is what php-fpm includes. */
export function poolFileName(user: string): string {
  return `vanta-${checkName('user', user, NAME_RE)}.conf`;
}

/** poolSocketPath is the account's predictable socket: `<runDir>/vanta-<user>.sock`. */
export function poolSocketPath(runDir: string, user: string): string {
  const path = `${checkPath('run dir', runDir)}/vanta-${checkName('user', user, NAME_RE)}.sock`;
  if (Buffer.byteLength(path) > SUN_PATH_MAX) refuse('socket path (too long for a unix socket)', path);
  return path;
}

/** accountTmpDir is the account's own temporary directory: uploads, sessions and tempnam() go there. */
export function accountTmpDir(home: string): string {
  return `${checkPath('home', home)}/tmp`;
}

/** renderPool renders one account's php-fpm pool file; it throws `invalid_pool_value` rather than write a doubtful line. */
export function renderPool(input: PoolConfigInput): string {
  const user = checkName('user', input.user, NAME_RE);
  const group = checkName('group', input.group ?? input.user, GROUP_RE);
  const webGroup = checkName('web server group', input.webGroup, GROUP_RE);
  const home = checkPath('home', input.home);
  const tmp = accountTmpDir(home);
  const socket = poolSocketPath(input.runDir, user);
  const maxChildren = checkInt('php_max_children', input.maxChildren, 1, 1000);
  const memoryMb = checkInt('php_memory_mb', input.memoryMb, 16, 65536);
  const idle = checkInt('idle timeout', input.idleTimeoutSec ?? 10, 1, 86400);
  const requestTimeout = checkInt('request timeout', input.requestTimeoutSec ?? 300, 1, 86400);
  const maxRequests = checkInt('max requests', input.maxRequests ?? 10000, 0, 1_000_000);
  const disabled = (input.disableFunctions ?? DISABLED_FUNCTIONS).map((f) => checkName('function', f, FUNCTION_RE));
  const lines = [
    `; Vanta Panel: PHP pool of account ${user}. Managed file, rewritten by the panel.`,
    `[${user}]`,
    `user = ${user}`,
    `group = ${group}`,
    `listen = ${socket}`,
    `listen.owner = ${user}`,
    `listen.group = ${webGroup}`,
    'listen.mode = 0660',
    'pm = ondemand',
    `pm.max_children = ${maxChildren}`,
    `pm.process_idle_timeout = ${idle}s`,
    `pm.max_requests = ${maxRequests}`,
    `request_terminate_timeout = ${requestTimeout}s`,
    'security.limit_extensions = .php',
    'clear_env = yes',
    'env[PATH] = /usr/local/bin:/usr/bin:/bin',
    `env[TMPDIR] = ${tmp}`,
    // The trailing slashes matter: open_basedir entries are prefixes, and `/home/al` would admit `/home/alice`.
    `php_admin_value[open_basedir] = ${home}/:${tmp}/`,
    `php_admin_value[upload_tmp_dir] = ${tmp}`,
    `php_admin_value[sys_temp_dir] = ${tmp}`,
    `php_admin_value[session.save_path] = ${tmp}`,
    `php_admin_value[memory_limit] = ${memoryMb}M`,
    `php_admin_value[disable_functions] = ${disabled.join(',')}`,
    'php_admin_flag[allow_url_include] = off',
  ];
  return `${lines.join('\n')}\n`;
}
