import { access, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../files.js';
import { PhpFpmError } from '../php/errors.js';
import { DISABLED_POOL_SUFFIX, accountTmpDir, poolFileName, poolSocketPath, renderPool } from '../php/pool-config.js';
import type { PhpPoolSpec, PhpPools } from '../ports.js';

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * SandboxPhpPools renders each account's PHP-FPM pool into the data directory, as host mode would
 * write it, and runs nothing: there is no master to check, reload or signal. A suspended pool rests
 * aside under `.disabled`, as in host mode.
 */
export class SandboxPhpPools implements PhpPools {
  constructor(
    /** poolDir is where the pool files go (`<data>/php/pool.d`). */
    readonly poolDir: string,
    private readonly runDir: string,
    private readonly webGroup: string,
  ) {}

  socketPath(user: string): string {
    return poolSocketPath(this.runDir, user);
  }

  async writePool(spec: PhpPoolSpec): Promise<void> {
    const text = renderPool({ ...spec, runDir: this.runDir, webGroup: this.webGroup });
    // The sandbox's homes are the panel's own: a plain mkdir, which never follows a link in its place.
    await mkdir(accountTmpDir(spec.home), { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    await mkdir(this.poolDir, { recursive: true });
    const live = this.poolPath(spec.user);
    const resting = spec.aside === true || (!(await exists(live)) && (await exists(live + DISABLED_POOL_SUFFIX)));
    await writeFileAtomic(resting ? live + DISABLED_POOL_SUFFIX : live, text);
    if (spec.aside === true) await rm(live, { force: true });
  }

  async removePool(user: string): Promise<boolean> {
    const live = this.poolPath(user);
    const found = (await exists(live)) || (await exists(live + DISABLED_POOL_SUFFIX));
    await rm(live, { force: true });
    await rm(live + DISABLED_POOL_SUFFIX, { force: true });
    return found;
  }

  async disablePool(user: string): Promise<void> {
    const live = this.poolPath(user);
    if (await exists(live)) await rename(live, live + DISABLED_POOL_SUFFIX);
  }

  async enablePool(user: string): Promise<void> {
    const live = this.poolPath(user);
    if (await exists(live + DISABLED_POOL_SUFFIX)) await rename(live + DISABLED_POOL_SUFFIX, live);
    else if (!(await exists(live)))
      throw new PhpFpmError('pool_not_found', `there is no pool of ${user} to put back into service`);
  }

  /** reload has no PHP-FPM to signal in the sandbox: the written files are all there is. */
  async reload(): Promise<void> {}

  /** endWorkers has no workers to end in the sandbox. */
  async endWorkers(_user: string, _home: string): Promise<void> {}

  /** poolPath is where one account's pool file lives while in service. */
  poolPath(user: string): string {
    return join(this.poolDir, poolFileName(user));
  }
}
