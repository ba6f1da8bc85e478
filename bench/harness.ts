// The benchmark's shape: rows are modules in one array, each owning some lines of the table; the
// harness runs them, shares the expensive fixtures between them and prints the table.
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Bench } from './context.js';

/** Options are the command-line switches of `npm run bench`. */
export interface Options {
  /** quick shortens every timed run; the figures are rougher but the table is the same. */
  quick: boolean;
  /** only lists the row ids (or id prefixes) to run; null runs them all. */
  only: string[] | null;
  /** cpuProfDir, when set, makes the sandbox panel write a CPU profile of the load rows there. */
  cpuProfDir: string | null;
}

/** Measure is one line of the table as a row declares it, before anything is measured. */
export interface Measure {
  measure: string;
  target: string;
}

/** Measured is the figure a row found for one of its measures; meets is null when the line has no target. */
export interface Measured {
  now: string;
  meets: boolean | null;
}

/** RowResult is what a row hands back: one Measured per declared measure, in order, and notes. */
export interface RowResult {
  measured: Measured[];
  notes: string[];
}

/** Row is one pluggable module of the benchmark (PHP and ACME rows are added the same way). */
export interface Row {
  /** id is what `--only` matches. */
  id: string;
  measures: readonly Measure[];
  /** skip says why the row cannot run here (e.g. host mode without root), or null. */
  skip?(): string | null;
  run(bench: Bench): Promise<RowResult>;
}

/** TableLine is one printed line of the table. */
export interface TableLine extends Measure, Measured {}

/** parseArgs reads `--quick`, `--only a,b` (repeatable) and `--cpu-prof DIR`; anything else is an error. */
export function parseArgs(argv: readonly string[]): Options {
  const options: Options = { quick: false, only: null, cpuProfDir: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--quick') options.quick = true;
    else if (flag === '--only')
      options.only = [
        ...(options.only ?? []),
        ...value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ];
    else if (flag === '--cpu-prof') options.cpuProfDir = value();
    else throw new Error(`unknown option ${arg} (options: --quick, --only ROW[,ROW], --cpu-prof DIR)`);
  }
  return options;
}

/** selected tells whether a row runs under `--only`: its id or a prefix of it ending at a dash. */
export function selected(rowId: string, only: readonly string[] | null): boolean {
  if (only === null) return true;
  return only.some((o) => rowId === o || rowId.startsWith(`${o}-`));
}

/** formatTable renders the lines as a Markdown table, so it can go into the README as printed. */
export function formatTable(lines: readonly TableLine[]): string {
  const cells = [
    ['measure', 'now', 'target', 'meets'],
    ...lines.map((l) => [l.measure, l.now, l.target, l.meets === null ? '—' : l.meets ? 'yes' : 'NO']),
  ];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const render = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')} |`;
  const [head, ...body] = cells;
  return [render(head ?? []), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(render)].join('\n');
}

/** machineLine names what the figures were measured on: cores, CPU model and the load average now. */
export function machineLine(): string {
  const list = cpus();
  const model = list[0]?.model.trim() ?? 'unknown CPU';
  return `${list.length} cores (${model}), load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
}

/** median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** timed runs `fn` and returns how long it took, in milliseconds. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** mib formats a byte count in MiB. */
export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

/** rate formats a per-second figure: 9.7k above ten thousand, whole numbers below. */
export function perSecond(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : n >= 100 ? n.toFixed(0) : n.toFixed(1);
}
