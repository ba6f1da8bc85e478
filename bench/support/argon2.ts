import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { generatePassword } from '../../src/domain/secrets.js';
import { type Argon2Params, Argon2PasswordHasher } from '../../src/host/argon2-password-hasher.js';

// OWASP's argon2id settings of equal strength: the least memory (KiB) for each number of passes.
const OWASP_MIN_MEMORY: Record<number, number> = { 1: 47_104, 2: 19_456, 3: 12_288, 4: 9_216, 5: 7_168 };

/** meetsOwasp tells whether argon2id parameters are at least one of OWASP's recommended settings. */
export function meetsOwasp(p: Argon2Params): boolean {
  const min = OWASP_MIN_MEMORY[Math.min(p.timeCost, 5)];
  return p.parallelism >= 1 && min !== undefined && p.memoryCost >= min;
}

/** argon2idParams reads the parameters out of a stored hash (`$argon2id$v=19$m=..,t=..,p=..$...`), or null. */
export function argon2idParams(phc: string): Argon2Params | null {
  const m = /^\$argon2id\$v=\d+\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(phc);
  return m ? { memoryCost: Number(m[1]), timeCost: Number(m[2]), parallelism: Number(m[3]) } : null;
}

/** storedHashParams reads the parameters a panel really used, from an account it stored. */
export function storedHashParams(dataDir: string): Argon2Params | null {
  const db = new Database(join(dataDir, 'vanta.db'), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT password_hash FROM accounts LIMIT 1').get() as { password_hash: string } | undefined;
    return row ? argon2idParams(row.password_hash) : null;
  } finally {
    db.close();
  }
}

/** HashRun is the outcome of timing a batch of hashes. */
export interface HashRun {
  params: Argon2Params;
  count: number;
  seconds: number;
  /** cpuMs is this process's CPU time meanwhile, the hashing threads included. */
  cpuMs: number;
}

/** timeHashes hashes `count` generated passwords `concurrency` at a time with the panel's hasher class. */
export async function timeHashes(params: Argon2Params, count: number, concurrency: number): Promise<HashRun> {
  const hasher = new Argon2PasswordHasher(params);
  await Promise.all(Array.from({ length: concurrency }, () => hasher.hash(generatePassword())));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let left = count;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) await hasher.hash(generatePassword());
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { params, count, seconds: (performance.now() - t0) / 1000, cpuMs: (cpu.user + cpu.system) / 1000 };
}
