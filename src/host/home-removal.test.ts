import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { homeToRemove } from './home-removal.js';

describe('homeToRemove', () => {
  let dir: string;
  let base: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vanta-home-removal-'));
    base = join(dir, 'homes');
    await mkdir(join(base, 'alice'), { recursive: true });
    await mkdir(join(dir, 'elsewhere'));
    await symlink(join(dir, 'elsewhere'), join(base, 'mallory'));
    await symlink(base, join(dir, 'linked-base'));
    await symlink('loop', join(base, 'loop'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('returns the real path of a home that is where it should be', async () => {
    assert.equal(await homeToRemove(base, 'alice', join(base, 'alice')), join(base, 'alice'));
  });

  it('returns null for a home that is already gone', async () => {
    assert.equal(await homeToRemove(base, 'bob', join(base, 'bob')), null);
  });

  it('refuses a home that is not <base>/<user>', async () => {
    await assert.rejects(homeToRemove(base, 'alice', join(dir, 'elsewhere')), /expected/);
    await assert.rejects(homeToRemove(base, 'alice', `${base}/alice/../alice`), /expected/);
  });

  it('refuses a home that is a symlink to somewhere else', async () => {
    await assert.rejects(homeToRemove(base, 'mallory', join(base, 'mallory')), /resolves to/);
  });

  it('refuses a home it cannot resolve for another reason than its absence', async () => {
    await assert.rejects(homeToRemove(base, 'loop', join(base, 'loop')), { code: 'ELOOP' });
  });

  it('follows a base that is itself a symlink', async () => {
    const linked = join(dir, 'linked-base');
    assert.equal(await homeToRemove(linked, 'alice', join(linked, 'alice')), join(base, 'alice'));
  });
});
