import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PANEL_NODE_ARGS } from '../bench/support/panel-process.js';
import { BuiltPanel, ownFilesOf, packagesOf } from './support/built-panel.js';
import { runVanta } from './support/cli.js';
import { tempDirs } from './support/temp-dirs.js';

// Regression test of issue 15 (memory): an idle panel was 102 MiB. The built panel is one bundle, and
// what only some work needs waits for that work: Node's HTTPS and HTTP/2 modules with TLS (Fastify
// required them for servers the panel never makes), the OpenAPI document (built at every start), the
// packages of certificates, MariaDB, QR codes, hashing and Fastify's schema compilers. Once both
// listeners are up, `vanta serve` runs one memory-reducing collection where Node gives it gc()
// (not by default: see the README).

/** LogLine is one JSON line of the panel's log. */
interface LogLine {
  level: number;
  msg: string;
  exposeGc?: boolean;
}

function logLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

const NOT_AT_START = [
  'acme-client',
  'mysql2',
  'qrcode',
  'ajv',
  '@fastify/ajv-compiler',
  '@fastify/fast-json-stringify-compiler',
  '@node-rs/argon2',
  'light-my-request',
];

describe('15.5: the built panel at start', () => {
  const dir = tempDirs('vanta-start-memory-');

  it('vanta serve given --expose-gc runs one last-resort collection once both listeners are up', async () => {
    const panel = await BuiltPanel.start({
      dataDir: dir(),
      nodeArgs: [...PANEL_NODE_ARGS, '--expose-gc'],
      env: { VANTA_LOG_LEVEL: 'debug' },
    });
    const lines = logLines(await panel.stop());
    const started = lines.findIndex((l) => l.msg.startsWith('Vanta Panel started'));
    const compacted = lines.findIndex((l) => l.msg === 'heap compacted after start');
    assert.ok(started >= 0, 'the panel logged its start');
    assert.ok(compacted > started, 'the collection ran after the start');
    assert.equal(lines[compacted]?.exposeGc, true);
    assert.equal(lines.filter((l) => l.msg === 'heap compacted after start').length, 1, 'once');
  });

  it('without --expose-gc, as npm start runs it, the panel starts all the same and says it did not collect', async () => {
    const panel = await BuiltPanel.start({
      dataDir: dir(),
      nodeArgs: [...PANEL_NODE_ARGS],
      env: { VANTA_LOG_LEVEL: 'debug' },
    });
    assert.equal((await panel.get('/?api=ping')).status, 401, 'the API answers');
    const lines = logLines(await panel.stop());
    assert.ok(lines.some((l) => l.msg.startsWith('Vanta Panel started')));
    assert.ok(!lines.some((l) => l.msg === 'heap compacted after start'));
    const skipped = lines.find((l) => l.msg.startsWith('heap not compacted after start'));
    assert.equal(skipped?.exposeGc, false);
  });

  it('has not loaded https, http2, tls, undici, the OpenAPI module or the packages of work not come; the first document call loads its module', async () => {
    const dataDir = dir();
    // The admin exists, as after a first start: a first start hashes the admin's generated password.
    assert.equal((await runVanta(dataDir, ['admin', 'add', 'admin'], 'correct horse battery staple\n')).code, 0);
    const panel = await BuiltPanel.start({
      dataDir,
      nodeArgs: [...PANEL_NODE_ARGS],
      // ACME on: the certificate scheduler runs, with nothing to order yet.
      env: { VANTA_ACME_DIRECTORY: 'https://127.0.0.1:9/directory' },
      probe: true,
    });
    try {
      const atStart = await panel.loaded();
      const own = ownFilesOf(atStart.files);
      assert.ok(own.includes('dist/vanta.js'), `the bundle runs: ${own.join(' ')}`);
      assert.ok(atStart.builtins.includes('http'), `the probe sees Node's modules: ${atStart.builtins.join(' ')}`);
      for (const name of ['https', 'http2', 'tls', 'internal/deps/undici/undici']) {
        assert.ok(!atStart.builtins.includes(name), `${name} was loaded at start`);
      }
      const packages = packagesOf(atStart.files);
      assert.ok(packages.includes('better-sqlite3'), `the probe sees packages: ${packages.join(' ')}`);
      for (const name of NOT_AT_START) assert.ok(!packages.includes(name), `${name} was loaded at start`);
      const openapiModule = (files: string[]) => files.some((f) => /^dist\/openapi-[^/]+\.js$/.test(f));
      assert.ok(!openapiModule(own), `the OpenAPI module was loaded at start: ${own.join(' ')}`);

      const doc = await panel.get('/?api=openapi');
      assert.equal(doc.status, 200);
      assert.equal((JSON.parse(doc.body.toString()) as { openapi: string }).openapi, '3.1.0');
      const afterCall = await panel.loaded();
      assert.ok(openapiModule(ownFilesOf(afterCall.files)), 'the first document call loaded the OpenAPI module');
      assert.ok(!afterCall.builtins.includes('tls'), 'answering over HTTP loads no TLS');
    } finally {
      await panel.stop();
    }
  });
});
