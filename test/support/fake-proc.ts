import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** FakeProcess is one process of a FakeProc: its pid, parent, start time, state and title. */
export interface FakeProcess {
  pid: number;
  ppid: number;
  start: number;
  state?: string;
  title: string;
  /** busy is a master between its signals (re-reading, forking, sleeping): its status shows SIGHUP blocked. */
  busy?: boolean;
}

/**
 * FakeProc is a /proc of a test's own: the stat, cmdline and task/PID/children files the panel reads
 * of nginx's master and its children, which the test changes as nginx would on a reload.
 */
export class FakeProc {
  private readonly procs = new Map<number, FakeProcess>();
  private nextStart = 1000;

  /** withChildrenFiles false leaves out task/PID/children, as a kernel without CONFIG_PROC_CHILDREN does. */
  constructor(
    readonly dir: string,
    private readonly withChildrenFiles = true,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** spawn adds a process (started now, as the fake clock goes) and returns its pid. */
  spawn(pid: number, ppid: number, title: string): number {
    this.procs.set(pid, { pid, ppid, start: this.nextStart++, title });
    this.write();
    return pid;
  }

  /** retitle changes a process's title, as nginx's setproctitle does ("worker process is shutting down"). */
  retitle(pid: number, title: string): void {
    const p = this.procs.get(pid);
    if (p) p.title = title;
    this.write();
  }

  /** busy makes a master busy between signals, as nginx's is from a SIGHUP until its 100 ms after the new workers, or idle again. */
  busy(pid: number, busy: boolean): void {
    const p = this.procs.get(pid);
    if (p) p.busy = busy;
    this.write();
  }

  /** zombie leaves a process exited but not reaped. */
  zombie(pid: number): void {
    const p = this.procs.get(pid);
    if (p) p.state = 'Z';
    this.write();
  }

  /** kill removes a process. */
  kill(pid: number): void {
    this.procs.delete(pid);
    rmSync(join(this.dir, String(pid)), { recursive: true, force: true });
    this.write();
  }

  /**
   * reload does what nginx's master does on a successful re-read: a new worker, then the old
   * workers retitled as they close their listening sockets. It returns the new worker's pid.
   */
  reload(master: number, newWorker: number): number {
    const old = [...this.procs.values()].filter((p) => p.ppid === master && p.title === 'nginx: worker process');
    this.spawn(newWorker, master, 'nginx: worker process');
    for (const p of old) this.retitle(p.pid, 'nginx: worker process is shutting down');
    return newWorker;
  }

  private write(): void {
    for (const p of this.procs.values()) {
      const d = join(this.dir, String(p.pid));
      mkdirSync(join(d, 'task', String(p.pid)), { recursive: true });
      // Fields 3 (state), 4 (ppid) ... 22 (starttime) of proc(5), after a command name with a space in it.
      const fields = [p.state ?? 'S', String(p.ppid), ...Array(17).fill('0'), String(p.start), '0', '0'];
      writeFileSync(join(d, 'stat'), `${p.pid} (nginx (x)) ${fields.join(' ')}\n`);
      writeFileSync(join(d, 'cmdline'), `${p.title}\0\0\0`);
      // nginx's master blocks its signals everywhere but in sigsuspend (SigBlk as /proc shows it).
      const blocked = p.busy ? '0000000018016a07' : '0000000000000000';
      writeFileSync(
        join(d, 'status'),
        `Name:\tnginx\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\nSigBlk:\t${blocked}\n`,
      );
      if (!this.withChildrenFiles) continue;
      const children = [...this.procs.values()].filter((c) => c.ppid === p.pid).map((c) => `${c.pid} `);
      writeFileSync(join(d, 'task', String(p.pid), 'children'), children.join(''));
    }
  }
}
