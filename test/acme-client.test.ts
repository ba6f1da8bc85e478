import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import { type AddressInfo, type Server as NetServer, type Socket, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CertificateAuthorityError, type ChallengeAnswers } from '../src/app/ports.js';
import { AcmeCertificateAuthority } from '../src/host/acme/acme-certificate-authority.js';
import { freePort } from './support/nginx.js';
import { Pebble, pebbleSkip } from './support/pebble.js';

const skip = pebbleSkip();

describe('the ACME adapter against Pebble', { skip: skip ?? false }, () => {
  let dir: string;
  let pebble: Pebble;
  let web: Server;
  const answers = new Map<string, string>();
  const responder: ChallengeAnswers = {
    put: async (token, value) => {
      answers.set(token, value);
    },
    remove: async (token) => {
      answers.delete(token);
    },
  };
  const ca = (email: string | null) =>
    new AcmeCertificateAuthority({
      directory: pebble.directory,
      email,
      caFile: pebble.caFile,
      accountKeyFile: join(dir, 'acme-account.key'),
      timeoutMs: 10_000,
    });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vanta-acme-'));
    const port = await freePort();
    // A stand-in for the sites' challenge location: the answers the adapter publishes, by token.
    web = createServer((req, res) => {
      const token = /^\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '')?.[1];
      const value = token === undefined ? undefined : answers.get(token);
      res.writeHead(value === undefined ? 404 : 200).end(value);
    });
    await new Promise<void>((resolve) => web.listen(port, '127.0.0.1', resolve));
    pebble = await Pebble.start(join(dir, 'pebble'), port);
  });
  after(async () => {
    await pebble?.stop();
    await new Promise((resolve) => web?.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  test('without VANTA_ACME_EMAIL, a second certificate in the same process and one in the next are issued (Pebble refused the empty account update acme-client sends)', async () => {
    const first = ca(null);
    const root = await pebble.root();
    for (const name of ['one.example.test', 'two.example.test']) {
      const issued = await first.issue([name, `www.${name}`], responder);
      const x509 = new X509Certificate(issued.certPem);
      assert.match(x509.subjectAltName ?? '', new RegExp(`DNS:www\\.${name.replace(/\./g, '\\.')}`));
      // The chain runs from the leaf through Pebble's intermediate to the root its management port gives.
      const chain = issued.certPem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
      const certs = [...chain.map((pem) => new X509Certificate(pem)), new X509Certificate(root)];
      for (let i = 0; i + 1 < certs.length; i++) assert.ok(certs[i]?.checkIssued(certs[i + 1] as X509Certificate));
    }
    const next = await ca(null).issue(['three.example.test'], responder);
    assert.ok(next.keyPem.includes('PRIVATE KEY'));
    assert.equal((await stat(join(dir, 'acme-account.key'))).mode & 0o777, 0o600, 'the account key is 0600');
    assert.equal(answers.size, 0, 'every answer was withdrawn');
  });

  test("a failed challenge fails with the CA's own problem text; Pebble offers no renewal information", async () => {
    await pebble.resolveTo('down.example.test', '127.0.0.2');
    try {
      await assert.rejects(
        ca('ops@example.test').issue(['down.example.test'], responder),
        (err: Error) => err instanceof CertificateAuthorityError && /127\.0\.0\.2/.test(err.message),
      );
    } finally {
      await pebble.resolveDefault('down.example.test');
    }
    const issued = await ca('ops@example.test').issue(['up.example.test'], responder);
    assert.equal(await ca(null).renewalWindow(issued.certPem), null);
  });
});

// The finding: with the CA out of reach, acme-client retried each request for over a minute and
// then failed with a TypeError of its own ("Cannot read properties of undefined (reading
// 'config')"), which is what the panel showed as the reason; an attempt took 150 s.
describe('the ACME adapter with the CA out of reach', () => {
  let dir: string;
  let silent: NetServer;
  const held: Socket[] = [];
  const nobody: ChallengeAnswers = { put: async () => {}, remove: async () => {} };
  const adapter = (directory: string, timeoutMs = 10_000) =>
    new AcmeCertificateAuthority({
      directory,
      email: null,
      caFile: null,
      accountKeyFile: join(dir, 'acme-account.key'),
      timeoutMs,
    });
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vanta-acme-away-'));
    // Takes connections and never says a word, not even TLS's first.
    silent = createNetServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => silent?.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  test('a refused connection fails the attempt at once, saying so', async () => {
    const port = await freePort();
    await assert.rejects(adapter(`https://127.0.0.1:${port}/dir`).issue(['away.example.test'], nobody), (err) => {
      assert.ok(err instanceof CertificateAuthorityError);
      assert.match(
        err.message,
        new RegExp(`^the ACME server 127\\.0\\.0\\.1:${port} could not be reached \\(ECONNREFUSED\\)$`),
      );
      return true;
    });
  });

  test('a CA that never answers fails the attempt after the time limit, saying so', async () => {
    const { port } = silent.address() as AddressInfo;
    await assert.rejects(adapter(`https://127.0.0.1:${port}/dir`, 300).issue(['away.example.test'], nobody), (err) => {
      assert.ok(err instanceof CertificateAuthorityError);
      assert.match(err.message, /could not be reached \(ETIMEDOUT\)$/);
      return true;
    });
  });
});
