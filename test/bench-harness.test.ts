// The benchmark's own parts that decide what the table says: option parsing, row selection, the
// table's text, the argon2id checks, and that the bare server answers exactly the recorded bytes.
// Nothing here is timed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTable, parseArgs, selected } from '../bench/harness.js';
import { ROWS } from '../bench/rows/index.js';
import { argon2idParams, meetsOwasp } from '../bench/support/argon2.js';
import { BareServer, replayHeaders } from '../bench/support/bare.js';
import { origin, summarizeProfile } from '../bench/support/cpu-profile.js';
import { httpCall } from '../bench/support/panel-process.js';

test('parseArgs reads --quick, --only (lists, repeated, with =) and --cpu-prof, and refuses anything else', () => {
  assert.deepEqual(parseArgs([]), { quick: false, only: null, cpuProfDir: null });
  assert.deepEqual(parseArgs(['--quick', '--only', 'api-ping,memory', '--only=host', '--cpu-prof', 'prof']), {
    quick: true,
    only: ['api-ping', 'memory', 'host'],
    cpuProfDir: 'prof',
  });
  assert.throws(() => parseArgs(['--only']), /--only needs a value/);
  assert.throws(() => parseArgs(['--fast']), /unknown option --fast/);
  assert.throws(() => parseArgs(['20']), /unknown option 20/);
});

test('selected matches a row by its id or by a prefix ending at a dash', () => {
  const cases: [string, string[] | null, boolean][] = [
    ['api-ping', null, true],
    ['api-ping', ['api-ping'], true],
    ['api-ping', ['api'], true],
    ['api-ping', ['ap'], false],
    ['api-accounts', ['api-ping', 'memory'], false],
    ['host', ['host'], true],
    ['host', ['hos'], false],
  ];
  for (const [id, only, want] of cases) assert.equal(selected(id, only), want, `${id} under ${only}`);
});

test('every row has a unique id and declares its lines', () => {
  const ids = ROWS.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const row of ROWS) assert.ok(row.measures.length > 0, row.id);
  assert.deepEqual(ids, ['api-ping', 'api-accounts', 'sandbox-creates', 'memory', 'host', 'php', 'traffic', 'https']);
});

test('formatTable prints a Markdown table with padded columns and yes, NO or a dash', () => {
  const text = formatTable([
    { measure: 'ping ÷ bare', now: '0.31', target: '≥ 0.80', meets: false },
    { measure: 'RSS', now: '70 MiB', target: '≤ 80 MiB', meets: true },
    { measure: 'RSS after creates', now: '125 MiB', target: '—', meets: null },
  ]);
  assert.equal(
    text,
    [
      '| measure           | now     | target   | meets |',
      '|-------------------|---------|----------|-------|',
      '| ping ÷ bare       | 0.31    | ≥ 0.80   | NO    |',
      '| RSS               | 70 MiB  | ≤ 80 MiB | yes   |',
      '| RSS after creates | 125 MiB | —        | —     |',
    ].join('\n'),
  );
});

test('argon2idParams reads a stored hash and meetsOwasp accepts OWASP settings only', () => {
  assert.deepEqual(argon2idParams('$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA'), {
    memoryCost: 19456,
    timeCost: 2,
    parallelism: 1,
  });
  assert.equal(argon2idParams('$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA'), null);
  assert.equal(argon2idParams('$2b$12$abcdefghijklmnopqrstuv'), null);
  const cases: [number, number, boolean][] = [
    [19456, 2, true],
    [19455, 2, false],
    [47104, 1, true],
    [19456, 1, false],
    [12288, 3, true],
    [7168, 5, true],
    [7168, 9, true],
    [7167, 9, false],
  ];
  for (const [memoryCost, timeCost, want] of cases) {
    assert.equal(meetsOwasp({ memoryCost, timeCost, parallelism: 1 }), want, `m=${memoryCost} t=${timeCost}`);
  }
  assert.equal(meetsOwasp({ memoryCost: 19456, timeCost: 0, parallelism: 1 }), false);
});

test('replayHeaders keeps the recorded headers except those each server writes itself', () => {
  assert.deepEqual(
    replayHeaders([
      'content-type',
      'application/json; charset=utf-8',
      'Date',
      'Thu, 01 Jan 2026 00:00:00 GMT',
      'x-request-id',
      'abc',
      'Connection',
      'keep-alive',
      'Keep-Alive',
      'timeout=5',
      'Transfer-Encoding',
      'chunked',
    ]),
    [
      ['content-type', 'application/json; charset=utf-8'],
      ['x-request-id', 'abc'],
    ],
  );
});

test('the bare server answers a path with exactly the recorded status, headers and body', async () => {
  const bare = await BareServer.start();
  try {
    const body = Buffer.from('{"ok":true,"word":"héllo"}');
    const recorded = {
      status: 203,
      rawHeaders: [
        'content-type',
        'application/json; charset=utf-8',
        'x-request-id',
        'r-1',
        'cache-control',
        'no-store',
        'content-length',
        String(body.length),
        'Date',
        'Thu, 01 Jan 2026 00:00:00 GMT',
      ],
      body,
    };
    await bare.answer('/?api=ping', recorded);
    const got = await httpCall(bare.port, 'GET', '/?api=ping', {});
    assert.equal(got.status, 203);
    assert.deepEqual(replayHeaders(got.rawHeaders), replayHeaders(recorded.rawHeaders));
    assert.ok(got.body.equals(body));
    assert.equal((await httpCall(bare.port, 'GET', '/?api=other', {})).status, 404);
  } finally {
    await bare.stop();
  }
});

test('the profile summary groups self time by origin and leaves idle time out of the shares', () => {
  assert.equal(origin('file:///x/node_modules/kysely/dist/esm/index.js', 'f'), 'kysely');
  assert.equal(origin('file:///x/node_modules/@node-rs/argon2/index.js', 'f'), '@node-rs/argon2');
  assert.equal(origin('node:internal/http', 'f'), 'node: (Node core)');
  assert.equal(origin('file:///x/dist/http/server.js', 'f'), 'panel http/server.js');
  assert.equal(origin('', '(garbage collector)'), '(garbage collector)');
  const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
  const lines = summarizeProfile({
    nodes: [
      { id: 1, callFrame: frame('(idle)', '') },
      { id: 2, callFrame: frame('prepare', 'file:///x/node_modules/better-sqlite3/lib/index.js') },
      { id: 3, callFrame: frame('handleApi', 'file:///x/dist/http/api/handle-api.js') },
    ],
    samples: [1, 2, 2, 2, 3, 1],
    timeDeltas: [5e6, 1e5, 1e5, 1e5, 1e5, 5e6],
  });
  assert.equal(lines[0], 'main thread busy 0.4 s of 10.4 s sampled; self time by origin:');
  assert.equal(lines[1], '   75.0%  better-sqlite3');
  assert.equal(lines[2], '   25.0%  panel http/api/handle-api.js');
});
