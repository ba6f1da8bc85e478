import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AccountDir, closeWebRoot, makeWebRoot } from './account-files.js';

const AS_ROOT = process.getuid?.() === 0;
// An owner other than the test's own, so that a chown that went through a link would show.
const OWNER = AS_ROOT ? { uid: 43210, gid: 43210 } : null;
// nginx's worker group, as host mode passes it.
const WEB_GID = 43211;

describe('account files are written without following links', () => {
  let dir: string;
  let outside: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vanta-account-files-'));
    outside = join(dir, 'outside');
    await mkdir(outside, { mode: 0o700 });
    await writeFile(join(outside, 'secret'), "not the account's\n", { mode: 0o600 });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const untouched = async () => {
    const d = await stat(outside);
    const f = await stat(join(outside, 'secret'));
    assert.equal(d.mode & 0o777, 0o700);
    assert.equal(f.mode & 0o777, 0o600);
    assert.equal(f.uid, process.getuid?.());
    assert.equal(d.uid, process.getuid?.());
    assert.equal(await readFile(join(outside, 'secret'), 'utf8'), "not the account's\n");
    assert.deepEqual(await lstat(join(outside, 'index.html')).catch(() => null), null);
  };

  it('makeWebRoot makes public_html and the default page, owned by the account', async () => {
    const home = join(dir, 'fresh');
    await mkdir(home);
    await makeWebRoot({ home, domain: 'fresh.example', homeMode: 0o750, owner: null, webGid: null });
    assert.equal((await stat(home)).mode & 0o777, 0o750);
    const web = await stat(join(home, 'public_html'));
    const page = await stat(join(home, 'public_html', 'index.html'));
    assert.equal(web.mode & 0o777, 0o755, 'with no web group (the sandbox) public_html stays open');
    assert.equal(page.mode & 0o777, 0o644);
    assert.match(await readFile(join(home, 'public_html', 'index.html'), 'utf8'), /fresh\.example/);
  });

  // Finding: public_html was 0755, so any local user (another account's shell or PHP run outside
  // nginx) could read a site's files, wp-config.php with its database password among them.
  it("public_html is closed to other local users: the account owns it, nginx's group alone enters", async (t) => {
    if (!OWNER) return t.skip('needs root to give files away');
    const home = join(dir, 'closed');
    await mkdir(home);
    await makeWebRoot({ home, domain: 'closed.example', homeMode: 0o711, owner: OWNER, webGid: WEB_GID });
    assert.equal((await stat(home)).mode & 0o777, 0o711);
    const web = await stat(join(home, 'public_html'));
    const page = await stat(join(home, 'public_html', 'index.html'));
    assert.equal(web.mode & 0o777, 0o750);
    assert.deepEqual([web.uid, web.gid], [OWNER.uid, WEB_GID]);
    assert.deepEqual([page.uid, page.gid, page.mode & 0o777], [OWNER.uid, OWNER.gid, 0o644]);
  });

  // Finding: accounts made before public_html was closed kept it 0755 for good.
  it('closeWebRoot closes an older 0755 public_html; a link in its place is left alone, not followed', async (t) => {
    if (!OWNER) return t.skip('needs root to give files away');
    const home = join(dir, 'older');
    await mkdir(home);
    await makeWebRoot({ home, domain: 'older.example', homeMode: 0o711, owner: OWNER, webGid: null });
    assert.equal((await stat(join(home, 'public_html'))).mode & 0o777, 0o755, 'the layout of before');
    assert.equal(await closeWebRoot(home, OWNER, WEB_GID), true);
    const web = await stat(join(home, 'public_html'));
    assert.deepEqual([web.mode & 0o777, web.uid, web.gid], [0o750, OWNER.uid, WEB_GID]);

    const planted = join(dir, 'planted-older');
    await mkdir(planted);
    await symlink(outside, join(planted, 'public_html'));
    assert.equal(await closeWebRoot(planted, OWNER, WEB_GID), false);
    await untouched();
    const gone = join(dir, 'no-web-root');
    await mkdir(gone);
    assert.equal(await closeWebRoot(gone, OWNER, WEB_GID), false);
  });

  it('a home that is a link is refused', async () => {
    const home = join(dir, 'home-link');
    await symlink(outside, home);
    await assert.rejects(makeWebRoot({ home, domain: 'x.example', homeMode: 0o711, owner: OWNER, webGid: WEB_GID }));
    await untouched();
  });

  it('a public_html planted as a link is refused, and what it points to is not touched', async () => {
    const home = join(dir, 'planted-web');
    await mkdir(home);
    await symlink(outside, join(home, 'public_html'));
    await assert.rejects(
      makeWebRoot({ home, domain: 'x.example', homeMode: 0o711, owner: OWNER, webGid: WEB_GID }),
      /EEXIST/,
    );
    await untouched();
  });

  it('an index.html planted as a link after public_html was made is refused, never written through', async () => {
    const home = join(dir, 'planted-page');
    await mkdir(home);
    const homeDir = await AccountDir.open(home);
    const web = await homeDir.makeDir('public_html', 0o755, OWNER);
    // What an account racing the panel would do between the two steps.
    await symlink(join(outside, 'secret'), join(home, 'public_html', 'index.html'));
    await assert.rejects(web.writeNewFile('index.html', 'page', 0o644, OWNER), /EEXIST/);
    await web.close();
    await homeDir.close();
    await untouched();
  });

  it('a directory swapped for a link after it was opened: nothing lands where the link points', async () => {
    const home = join(dir, 'swapped');
    await mkdir(home);
    const opened = await AccountDir.open(home);
    await rm(home, { recursive: true });
    await mkdir(join(dir, 'swapped-moved'));
    await symlink(outside, home);
    // The opened directory is gone from the tree: making anything in it fails, and nothing lands outside.
    await assert.rejects(opened.writeNewFile('index.html', 'page', 0o644, OWNER));
    await opened.close();
    await untouched();
  });
});
