import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PRIVATE_ETC_EXEC is the helper that binds a copy of /etc over /etc inside a private mount namespace. */
export const PRIVATE_ETC_EXEC = fileURLToPath(new URL('./private-etc-exec.mjs', import.meta.url));

/** UID_RANGES are the ranges private /etc copies draw from: 500 uids each, from 40000 up to 64999 (below nobody). */
export const UID_RANGES = { first: 40000, size: 500, count: 50 } as const;

/**
 * UID_CLAIMS is where a copy claims its range, one file per range, shared by every test process and
 * bench of this machine: two rigs that made users with the same uids saw each other's processes
 * (userdel refused, a pool's workers were counted for the other rig's account).
 */
export const UID_CLAIMS = join(tmpdir(), 'vanta-test-uid-ranges');

/**
 * claimUidRange claims a range no other live copy holds and returns its first uid. A claim names
 * the claiming process and the directory of its copy; it lapses when that process has ended or the
 * directory is gone (rigs remove theirs when they close), so no release is needed. Claims are read
 * and written under one lock, so two processes never take the same lapsed claim.
 */
export async function claimUidRange(owner: string, claims = UID_CLAIMS): Promise<number> {
  await mkdir(claims, { recursive: true, mode: 0o700 });
  const release = await lockClaims(claims);
  try {
    const start = Math.floor(Math.random() * UID_RANGES.count);
    for (let i = 0; i < UID_RANGES.count; i++) {
      const base = UID_RANGES.first + ((start + i) % UID_RANGES.count) * UID_RANGES.size;
      const claim = join(claims, String(base));
      const held = await readFile(claim, 'utf8').catch(() => null);
      if (held !== null && !lapsed(held)) continue;
      await writeFile(claim, `${process.pid} ${owner}\n`, { mode: 0o600 });
      return base;
    }
  } finally {
    await release();
  }
  throw new Error(`every uid range in ${claims} is claimed by a live test process`);
}

/** lockClaims takes the claims' lock (a directory: mkdir is atomic); one left by a process that died holding it is taken back after 10 s. */
async function lockClaims(claims: string): Promise<() => Promise<void>> {
  const lock = join(claims, '.lock');
  for (;;) {
    try {
      await mkdir(lock);
      return () => rm(lock, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const since = await stat(lock).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (since > 10_000) await rm(lock, { recursive: true, force: true });
    else await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function lapsed(held: string): boolean {
  const [, pid, owner] = /^(\d+) (.+)\n$/.exec(held) ?? [];
  if (!pid || !owner || !existsSync(owner)) return true;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * makePrivateEtc copies /etc to `<dir>/etc` and gives the copy a uid range of its own (one no real
 * user of this machine has, and no other live copy on this machine holds); it returns the copy's path.
 */
export async function makePrivateEtc(dir: string): Promise<string> {
  const etc = join(dir, 'etc');
  await run('cp', ['-a', '/etc', etc]);
  const base = await claimUidRange(dir);
  const defsPath = join(etc, 'login.defs');
  const defs = (await readFile(defsPath, 'utf8'))
    .split('\n')
    .filter((l) => !/^\s*(UID_MIN|UID_MAX|GID_MIN|GID_MAX)\s/.test(l))
    .join('\n');
  const last = base + UID_RANGES.size - 1;
  await writeFile(defsPath, `${defs}\nUID_MIN ${base}\nUID_MAX ${last}\nGID_MIN ${base}\nGID_MAX ${last}\n`);
  return etc;
}

/** unshareArgs is the `unshare` argument list that runs a command with the /etc copy over /etc, seen by it alone. */
export function unshareArgs(etc: string, command: readonly string[]): string[] {
  return ['--mount', '--propagation', 'private', process.execPath, PRIVATE_ETC_EXEC, etc, '--', ...command];
}
