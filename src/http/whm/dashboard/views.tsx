import type { DashboardSummary } from '../../../app/summarize-dashboard.js';
import { ACCOUNT_STATUSES } from '../../../domain/types.js';
import type { CertificateListing } from '../../../store/store.js';
import { AuditRows } from '../audit/views.js';
import { when } from '../../ui/kit.js';

/** CertificatesCard lists the certificates that failed, expired or end soon, with the CA's last error. */
function CertificatesCard(props: { certificates: CertificateListing[] }) {
  return (
    <section class="card" aria-labelledby="h-certificates">
      <h2 id="h-certificates">Certificates to check</h2>
      {props.certificates.length === 0 ? (
        <p>No certificate failed, and none expires within 14 days.</p>
      ) : (
        <ul>
          {props.certificates.map((c) => (
            <li>
              <a href={`/accounts/${c.account}`}>{c.domain}</a> {c.status}
              {c.notAfter ? `, expires ${when(c.notAfter)}` : ''}
              {c.lastError ? <div class="hint">{c.lastError}</div> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** DashboardPage shows accounts by status, plans in use, tokens worth a look and the latest changes. */
export function DashboardPage(props: { summary: DashboardSummary }) {
  const s = props.summary;
  return (
    <>
      <h1>Dashboard</h1>
      <div class="grid">
        <section class="card" aria-labelledby="h-accounts">
          <h2 id="h-accounts">Accounts</h2>
          <table>
            <tbody>
              {ACCOUNT_STATUSES.map((status) => (
                <tr>
                  <th scope="row">
                    <a href={`/accounts?status=${status}`}>{status}</a>
                  </th>
                  <td class="num">{s.accountsByStatus[status]}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            <a class="button" href="/accounts/new">
              Create an account
            </a>
          </p>
        </section>
        <section class="card" aria-labelledby="h-plans">
          <h2 id="h-plans">Plans in use</h2>
          {s.plans.length === 0 ? (
            <p>
              No plans yet. <a href="/plans">Add a plan</a>.
            </p>
          ) : (
            <table>
              <tbody>
                {s.plans.map((p) => (
                  <tr>
                    <th scope="row">
                      <a href={`/accounts?plan=${encodeURIComponent(p.plan.name)}`}>{p.plan.name}</a>
                    </th>
                    <td class="num">{`${p.accounts} account${p.accounts === 1 ? '' : 's'}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section class="card" aria-labelledby="h-tokens">
          <h2 id="h-tokens">Tokens to check</h2>
          {s.tokensToWatch.length === 0 ? (
            <p>No active token expires within 7 days, and every one has been used.</p>
          ) : (
            <ul>
              {s.tokensToWatch.map((t) => (
                <li>
                  <a href="/tokens">{t.token.name}</a>{' '}
                  {[t.expiresSoon ? `expires ${when(t.token.expiresAt)}` : '', t.neverUsed ? 'never used' : '']
                    .filter(Boolean)
                    .join(', ')}
                </li>
              ))}
            </ul>
          )}
          <p>
            <a href="/tokens/new">Issue a token</a>
          </p>
        </section>
        {s.certificates === null ? null : <CertificatesCard certificates={s.certificates} />}
      </div>
      <section aria-labelledby="h-recent">
        <h2 id="h-recent">Recent changes</h2>
        <AuditRows entries={s.recentAudit} caption="Recent audit entries" empty="Nothing has changed yet." />
        <p>
          <a href="/audit">The whole audit log</a>
        </p>
      </section>
    </>
  );
}
