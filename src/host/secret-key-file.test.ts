import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseKeyFile, renderKeyFile } from '../domain/keyring.js';
import { openSecret, sealSecret } from '../domain/sealed-secret.js';
import { defaultSecretKeyFile, loadKeyring } from './secret-key-file.js';

describe('the secret key file', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vanta-keyfile-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('lives beside the store by default', () => {
    assert.equal(defaultSecretKeyFile('/var/lib/vanta'), '/var/lib/vanta/secret.key');
  });

  it('is made on first use, 0600, in a new 0700 directory, and read back the same on the next', async () => {
    const path = join(dir, 'fresh', 'secret.key');
    const first = await loadKeyring(path);
    assert.equal(first.created, true);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'fresh'))).mode & 0o777, 0o700);
    assert.deepEqual(parseKeyFile(await readFile(path, 'utf8')), [first.ring.current.bytes]);
    assert.deepEqual(await readdir(join(dir, 'fresh')), ['secret.key'], 'no temporary file is left');
    const again = await loadKeyring(path);
    assert.equal(again.created, false);
    assert.equal(again.ring.current.id, first.ring.current.id);
    const sealed = sealSecret(first.ring, 'JBSWY3DPEHPK3PXP', 'totp:alice');
    assert.equal(openSecret(again.ring, sealed, 'totp:alice'), 'JBSWY3DPEHPK3PXP');
  });

  it('processes starting together all end up with the one key that was written', async () => {
    const path = join(dir, 'race.key');
    const loaded = await Promise.all(Array.from({ length: 8 }, () => loadKeyring(path)));
    assert.equal(new Set(loaded.map((l) => l.ring.current.id)).size, 1);
    assert.equal(loaded.filter((l) => l.created).length, 1);
    assert.deepEqual(
      (await readdir(dir)).filter((n) => n.startsWith('race')),
      ['race.key'],
    );
  });

  it('with create off, a missing file is an error, not a new key', async () => {
    await assert.rejects(loadKeyring(join(dir, 'missing.key'), { create: false }), /missing/);
    await assert.rejects(stat(join(dir, 'missing.key')), { code: 'ENOENT' });
  });

  it('refuses a file that group or others may read, naming the fix', async () => {
    const path = join(dir, 'loose.key');
    await loadKeyring(path);
    for (const mode of [0o640, 0o604, 0o660]) {
      await chmod(path, mode);
      await assert.rejects(loadKeyring(path), /may be read by group or others: chmod 600/);
    }
  });

  it('refuses a symbolic link and a directory', async () => {
    const target = join(dir, 'target.key');
    await loadKeyring(target);
    await symlink(target, join(dir, 'link.key'));
    await assert.rejects(loadKeyring(join(dir, 'link.key')), /symbolic link/);
    await mkdir(join(dir, 'adir.key'));
    await assert.rejects(loadKeyring(join(dir, 'adir.key')), /not a regular file/);
  });

  it('refuses a file that is not a key file, without quoting it', async () => {
    const path = join(dir, 'bad.key');
    await writeFile(path, 'vk1 not-a-key-but-maybe-a-secret\n', { mode: 0o600 });
    await assert.rejects(
      loadKeyring(path),
      (err: Error) => /not valid: line 1 is not a key/.test(err.message) && !err.message.includes('maybe-a-secret'),
    );
  });

  it('reads a file with several keys, the last one current (a rotation in progress)', async () => {
    const path = join(dir, 'two.key');
    const old = Buffer.alloc(32, 1);
    const next = Buffer.alloc(32, 2);
    await writeFile(path, renderKeyFile([old, next]), { mode: 0o600 });
    const { ring, created } = await loadKeyring(path);
    assert.equal(created, false);
    assert.deepEqual(ring.current.bytes, next);
    assert.ok(ring.byId(ring.current.id));
  });
});
