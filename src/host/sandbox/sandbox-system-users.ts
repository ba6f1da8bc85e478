import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../files.js';
import { homeToRemove } from '../home-removal.js';
import { makeWebRoot } from '../account-files.js';
import type { SystemUserSpec, SystemUsers } from '../ports.js';

/** SandboxUserRecord is the sandbox's stand-in for a passwd and shadow entry. */
export interface SandboxUserRecord {
  user: string;
  home: string;
  shell: string;
  locked: boolean;
  expired: boolean;
  passwordSetAt: string | null;
}

/** SandboxSystemUsers keeps users as records and real homes inside the data directory; it makes no Linux users. */
export class SandboxSystemUsers implements SystemUsers {
  constructor(
    private readonly usersDir: string,
    private readonly homeBase: string,
    private readonly now: () => Date,
  ) {}

  async exists(user: string): Promise<boolean> {
    return (await this.read(user)) !== null;
  }

  async create(spec: SystemUserSpec): Promise<void> {
    if (await this.exists(spec.user)) throw new Error(`sandbox user ${spec.user} already exists`);
    await mkdir(this.usersDir, { recursive: true });
    await mkdir(this.homeBase, { recursive: true });
    // Not recursive: a leftover home must fail the step instead of being adopted.
    await mkdir(spec.home, { mode: 0o750 });
    await makeWebRoot({ home: spec.home, domain: spec.domain, homeMode: 0o750, owner: null, webGid: null });
    await this.write({
      user: spec.user,
      home: spec.home,
      shell: spec.shell ? '/bin/bash' : '/usr/sbin/nologin',
      locked: false,
      expired: false,
      passwordSetAt: null,
    });
  }

  async setPassword(user: string, _password: string): Promise<void> {
    const record = await this.require(user);
    await this.write({ ...record, passwordSetAt: this.now().toISOString() });
  }

  async lock(user: string): Promise<void> {
    const record = await this.require(user);
    await this.write({ ...record, locked: true, expired: true });
  }

  async unlock(user: string): Promise<void> {
    const record = await this.require(user);
    await this.write({ ...record, locked: false, expired: false });
  }

  async setShell(user: string, shell: boolean): Promise<void> {
    const record = await this.require(user);
    await this.write({ ...record, shell: shell ? '/bin/bash' : '/usr/sbin/nologin' });
  }

  /** closeWebRoot changes nothing: the sandbox's homes have no other local users to keep out. */
  async closeWebRoot(user: string): Promise<void> {
    await this.require(user);
  }

  async remove(user: string, home: string): Promise<void> {
    const real = await homeToRemove(this.homeBase, user, home);
    if (real !== null) await rm(real, { recursive: true, force: true });
    await rm(this.recordPath(user), { force: true });
  }

  /** read returns a user's record, or null when the user does not exist. */
  async read(user: string): Promise<SandboxUserRecord | null> {
    try {
      return JSON.parse(await readFile(this.recordPath(user), 'utf8')) as SandboxUserRecord;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  private async require(user: string): Promise<SandboxUserRecord> {
    const record = await this.read(user);
    if (!record) throw new Error(`sandbox user ${user} does not exist`);
    return record;
  }

  private async write(record: SandboxUserRecord): Promise<void> {
    await writeFileAtomic(this.recordPath(record.user), `${JSON.stringify(record, null, 2)}\n`, 0o600);
  }

  private recordPath(user: string): string {
    return join(this.usersDir, `${user}.json`);
  }
}
