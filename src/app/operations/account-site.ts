import { type CertificateState, sameDomains, siteDomains } from '../../domain/certificates.js';
import type { PhpSettings } from '../../domain/php.js';
import type { PhpPoolSpec, SiteSpec, SiteTls, WebServer } from '../../host/ports.js';
import type { AppContext } from '../ports.js';
import type { Step } from '../steps.js';

/**
 * siteOf is the account's site as the web server serves it: `*.php` goes to its pool only while PHP
 * is on, and TLS is served with the installed certificate, only while it is for the account's names.
 */
export async function siteOf(
  ctx: AppContext,
  user: string,
  domain: string,
  state: { suspended: boolean; php: boolean },
): Promise<SiteSpec> {
  return {
    user,
    domain,
    root: `${ctx.host.homeOf(user)}/public_html`,
    suspended: state.suspended,
    phpSocket: state.php ? ctx.host.php.socketPath(user) : null,
    tls: siteTls(ctx, user, domain, await ctx.store.certificates.get(user)),
  };
}

/** siteTls is the pair a site serves: the installed version of a certificate for exactly the account's names. */
export function siteTls(
  ctx: AppContext,
  user: string,
  domain: string,
  cert: CertificateState | undefined,
): SiteTls | null {
  if (!cert?.version || !sameDomains(cert.domains, siteDomains(domain))) return null;
  return { ...ctx.host.certificates.pathsOf(user, cert.version), forceHttps: cert.forceHttps };
}

/** poolOf is the account's PHP pool with its plan's limits. */
export function poolOf(ctx: AppContext, user: string, php: PhpSettings): PhpPoolSpec {
  return { user, home: ctx.host.homeOf(user), maxChildren: php.maxChildren, memoryMb: php.memoryMb };
}

/**
 * putPool writes the account's pool; the pool of a suspended account is written out of service (a
 * pool kept aside stays aside, a new one is written aside, so that no reload meanwhile can load it).
 */
export async function putPool(ctx: AppContext, user: string, php: PhpSettings, suspended: boolean): Promise<void> {
  await ctx.host.php.writePool({ ...poolOf(ctx, user, php), aside: suspended });
  if (suspended) await ctx.host.php.disablePool(user);
}

/**
 * dropPool removes the account's pool, reloads PHP-FPM and ends the pool's workers. The reload is
 * skipped when there was no pool and the account's PHP was off (`wasOn`): with PHP off in every
 * plan, PHP-FPM is never called and need not be installed.
 */
export async function dropPool(ctx: AppContext, user: string, wasOn: boolean): Promise<void> {
  const found = await ctx.host.php.removePool(user);
  if (found || wasOn) await ctx.host.php.reload();
  await ctx.host.php.endWorkers(user, ctx.host.homeOf(user));
}

/** parkPool takes the account's pool out of service (suspend), keeping it aside, and ends its workers. */
export async function parkPool(ctx: AppContext, user: string): Promise<void> {
  await ctx.host.php.disablePool(user);
  await ctx.host.php.reload();
  await ctx.host.php.endWorkers(user, ctx.host.homeOf(user));
}

/**
 * unparkPool puts the account's pool back into service (unsuspend). It is rewritten first: with its
 * plan's limits of today, and made when it is not there (an account suspended before it had PHP).
 */
export async function unparkPool(ctx: AppContext, user: string, php: PhpSettings): Promise<void> {
  await ctx.host.php.writePool(poolOf(ctx, user, php));
  await ctx.host.php.enablePool(user);
  await ctx.host.php.reload();
}

/**
 * reloadStep has the web server load what the steps before it wrote. Undone, it reloads again once the
 * other undos have put the sites back; failed, it asks for one more reload, unwaited, after them: a master
 * that took the failed reload late must not be left serving what the undos took back.
 */
export function reloadStep(webServer: WebServer): Step {
  return {
    name: 'reload',
    run: () => webServer.reload(),
    undo: () => webServer.reload(),
    undoLast: true,
    undoFailed: () => webServer.requestReload(),
  };
}
