import { closeSync, constants, fchmodSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';

/** LONGEST_WAIT_MS bounds the pause between two tries while another process holds the lock. */
const LONGEST_WAIT_MS = 20;

/**
 * ProcessLock is a turn shared by every process on the machine that opens the same file: `vanta
 * serve`, the CLI and `vanta recover` each run nginx and php-fpm commands against the same
 * directories, and an in-process queue keeps only one process's commands apart. The lock is
 * SQLite's exclusive lock on a database file that holds no table: the kernel drops it when its
 * holder ends, however it ends, so a killed process never leaves the others waiting. It is taken
 * without blocking the event loop (a busy database answers at once; the next try comes after a
 * short pause), and the callers of one process queue for it among themselves.
 */
export class ProcessLock {
  private db: BetterSqlite3.Database | null;
  /** tail is the last holder queued in this process: one transaction of a connection at a time. */
  private tail: Promise<unknown> = Promise.resolve();

  /** The file is made (or opened) here, so that one that cannot be stops the start-up, not an operation. */
  constructor(readonly path: string) {
    this.db = open(path);
  }

  /** hold runs `fn` while this process holds the lock, after the holders queued before it in this process. */
  hold<T>(fn: () => Promise<T>): Promise<T> {
    const section = async () => {
      const db = await this.take();
      try {
        return await fn();
      } finally {
        db.exec('COMMIT');
      }
    };
    const next = this.tail.then(section, section);
    this.tail = next.catch(() => {});
    return next;
  }

  /** close lets the database go; a lock still held is dropped with it. */
  close(): void {
    this.db?.close();
    this.db = null;
  }

  private async take(): Promise<BetterSqlite3.Database> {
    this.db ??= open(this.path);
    const db = this.db;
    for (let wait = 1; ; wait = Math.min(wait * 2, LONGEST_WAIT_MS)) {
      try {
        db.exec('BEGIN EXCLUSIVE');
        return db;
      } catch (err) {
        if (!String((err as { code?: unknown }).code).startsWith('SQLITE_BUSY')) throw err;
      }
      await sleep(wait);
    }
  }
}

/**
 * open opens the lock's database, made (or kept) readable by its owner alone: any process that can
 * open it can take a shared lock and hold every host change up. timeout 0: a busy database answers
 * SQLITE_BUSY at once instead of sleeping in the event loop's thread. The descriptor opened for the
 * mode is closed before SQLite opens the file, and must be: closing any descriptor of a file drops
 * every lock this process holds on it, so no second ProcessLock of a path may be made while one holds it.
 */
function open(path: string): BetterSqlite3.Database {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  try {
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
  return new BetterSqlite3(path, { timeout: 0 });
}
