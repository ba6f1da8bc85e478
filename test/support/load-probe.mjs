// Preloaded (--import) into a `vanta` process under test: records every module file the process
// loads, through import or require, and writes them with the Node modules it has compiled
// (process.moduleLoadList) as JSON to the file LOAD_PROBE_FILE names, on SIGUSR2 and at exit.
import { renameSync, writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const out = process.env.LOAD_PROBE_FILE;
if (!out) throw new Error('load-probe.mjs needs LOAD_PROBE_FILE');
const files = new Set();
registerHooks({
  load(url, context, nextLoad) {
    if (url.startsWith('file:')) files.add(url);
    return nextLoad(url, context);
  },
});
const write = () => {
  const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
  // Written aside and renamed into place, so a reader never sees half a file.
  writeFileSync(`${out}.part`, JSON.stringify({ files: [...files], builtins }));
  renameSync(`${out}.part`, out);
};
process.on('SIGUSR2', write);
process.on('exit', write);
