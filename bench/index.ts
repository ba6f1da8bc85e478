// `npm run bench`: measures the panel as it is and prints the performance table (issue 15) with
// the figure of each row now, its target and whether it meets it. Options: --quick (shorter runs),
// --only ROW[,ROW] (row ids: api-ping, api-accounts, sandbox-creates, memory, host, php; a prefix such
// as `api` selects all of its rows), --cpu-prof DIR (CPU profile of the sandbox panel under the
// API load, summarised after the table).
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Bench } from './context.js';
import { type TableLine, formatTable, machineLine, parseArgs, selected } from './harness.js';
import { ROWS } from './rows/index.js';
import { machineSpeed } from './support/machine-speed.js';
import { summarizeProfiles } from './support/cpu-profile.js';
import { panelNodeVersion } from './support/panel-process.js';

async function main(): Promise<number> {
  let options: ReturnType<typeof parseArgs>;
  try {
    options = parseArgs(process.argv.slice(2));
    const unknown = (options.only ?? []).filter((o) => !ROWS.some((r) => selected(r.id, [o])));
    if (unknown.length > 0) throw new Error(`no row ${unknown.join(', ')} (rows: ${ROWS.map((r) => r.id).join(', ')})`);
  } catch (err) {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  if (options.cpuProfDir) {
    options.cpuProfDir = resolve(options.cpuProfDir);
    await mkdir(options.cpuProfDir, { recursive: true });
  }
  const atStart = machineLine();
  const speed = await machineSpeed();
  const started = performance.now();
  const bench = await Bench.create(options);
  const stop = () => {
    void bench.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const lines: TableLine[] = [];
  const notes: string[] = [];
  let failed = false;
  try {
    for (const row of ROWS) {
      if (!selected(row.id, options.only)) continue;
      const why = row.skip?.() ?? null;
      if (why) {
        lines.push(...row.measures.map((m) => ({ ...m, now: `skipped: ${why}`, meets: null })));
        continue;
      }
      const t0 = performance.now();
      process.stderr.write(`bench: ${row.id}...`);
      try {
        const result = await row.run(bench);
        row.measures.forEach((m, i) => {
          lines.push({ ...m, ...(result.measured[i] ?? { now: 'not measured', meets: false }) });
        });
        notes.push(...result.notes);
      } catch (err) {
        failed = true;
        lines.push(...row.measures.map((m) => ({ ...m, now: 'failed', meets: false })));
        notes.push(`${row.id} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
      process.stderr.write(` ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    }
  } finally {
    await bench.close();
  }
  console.log(
    [
      `Vanta Panel benchmark, ${new Date().toISOString()}${options.quick ? ' (--quick)' : ''}`,
      `machine: ${atStart} at the start, ${machineLine().replace(/^.*load average /, '')} at the end`,
      `speed: ${speed} (the absolute rows, unlike the ratios, compare only between machines of like speed)`,
      `panel: the real vanta serve on Node ${panelNodeVersion()}; bare: node:http in its own process, same Node`,
      '',
      formatTable(lines),
      '',
      ...notes.map((n) => `- ${n}`),
      `- ran in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    ].join('\n'),
  );
  if (options.cpuProfDir) console.log(['', ...(await summarizeProfiles(options.cpuProfDir))].join('\n'));
  return failed ? 1 : 0;
}

process.exitCode = await main();
