import type { UsageFigures } from '../../domain/usage.js';
import { when } from './kit.js';
import { numberText } from './number-text.js';

/** mib renders a figure in MiB as the pages show it. */
export function mib(n: number): string {
  return `${numberText(n, 2)} MiB`;
}

/** usedText is a used figure next to its limit: "3 MiB of 100 MiB", "3 MiB, no limit", or "not measured yet". */
export function usedText(used: number | null, limit: number | null, unit: (n: number) => string): string {
  if (used === null) return `not measured yet${limit === null ? '' : `; the limit is ${unit(limit)}`}`;
  return `${unit(used)}${limit === null ? ', no limit' : ` of ${unit(limit)}`}`;
}

/** UsageRow is one limit of the plan next to what the account uses of it, with a meter when both are known. */
function UsageRow(props: { label: string; value: number | null; max: number | null; unit: (n: number) => string }) {
  const { value, max } = props;
  return (
    <tr>
      <th scope="row">{props.label}</th>
      <td>
        {usedText(value, max, props.unit)}
        {value !== null && max !== null && max > 0 ? (
          <meter min={0} max={max} low={max * 0.8} high={max * 0.95} optimum={0} value={Math.min(value, max)}>
            {`${Math.round((value / max) * 100)}%`}
          </meter>
        ) : null}
      </td>
    </tr>
  );
}

/** UsageTable is an account's disk, bandwidth this month and databases, each next to the plan's limit. */
export function UsageTable(props: { usage: UsageFigures }) {
  const u = props.usage;
  return (
    <table class="usage">
      <tbody>
        <UsageRow label="Disk" value={u.diskUsedMb} max={u.diskLimitMb} unit={mib} />
        <UsageRow label="Bandwidth this month" value={u.bandwidthUsedMb} max={u.bandwidthLimitMb} unit={mib} />
        <UsageRow label="Databases" value={u.databases} max={u.maxDatabases} unit={String} />
      </tbody>
    </table>
  );
}

/** usageAsOf says how fresh the figures are, or that they come from the background. */
export function usageAsOf(usage: UsageFigures): string {
  return usage.asOf === null
    ? 'Disk and bandwidth are measured in the background; the first figures appear shortly after the account is made.'
    : `Disk and bandwidth as measured ${when(usage.asOf)} or later.`;
}
