import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PRIVATE_ETC_EXEC is the helper that binds a copy of /etc over /etc inside a private mount namespace. */
export const PRIVATE_ETC_EXEC = fileURLToPath(new URL('./private-etc-exec.mjs', import.meta.url));

/**
 * makePrivateEtc copies /etc to `<dir>/etc` and gives the copy a uid range of its own (one no real
 * user of this machine has, different for each copy); it returns the copy's path.
 */
export async function makePrivateEtc(dir: string): Promise<string> {
  const etc = join(dir, 'etc');
  await run('cp', ['-a', '/etc', etc]);
  const base = 40000 + Math.floor(Math.random() * 30) * 500;
  const defsPath = join(etc, 'login.defs');
  const defs = (await readFile(defsPath, 'utf8'))
    .split('\n')
    .filter((l) => !/^\s*(UID_MIN|UID_MAX|GID_MIN|GID_MAX)\s/.test(l))
    .join('\n');
  await writeFile(
    defsPath,
    `${defs}\nUID_MIN ${base}\nUID_MAX ${base + 499}\nGID_MIN ${base}\nGID_MAX ${base + 499}\n`,
  );
  return etc;
}

/** unshareArgs is the `unshare` argument list that runs a command with the /etc copy over /etc, seen by it alone. */
export function unshareArgs(etc: string, command: readonly string[]): string[] {
  return ['--mount', '--propagation', 'private', process.execPath, PRIVATE_ETC_EXEC, etc, '--', ...command];
}
