import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

const BOOT_ID = (() => {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().slice(0, 8);
  } catch {
    return 'noboot';
  }
})();

/** ProcStat is what liveness needs of /proc/<pid>/stat: the state letter and the start time (field 22, in clock ticks since boot). */
export interface ProcStat {
  state: string;
  startTime: string;
}

/** parseProcStat reads /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses, so fields are counted after its last `)`. */
export function parseProcStat(text: string): ProcStat | null {
  const end = text.lastIndexOf(')');
  if (end === -1) return null;
  const fields = text.slice(end + 2).split(' ');
  // fields[0] is field 3 (state), so field 22 (starttime) is fields[19].
  const state = fields[0];
  const startTime = fields[19];
  if (!state || !startTime || !/^\d+$/.test(startTime)) return null;
  return { state, startTime };
}

function procStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** OwnerId is an owner string taken apart: boot, pid, and the process start time when it was recorded. */
export interface OwnerId {
  boot: string;
  pid: number;
  /** startTime is null in owner strings written before it was recorded (`boot:pid-random`). */
  startTime: string | null;
}

/** parseOwner reads `boot:pid@start-random`, and the older `boot:pid-random`; null for anything else. */
export function parseOwner(owner: string): OwnerId | null {
  const m = /^([^:]+):(\d+)(?:@(\d+))?-[0-9a-f]+$/.exec(owner);
  if (!m?.[1] || !m[2]) return null;
  return { boot: m[1], pid: Number(m[2]), startTime: m[3] ?? null };
}

/** ownerOf names process `pid` as a lock and journal owner: boot, pid, its start time, and a random part. */
export function ownerOf(pid: number): string {
  const start = procStat(pid)?.startTime ?? '0';
  return `${BOOT_ID}:${pid}@${start}-${randomBytes(4).toString('hex')}`;
}

/** processOwner names this process in the lock table and the journal. */
export function processOwner(): string {
  return ownerOf(process.pid);
}

/**
 * ownerAlive tells whether the process an owner string names still runs: same boot, the pid
 * present and not a zombie (`kill(pid, 0)` succeeds on a zombie, whose work is over all the same),
 * and, when the start time was recorded, the same start time (a pid reused by another process
 * after the owner died is not the owner).
 */
export function ownerAlive(owner: string): boolean {
  const id = parseOwner(owner);
  if (!id || id.boot !== BOOT_ID) return false;
  const stat = procStat(id.pid);
  if (stat === null) return false;
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return id.startTime === null || id.startTime === stat.startTime;
}
