import { join } from 'node:path';
import type { DatabaseServer, HostDrivers } from '../ports.js';
import { NginxTrafficLogs } from '../traffic/nginx-traffic-logs.js';
import { NoQuota } from '../quota/setquota-quota.js';
import { SandboxPhpPools } from './sandbox-php-pools.js';
import { SandboxSystemUsers } from './sandbox-system-users.js';
import { SandboxWebServer } from './sandbox-web-server.js';
import { CertificateDir } from '../tls/certificate-dir.js';

/** SandboxPaths are the folders of the data directory the sandbox works in. */
export interface SandboxPaths {
  dataDir: string;
  listen: string;
  /** tlsListen is what server blocks with a certificate listen on for TLS. */
  tlsListen: string;
  suspendedDir: string;
  /** trafficDir holds the accounts' traffic logs, which their server blocks name. */
  trafficDir: string;
  /** certDir and challengeDir hold the accounts' certificates and the ACME challenge answers. */
  certDir: string;
  challengeDir: string;
  /** phpWebGroup is the group the rendered pools give their sockets (nginx's worker group); www-data when omitted. */
  phpWebGroup?: string;
}

/** createSandboxDrivers builds the drivers of sandbox mode: real files inside the data directory, no system changes. */
export function createSandboxDrivers(
  paths: SandboxPaths,
  databases: DatabaseServer,
  now: () => Date,
): HostDrivers & {
  systemUsers: SandboxSystemUsers;
  webServer: SandboxWebServer;
  php: SandboxPhpPools;
} {
  const homeBase = join(paths.dataDir, 'homes');
  const trafficLogs = new NginxTrafficLogs({ dir: paths.trafficDir, buffer: null, reopen: async () => {} });
  return {
    mode: 'sandbox',
    systemUsers: new SandboxSystemUsers(join(paths.dataDir, 'sandbox', 'users'), homeBase, now),
    webServer: new SandboxWebServer(
      join(paths.dataDir, 'nginx', 'sites'),
      {
        listen: paths.listen,
        tlsListen: paths.tlsListen,
        suspendedRoot: paths.suspendedDir,
        challengeDir: paths.challengeDir,
      },
      trafficLogs,
    ),
    databases,
    quota: new NoQuota('sandbox mode makes no Linux users'),
    php: new SandboxPhpPools(
      join(paths.dataDir, 'php', 'pool.d'),
      join(paths.dataDir, 'php', 'run'),
      paths.phpWebGroup ?? 'www-data',
    ),
    trafficLogs,
    certificates: new CertificateDir(paths.certDir, paths.challengeDir),
    homeOf: (user) => join(homeBase, user),
  };
}
