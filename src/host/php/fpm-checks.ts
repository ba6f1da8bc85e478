/** DEFAULT_FPM_CONFIG is Debian's php-fpm main configuration, read when no `-y` is given. */
export const DEFAULT_FPM_CONFIG = '/etc/php/8.2/fpm/php-fpm.conf';

/** mainConfigPath is the main configuration php-fpm reads with these extra arguments (`-y FILE` or `--fpm-config FILE`). */
export function mainConfigPath(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if ((arg === '-y' || arg === '--fpm-config') && args[i + 1]) return args[i + 1] ?? DEFAULT_FPM_CONFIG;
    if (arg.startsWith('--fpm-config=')) return arg.slice('--fpm-config='.length);
  }
  return DEFAULT_FPM_CONFIG;
}

/**
 * includesPoolDir tells whether a php-fpm main configuration includes exactly `<poolDir>/*.conf`.
 * Only that glob will do: a wider one (`*`) would load the pools the panel keeps aside (`.disabled`)
 * and its half-written temporary files.
 */
export function includesPoolDir(conf: string, poolDir: string): boolean {
  const want = `${poolDir.replace(/\/+$/, '')}/*.conf`;
  return conf
    .split('\n')
    .map((line) => line.replace(/;.*/, '').trim())
    .some((line) => {
      const m = /^include\s*=\s*(.+)$/.exec(line);
      return m !== null && (m[1] ?? '').replace(/^["']|["']$/g, '').trim() === want;
    });
}

/** FpmDump is what the start-up checks need from `php-fpm -tt`: the resolved global settings and the pools. */
export interface FpmDump {
  pidFile: string | null;
  /** processControlTimeoutSec is 0 on Debian: every reload then cuts the requests in flight on every site. */
  processControlTimeoutSec: number | null;
  pools: string[];
}

/** parseFpmDump reads the `NOTICE:` lines `php-fpm -tt` prints (on stderr). */
export function parseFpmDump(text: string): FpmDump {
  const dump: FpmDump = { pidFile: null, processControlTimeoutSec: null, pools: [] };
  let section = '';
  for (const raw of text.split('\n')) {
    const m = /NOTICE:\s*(.*)$/.exec(raw);
    const line = m?.[1]?.trim() ?? '';
    const head = /^\[([^\]]+)\]$/.exec(line);
    if (head) {
      section = head[1] ?? '';
      if (section !== 'global') dump.pools.push(section);
      continue;
    }
    const kv = /^([a-z_.]+) = (.*)$/.exec(line);
    if (!kv || section !== 'global') continue;
    if (kv[1] === 'pid') dump.pidFile = kv[2] === 'undefined' ? null : (kv[2] ?? null);
    if (kv[1] === 'process_control_timeout') {
      const s = /^(\d+)s$/.exec(kv[2] ?? '');
      dump.processControlTimeoutSec = s ? Number(s[1]) : null;
    }
  }
  return dump;
}
