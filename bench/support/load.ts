import autocannon from 'autocannon';

/** CONNECTIONS is the load: 32 concurrent keep-alive connections. */
export const CONNECTIONS = 32;

/** Rate is one load run's outcome: good answers a second, and anything that was not one. */
export interface Rate {
  perSecond: number;
  requests: number;
  seconds: number;
  failures: number;
}

/** hammer runs autocannon against one URL and counts 2xx answers only. */
export async function hammer(
  url: string,
  headers: Record<string, string>,
  seconds: number,
  connections = CONNECTIONS,
): Promise<Rate> {
  const r = await autocannon({ url, connections, duration: seconds, headers });
  const failures = r.errors + r.timeouts + r.non2xx;
  return { perSecond: r['2xx'] / r.duration, requests: r['2xx'], seconds: r.duration, failures };
}

/** Pairing is the plan of one panel-versus-bare comparison. */
export interface Pairing {
  panelUrl: string;
  bareUrl: string;
  headers: Record<string, string>;
  warmupSeconds: number;
  /** rounds of one panel run and one bare run each, in ABBA order so a drift in the machine's load cancels. */
  rounds: number;
  seconds: number;
  /** connections kept open by the load; CONNECTIONS when omitted. */
  connections?: number;
}

/** Comparison is the summed outcome of both sides of a pairing. */
export interface Comparison {
  panel: Rate;
  bare: Rate;
  ratio: number;
}

/** compare loads the panel and the bare server in turn, never both at once, and sums each side's runs. */
export async function compare(p: Pairing): Promise<Comparison> {
  const run = (url: string, seconds: number) => hammer(url, p.headers, seconds, p.connections);
  await run(p.panelUrl, p.warmupSeconds);
  await run(p.bareUrl, Math.max(1, p.warmupSeconds / 2));
  const panel: Rate[] = [];
  const bare: Rate[] = [];
  for (let i = 0; i < p.rounds; i++) {
    const order = i % 2 === 0 ? (['panel', 'bare'] as const) : (['bare', 'panel'] as const);
    for (const side of order) {
      if (side === 'panel') panel.push(await run(p.panelUrl, p.seconds));
      else bare.push(await run(p.bareUrl, p.seconds));
    }
  }
  const sum = (rs: Rate[]): Rate => {
    const requests = rs.reduce((a, r) => a + r.requests, 0);
    const seconds = rs.reduce((a, r) => a + r.seconds, 0);
    return { requests, seconds, perSecond: requests / seconds, failures: rs.reduce((a, r) => a + r.failures, 0) };
  };
  const ps = sum(panel);
  const bs = sum(bare);
  return { panel: ps, bare: bs, ratio: ps.perSecond / bs.perSecond };
}
