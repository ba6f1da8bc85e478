import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../files.js';
import type { CertificateFiles, CertificatePaths } from '../ports.js';

const USER_RE = /^[a-z][a-z0-9]{0,31}$/;
const VERSION_RE = /^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$/;
const TOKEN_RE = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * CertificateDir keeps each account's pairs as `<dir>/<user>/<version>.key` and `.crt` (root-owned,
 * directories 0700, keys 0600) and the challenge answers as files of the challenge directory.
 */
export class CertificateDir implements CertificateFiles {
  constructor(
    private readonly dir: string,
    readonly challengeDir: string,
  ) {}

  pathsOf(user: string, version: string): CertificatePaths {
    if (!USER_RE.test(user) || !VERSION_RE.test(version))
      throw new Error(`invalid certificate name: ${JSON.stringify(`${user}/${version}`)}`);
    const base = join(this.dir, user, version);
    return { certPath: `${base}.crt`, keyPath: `${base}.key` };
  }

  async install(user: string, version: string, keyPem: string, certPem: string): Promise<CertificatePaths> {
    const paths = this.pathsOf(user, version);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await mkdir(join(this.dir, user), { recursive: true, mode: 0o700 });
    // The key first: a certificate file on its own is never named by a block, and a killed write
    // leaves only a temporary file or an unnamed pair, which the start-up sweep removes.
    await writeFileAtomic(paths.keyPath, keyPem, 0o600);
    await writeFileAtomic(paths.certPath, certPem, 0o644);
    return paths;
  }

  async remove(user: string, version: string): Promise<void> {
    const paths = this.pathsOf(user, version);
    await rm(paths.certPath, { force: true });
    await rm(paths.keyPath, { force: true });
  }

  async removeAll(user: string): Promise<void> {
    if (!USER_RE.test(user)) throw new Error(`invalid user: ${JSON.stringify(user)}`);
    await rm(join(this.dir, user), { recursive: true, force: true });
  }

  async users(): Promise<string[]> {
    const entries = await readdir(this.dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
    return entries
      .filter((e) => e.isDirectory() && USER_RE.test(e.name))
      .map((e) => e.name)
      .sort();
  }

  async sweep(user: string, keep: string | null): Promise<string[]> {
    if (!USER_RE.test(user)) throw new Error(`invalid user: ${JSON.stringify(user)}`);
    const names = await readdir(join(this.dir, user)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
    const kept = keep === null ? [] : [`${keep}.crt`, `${keep}.key`];
    const removed = names.filter((name) => !kept.includes(name)).sort();
    for (const name of removed) await rm(join(this.dir, user, name), { force: true });
    return removed;
  }

  async putChallenge(token: string, keyAuthorization: string): Promise<void> {
    if (!TOKEN_RE.test(token)) throw new Error('invalid ACME challenge token');
    await mkdir(this.challengeDir, { recursive: true, mode: 0o755 });
    await writeFileAtomic(join(this.challengeDir, token), keyAuthorization, 0o644);
  }

  async removeChallenge(token: string): Promise<void> {
    if (!TOKEN_RE.test(token)) throw new Error('invalid ACME challenge token');
    await rm(join(this.challengeDir, token), { force: true });
  }
}
