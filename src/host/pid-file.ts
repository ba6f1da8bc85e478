/**
 * parsePid reads a pid file's content strictly: digits only, above 1. `Number('')` is 0, and a
 * `kill -USR2 0` would signal the caller's whole process group (nginx's and php-fpm's pid files alike).
 */
export function parsePid(text: string): number | null {
  const t = text.trim();
  if (!/^[0-9]{1,10}$/.test(t)) return null;
  const pid = Number(t);
  return pid > 1 ? pid : null;
}
