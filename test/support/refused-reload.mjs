// A reload command (VANTA_NGINX_RELOAD) whose re-read nginx's master refuses, for tests: it puts a
// block nginx cannot read beside the others, sends the master SIGHUP itself (as `systemctl reload`
// does, without nginx -s reload's own reading of the configuration), waits until the master has
// logged its refusal, takes the block away again and exits 0, as a reload command does.
//   node refused-reload.mjs PID_FILE SITES_DIR ERROR_LOG COUNT_FILE
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const [pidFile, sitesDir, errorLog, countFile] = process.argv.slice(2);
if (!pidFile || !sitesDir || !errorLog || !countFile) {
  process.stderr.write('usage: refused-reload.mjs PID_FILE SITES_DIR ERROR_LOG COUNT_FILE\n');
  process.exit(2);
}
const refusals = () => (readFileSync(errorLog, 'utf8').match(/\[emerg\]/g) ?? []).length;
const before = refusals();
const broken = join(sitesDir, 'zz-vanta-test-refused.conf');
writeFileSync(broken, 'vanta_test_refused_directive on;\n');
appendFileSync(countFile, 'reload\n');
process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGHUP');
for (let i = 0; i < 2000 && refusals() === before; i++) await sleep(5);
rmSync(broken, { force: true });
process.exit(refusals() > before ? 0 : 1);
