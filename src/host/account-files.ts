import { constants } from 'node:fs';
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { renderDefaultPage } from './pages.js';

/** FileOwner is the uid and gid files made for an account belong to; null leaves them to whoever runs the panel. */
export type FileOwner = { uid: number; gid: number } | null;

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_DIRECTORY, O_NOFOLLOW } = constants;

/**
 * AccountDir is a directory inside an account's home, opened without following a link. Whatever
 * the account does meanwhile (replace a directory with a link, plant a link where a file is about
 * to go), what is made through it lands in this very directory and follows no link, so the panel,
 * running as root, never changes a file outside the home on the account's behalf.
 */
export class AccountDir {
  private constructor(private readonly handle: FileHandle) {}

  /** open opens a directory; a link (or anything but a directory) at its last component is refused. */
  static async open(path: string): Promise<AccountDir> {
    return new AccountDir(await open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  }

  /**
   * path names an entry of this directory through the open handle (`/proc/self/fd/N/name`): the
   * directory is the one opened, even if its path has since been swapped for a link.
   */
  private path(name: string): string {
    if (name === '' || name === '.' || name === '..' || name.includes('/')) throw new Error(`not a file name: ${name}`);
    return `/proc/self/fd/${this.handle.fd}/${name}`;
  }

  /** setMode sets the directory's own mode and owner. */
  async set(mode: number, owner: FileOwner): Promise<void> {
    await this.handle.chmod(mode);
    if (owner) await this.handle.chown(owner.uid, owner.gid);
  }

  /** makeDir makes a new directory `name` (an existing entry, a link included, is an error) and opens it. */
  async makeDir(name: string, mode: number, owner: FileOwner): Promise<AccountDir> {
    await mkdir(this.path(name), { mode });
    const dir = await AccountDir.open(this.path(name));
    try {
      await dir.set(mode, owner);
    } catch (err) {
      await dir.close();
      throw err;
    }
    return dir;
  }

  /** writeNewFile writes a new file `name`; an existing entry, a planted link above all, is an error, never followed. */
  async writeNewFile(name: string, content: string, mode: number, owner: FileOwner): Promise<void> {
    const file = await open(this.path(name), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
    try {
      await file.writeFile(content);
      await file.chmod(mode);
      if (owner) await file.chown(owner.uid, owner.gid);
    } finally {
      await file.close();
    }
  }

  /** openDir opens the existing directory `name`; a link there is refused, never followed. */
  openDir(name: string): Promise<AccountDir> {
    return AccountDir.open(this.path(name));
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** WebRootSpec is how an account's fresh home gets its web root. */
export interface WebRootSpec {
  home: string;
  domain: string;
  homeMode: number;
  owner: FileOwner;
  /**
   * webGid is nginx's worker group: given `public_html` (0750) so that nginx serves it and no other
   * local user lists or reads it. null (the sandbox, with no users of its own) leaves it 0755.
   */
  webGid: number | null;
}

/**
 * closeWebRoot gives an existing `public_html` the mode and owner makeWebRoot gives a new one, through
 * handles opened without following a link; it tells whether there was a directory to close.
 */
export async function closeWebRoot(
  home: string,
  owner: { uid: number; gid: number },
  webGid: number,
): Promise<boolean> {
  const dir = await AccountDir.open(home);
  try {
    const web = await dir.openDir('public_html').catch((err: NodeJS.ErrnoException) => {
      // Gone, a link (ELOOP) or not a directory: nothing the panel should change.
      if (err.code === 'ENOENT' || err.code === 'ELOOP' || err.code === 'ENOTDIR') return null;
      throw err;
    });
    if (web === null) return false;
    try {
      await web.set(0o750, { uid: owner.uid, gid: webGid });
    } finally {
      await web.close();
    }
    return true;
  } finally {
    await dir.close();
  }
}

/**
 * makeWebRoot gives a freshly made home its mode, a `public_html` (the account's, in nginx's group)
 * and the default page, owned by the account, without following any link (see AccountDir): the one way the panel writes into a
 * home, in host mode as root and in the sandbox alike.
 */
export async function makeWebRoot(spec: WebRootSpec): Promise<void> {
  const home = await AccountDir.open(spec.home);
  try {
    await home.set(spec.homeMode, null);
    const web =
      spec.owner && spec.webGid !== null
        ? await home.makeDir('public_html', 0o750, { uid: spec.owner.uid, gid: spec.webGid })
        : await home.makeDir('public_html', 0o755, spec.owner);
    try {
      await web.writeNewFile('index.html', renderDefaultPage(spec.domain), 0o644, spec.owner);
    } finally {
      await web.close();
    }
  } finally {
    await home.close();
  }
}
