import type { OwnerSummary } from '../../../app/summarize-owner-account.js';
import { type CertificateState, shownStatus } from '../../../domain/certificates.js';
import { Csrf } from '../../ui/form.js';
import { when } from '../../ui/kit.js';
import { UsageTable, usageAsOf } from '../../ui/usage.js';

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function limitText(limit: number | null, unit: (n: number) => string): string {
  return limit === null ? 'no limit' : unit(limit);
}

/** HttpsCard shows the site's certificate and a button that asks for one now. */
function HttpsCard(props: { certificate: CertificateState | null; domain: string; csrf: string; now: Date }) {
  const c = props.certificate;
  const status = c === null ? 'none' : shownStatus(c, props.now);
  return (
    <section class="card" aria-labelledby="h-https">
      <h2 id="h-https">HTTPS</h2>
      <dl class="facts">
        <dt>Certificate</dt>
        <dd>{status === 'none' ? 'none yet' : status}</dd>
        {c?.notAfter ? (
          <>
            <dt>Valid until</dt>
            <dd>{when(c.notAfter)}</dd>
          </>
        ) : null}
        {c?.lastError && status !== 'valid' ? (
          <>
            <dt>Last error</dt>
            <dd>{c.lastError}</dd>
          </>
        ) : null}
        {c?.nextAttemptAt && status !== 'valid' ? (
          <>
            <dt>Next attempt</dt>
            <dd>{when(c.nextAttemptAt)}</dd>
          </>
        ) : null}
      </dl>
      <form method="post" action="/certificate">
        <Csrf token={props.csrf} />
        <p class="hint">{`Covers ${props.domain} and www.${props.domain}; renewed on its own before it expires.`}</p>
        <p>
          <button type="submit" class="secondary">
            Issue certificate
          </button>
        </p>
      </form>
    </section>
  );
}

/** DashboardPage is the owner's account at a glance: domain, status, the plan's limits next to use, sign-ins, HTTPS. */
export function DashboardPage(props: { summary: OwnerSummary; csrf: string; now: Date }) {
  const { account, plan, usage, previousSignIn, twoFactorOn, certificate } = props.summary;
  return (
    <>
      <h1>
        <a href={`http://${account.domain}/`}>{account.domain}</a>{' '}
        <span class={`badge s-${account.status}`}>{account.status}</span>
      </h1>
      <div class="grid">
        <section class="card" aria-labelledby="h-plan">
          <h2 id="h-plan">{plan === null ? 'No plan: no limits' : `Plan ${plan.name}`}</h2>
          <UsageTable usage={usage} />
          {plan === null ? null : (
            <dl class="facts">
              <dt>Addon domains</dt>
              <dd>{limitText(plan.maxAddonDomains, String)}</dd>
              <dt>Email accounts</dt>
              <dd>{limitText(plan.maxEmailAccounts, String)}</dd>
              <dt>Shell access</dt>
              <dd>{plan.shell ? 'yes' : 'no'}</dd>
            </dl>
          )}
          <p class="hint">{usageAsOf(usage)}</p>
        </section>
        <section class="card" aria-labelledby="h-security">
          <h2 id="h-security">Sign-in</h2>
          <dl class="facts">
            <dt>User name</dt>
            <dd class="mono">{account.user}</dd>
            <dt>Last sign-in</dt>
            <dd>
              {previousSignIn === null
                ? 'none before this one'
                : `${when(previousSignIn.at)}${previousSignIn.ip === null ? '' : ` from ${previousSignIn.ip}`}`}
            </dd>
            <dt>Two-factor</dt>
            <dd>
              <a href="/two-factor">{twoFactorOn ? 'on' : 'off'}</a>
            </dd>
          </dl>
          <p class="actions">
            <a class="button secondary" href="/password">
              Change password
            </a>
            <a class="button secondary" href="/databases">
              {count(usage.databases, 'database', 'databases')}
            </a>
          </p>
        </section>
        {certificate === undefined ? null : (
          <HttpsCard certificate={certificate} domain={account.domain} csrf={props.csrf} now={props.now} />
        )}
      </div>
    </>
  );
}
