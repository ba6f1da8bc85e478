import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { createAccount } from '../../src/app/create-account.js';
import { createRuntime } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { generatePassword } from '../../src/domain/secrets.js';
import { Argon2PasswordHasher } from '../../src/host/argon2-password-hasher.js';
import type { Bench } from '../context.js';
import { type Row, mib, perSecond } from '../harness.js';
import { hammer } from '../support/load.js';
import { PanelProcess } from '../support/panel-process.js';
import { ACCOUNTS, CREATE_CONCURRENCY, type Memory, benchUser, issueToken, settle } from '../support/sandbox.js';

/** LARGE_STORE is the store size of the last memory line. */
export const LARGE_STORE = 10_000;

/**
 * SETTLED_SECONDS is how long a panel idles before its settled resident set is read. V8 grows its young
 * generation while the panel loads and gives it back only in a memory-reducing collection; an idle
 * panel gets one from V8's memory reducer about 100 s after start (the reducer's watchdog: it does
 * not find an idle Node process's allocation rate low by itself).
 */
const SETTLED_SECONDS = 125;

const MiB = 1024 * 1024;

function describe(m: Memory): string {
  return `${mib(m.rss)} (anon ${mib(m.anon)}, file ${mib(m.file)}, peak ${mib(m.peak)})`;
}

/**
 * seedAccounts makes `count` accounts through the real create use case of this checkout, on the
 * store the panel will open, 8 at a time. Each gets the same real argon2id hash made once with
 * the panel's hasher, so the seeding takes seconds, not minutes; rows, homes, server blocks and
 * user records are made exactly as the API would make them.
 */
async function seedAccounts(dataDir: string, count: number): Promise<number> {
  const hash = await new Argon2PasswordHasher().hash(generatePassword());
  const rt = await createRuntime(loadConfig({ VANTA_DATA_DIR: dataDir, VANTA_ACME_DIRECTORY: 'off' }), {
    logger: pino({ level: 'silent' }),
    hasher: { hash: async () => hash, verify: async () => false },
  });
  const t0 = performance.now();
  try {
    let next = 0;
    await Promise.all(
      Array.from({ length: CREATE_CONCURRENCY }, async () => {
        while (next < count) {
          const user = benchUser('m', next++);
          await createAccount(rt.ctx, { user, domain: `${user}.bench.test`, email: `owner@${user}.bench.test` });
        }
      }),
    );
  } finally {
    await rt.close();
  }
  return (performance.now() - t0) / 1000;
}

/** memory is the panel's resident set: idle after start, after the creates, and serving a large store. */
export const memory: Row = {
  id: 'memory',
  measures: [
    { measure: 'panel RSS idle after start', target: '≤ 80 MiB' },
    { measure: `panel RSS after ${ACCOUNTS} creates`, target: '— (issue: 125 MiB)' },
    { measure: `panel RSS with ${LARGE_STORE.toLocaleString('en')} accounts`, target: '≤ 150 MiB' },
  ],
  async run(bench: Bench) {
    const sandbox = await bench.sandbox();
    const dir = await bench.subdir('memory');
    // A fresh panel left alone while the rest of the row runs, for the settled idle figure (not in --quick).
    const settled = bench.options.quick ? null : await startIdlePanel(bench, await bench.subdir('memory-idle'));
    const dataDir = join(dir, 'data');
    const token = await issueToken(dataDir);
    const seedSeconds = await seedAccounts(dataDir, LARGE_STORE);
    const panel = await PanelProcess.start({ dataDir, logFile: join(dir, 'panel.log') });
    try {
      const auth = { authorization: `Bearer ${token}` };
      await settle(bench.timing.settleSeconds);
      const started = await panel.memory();
      let after = '';
      let pages = 0;
      do {
        const r = await panel.call('GET', `/?api=accounts&limit=100${after ? `&after=${after}` : ''}`, auth);
        if (r.status !== 200) throw new Error(`listing answered ${r.status}`);
        after = (JSON.parse(r.body.toString()) as { next: string | null }).next ?? '';
        pages++;
      } while (after);
      const load = await hammer(
        `http://127.0.0.1:${panel.port}/?api=accounts&limit=100`,
        auth,
        bench.timing.seconds + bench.timing.warmupSeconds,
      );
      await settle(bench.timing.settleSeconds);
      const loaded = await panel.memory();
      const idleLater = settled ? await settled.read() : null;
      return {
        measured: [
          { now: mib(sandbox.idle.rss), meets: sandbox.idle.rss <= 80 * MiB },
          { now: mib(sandbox.afterCreates.rss), meets: null },
          { now: mib(loaded.rss), meets: loaded.rss <= 150 * MiB },
        ],
        notes: [
          `RSS idle ${describe(sandbox.idle)}; after ${ACCOUNTS} creates ${describe(sandbox.afterCreates)}`,
          ...(idleLater
            ? [
                `RSS of another fresh panel left idle: ${describe(idleLater.early)} 2 s after start, ` +
                  `${describe(idleLater.late)} ${SETTLED_SECONDS} s after start (V8's memory reducer has run)`,
              ]
            : []),
          `${LARGE_STORE} accounts seeded through the create use case in ${seedSeconds.toFixed(1)} s (one precomputed argon2id hash); ` +
            `panel idle ${describe(started)}; after paging through all ${pages} pages and ${load.seconds.toFixed(0)} s of ` +
            `\`GET /?api=accounts&limit=100\` (${perSecond(load.perSecond)} req/s with ${LARGE_STORE} accounts) ${describe(loaded)}`,
        ],
      };
    } finally {
      await panel.stop();
    }
  },
};

/**
 * startIdlePanel starts a panel on a fresh store, made as the sandbox fixture's, stopped when the bench ends; it reads
 * the panel's memory 2 s after start, and again SETTLED_SECONDS after start when asked.
 */
async function startIdlePanel(
  bench: Bench,
  dir: string,
): Promise<{ read(): Promise<{ early: Memory; late: Memory }> }> {
  const dataDir = join(dir, 'data');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await issueToken(dataDir);
  const panel = await PanelProcess.start({ dataDir, logFile: join(dir, 'panel.log') });
  bench.onClose(() => panel.stop());
  const started = performance.now();
  await settle(2);
  const early = await panel.memory();
  return {
    async read() {
      const left = SETTLED_SECONDS - (performance.now() - started) / 1000;
      if (left > 0) await settle(left);
      return { early, late: await panel.memory() };
    },
  };
}
