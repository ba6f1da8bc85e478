#!/usr/bin/env node
// The version check runs before anything else is loaded: the store's native module aborts or
// crashes on an unsupported Node, so the modules are imported only once the runtime is known good.
const NEEDED = 22;
const major = Number(process.versions.node.split('.')[0]);
if (!(major >= NEEDED)) {
  process.stderr.write(
    `vanta: Node.js ${process.versions.node} is not supported: Vanta Panel needs Node.js ${NEEDED} or newer ` +
      '(npm start and npx vanta use the Node 24 that npm ci installs in node_modules/.bin)\n',
  );
  process.exit(78);
}

const { main } = await import('../dist/vanta.js');
main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`vanta: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
