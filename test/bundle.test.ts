import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { origin, sourceMapped } from '../bench/support/cpu-profile.js';
import { BuiltPanel, ROOT, ownFilesOf, packagesOf, runBuilt } from './support/built-panel.js';
import { tempDirs } from './support/temp-dirs.js';

// Regression test of issue 15 (memory): `npm run build` bundles the panel into dist/vanta.js, which
// bin/vanta.js runs. Some 700 separate modules made V8 optimise Node's module loader while they
// loaded and kept that compiled code resident in every panel.

/** BUNDLED are packages the bundle holds: never loaded from node_modules by the built command. */
const BUNDLED = ['fastify', 'kysely', 'commander', 'pino', 'hono', 'otpauth', 'find-my-way', 'avvio'];

describe('15.5: the built vanta runs one bundle', () => {
  const dir = tempDirs('vanta-bundle-');

  it('commands run from dist/vanta.js: no module of src/ or of a bundled package is loaded', async () => {
    const dataDir = dir();
    const created = await runBuilt(dataDir, [
      'token',
      'create',
      '--name',
      'bundle',
      '--scopes',
      'accounts:read',
      '--json',
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /"token":"vp_/);
    const listed = await runBuilt(dataDir, ['token', 'list', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /"name":"bundle"/);
    for (const run of [created, listed]) {
      const own = ownFilesOf(run.loaded.files);
      assert.equal(own[0], 'bin/vanta.js');
      assert.ok(own.includes('dist/vanta.js'), own.join(' '));
      for (const f of own.slice(1)) assert.match(f, /^dist\/[^/]+\.js$/, 'only the bundle and its chunks');
      const packages = packagesOf(run.loaded.files);
      assert.ok(packages.includes('better-sqlite3'), `native addons stay outside: ${packages.join(' ')}`);
      for (const name of BUNDLED) assert.ok(!packages.includes(name), `${name} was loaded from node_modules`);
    }
  });

  it('the built server serves the pages’ stylesheet, script and htmx from the files beside the bundle', async () => {
    const panel = await BuiltPanel.start({ dataDir: dir() });
    try {
      const page = (await panel.get('/')).body.toString();
      const urls = [...page.matchAll(/(\/assets\/[^"?]+)\?v=[0-9a-f]{12}/g)].map((m) => m[1] ?? '');
      const htmx = createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js');
      const expected: Record<string, string> = {
        '/assets/vanta.css': join(ROOT, 'src/http/ui/static/vanta.css'),
        '/assets/vanta.js': join(ROOT, 'src/http/ui/static/vanta.js'),
        '/assets/htmx.min.js': htmx,
      };
      assert.deepEqual([...urls].sort(), Object.keys(expected).sort());
      for (const [url, file] of Object.entries(expected)) {
        const res = await panel.get(url);
        assert.equal(res.status, 200, url);
        assert.ok(res.body.equals(readFileSync(file)), `${url} is ${file}`);
      }
    } finally {
      await panel.stop();
    }
  });

  it('the source map names the file each part of the bundle comes from, for the benchmark’s profiles', () => {
    const bundle = join(ROOT, 'dist/vanta.js');
    const lines = readFileSync(bundle, 'utf8').split('\n');
    const at = (text: string) => {
      const lineNumber = lines.findIndex((l) => l.includes(text));
      assert.ok(lineNumber >= 0, `the bundle holds ${text}`);
      return { lineNumber, columnNumber: lines[lineNumber]?.indexOf(text) ?? 0 };
    };
    const place = sourceMapped();
    const url = pathToFileURL(bundle).href;
    const named = (text: string, functionName: string) => {
      const p = place({ functionName, url, ...at(text) });
      return origin(p.url, functionName);
    };
    assert.equal(named('async function handleApi(', 'handleApi'), 'panel http/api/handle-api.ts');
    assert.equal(named('function fastify(', 'fastify'), 'fastify');
  });
});
