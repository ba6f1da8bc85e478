import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/** FileWake lets a polling loop sleep until a file changes or a time has passed, whichever comes first. */
export interface FileWake {
  /** sleep resolves when the file was written, created or removed since the last sleep, or after `ms`. */
  sleep(ms: number): Promise<void>;
  close(): void;
}

/**
 * wakeOnChange watches the directory of `path` (inotify: php-fpm replaces its pid file, it does not
 * rewrite it in place) and wakes a sleeper on any event naming the file. The loop using it still
 * checks on its own after each sleep: the watch only ends a sleep early, so a directory that cannot be
 * watched (no inotify instance left, say) leaves plain polling, never a missed change.
 */
export function wakeOnChange(path: string): FileWake {
  const name = basename(path);
  let changed = false;
  let wake: (() => void) | null = null;
  let watcher: FSWatcher | null = null;
  const onEvent = (_event: string, file: string | Buffer | null) => {
    if (file !== null && file.toString() !== name) return;
    changed = true;
    wake?.();
  };
  try {
    watcher = watch(dirname(path), { persistent: false }, onEvent);
    watcher.on('error', () => {
      watcher?.close();
      watcher = null;
    });
  } catch {
    watcher = null;
  }
  return {
    sleep(ms: number): Promise<void> {
      if (changed) {
        changed = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wake = null;
          changed = false;
          resolve();
        };
        const timer = setTimeout(done, ms);
        wake = done;
      });
    },
    close() {
      watcher?.close();
      watcher = null;
      wake?.();
    },
  };
}
