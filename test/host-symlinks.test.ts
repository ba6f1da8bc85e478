import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { lstat, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { runVanta } from './support/cli.js';
import { hostModeSkip, hostRigSuite } from './support/host-mode.js';

// Regression tests of issue 16, finding 4: what an account plants as links in its home is never
// served by nginx, and never followed by what the panel does there as root.

const skip = hostModeSkip();

function randomUser(prefix: string): string {
  return prefix + Math.random().toString(36).slice(2, 8).replace(/[0-9]/g, 'x');
}

/** asAccount runs a command as the account's uid and gid, as a customer with a shell would. */
function asAccount(uid: number, gid: number, command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { uid, gid, stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}`))));
  });
}

/** fetchPath requests a path of a domain from the private nginx. */
function fetchPath(port: number, domain: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: domain }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** fingerprint is what must not change about a file the panel must not touch: owner, mode, content. */
async function fingerprint(path: string): Promise<string> {
  const s = await stat(path);
  return JSON.stringify({ uid: s.uid, gid: s.gid, mode: s.mode, body: await readFile(path, 'utf8') });
}

/**
 * dirState is what a write, chown or chmod through a link would change in a directory; not its
 * access time, which any read moves (a full stat compared here once failed a run under load).
 */
async function dirState(path: string): Promise<string> {
  const s = await stat(path);
  const { ino, mode, uid, gid, nlink, size, mtimeMs, ctimeMs } = s;
  return JSON.stringify({ ino, mode, uid, gid, nlink, size, mtimeMs, ctimeMs });
}

describe('16.4: links planted in an account home are neither served nor followed', { skip: skip ?? false }, () => {
  const host = hostRigSuite();
  let user: string;
  let domain: string;
  let uid: number;
  let gid: number;
  let home: string;

  before(async () => {
    user = randomUser('sl');
    domain = `${user}.example.test`;
    const made = await host.rig.api('POST', 'api=accounts', { user, domain });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const pw = await host.rig.passwdEntry(user);
    assert.ok(pw);
    uid = Number(pw[2]);
    gid = Number(pw[3]);
    home = join(host.rig.homes, user);
  });

  test("a link in public_html to a file outside is not served; a link to the account's own file is", async () => {
    const web = join(home, 'public_html');
    // The private copy of /etc, never the machine's own.
    await asAccount(uid, gid, 'ln', ['-s', join(host.rig.etc, 'passwd'), join(web, 'pw.txt')]);
    await asAccount(uid, gid, 'cp', [join(web, 'index.html'), join(web, 'own.html')]);
    await asAccount(uid, gid, 'ln', ['-s', join(web, 'own.html'), join(web, 'alias.html')]);
    assert.ok((await lstat(join(web, 'pw.txt'))).isSymbolicLink());
    assert.ok(await host.rig.settled(domain, (r) => r.status === 200));
    const leaked = await fetchPath(host.rig.nginx.port, domain, '/pw.txt');
    assert.ok([403, 404].includes(leaked.status), `GET /pw.txt answered ${leaked.status}`);
    assert.doesNotMatch(leaked.body, /root:/);
    const own = await fetchPath(host.rig.nginx.port, domain, '/alias.html');
    assert.equal(own.status, 200, 'a link to a file the account owns is served');
  });

  test('a public_html replaced by a link to a directory outside is not served, and suspend, unsuspend, plan and password changes do not touch it', async () => {
    const target = join(host.rig.etc, `vanta-planted-${user}`);
    await mkdir(target, { mode: 0o700 });
    await writeFile(join(target, 'index.html'), 'root-only page\n', { mode: 0o600 });
    await writeFile(join(target, 'secret.txt'), 'root-only secret\n', { mode: 0o600 });
    const before = [await fingerprint(join(target, 'index.html')), await fingerprint(join(target, 'secret.txt'))];
    const dirBefore = await dirState(target);
    await asAccount(uid, gid, 'mv', [join(home, 'public_html'), join(home, 'public_html.orig')]);
    await asAccount(uid, gid, 'ln', ['-s', target, join(home, 'public_html')]);

    const served = await fetchPath(host.rig.nginx.port, domain, '/secret.txt');
    assert.ok([403, 404].includes(served.status), `GET /secret.txt through the planted root answered ${served.status}`);
    assert.doesNotMatch(served.body, /root-only/);

    assert.equal((await runVanta(host.rig.data, ['plan', 'add', `${user}-shell`, '--shell'])).code, 0);
    for (const [query, body] of [
      [`api=account&action=suspend&user=${user}`, undefined],
      [`api=account&action=unsuspend&user=${user}`, undefined],
      [`api=account&action=plan&user=${user}`, { plan: `${user}-shell` }],
      [`api=account&action=password&user=${user}`, undefined],
    ] as const) {
      const r = await host.rig.api('POST', query, body);
      assert.equal(r.status, 200, `${query}: ${JSON.stringify(r.body)}`);
    }
    assert.deepEqual(
      [await fingerprint(join(target, 'index.html')), await fingerprint(join(target, 'secret.txt'))],
      before,
      'the files the link points to keep their owner, mode and content',
    );
    assert.equal(await dirState(target), dirBefore, 'and so does the directory');
  });

  test('terminate removes the home with its links, and nothing they point to', async () => {
    const target = join(host.rig.etc, `vanta-planted-${user}`);
    const before = await fingerprint(join(target, 'secret.txt'));
    const gone = await host.rig.api('DELETE', `api=account&user=${user}`);
    assert.equal(gone.status, 200, JSON.stringify(gone.body));
    await assert.rejects(lstat(home));
    assert.equal(await fingerprint(join(target, 'secret.txt')), before);
    assert.equal(await fingerprint(join(host.rig.etc, 'passwd')).then(() => true), true);
  });
});

describe('16.4: a home whose skeleton plants links is refused at create, and nothing is followed', {
  skip: skip ?? false,
}, () => {
  const host = hostRigSuite();

  for (const [name, plant] of [
    [
      'a public_html that is a link',
      async (skel: string, target: string) => symlink(target, join(skel, 'public_html')),
    ],
    [
      'an index.html that is a link',
      async (skel: string, target: string) => {
        await mkdir(join(skel, 'public_html'));
        await symlink(join(target, 'page.html'), join(skel, 'public_html', 'index.html'));
      },
    ],
  ] as const) {
    test(name, async () => {
      const target = join(host.rig.etc, `vanta-skel-target-${Math.random().toString(36).slice(2, 8)}`);
      await mkdir(target, { mode: 0o700 });
      await writeFile(join(target, 'page.html'), 'root-only page\n', { mode: 0o600 });
      const before = await fingerprint(join(target, 'page.html'));
      const dirBefore = await dirState(target);
      const restore = await host.rig.replaceSkel((skel) => plant(skel, target));
      try {
        const user = randomUser('sk');
        const r = await host.rig.api('POST', 'api=accounts', { user, domain: `${user}.example.test` });
        assert.equal(r.status, 502, JSON.stringify(r.body));
        assert.equal(r.body.step, 'system_user');
        assert.equal(await host.rig.passwdEntry(user), null, 'the user was taken back');
        assert.equal(await fingerprint(join(target, 'page.html')), before);
        assert.equal(await dirState(target), dirBefore);
      } finally {
        await restore();
      }
    });
  }
});
