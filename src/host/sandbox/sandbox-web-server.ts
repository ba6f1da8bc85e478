import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../files.js';
import { renderServerBlock } from '../nginx/server-block.js';
import type { SiteLogs } from '../nginx/traffic-log.js';
import type { SiteSpec, WebServer } from '../ports.js';

/** SandboxSiteOptions are what the sandbox's server blocks listen on and serve besides the sites. */
export interface SandboxSiteOptions {
  listen: string;
  tlsListen: string;
  suspendedRoot: string;
  challengeDir: string;
}

/** SandboxWebServer writes each account's nginx server block into the data directory and reloads nothing. */
export class SandboxWebServer implements WebServer {
  constructor(
    private readonly sitesDir: string,
    private readonly opts: SandboxSiteOptions,
    private readonly logs: SiteLogs,
  ) {}

  async writeSite(site: SiteSpec): Promise<void> {
    const text = renderServerBlock({ ...site, ...this.opts, accessLog: this.logs.accessLog(site.user) });
    await mkdir(this.sitesDir, { recursive: true });
    // Beside every block, so that an nginx pointed at the directory knows the blocks' log format.
    await this.logs.writeLogFormat(this.sitesDir);
    await this.logs.prepare(site.user);
    await writeFileAtomic(this.sitePath(site.user), text);
  }

  async removeSite(user: string): Promise<void> {
    await rm(this.sitePath(user), { force: true });
    await this.logs.remove(user);
  }

  /** reload has no web server to signal in the sandbox: written files are all there is. */
  async reload(): Promise<void> {}

  /** requestReload, likewise, has nothing to ask. */
  async requestReload(): Promise<void> {}

  /** reopenLogs has no web server to signal in the sandbox either; its logs are never rotated. */
  async reopenLogs(): Promise<void> {}

  /** sitePath is where one account's server block lives. */
  sitePath(user: string): string {
    return join(this.sitesDir, `${user}.conf`);
  }
}
