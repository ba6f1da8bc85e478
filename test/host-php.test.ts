// Host mode with PHP: the real panel (`vanta serve`) in a private /etc, a private nginx and a
// private php-fpm master, accounts made through the API, pages requested as a visitor would.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, chown, lstat, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runVanta } from './support/cli.js';
import { HostRig, hostModeSkip } from './support/host-mode.js';
import { get } from './support/nginx.js';
import { pidsOfUid } from './support/php-fpm.js';

const skip = hostModeSkip();
const PHP_CLI = '/usr/bin/php8.2';
const WWW_DATA = 33;

/** PROBE reports who runs it and what it may reach; `?read[]=PATH` tries files, `?connect=SOCKET` a socket. */
const PROBE = `<?php
header('Content-Type: application/json');
$out = ['euid' => posix_geteuid(), 'open_basedir' => ini_get('open_basedir'), 'read' => []];
foreach ((array) ($_GET['read'] ?? []) as $path) {
  $text = @file_get_contents($path);
  $out['read'][$path] = $text === false ? 'refused' : 'READ';
}
if (isset($_GET['connect'])) {
  $s = @stream_socket_client('unix://' . $_GET['connect'], $no, $why, 2);
  $out['connect'] = $s === false ? "refused: $why" : 'connected';
}
echo json_encode($out);
// vanta-source-marker
`;

/** SOURCE_MARKER is in every PHP file the tests write: a response that holds it sent PHP source. */
const SOURCE_MARKER = 'vanta-source-marker';

interface Probe {
  euid: number;
  open_basedir: string;
  read: Record<string, string>;
  connect?: string;
}

interface Account {
  user: string;
  domain: string;
  uid: number;
  gid: number;
  home: string;
}

function randomUser(prefix: string): string {
  return prefix + Math.random().toString(36).slice(2, 8).replace(/[0-9]/g, 'x');
}

