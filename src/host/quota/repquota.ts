/**
 * repquotaArgs asks `repquota` for every user's figures on one filesystem as comma-separated
 * values, names resolved and never truncated.
 */
export function repquotaArgs(mountPoint: string): string[] {
  return ['-u', '-O', 'csv', mountPoint];
}

/**
 * parseRepquota reads `repquota -u -O csv` output. Its header names the columns (`User`, then the
 * space columns, called `Block…` or `Space…` by version: `BlockUsed` or `SpaceUsed` counts KiB);
 * each following row is one user. Returns bytes used per user name; a row whose name is a bare
 * `#uid` (no such user) or whose figure is not a number is skipped.
 */
export function parseRepquota(text: string): Map<string, number> {
  const out = new Map<string, number>();
  let usedColumn = -1;
  for (const line of text.split('\n')) {
    const fields = line.trim().split(',');
    const used = fields.findIndex((f) => f === 'BlockUsed' || f === 'SpaceUsed');
    if (fields[0] === 'User' && used !== -1) {
      usedColumn = used;
      continue;
    }
    const name = fields[0];
    const figure = fields[usedColumn];
    if (usedColumn === -1 || !name || name.startsWith('#') || figure === undefined || !/^\d+$/.test(figure)) continue;
    out.set(name, Number(figure) * 1024);
  }
  return out;
}
