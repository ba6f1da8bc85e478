import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/** HOST_TOOLS are the programs host mode runs; each must be on PATH. */
export const HOST_TOOLS = ['getent', 'useradd', 'usermod', 'userdel', 'groupdel', 'chpasswd'] as const;

/** findProgram resolves a program name on PATH (or checks a path), returning null when it is not executable. */
export async function findProgram(name: string): Promise<string | null> {
  const candidates = name.includes('/')
    ? [name]
    : (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter).map((d) => join(d, name));
  for (const path of candidates) {
    try {
      await access(path, constants.X_OK);
      if ((await stat(path)).isFile()) return path;
    } catch {
      // Not here; try the next directory.
    }
  }
  return null;
}

/** includesSitesDir tells whether an `nginx -T` dump has an include directive for the sites directory. */
export function includesSitesDir(dump: string, sitesDir: string): boolean {
  const dir = sitesDir.replace(/\/+$/, '');
  return dump
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .some((line) => /^include\s/.test(line) && line.replace(/["']/g, '').includes(`${dir}/`));
}
