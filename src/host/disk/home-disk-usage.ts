import type { BigIntStats } from 'node:fs';
import { constants } from 'node:fs';
import { type FileHandle, lstat, open, opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as nextTick } from 'node:timers/promises';

/** DiskWalkOptions bound one walk of a home. */
export interface DiskWalkOptions {
  /** deadline (milliseconds since the epoch, as `now` counts) stops the walk, which then says it is incomplete. */
  deadline: number;
  now?: () => number;
  /** entriesPerTick is how many entries are looked at before the walk lets the event loop run. */
  entriesPerTick?: number;
  /** beforeOpen runs before each directory below the home is opened (tests change the tree there). */
  beforeOpen?: (path: string) => Promise<void>;
}

/** DiskWalk is what a walk of a home found. */
export interface DiskWalk {
  /** bytes is the space allocated (st_blocks × 512): what a disk quota counts and `du` shows. */
  bytes: number;
  /** apparentBytes is the sum of the sizes (st_size), smaller than `bytes` for a tree of small files. */
  apparentBytes: number;
  files: number;
  directories: number;
  /** skipped counts entries left out: on another filesystem, or gone or changed during the walk. */
  skipped: number;
  /** complete is false when the deadline stopped the walk; the sums are then only a lower bound. */
  complete: boolean;
}

interface Pending {
  path: string;
  dev: bigint;
  ino: bigint;
}

const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
/** GONE are the errors of an entry removed or replaced while the walk looked at it. */
const GONE = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'ESTALE']);

const isGone = (err: unknown) => GONE.has((err as NodeJS.ErrnoException).code ?? '');

/**
 * walkDiskUsage sums the space used under an account's home, as `du -s -x` would: it never follows
 * a symlink (a symlink counts for itself), counts a file with several hard links once, and leaves
 * out other filesystems mounted inside. It runs as root inside a home its owner can change at any
 * moment, so no path is trusted: each directory is opened with O_NOFOLLOW and must still be the
 * directory (device and inode) its parent listed, and is then listed and examined through its own
 * file descriptor (`/proc/self/fd/N/name`), never through a path the owner could redirect.
 */
export async function walkDiskUsage(home: string, opts: DiskWalkOptions): Promise<DiskWalk> {
  const now = opts.now ?? Date.now;
  const perTick = opts.entriesPerTick ?? 256;
  const top = await lstat(home, { bigint: true });
  if (!top.isDirectory()) throw new Error(`${home} is not a directory`);
  const walk: DiskWalk = { bytes: 0, apparentBytes: 0, files: 0, directories: 0, skipped: 0, complete: false };
  const linked = new Set<bigint>();
  const count = (st: BigIntStats) => {
    walk.bytes += Number(st.blocks) * 512;
    walk.apparentBytes += Number(st.size);
  };
  count(top);
  walk.directories += 1;
  const stack: Pending[] = [{ path: home, dev: top.dev, ino: top.ino }];
  let sinceYield = 0;
  for (let dir = stack.pop(); dir; dir = stack.pop()) {
    if (now() >= opts.deadline) return walk;
    if (dir.path !== home) await opts.beforeOpen?.(dir.path);
    const fh = await openDirectory(dir);
    if (fh === null) {
      walk.skipped += 1;
      continue;
    }
    try {
      const here = `/proc/self/fd/${fh.fd}`;
      for await (const entry of await opendir(here)) {
        if (++sinceYield >= perTick) {
          sinceYield = 0;
          await nextTick();
          if (now() >= opts.deadline) return walk;
        }
        let st: BigIntStats;
        try {
          st = await lstat(join(here, entry.name), { bigint: true });
        } catch (err) {
          if (!isGone(err)) throw err;
          walk.skipped += 1;
          continue;
        }
        if (st.dev !== top.dev) {
          walk.skipped += 1;
          continue;
        }
        if (st.isDirectory()) {
          walk.directories += 1;
          count(st);
          stack.push({ path: join(dir.path, entry.name), dev: st.dev, ino: st.ino });
          continue;
        }
        // One filesystem: the inode alone names the file. Only files with several links are remembered.
        if (st.nlink > 1n) {
          if (linked.has(st.ino)) continue;
          linked.add(st.ino);
        }
        walk.files += 1;
        count(st);
      }
    } catch (err) {
      if (!isGone(err)) throw err;
      walk.skipped += 1;
    } finally {
      await fh.close();
    }
  }
  walk.complete = true;
  return walk;
}

/** openDirectory opens a directory without following a symlink; null when it is no longer the one listed. */
async function openDirectory(dir: Pending): Promise<FileHandle | null> {
  let fh: FileHandle;
  try {
    fh = await open(dir.path, DIR_FLAGS);
  } catch (err) {
    if (isGone(err)) return null;
    throw err;
  }
  const st = await fh.stat({ bigint: true });
  if (st.dev === dir.dev && st.ino === dir.ino) return fh;
  await fh.close();
  return null;
}
