import { join } from 'node:path';
import type { DatabaseServer, HostDrivers } from '../ports.js';
import { NoQuota } from '../quota/setquota-quota.js';
import { SandboxSystemUsers } from './sandbox-system-users.js';
import { SandboxWebServer } from './sandbox-web-server.js';

/** SandboxPaths are the folders of the data directory the sandbox works in. */
export interface SandboxPaths {
  dataDir: string;
  listen: string;
  suspendedDir: string;
}

/** createSandboxDrivers builds the drivers of sandbox mode: real files inside the data directory, no system changes. */
export function createSandboxDrivers(
  paths: SandboxPaths,
  databases: DatabaseServer,
  now: () => Date,
): HostDrivers & {
  systemUsers: SandboxSystemUsers;
  webServer: SandboxWebServer;
} {
  const homeBase = join(paths.dataDir, 'homes');
  return {
    mode: 'sandbox',
    systemUsers: new SandboxSystemUsers(join(paths.dataDir, 'sandbox', 'users'), homeBase, now),
    webServer: new SandboxWebServer(join(paths.dataDir, 'nginx', 'sites'), paths.listen, paths.suspendedDir),
    databases,
    quota: new NoQuota('sandbox mode makes no Linux users'),
    homeOf: (user) => join(homeBase, user),
  };
}
