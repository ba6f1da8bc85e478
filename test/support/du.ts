import { execFileSync } from 'node:child_process';

/** duBytes is GNU du's figure for a tree in bytes allocated (hard links once, symlinks not followed); `-x` and such go in `flags`. */
export function duBytes(path: string, ...flags: string[]): number {
  return Number(execFileSync('du', ['-s', '--block-size=1', ...flags, path], { encoding: 'utf8' }).split('\t')[0]);
}
