import type { FastifyInstance } from 'fastify';
import { summarizeDashboard } from '../../app/summarize-dashboard.js';
import { ACCOUNT_STATUSES, type AuditEntry } from '../../domain/types.js';
import { type PageDeps, sendPage, when } from './kit.js';

/** AuditRows is a compact table of audit entries, used on the dashboard and the Audit Log. */
export function AuditRows(props: { entries: readonly AuditEntry[]; caption: string; empty?: string }) {
  if (props.entries.length === 0) return <p>{props.empty ?? 'No audit entries match.'}</p>;
  return (
    <div class="table-wrap">
      <table class="responsive">
        <caption class="skip">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">When</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Outcome</th>
            <th scope="col">Address</th>
          </tr>
        </thead>
        <tbody>
          {props.entries.map((e) => (
            <tr>
              <td data-label="#">{e.id}</td>
              <td data-label="When">{when(e.at)}</td>
              <td data-label="Actor" class="mono">{`${e.actor.type}:${e.actor.name}`}</td>
              <td data-label="Action" class="mono">
                {e.action}
              </td>
              <td data-label="Target">{e.target ?? '—'}</td>
              <td data-label="Outcome">
                <span class={`badge ${e.outcome === 'ok' ? 's-ok' : 's-bad'}`}>{e.outcome}</span>
              </td>
              <td data-label="Address" class="mono">
                {e.ip ?? '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** registerDashboard serves `/`: accounts by status, plans in use, recent changes and tokens worth a look. */
export function registerDashboard(scope: FastifyInstance, deps: PageDeps): void {
  scope.get('/', async (req, reply) => {
    const s = await summarizeDashboard(deps.ctx);
    const content = (
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
    return sendPage(deps, req, reply, 'Dashboard', content);
  });
}