/** connectAs tries a unix socket as another uid with the PHP command line: the kernel alone decides. */
function connectAs(uid: number, gid: number, socket: string): Promise<string> {
  const code =
    '$s = @stream_socket_client("unix://" . $argv[1], $n, $w, 2); echo $s === false ? "refused: $w" : "connected";';
  return new Promise((resolve, reject) => {
    const child = spawn(PHP_CLI, ['-r', code, '--', socket], { uid, gid, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.once('error', reject);
    child.once('exit', () => resolve(out.trim()));
  });
}

describe('host mode with PHP: one php-fpm pool per account, running as the account', { skip: skip ?? false }, () => {
  let rig: HostRig;

  /** make creates an account through the API (with a plan when given) and writes the probe into its public_html. */
  async function make(prefix: string, plan?: string): Promise<Account> {
    const user = randomUser(prefix);
    const domain = `${user}.php.test`;
    const made = await rig.api('POST', 'api=accounts', { user, domain, ...(plan ? { plan } : {}) });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const pw = await rig.passwdEntry(user);
    assert.ok(pw);
    const account = { user, domain, uid: Number(pw[2]), gid: Number(pw[3]), home: join(rig.homes, user) };
    await writeAs(account, join(account.home, 'public_html', 'probe.php'), PROBE);
    await writeAs(account, join(account.home, 'secret.txt'), `secret of ${user}\n`, 0o600);
    return account;
  }

  async function writeAs(account: Account, path: string, text: string, mode = 0o644): Promise<void> {
    await writeFile(path, text);
    await chmod(path, mode);
    await chown(path, account.uid, account.gid);
  }

  const page = (account: Account, path: string) => get(rig.nginx.port, account.domain, path);

  /** probe waits until the probe answers (a reload may retire the worker that took a connection) and parses it. */
  async function probe(account: Account, query = ''): Promise<Probe> {
    let last = '';
    for (let i = 0; i < 100; i++) {
      const r = await page(account, `/probe.php${query}`).catch((err: Error) => ({ status: 0, body: err.message }));
      if (r.status === 200) return JSON.parse(r.body) as Probe;
      last = `${r.status} ${r.body}`;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`the probe of ${account.user} does not answer: ${last}\n${await rig.fpm.errorText()}`);
  }

  before(async () => {
    rig = await HostRig.create();
    await rig.start();
  });
  after(async () => {
    await rig?.close();
  });

  test('the start-up line names the PHP driver', () => {
    assert.match(rig.output, /php=php-fpm \(/);
  });

  test("a PHP page runs as its account, inside its home; another account's files and /etc/shadow are out of reach", async () => {
    const a = await make('pa');
    const b = await make('pb');
    const paths = [join(a.home, 'secret.txt'), join(b.home, 'secret.txt'), join(b.home, 'public_html', 'probe.php')];
    const query = [...paths, '/etc/shadow'].map((p) => `read[]=${encodeURIComponent(p)}`).join('&');
    const r = await probe(a, `?${query}`);
    assert.equal(r.euid, a.uid, 'the worker runs as the account');
    assert.equal(r.open_basedir, `${a.home}/:${a.home}/tmp/`, 'open_basedir is its home (and its own tmp dir in it)');
    assert.deepEqual(r.read, {
      [paths[0] ?? '']: 'READ',
      [paths[1] ?? '']: 'refused',
      [paths[2] ?? '']: 'refused',
      '/etc/shadow': 'refused',
    });
    const tmp = await lstat(join(a.home, 'tmp'));
    assert.deepEqual([tmp.isDirectory(), tmp.uid, tmp.mode & 0o777], [true, a.uid, 0o700]);
    assert.equal((await probe(b)).euid, b.uid);
  });

  test("no other account can talk to an account's socket; nginx's group can", async () => {
    const a = await make('sa');
    const b = await make('sb');
    await probe(a);
    const socket = join(rig.fpm.runDir, `vanta-${a.user}.sock`);
    const st = await lstat(socket);
    assert.ok(st.isSocket());
    assert.deepEqual([st.mode & 0o777, st.uid, st.gid], [0o660, a.uid, WWW_DATA], 'mode 0660, the account, www-data');
    assert.match(await connectAs(b.uid, b.gid, socket), /^refused: .*Permission denied/, 'the other uid is refused');
    assert.equal(await connectAs(WWW_DATA, WWW_DATA, socket), 'connected', "nginx's group gets in");
    const fromB = await probe(b, `?connect=${encodeURIComponent(socket)}`);
    assert.match(fromB.connect ?? '', /^refused/, "the other account's PHP is refused too");
  });

  test('suspend: the PHP page answers 503 and no worker of the account remains; unsuspend: it answers again', async () => {
    const a = await make('su');
    const other = await make('so');
    assert.equal((await probe(a)).euid, a.uid);
    assert.ok((await pidsOfUid(a.uid)).length > 0, 'the request left a worker of the account');
    const suspended = await rig.api('POST', `api=account&action=suspend&user=${a.user}`);
    assert.equal(suspended.status, 200, JSON.stringify(suspended.body));
    assert.ok(
      await rig.settled(a.domain, (r) => r.status === 503 && !r.body.includes(SOURCE_MARKER), '/probe.php'),
      'the PHP page answers 503 (nginx may take a moment to retire the workers that read the old block)',
    );
    assert.deepEqual(await pidsOfUid(a.uid), [], 'no process of the account is left');
    assert.equal(rig.socketExists(a.user), false, 'its socket is gone');
    assert.ok((await rig.poolFiles()).includes(`vanta-${a.user}.conf.disabled`), 'its pool rests aside');
    assert.equal((await probe(other)).euid, other.uid, 'the other site is served throughout');

    const back = await rig.api('POST', `api=account&action=unsuspend&user=${a.user}`);
    assert.equal(back.status, 200, JSON.stringify(back.body));
    assert.equal((await probe(a)).euid, a.uid, 'the page answers again');
  });

  test('a pool php-fpm -t refuses is not kept: the previous file is back and the other sites keep answering', async () => {
    const good = await make('pg');
    const bad = await make('pr');
    await rig.stop();
    const poolFile = join(rig.fpm.poolDir, `vanta-${bad.user}.conf`);
    const previous = await readFile(poolFile, 'utf8');
    await rig.startWithHooks({ breakPool: bad.user });
    try {
      // A plan change rewrites the pool: php-fpm -t refuses it.
      const plan = `${bad.user}-plan`;
      assert.equal((await runVanta(rig.data, ['plan', 'add', plan, '--php-max-children', '2'])).code, 0);
      const refused = await rig.api('POST', `api=account&action=plan&user=${bad.user}`, { plan });
      assert.equal(refused.status, 502, JSON.stringify(refused.body));
      assert.deepEqual([refused.body.error, refused.body.step], ['provisioning_failed', 'php_pool']);
      assert.equal(await readFile(poolFile, 'utf8'), previous, 'the previous pool file is back');
      const account = (await rig.api('GET', `api=account&user=${bad.user}`)).body.account as { plan: string | null };
      assert.equal(account.plan, null, 'the plan change was taken back');
      assert.equal((await probe(good)).euid, good.uid, 'the other site answers');
      assert.equal((await probe(bad)).euid, bad.uid, 'and the refused account keeps its previous pool');

      // A new account whose pool is refused is not made at all.
      const fresh = randomUser('pf');
      await rig.stop();
      await rig.startWithHooks({ breakPool: fresh });
      const notMade = await rig.api('POST', 'api=accounts', { user: fresh, domain: `${fresh}.php.test` });
      assert.equal(notMade.status, 502, JSON.stringify(notMade.body));
      assert.equal(notMade.body.step, 'php_pool');
      assert.equal(await rig.passwdEntry(fresh), null);
      assert.deepEqual(
        (await rig.poolFiles()).filter((f) => f.includes(fresh)),
        [],
        'no pool file, no temporary file',
      );
      assert.equal((await probe(good)).euid, good.uid, 'the other site still answers');
    } finally {
      await rig.stop();
      await rig.start();
    }
  });

  test('a plan with PHP off: .php is refused (never run, never its source), the pool and socket are gone', async () => {
    const a = await make('po');
    for (const [name, text] of [
      ['upper.PHP', `<?php echo 'x'; // ${SOURCE_MARKER}\n`],
      ['old.php~', `<?php // ${SOURCE_MARKER}\n`],
      ['wp-config.php.bak', `<?php // ${SOURCE_MARKER}\n`],
      ['page.phtml', `<?php // ${SOURCE_MARKER}\n`],
      ['index.html', 'static page\n'],
    ])
      await writeAs(a, join(a.home, 'public_html', name ?? ''), text ?? '');
    assert.equal((await probe(a)).euid, a.uid);
    const plan = `${a.user}-static`;
    assert.equal((await runVanta(rig.data, ['plan', 'add', plan, '--no-php'])).code, 0);
    const changed = await rig.api('POST', `api=account&action=plan&user=${a.user}`, { plan });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.ok(await rig.settled(a.domain, (r) => r.status === 404, '/probe.php'), 'once nginx has the new block');
    for (const path of ['/probe.php', '/PROBE.PHP', '/upper.PHP', '/old.php~', '/wp-config.php.bak', '/page.phtml']) {
      const r = await page(a, path);
      assert.equal(r.status, 404, `${path}: ${r.status}`);
      assert.ok(!r.body.includes(SOURCE_MARKER), `${path} sent PHP source`);
    }
    assert.equal((await page(a, '/index.html')).body, 'static page\n', 'the rest of the site is served');
    assert.deepEqual(
      (await rig.poolFiles()).filter((f) => f.includes(a.user)),
      [],
      'the pool file is gone',
    );
    assert.equal(rig.socketExists(a.user), false, 'and its socket');
    assert.deepEqual(await pidsOfUid(a.uid), [], 'and its workers');

    // And back on: the page runs again.
    const on = await rig.api('POST', `api=account&action=plan&user=${a.user}`, { plan: null });
    assert.equal(on.status, 200, JSON.stringify(on.body));
    assert.equal((await probe(a)).euid, a.uid);
  });

  test('terminate removes the pool file and the socket, and php-fpm keeps reloading afterwards', async () => {
    const a = await make('pt');
    const b = await make('pk');
    await probe(a);
    const gone = await rig.api('DELETE', `api=account&user=${a.user}`);
    assert.equal(gone.status, 200, JSON.stringify(gone.body));
    assert.deepEqual(
      (await rig.poolFiles()).filter((f) => f.includes(a.user)),
      [],
    );
    assert.equal(rig.socketExists(a.user), false);
    // The next operation reloads php-fpm: it must not trip over the removed user.
    const c = await make('pn');
    assert.equal((await probe(c)).euid, c.uid);
    assert.equal((await probe(b)).euid, b.uid);
  });
});
