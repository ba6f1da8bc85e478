import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { DEFAULT_ARGON2 } from '../../src/host/argon2-password-hasher.js';
import { median } from '../harness.js';
import { timeHashes } from './argon2.js';

const run = promisify(execFile);

/**
 * machineSpeed measures, before the rows, two costs the absolute rows are made of, so that runs on
 * machines of different speed can be told apart: one argon2id hash at the panel's parameters, alone
 * (most of a sandbox create), and one short process started from Node and waited for (host mode runs
 * a dozen a create).
 */
export async function machineSpeed(): Promise<string> {
  const hashes = await timeHashes(DEFAULT_ARGON2, 8, 1);
  const spawns: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    await run('true');
    spawns.push(performance.now() - t0);
  }
  return (
    `one argon2id hash (m=${DEFAULT_ARGON2.memoryCost}, t=${DEFAULT_ARGON2.timeCost}) ` +
    `${(hashes.cpuMs / hashes.count).toFixed(1)} ms of CPU alone; starting and reaping \`true\` ` +
    `${median(spawns).toFixed(1)} ms`
  );
}
