import { constants } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, unlink } from 'node:fs/promises';
import { PhpFpmError } from './errors.js';
import { accountTmpDir, checkPath } from './pool-config.js';

/** AccountIds are the numeric owner of an account's home: its uid and its group. */
export interface AccountIds {
  uid: number;
  gid: number;
}

const DIR_NOFOLLOW = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

/** openDirNoFollow opens a directory itself, never what a symlink in its place points to; null when it is a symlink. */
async function openDirNoFollow(path: string): Promise<FileHandle | null> {
  try {
    return await open(path, DIR_NOFOLLOW);
  } catch (err) {
    // Linux answers ENOTDIR (or ELOOP) for a symlink opened with O_DIRECTORY | O_NOFOLLOW.
    if (errno(err) !== 'ELOOP' && errno(err) !== 'ENOTDIR') throw err;
    if ((await lstat(path)).isSymbolicLink()) return null;
    throw new PhpFpmError('unsafe_home', `${path} is not a directory`);
  }
}

/**
 * homeOwner reads the uid and gid of an account's home without following a symlink in its place.
 * The home's owner is the account (only root can give a directory away), so no passwd lookup is
 * needed; a root-owned home is refused, as nothing of the account may run as root.
 */
export async function homeOwner(home: string): Promise<AccountIds> {
  checkPath('home', home);
  const fh = await openDirNoFollow(home);
  if (!fh) throw new PhpFpmError('unsafe_home', `${home} is a symlink`);
  try {
    const st = await fh.stat();
    if (st.uid === 0) throw new PhpFpmError('unsafe_home', `${home} is owned by root, not by an account`);
    return { uid: st.uid, gid: st.gid };
  } finally {
    await fh.close();
  }
}

/**
 * ensureAccountTmp makes `<home>/tmp` a directory of the account's own, mode 0700, and returns the
 * account's ids. The home is the account's ground: a `tmp` there may be a symlink it planted to make
 * root chown or chmod something else. So the directory is opened with O_NOFOLLOW and changed through
 * that descriptor only; a symlink in its place is removed (unlink never follows) and replaced; a file,
 * or a directory of another account, is refused with `unsafe_home`.
 */
export async function ensureAccountTmp(home: string): Promise<AccountIds> {
  const ids = await homeOwner(home);
  const tmp = accountTmpDir(home);
  for (let attempt = 0; attempt < 2; attempt++) {
    await mkdir(tmp, { mode: 0o700 }).catch((err) => {
      if (errno(err) !== 'EEXIST') throw err;
    });
    const fh = await openDirNoFollow(tmp);
    if (!fh) {
      // A symlink: remove the link itself (its target is not touched) and make the directory again.
      if ((await lstat(tmp)).isSymbolicLink()) await unlink(tmp);
      continue;
    }
    try {
      const st = await fh.stat();
      if (st.uid !== 0 && st.uid !== ids.uid)
        throw new PhpFpmError('unsafe_home', `${tmp} belongs to uid ${st.uid}, not to the account`);
      await fh.chown(ids.uid, ids.gid);
      await fh.chmod(0o700);
      return ids;
    } finally {
      await fh.close();
    }
  }
  throw new PhpFpmError('unsafe_home', `${tmp} keeps being replaced by a symlink`);
}
