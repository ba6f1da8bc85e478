// `npm run build`: bundles the panel into dist/vanta.js (what bin/vanta.js runs), with the chunks of
// the code only some work loads beside it, its source map, and the pages' static files in
// dist/static/. One bundle instead of some 700 modules: loading that many made V8 optimise Node's
// own module loader and kept several MiB of compiled code resident in every panel.
import { cp, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Plugin, build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIST = `${ROOT}dist`;

/**
 * EXTERNAL are the packages left to Node's loader: native addons (loaded from their own folder),
 * the packages loaded only when their work comes (MariaDB, ACME, QR codes, and Fastify's schema
 * compilers and inject(), which Fastify requires from its own place at first use), each loaded
 * from node_modules when it is needed.
 */
const EXTERNAL = [
  'better-sqlite3',
  '@node-rs/argon2',
  'mysql2',
  'acme-client',
  'qrcode',
  '@fastify/ajv-compiler',
  '@fastify/fast-json-stringify-compiler',
  'light-my-request',
];

/** LAZY_BUILTINS are Node's modules Fastify requires at load but uses only for an HTTPS or HTTP/2 server. */
const LAZY_BUILTINS = /^node:(https|http2)$/;

/**
 * lazyTlsForFastify gives Fastify's server module stand-ins for node:https and node:http2 that
 * require the real module on first use. The panel's listeners are plain HTTP, and the two with the
 * node:tls they pull in are about 3.5 MiB resident in a panel that never serves TLS itself.
 */
const lazyTlsForFastify: Plugin = {
  name: 'lazy-tls-for-fastify',
  setup(b) {
    b.onResolve({ filter: LAZY_BUILTINS }, (args) =>
      /[\\/]node_modules[\\/]fastify[\\/]lib[\\/]server\.js$/.test(args.importer)
        ? { path: args.path, namespace: 'lazy-builtin' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      loader: 'js',
      contents: [
        'let real;',
        `const load = () => (real ??= require(${JSON.stringify(args.path)}));`,
        'module.exports = new Proxy({}, {',
        '  get: (_target, key) => load()[key],',
        '  has: (_target, key) => key in load(),',
        '});',
      ].join('\n'),
    }));
  },
};

// Bundled CommonJS (Fastify, pino, commander...) requires Node's modules by name: give the ES module
// output a real `require`, resolved from dist/ so that the external packages come from node_modules.
const BANNER = [
  "import { createRequire as vantaCreateRequire } from 'node:module';",
  'const require = vantaCreateRequire(import.meta.url);',
].join('\n');

await rm(DIST, { recursive: true, force: true });
await build({
  absWorkingDir: ROOT,
  entryPoints: { vanta: 'src/cli/index.ts' },
  outdir: DIST,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  chunkNames: '[name]-[hash]',
  external: EXTERNAL,
  plugins: [lazyTlsForFastify],
  banner: { js: BANNER },
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'linked',
  logLevel: 'warning',
});
// Beside the bundle: assets.ts finds them at `./static/` from its own module, in src/http/ui/ and in dist/ alike.
await cp(`${ROOT}src/http/ui/static`, `${DIST}/static`, { recursive: true });
