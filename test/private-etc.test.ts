import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { claimUidRange, makePrivateEtc, UID_RANGES } from './support/private-etc.js';

async function rangeOf(etc: string): Promise<number> {
  const defs = await readFile(join(etc, 'login.defs'), 'utf8');
  return Number(/^UID_MIN (\d+)$/m.exec(defs)?.[1]);
}

/** deadPid is the pid of a process that has ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('private /etc copies and their uid ranges', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vanta-etc-ranges-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // Finding: copies drew one of 30 ranges at random, so two host-mode runs on one machine made users
  // with the same uids; one rig's userdel refused because the other rig's process used the uid.
  it('copies made at the same time never share a uid range', async () => {
    const dirs = Array.from({ length: 20 }, (_, i) => join(dir, `rig${i}`));
    for (const d of dirs) await mkdir(d);
    const etcs = await Promise.all(dirs.map((d) => makePrivateEtc(d)));
    const bases = await Promise.all(etcs.map(rangeOf));
    assert.equal(new Set(bases).size, bases.length, `ranges drawn twice: ${bases.join(' ')}`);
    for (const base of bases) {
      assert.ok(base >= UID_RANGES.first && base + UID_RANGES.size <= 65000, `range ${base} is below nobody`);
    }
  });

  it('a range is given again once its copy is gone or its process has ended, and never while both live', async () => {
    const claims = join(dir, 'claims');
    const owners = Array.from({ length: UID_RANGES.count }, (_, i) => join(dir, `owner${i}`));
    const [first = '', third = '', seventh = ''] = [owners[0], owners[3], owners[7]];
    for (const o of owners) await mkdir(o);
    const bases = await Promise.all(owners.map((o) => claimUidRange(o, claims)));
    assert.equal(new Set(bases).size, UID_RANGES.count);
    await assert.rejects(claimUidRange(first, claims), /every uid range/);

    await rm(third, { recursive: true });
    assert.equal(await claimUidRange(first, claims), bases[3], 'the range of a removed copy');
    await writeFile(join(claims, String(bases[7])), `${deadPid()} ${seventh}\n`);
    assert.equal(await claimUidRange(first, claims), bases[7], 'the range of an ended process');
    await assert.rejects(claimUidRange(first, claims), /every uid range/);
  });
});
