import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { type HostRig, HostRig as Rig, hostModeSkip } from './support/host-mode.js';
import { freePort } from './support/nginx.js';
import { Pebble, pebbleSkip } from './support/pebble.js';

const skip = hostModeSkip() ?? pebbleSkip();

function randomUser(prefix: string): string {
  return prefix + Math.random().toString(36).slice(2, 8).replace(/[0-9]/g, 'x');
}

/** TlsAnswer is what a TLS request got: the status, the body and the serial of the certificate served. */
interface TlsAnswer {
  status: number;
  body: string;
  serial: string;
}

/** tlsGet requests `path` of `name` over TLS on the private nginx, verifying the chain against `ca` for that name. */
function tlsGet(port: number, name: string, ca: string, path = '/'): Promise<TlsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, servername: name, ca, headers: { host: name }, agent: false, timeout: 3000 },
      (res) => {
        const peer = (res.socket as TLSSocket).getPeerX509Certificate();
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, serial: peer?.serialNumber ?? '' }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** until polls `probe` until it returns a value `ok` accepts, and returns that value (or the last one). */
async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, tries = 400): Promise<T | null> {
  let last: T | null = null;
  for (let i = 0; i < tries; i++) {
    last = await probe().catch(() => null);
    if (last !== null && ok(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  return last;
}

/** vanta runs a `vanta` command against the rig (host mode, private /etc) and collects its output. */
function vanta(
  rig: HostRig,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = rig.cli(args, env);
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

describe('HTTPS: certificates from a real ACME server (Pebble), served by a private nginx', {
  skip: skip ?? false,
}, () => {
  let rig: HostRig;
  let pebble: Pebble;
  let root: string;
  let tlsPort: number;
  let env: Record<string, string>;
  const certDir = () => join(rig.dir, 'certs');

  before(async () => {
    rig = await Rig.create();
    pebble = await Pebble.start(join(rig.dir, 'pebble'), rig.nginx.port);
    root = await pebble.root();
    tlsPort = await freePort();
    env = {
      VANTA_ACME_DIRECTORY: pebble.directory,
      VANTA_ACME_CA_FILE: pebble.caFile,
      VANTA_ACME_EMAIL: 'ops@example.test',
      VANTA_CERT_DIR: certDir(),
      VANTA_NGINX_TLS_LISTEN: `127.0.0.1:${tlsPort}`,
    };
    await rig.start(env);
  });

  after(async () => {
    await rig?.close();
    await pebble?.stop();
  });

  /** pairs lists the certificate files of an account. */
  const pairs = async (user: string) => (await readdir(join(certDir(), user)).catch(() => [])).sort();

  /** served waits until `name` is served over TLS with a chain that verifies against Pebble's root. */
  const served = (name: string, ok: (a: TlsAnswer) => boolean = (a) => a.status === 200) =>
    until(() => tlsGet(tlsPort, name, root), ok);

  /** account reads the account through the API. */
  const account = async (user: string) =>
    (await rig.api('GET', `api=account&user=${user}`)).body.account as {
      tls: { status: string; expires_at: string | null };
    };

  /** nginxIsValid checks the whole configuration and that every pair a block names is there, whole. */
  const nginxIsValid = async () => {
    assert.equal((await rig.nginx.test()).ok, true, 'nginx -t accepts the configuration');
    for (const file of await rig.siteFiles()) {
      const text = await readFile(join(rig.sites, file), 'utf8');
      for (const [, cert, key] of text.matchAll(/ssl_certificate "([^"]+)";\n\s+ssl_certificate_key "([^"]+)";/g)) {
        const x509 = new X509Certificate(await readFile(cert ?? '', 'utf8'));
        assert.ok(x509.checkPrivateKey((await import('node:crypto')).createPrivateKey(await readFile(key ?? ''))));
      }
    }
  };

  /** installedSerial is the serial of the certificate the account's server block names. */
  const installedSerial = async (user: string) => {
    const text = await readFile(join(rig.sites, `${user}.conf`), 'utf8');
    const cert = /ssl_certificate "([^"]+)";/.exec(text)?.[1] ?? '';
    return new X509Certificate(await readFile(cert, 'utf8')).serialNumber;
  };

  const users: string[] = [];

  test('create: the certificate is issued in the background and served for domain and www; HTTP redirects', async () => {
    const user = randomUser('tls');
    users.push(user);
    const domain = `${user}.example.test`;
    const made = await rig.api('POST', 'api=accounts', { user, domain });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.notEqual((made.body.account as { tls: { status: string } }).tls.status, 'valid', 'create did not wait');

    const index = await readFile(join(rig.homes, user, 'public_html', 'index.html'), 'utf8');
    const apex = await served(domain, (a) => a.status === 200 && a.body === index);
    assert.equal(apex?.body, index, `the domain is served over TLS, verified against Pebble's root: ${rig.output}`);
    const www = await served(`www.${domain}`, (a) => a.status === 200);
    assert.equal(www?.body, index, 'www. too, with the same certificate');
    assert.equal(www?.serial, apex?.serial);

    // settled: just after the reload a retiring worker may still answer from the old configuration.
    assert.ok(
      await rig.settled(domain, (r) => r.status === 301),
      'plain HTTP redirects (force_https is on once a certificate exists)',
    );
    const challenge = await rig.site(domain, '/.well-known/acme-challenge/nothing-here');
    assert.equal(challenge.status, 404, 'the challenge path is answered from the panel directory, not redirected');

    const tls = (await account(user)).tls;
    assert.equal(tls.status, 'valid');
    assert.ok(tls.expires_at && Date.parse(tls.expires_at) > Date.now());
    const files = await pairs(user);
    assert.equal(files.length, 2, files.join(' '));
    const key = files.find((f) => f.endsWith('.key')) ?? '';
    const { stat } = await import('node:fs/promises');
    assert.equal((await stat(join(certDir(), user, key))).mode & 0o777, 0o600, 'the key is 0600');
    await nginxIsValid();
  });

  test('forced renewal: a new certificate is served, the old files are gone, and TLS never failed meanwhile', async () => {
    const user = users[0] ?? '';
    const domain = `${user}.example.test`;
    const before = await served(domain);
    const oldFiles = await pairs(user);
    let probing = true;
    const failures: string[] = [];
    let probes = 0;
    const prober = (async () => {
      while (probing) {
        probes++;
        await tlsGet(tlsPort, domain, root).then(
          (a) => {
            if (a.status !== 200) failures.push(`status ${a.status}`);
          },
          (err: Error) => failures.push(err.message),
        );
      }
    })();
    const renewed = await vanta(rig, ['cert', 'renew', user, '--json'], env);
    const after = await served(domain, (a) => a.serial !== before?.serial);
    probing = false;
    await prober;
    assert.equal(renewed.code, 0, renewed.err);
    assert.notEqual(after?.serial, before?.serial, 'the new certificate is served');
    assert.deepEqual(failures, [], `no TLS request failed during the renewal (${probes} probes)`);
    const files = await pairs(user);
    assert.equal(files.length, 2, files.join(' '));
    for (const old of oldFiles) assert.ok(!files.includes(old), `${old} was removed`);
    await nginxIsValid();
  });

  test('challenge failure: failed with the CA text, next attempt scheduled, previous certificate kept', async () => {
    const user = users[0] ?? '';
    const domain = `${user}.example.test`;
    // Until the workers of the renewal's reload are all gone, an old one may still answer with the
    // old certificate: wait for the one installed.
    const installed = await installedSerial(user);
    const before = await served(domain, (a) => a.serial === installed);
    // Nothing listens on 127.0.0.2 at nginx's port: the CA cannot fetch the answer.
    await pebble.resolveTo(domain, '127.0.0.2');
    await pebble.resolveTo(`www.${domain}`, '127.0.0.2');
    try {
      const failed = await vanta(rig, ['cert', 'renew', user], env);
      assert.equal(failed.code, 6, failed.out + failed.err);
      assert.match(failed.err, /127\.0\.0\.2|connection refused|connect/i, 'the CA text is shown');
    } finally {
      await pebble.resolveDefault(domain);
      await pebble.resolveDefault(`www.${domain}`);
    }
    const list = await vanta(rig, ['cert', 'list', '--json'], env);
    const rows = JSON.parse(list.out).certificates as {
      user: string;
      status: string;
      last_error: string;
      next_attempt_at: string;
    }[];
    const row = rows.find((r) => r.user === user);
    assert.equal(row?.status, 'failed');
    assert.match(row?.last_error ?? '', /127\.0\.0\.2|connection refused|connect/i);
    const wait = Date.parse(row?.next_attempt_at ?? '') - Date.now();
    assert.ok(wait > 50 * 60_000 && wait <= 60 * 60_000, `the next attempt is an hour away (${wait} ms)`);
    const still = await tlsGet(tlsPort, domain, root);
    assert.equal(still.serial, before?.serial, 'the site keeps its previous certificate');
    assert.equal((await account(user)).tls.status, 'failed');
    await nginxIsValid();
  });

  test('suspend serves the 503 page over HTTPS too; unsuspend and terminate keep nginx valid; terminate removes the files', async () => {
    const user = users[0] ?? '';
    const domain = `${user}.example.test`;
    const suspended = await rig.api('POST', `api=account&action=suspend&user=${user}`, { reason: 'test' });
    assert.equal(suspended.status, 200, JSON.stringify(suspended.body));
    assert.equal((await served(domain, (a) => a.status === 503))?.status, 503);
    await nginxIsValid();
    assert.equal((await pairs(user)).length, 2, 'suspend keeps the certificate');
    const back = await rig.api('POST', `api=account&action=unsuspend&user=${user}`);
    assert.equal(back.status, 200, JSON.stringify(back.body));
    assert.equal((await served(domain, (a) => a.status === 200))?.status, 200);
    await nginxIsValid();
    const gone = await rig.api('DELETE', `api=account&user=${user}`);
    assert.equal(gone.status, 200, JSON.stringify(gone.body));
    assert.deepEqual(await pairs(user), [], 'terminate removed key and certificate');
    await nginxIsValid();
  });

  test('SIGKILL during the install: nginx never loads a half pair, and after the restart the install finishes', async () => {
    await rig.stop();
    await rig.startWithHooks({ crashAfter: 'certificate.install:record' }, env);
    const user = randomUser('tlk');
    const domain = `${user}.example.test`;
    const made = await rig.api('POST', 'api=accounts', { user, domain });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const exit = await rig.waitForExit();
    assert.ok(exit.signal !== null || exit.code !== 0, `the panel was killed mid-install (${JSON.stringify(exit)})`);
    await nginxIsValid();
    await rig.start(env);
    const index = await readFile(join(rig.homes, user, 'public_html', 'index.html'), 'utf8');
    const after = await served(domain, (a) => a.body === index);
    assert.equal(after?.body, index, 'after the restart the install finished and the site is served over TLS');
    assert.equal((await pairs(user)).length, 2, 'one pair is left');
    await nginxIsValid();
  });

  test('SIGKILL as the install begins, and stray files of a killed write: recovery installs the pair, the start sweeps the rest', async () => {
    await rig.stop();
    await rig.startWithHooks({ crashAfter: 'certificate.install:null' }, env);
    const user = randomUser('tlb');
    const domain = `${user}.example.test`;
    const made = await rig.api('POST', 'api=accounts', { user, domain });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const exit = await rig.waitForExit();
    assert.ok(
      exit.signal !== null || exit.code !== 0,
      `the panel was killed as the install began (${JSON.stringify(exit)})`,
    );
    await nginxIsValid();
    const written = await pairs(user);
    assert.equal(written.length, 2, 'the new pair was written whole before the install began');
    // What a process killed while writing leaves: a temporary file, and a pair it never installed.
    const { writeFile } = await import('node:fs/promises');
    const stray = ['20260101T000000Z-0badf00d.key.tmp-abcdef', '20260101T000000Z-0badf00d.key'];
    for (const name of stray) await writeFile(join(certDir(), user, name), 'half\n', { mode: 0o600 });
    await rig.start(env);
    const index = await readFile(join(rig.homes, user, 'public_html', 'index.html'), 'utf8');
    assert.equal((await served(domain, (a) => a.body === index))?.body, index, 'the install was finished at start');
    assert.deepEqual(await pairs(user), written, 'the stray files were swept, the installed pair kept');
    await nginxIsValid();
  });
});
