import { join } from 'node:path';
import { quotePath } from './server-block.js';

/** TRAFFIC_LOG_FORMAT names the panel's log format: `$msec $bytes_sent $request_length`, one line a request. */
export const TRAFFIC_LOG_FORMAT = 'vanta_traffic';

/**
 * TRAFFIC_LOG_FORMAT_FILE is the file, in the sites directory, that defines the format. nginx
 * includes `*.conf` in name order and refuses an `access_log` naming a format not defined yet;
 * account names start with a letter, so `00-` is always read before every server block.
 */
export const TRAFFIC_LOG_FORMAT_FILE = '00-vanta-log-format.conf';

/** renderTrafficLogFormat renders the http-level file that defines the panel's log format. */
export function renderTrafficLogFormat(): string {
  return `# Vanta Panel: the format of the per-account traffic logs. Managed file, rewritten by the panel.
log_format ${TRAFFIC_LOG_FORMAT} '$msec $bytes_sent $request_length';
`;
}

/**
 * TrafficLogBuffer lets each nginx worker gather log lines in memory and write them together.
 * It costs `bytes` of memory per account per worker; lines reach the file at the latest after
 * `flushSeconds`, and at every reopen and reload, so a rotation loses none of them.
 */
export interface TrafficLogBuffer {
  bytes: number;
  flushSeconds: number;
}

const USER_RE = /^[a-z][a-z0-9]{0,31}$/;

/** trafficLogPath is where an account's traffic log lives in the panel's traffic directory. */
export function trafficLogPath(dir: string, user: string): string {
  if (!USER_RE.test(user)) throw new Error('user must be validated before naming its traffic log');
  return join(dir, `${user}.log`);
}

/** renderTrafficAccessLog renders the `access_log` directive that sends one server block's requests to its log. */
export function renderTrafficAccessLog(path: string, buffer: TrafficLogBuffer | null): string {
  const base = `access_log ${quotePath(path)} ${TRAFFIC_LOG_FORMAT}`;
  if (buffer === null) return `${base};`;
  const { bytes, flushSeconds } = buffer;
  if (!Number.isSafeInteger(bytes) || bytes < 1024 || bytes > 1024 * 1024) {
    throw new Error(`traffic log buffer must be 1 KiB to 1 MiB: ${bytes}`);
  }
  if (!Number.isSafeInteger(flushSeconds) || flushSeconds < 1 || flushSeconds > 3600) {
    throw new Error(`traffic log flush must be 1 to 3600 seconds: ${flushSeconds}`);
  }
  return `${base} buffer=${bytes} flush=${flushSeconds}s;`;
}

/** SiteLogs is what a web server driver needs of the traffic logs to write an account's server block. */
export interface SiteLogs {
  /** accessLog is the `access_log` directive of the account's server block. */
  accessLog(user: string): string;
  /** prepare makes the account's empty log (panel-owned, 0600) before nginx first opens it. */
  prepare(user: string): Promise<void>;
  /** writeLogFormat writes the file defining the log format into the sites directory. */
  writeLogFormat(sitesDir: string): Promise<void>;
  /** remove deletes the account's logs once its server block is gone. */
  remove(user: string): Promise<void>;
}
