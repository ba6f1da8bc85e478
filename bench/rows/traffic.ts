import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { listUsage } from '../../src/app/account-usage.js';
import { createAccount } from '../../src/app/create-account.js';
import { meterAccountsTraffic } from '../../src/app/meter-traffic.js';
import { createRuntime } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import type { Bench } from '../context.js';
import { type Row, timed } from '../harness.js';
import { CREATE_CONCURRENCY, benchUser } from '../support/sandbox.js';

/** TRAFFIC_ACCOUNTS is how many accounts the metering pass goes over. */
const TRAFFIC_ACCOUNTS = 1000;

/** logLines renders `count` requests the way the panel's nginx log format records them. */
function logLines(count: number, atMs: number): string {
  const at = `${Math.floor(atMs / 1000)}.${String(atMs % 1000).padStart(3, '0')}`;
  let out = '';
  for (let i = 0; i < count; i++) out += `${at} ${1000 + (i % 50_000)} ${300 + (i % 200)}\n`;
  return out;
}

/**
 * traffic is the cost of `vanta serve`'s metering pass and of the usage call: accounts with a day of
 * logged requests each read once, a pass that finds nothing new, and every account's usage figures.
 */
export const traffic: Row = {
  id: 'traffic',
  measures: [
    { measure: 'metering pass, logs read for the first time', target: '≥ 10 MiB/s' },
    { measure: `metering pass with nothing new, ${TRAFFIC_ACCOUNTS} accounts`, target: '≤ 5 s' },
    { measure: `GET /?api=usage figures of ${TRAFFIC_ACCOUNTS} accounts (use case)`, target: '≤ 2 s' },
  ],
  async run(bench: Bench) {
    const dataDir = join(await bench.subdir('traffic'), 'data');
    const rt = await createRuntime(loadConfig({ VANTA_DATA_DIR: dataDir }), {
      logger: pino({ level: 'silent' }),
      hasher: { hash: async () => 'not-a-real-hash', verify: async () => false },
    });
    try {
      const count = bench.options.quick ? TRAFFIC_ACCOUNTS / 5 : TRAFFIC_ACCOUNTS;
      const lines = bench.options.quick ? 500 : 2000;
      let next = 0;
      await Promise.all(
        Array.from({ length: CREATE_CONCURRENCY }, async () => {
          while (next < count) {
            const user = benchUser('t', next++);
            await createAccount(rt.ctx, { user, domain: `${user}.bench.test` });
          }
        }),
      );
      const text = logLines(lines, Date.now());
      for (let i = 0; i < count; i++) await appendFile(join(rt.config.trafficDir, `${benchUser('t', i)}.log`), text);
      let bytes = 0;
      const first = await timed(async () => {
        bytes = (await meterAccountsTraffic(rt.ctx, null)).bytesRead;
      });
      const idle = await timed(() => meterAccountsTraffic(rt.ctx, null));
      const usage = await timed(() => listUsage(rt.ctx));
      const mibPerS = bytes / 1024 / 1024 / (first / 1000);
      const scale = TRAFFIC_ACCOUNTS / count;
      return {
        measured: [
          { now: `${mibPerS.toFixed(0)} MiB/s (${(bytes / 1024 / 1024).toFixed(0)} MiB)`, meets: mibPerS >= 10 },
          { now: `${((idle * scale) / 1000).toFixed(2)} s`, meets: idle * scale <= 5000 },
          { now: `${((usage * scale) / 1000).toFixed(2)} s`, meets: usage * scale <= 2000 },
        ],
        notes: [
          `traffic: ${count} sandbox accounts, ${lines} logged requests each${scale === 1 ? '' : `; times scaled to ${TRAFFIC_ACCOUNTS} accounts`}`,
        ],
      };
    } finally {
      await rt.close();
    }
  },
};
