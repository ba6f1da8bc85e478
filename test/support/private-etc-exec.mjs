// Runs a command with a private copy of /etc bound over /etc. Start it inside a private mount
// namespace (`unshare --mount --propagation private node private-etc-exec.mjs COPY -- CMD ARGS...`):
// the bind mount is then seen by the command alone, never by the rest of the machine.
import { execFileSync, spawn } from 'node:child_process';

const [copy, sep, cmd, ...args] = process.argv.slice(2);
if (!copy || sep !== '--' || !cmd) {
  process.stderr.write('usage: private-etc-exec.mjs ETC_COPY -- COMMAND [ARGS...]\n');
  process.exit(2);
}
execFileSync('mount', ['--bind', copy, '/etc'], { stdio: 'inherit' });
const child = spawn(cmd, args, { stdio: 'inherit' });
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal === 'SIGKILL' ? 'SIGTERM' : signal);
  process.exit(code ?? 1);
});
