import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { tempDirs } from './support/temp-dirs.js';

// Regression test of issue 15 (memory): an idle panel held acme-client (~30 MiB), mysql2 (~20 MiB) and qrcode in
// memory although it had no certificate to order, no MariaDB configured and no owner setting up two-factor; then
// Ajv and fast-json-stringify (no route has a Fastify schema), argon2's native library (nothing hashed yet) and
// Node's bundled fetch library, undici, compiled because an ES import of node:http reads its lazy WebSocket export.

const SRC = resolve(import.meta.dirname, '../src');

/** Loaded is what a child Node loaded: packages from node_modules and Node's own modules. */
interface Loaded {
  packages: string[];
  builtins: string[];
}

/** loadedAfter builds a runtime and both servers in a child Node, runs `then`, and lists the modules it loaded. */
async function loadedAfter(dir: string, env: Record<string, string>, then = ''): Promise<Loaded> {
  const script = `
    const { createRequire } = await import('node:module');
    const { loadConfig } = await import(${JSON.stringify(`${SRC}/config.ts`)});
    const { createRuntime } = await import(${JSON.stringify(`${SRC}/compose.ts`)});
    const { buildServers } = await import(${JSON.stringify(`${SRC}/http/server.ts`)});
    const pino = (await import('pino')).default;
    const rt = await createRuntime(loadConfig(${JSON.stringify({ VANTA_DATA_DIR: dir, ...env })}), { logger: pino({ level: 'silent' }) });
    const servers = buildServers(rt);
    await servers.panel.ready();
    await servers.whm.ready();
    ${then}
    const names = new Set();
    for (const key of Object.keys(createRequire(import.meta.url).cache)) {
      const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(key.slice(key.lastIndexOf('node_modules/')));
      if (m) names.add(m[1]);
    }
    const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
    process.stdout.write(JSON.stringify({ packages: [...names], builtins }));
    await rt.close();
    process.exit(0);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0);
  return JSON.parse(out) as Loaded;
}

describe('15.5: modules only some work needs are loaded when that work comes', () => {
  const dir = tempDirs('vanta-lazy-');

  it('a started panel with ACME on and no MariaDB has not loaded acme-client, mysql2, qrcode, Ajv, fast-json-stringify, argon2 or undici', async () => {
    const { packages, builtins } = await loadedAfter(dir(), { VANTA_ACME_DIRECTORY: 'https://127.0.0.1:9/directory' });
    assert.ok(packages.includes('better-sqlite3'), `the probe sees loaded packages: ${packages.join(' ')}`);
    assert.ok(builtins.includes('http'), `the probe sees Node's modules: ${builtins.join(' ')}`);
    for (const name of [
      'acme-client',
      'mysql2',
      'qrcode',
      'ajv',
      '@fastify/fast-json-stringify-compiler',
      '@node-rs/argon2',
    ]) {
      assert.ok(!packages.includes(name), `${name} was loaded`);
    }
    assert.ok(!builtins.includes('internal/deps/undici/undici'), 'undici was compiled');
  });

  it('each is loaded when its work comes: MariaDB configured, a QR code drawn, a password hashed', async () => {
    const { packages } = await loadedAfter(
      dir(),
      { VANTA_ACME_DIRECTORY: 'off', VANTA_MYSQL_URL: 'mysql://root@127.0.0.1:3306' },
      `const { renderQrSvg } = await import(${JSON.stringify(`${SRC}/app/two-factor.ts`)});
       if (!(await renderQrSvg('otpauth://totp/x')).includes('<svg')) process.exit(5);
       const stored = await rt.ctx.hasher.hash('a long enough password');
       if (!(await rt.ctx.hasher.verify(stored, 'a long enough password'))) process.exit(6);`,
    );
    assert.ok(packages.includes('mysql2'));
    assert.ok(packages.includes('qrcode'));
    assert.ok(packages.includes('@node-rs/argon2'));
  });
});
