import type { ChainCheck } from '../../../domain/audit-chain.js';
import type { AuditEntry } from '../../../domain/types.js';
import { Field, FormMessage, type FormState } from '../../ui/form.js';
import { when } from '../../ui/kit.js';

/** FILTERS are the audit-log search fields, in the order the form shows them. */
export const FILTERS = ['action', 'actor', 'outcome', 'target', 'from', 'to'] as const;

/** withQuery is a link to `path` with the current filters and `extra` parameters. */
function withQuery(path: string, input: Record<string, string>, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const key of FILTERS) if (input[key]) params.set(key, input[key] ?? '');
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  const qs = params.toString();
  return qs === '' ? path : `${path}?${qs}`;
}

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

const SHOWN_BREAKS = 100;

/** ChainResult says whether the hash chain is intact, or lists where it breaks. */
function ChainResult(props: { check: ChainCheck }) {
  const { check } = props;
  if (check.ok)
    return <p>{`Intact: all ${check.entries} entries link up and none was changed after it was written.`}</p>;
  if (check.breakCount === 1) {
    return (
      <p role="alert">{`BROKEN at entry ${check.brokenAt ?? '?'}: ${check.reason}. The log has been tampered with or damaged.`}</p>
    );
  }
  const more = check.breakCount - Math.min(check.breaks.length, SHOWN_BREAKS);
  return (
    <>
      <p role="alert">{`BROKEN at ${check.breakCount} places in ${check.entries} entries. The log has been tampered with or damaged:`}</p>
      <ul>
        {check.breaks.slice(0, SHOWN_BREAKS).map((b) => (
          <li>{b.reason}</li>
        ))}
        {more > 0 ? <li>{`and ${more} more`}</li> : null}
      </ul>
    </>
  );
}

/** AuditPage is the Audit Log: the chain check, the filter form with the exports, one page of entries and the pager. */
export function AuditPage(props: {
  entries: readonly AuditEntry[];
  check: ChainCheck;
  form: FormState;
  input: Record<string, string>;
  filterOk: boolean;
  pageSize: number;
}) {
  const { entries, check, form, input, filterOk } = props;
  const last = entries[entries.length - 1];
  return (
    <>
      <h1>Audit Log</h1>
      <section class={`card ${check.ok ? 's-ok' : 's-bad'}`} aria-labelledby="h-chain" id="chain-check">
        <h2 id="h-chain">Hash chain</h2>
        <ChainResult check={check} />
      </section>
      <form class="card" method="get" action="/audit" aria-label="Filter the audit log">
        <FormMessage form={form} />
        <div class="grid">
          <Field form={form} name="action" label="Action" placeholder="account.create" autocomplete="off" />
          <Field form={form} name="actor" label="Actor" placeholder="admin:alice or billing" autocomplete="off" />
          <Field form={form} name="outcome" label="Outcome" placeholder="ok or an error code" autocomplete="off" />
          <Field form={form} name="target" label="Target" placeholder="an account user name" autocomplete="off" />
          <Field form={form} name="from" label="From (UTC date)" type="date" />
          <Field form={form} name="to" label="To (UTC date, included)" type="date" />
        </div>
        <p class="actions">
          <button type="submit">Filter</button>
          <a href="/audit">Clear</a>
          {filterOk ? (
            <>
              <a class="button secondary" href={withQuery('/audit/export.csv', input)} download>
                Export CSV
              </a>
              <a class="button secondary" href={withQuery('/audit/export.jsonl', input)} download>
                Export JSON Lines
              </a>
            </>
          ) : null}
        </p>
      </form>
      <AuditRows entries={entries} caption="Audit entries, newest first" />
      <nav class="pager" aria-label="Pages">
        {input.before ? <a href={withQuery('/audit', input)}>Newest entries</a> : null}
        {last && entries.length === props.pageSize ? (
          <a href={withQuery('/audit', input, { before: String(last.id) })}>Older entries</a>
        ) : null}
      </nav>
    </>
  );
}
