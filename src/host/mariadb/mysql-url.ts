/** MariaDbTarget is where and as whom the panel connects to the database server. */
export interface MariaDbTarget {
  user: string;
  password?: string;
  host?: string;
  port?: number;
  socketPath?: string;
}

/**
 * parseMysqlUrl reads `mysql://USER[:PASSWORD]@HOST[:PORT]/` or the same with
 * `?socketPath=/run/mysqld/mysqld.sock`. Its errors never repeat the password.
 */
export function parseMysqlUrl(text: string): MariaDbTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('must be a URL such as mysql://root@localhost/?socketPath=/run/mysqld/mysqld.sock');
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:')
    throw new Error('must start with mysql:// or mariadb://');
  const user = decodeURIComponent(url.username);
  if (user === '') throw new Error('must name the user, as in mysql://vanta@localhost/');
  const target: MariaDbTarget = { user };
  if (url.password !== '') target.password = decodeURIComponent(url.password);
  for (const [key, value] of url.searchParams) {
    if (key !== 'socketPath') throw new Error(`has an unknown parameter "${key}" (only socketPath is understood)`);
    if (!value.startsWith('/')) throw new Error('socketPath must be an absolute path');
    target.socketPath = value;
  }
  if (target.socketPath === undefined) {
    target.host = url.hostname.replace(/^\[|\]$/g, '') || 'localhost';
    target.port = url.port === '' ? 3306 : Number(url.port);
  }
  return target;
}

/** describeTarget names the server for the startup log, without the password. */
export function describeTarget(target: MariaDbTarget): string {
  const where = target.socketPath === undefined ? `${target.host}:${target.port}` : target.socketPath;
  return `${target.user}@${where}`;
}
