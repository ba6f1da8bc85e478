import { readFile, realpath } from 'node:fs/promises';
import { runCommand } from '../exec.js';
import type { DiskQuota } from '../ports.js';
import { parseRepquota, repquotaArgs } from './repquota.js';

/** setquotaArgs sets a user's block limit in KiB (soft = hard) on a filesystem; null means no limit. */
export function setquotaArgs(user: string, diskMb: number | null, mountPoint: string): string[] {
  const kib = diskMb === null ? '0' : String(diskMb * 1024);
  return ['-u', user, kib, kib, '0', '0', mountPoint];
}

/** MountInfo is the filesystem a path lives on and its mount options. */
export interface MountInfo {
  mountPoint: string;
  options: string[];
}

/** findMount picks, from /proc/self/mountinfo text, the deepest mount that holds `path`. */
export function findMount(mountinfo: string, path: string): MountInfo | null {
  let best: MountInfo | null = null;
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const f = left.split(' ');
    const mountPoint = (f[4] ?? '').replace(/\\040/g, ' ');
    const inside = mountPoint === '/' || path === mountPoint || path.startsWith(`${mountPoint}/`);
    if (!inside || (best && best.mountPoint.length > mountPoint.length)) continue;
    const superOptions = right.split(' ')[2] ?? '';
    best = { mountPoint, options: [...(f[5] ?? '').split(','), ...superOptions.split(',')] };
  }
  return best;
}

/** hasUserQuota tells whether mount options turn user quotas on. */
export function hasUserQuota(options: readonly string[]): boolean {
  return options.some((o) => o === 'usrquota' || o === 'quota' || o.startsWith('usrjquota=') || o === 'usrjquota');
}

/** SetquotaQuota applies a plan's disk limit with setquota on the filesystem of the homes. */
export class SetquotaQuota implements DiskQuota {
  readonly enabled = true;
  constructor(
    private readonly mountPoint: string,
    private readonly timeoutMs: number,
  ) {}

  async apply(user: string, diskMb: number | null): Promise<void> {
    await runCommand('setquota', setquotaArgs(user, diskMb, this.mountPoint), { timeoutMs: this.timeoutMs });
  }

  /** usedBytes reads every user's figure with one `repquota` run, so the homes need no walk. */
  async usedBytes(users: readonly string[]): Promise<Map<string, number>> {
    const { stdout } = await runCommand('repquota', repquotaArgs(this.mountPoint), { timeoutMs: this.timeoutMs });
    const all = parseRepquota(stdout);
    const out = new Map<string, number>();
    for (const user of users) {
      const bytes = all.get(user);
      if (bytes !== undefined) out.set(user, bytes);
    }
    return out;
  }
}

/** NoQuota is used where the filesystem has no quotas: limits are stored but not enforced on disk. */
export class NoQuota implements DiskQuota {
  readonly enabled = false;
  constructor(readonly reason: string) {}
  async apply(): Promise<void> {}
  async usedBytes(): Promise<Map<string, number>> {
    return new Map();
  }
}

/** detectQuota returns the quota driver for the filesystem holding `homeBase`, and why when it is off. */
export async function detectQuota(homeBase: string, timeoutMs: number): Promise<DiskQuota & { reason?: string }> {
  const real = await realpath(homeBase);
  const mount = findMount(await readFile('/proc/self/mountinfo', 'utf8'), real);
  if (!mount) return new NoQuota(`no mount found for ${real}`);
  if (!hasUserQuota(mount.options)) return new NoQuota(`${mount.mountPoint} is not mounted with user quotas`);
  try {
    await runCommand('setquota', ['--version'], { timeoutMs, okCodes: [1] });
  } catch {
    return new NoQuota('setquota is not installed (Debian package "quota")');
  }
  return new SetquotaQuota(mount.mountPoint, timeoutMs);
}
