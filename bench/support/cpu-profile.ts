import { existsSync, readFileSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** CallFrame is where a sampled function is: V8's lines and columns count from 0. */
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber?: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** origin names where a sampled function lives: a package, Node itself, the panel's own code, or V8's buckets. */
export function origin(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1] ?? url;
  if (url.startsWith('node:')) return 'node: (Node core)';
  const own = /\/(dist|src)\/(.+)$/.exec(url);
  if (own) return `panel ${own[2]}`;
  return url;
}

/** Place is a frame's file and line as the summary names them: in the original source when a source map says. */
type Place = { url: string; lineNumber: number };

/**
 * sourceMapped places frames of a bundled file (dist/vanta.js and its chunks) in the files they
 * were bundled from, the panel's own or a package's, through the source map beside the file;
 * other frames keep their place.
 */
export function sourceMapped(): (frame: CallFrame) => Place {
  const maps = new Map<string, SourceMap | null>();
  const mapOf = (url: string): SourceMap | null => {
    let map = maps.get(url);
    if (map === undefined) {
      const file = url.startsWith('file:') ? `${fileURLToPath(url)}.map` : null;
      map = file && existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, 'utf8'))) : null;
      maps.set(url, map);
    }
    return map;
  };
  return (frame) => {
    const entry = mapOf(frame.url)?.findEntry(frame.lineNumber, frame.columnNumber ?? 0);
    if (!entry || !('originalSource' in entry)) return frame;
    return { url: new URL(entry.originalSource, frame.url).href, lineNumber: entry.originalLine };
  };
}

/** summarizeProfile lists the largest shares of the main thread's busy time by origin and by function. */
export function summarizeProfile(
  profile: Profile,
  top = 12,
  place: (frame: CallFrame) => Place = (frame) => frame,
): string[] {
  const byNode = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    byNode.set(id, (byNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const byOrigin = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let sampled = 0;
  let busy = 0;
  for (const node of profile.nodes) {
    const t = byNode.get(node.id) ?? 0;
    sampled += t;
    // Idle time is the event loop waiting (start-up, the bare server's turns): not the panel's work.
    if (t === 0 || node.callFrame.functionName === '(idle)') continue;
    busy += t;
    const { functionName } = node.callFrame;
    const { url, lineNumber } = place(node.callFrame);
    const o = origin(url, functionName);
    byOrigin.set(o, (byOrigin.get(o) ?? 0) + t);
    const fn = `${functionName || '(anonymous)'} ${o}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + t);
  }
  const list = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `  ${((v / (busy || 1)) * 100).toFixed(1).padStart(5)}%  ${k}`);
  return [
    `main thread busy ${(busy / 1e6).toFixed(1)} s of ${(sampled / 1e6).toFixed(1)} s sampled; self time by origin:`,
    ...list(byOrigin),
    'self time by function:',
    ...list(byFunction),
  ];
}

/** summarizeProfiles summarises every .cpuprofile file in a directory. */
export async function summarizeProfiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const place = sourceMapped();
  for (const name of (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile')).sort()) {
    const profile = JSON.parse(await readFile(join(dir, name), 'utf8')) as Profile;
    out.push(`${join(dir, name)}:`, ...summarizeProfile(profile, 12, place));
  }
  return out;
}
