// Walks a home that has another filesystem mounted inside it. Run inside a private mount namespace
// (`unshare --mount --propagation private node --import tsx disk-walk-in-namespace.ts HOME`): the
// tmpfs it mounts on HOME/mnt is seen by this process alone and goes away with it.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { walkDiskUsage } from '../../src/host/disk/home-disk-usage.js';
import { duBytes } from './du.js';

const home = process.argv[2];
if (!home) throw new Error('usage: disk-walk-in-namespace.ts HOME');
const mnt = join(home, 'mnt');
execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt]);
writeFileSync(join(mnt, 'other-fs.bin'), Buffer.alloc(700_000, 9));
const walk = await walkDiskUsage(home, { deadline: Number.MAX_SAFE_INTEGER });
process.stdout.write(`${JSON.stringify({ walk, du: duBytes(home), duX: duBytes(home, '-x') })}\n`);
