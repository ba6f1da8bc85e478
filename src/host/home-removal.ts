import { realpath } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * homeToRemove checks, before an account's home is deleted, that it is `<homeBase>/<user>` and
 * that it really resolves there (a symlink planted to make the removal delete something else is
 * refused). It returns the real path to delete, or null when the home is already gone; any other
 * failure to resolve it is an error, so nothing is deleted on a guess.
 */
export async function homeToRemove(homeBase: string, user: string, home: string): Promise<string | null> {
  const expected = join(homeBase, user);
  if (home !== expected) throw new Error(`refusing to remove ${home}: expected ${expected}`);
  const real = await realpath(home).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (real === null) return null;
  const realBase = await realpath(homeBase);
  if (real !== join(realBase, user)) throw new Error(`refusing to remove ${home}: it resolves to ${real}`);
  return real;
}
