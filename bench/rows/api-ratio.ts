import type { Bench } from '../context.js';
import { type Row, perSecond } from '../harness.js';
import { replayHeaders } from '../support/bare.js';
import { CONNECTIONS, type Comparison, compare } from '../support/load.js';
import { sha256Hex } from '../../src/domain/secrets.js';
import { httpCall } from '../support/panel-process.js';
import { ACCOUNTS } from '../support/sandbox.js';

/**
 * apiRatioRow is a row comparing one authenticated GET of the panel with the bare server answering its bytes.
 * With `required`, the row also measures node:http doing only the work every API call must do (the token's
 * digest looked up, the store's version read, a request id, the request line), against the same bare server.
 */
export function apiRatioRow(id: string, path: string, target: number, required = false): Row {
  return {
    id,
    measures: [{ measure: `authenticated \`GET ${path}\` req/s ÷ bare`, target: `≥ ${target.toFixed(2)}` }],
    async run(bench: Bench) {
      const sandbox = await bench.sandbox();
      const bare = await bench.bare();
      const auth = { authorization: `Bearer ${sandbox.token}` };
      const reply = await sandbox.panel.call('GET', path, auth);
      if (reply.status !== 200) throw new Error(`the panel answered ${reply.status}: ${reply.body.toString()}`);
      await bare.answer(path, reply);
      const echo = await httpCall(bare.port, 'GET', path, auth);
      if (
        echo.status !== reply.status ||
        !echo.body.equals(reply.body) ||
        JSON.stringify(replayHeaders(echo.rawHeaders)) !== JSON.stringify(replayHeaders(reply.rawHeaders))
      ) {
        throw new Error('the bare server does not answer the bytes the panel answered');
      }
      const c = await compare(bench.pairing(sandbox.panel.port, bare.port, path, sandbox.token));
      // The same bytes through a bare Fastify app, against the same bare server: what the framework alone allows.
      const framework = await bench.framework();
      await framework.answer(path, reply);
      const floor = await compare(bench.pairing(framework.port, bare.port, path, sandbox.token));
      let duties: Comparison | null = null;
      if (required) {
        const minimal = await bench.required();
        await minimal.answer(path, reply);
        await minimal.accept(sha256Hex(sandbox.token));
        duties = await compare(bench.pairing(minimal.port, bare.port, path, sandbox.token));
      }
      const failures = c.panel.failures + c.bare.failures + (duties?.panel.failures ?? 0);
      const headerBytes = replayHeaders(reply.rawHeaders).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
      const notes = [
        `${path}: ${reply.status}, ${reply.body.length} body bytes, ${headerBytes} replayed header bytes; ` +
          `${CONNECTIONS} connections, ${ACCOUNTS} accounts; panel ${c.panel.requests} answers in ${c.panel.seconds.toFixed(1)} s, ` +
          `bare ${c.bare.requests} in ${c.bare.seconds.toFixed(1)} s`,
      ];
      notes.push(
        `${path}: a bare Fastify app answering the same bytes (one route, no hook, no log) reaches ` +
          `${floor.ratio.toFixed(2)} of bare (${perSecond(floor.panel.perSecond)} vs ${perSecond(floor.bare.perSecond)} req/s): ` +
          `the panel is at ${(c.ratio / floor.ratio).toFixed(2)} of its own framework's floor`,
      );
      if (duties !== null)
        notes.push(
          `${path}: node:http doing only what every API call must (the token's SHA-256 looked up in memory, SQLite's ` +
            `data_version read once per turn, a request id, one request line through the panel's logger; no framework) ` +
            `reaches ${duties.ratio.toFixed(2)} of bare (${perSecond(duties.panel.perSecond)} vs ${perSecond(duties.bare.perSecond)} req/s): ` +
            `the panel is at ${(c.ratio / duties.ratio).toFixed(2)} of that floor`,
        );
      if (failures > 0)
        notes.push(`${path}: ${c.panel.failures} failed answers from the panel, ${c.bare.failures} from bare`);
      return {
        measured: [
          {
            now: `${c.ratio.toFixed(2)} (${perSecond(c.panel.perSecond)} vs ${perSecond(c.bare.perSecond)} req/s)`,
            meets: failures === 0 && c.ratio >= target,
          },
        ],
        notes,
      };
    },
  };
}
