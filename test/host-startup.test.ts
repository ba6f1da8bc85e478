import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runVanta } from './support/cli.js';
import { hostModeSkip } from './support/host-mode.js';
import { NGINX_BIN } from './support/nginx.js';

const skip = hostModeSkip();

describe('host mode refuses to start, in one line, where it cannot work', { skip: skip ?? false }, () => {
  let dir: string;
  let nginxArgs: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vanta-startup-'));
    for (const d of ['homes', 'sites', 'nginx/logs', 'other']) await mkdir(join(dir, d), { recursive: true });
    nginxArgs = `-p ${join(dir, 'nginx')} -c ${join(dir, 'nginx', 'nginx.conf')} -e ${join(dir, 'nginx', 'logs', 'error.log')}`;
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function nginxConf(httpBody: string): Promise<void> {
    await writeFile(
      join(dir, 'nginx', 'nginx.conf'),
      `pid ${join(dir, 'nginx', 'nginx.pid')};\nevents {}\nhttp {\n${httpBody}\n}\n`,
    );
  }

  async function serve(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
    return runVanta(join(dir, 'data'), ['serve'], undefined, {
      VANTA_MODE: 'host',
      VANTA_HOME_BASE: join(dir, 'homes'),
      VANTA_NGINX_SITES_DIR: join(dir, 'sites'),
      VANTA_NGINX_BIN: NGINX_BIN,
      VANTA_NGINX_ARGS: nginxArgs,
      VANTA_PANEL_PORT: '0',
      VANTA_WHM_PORT: '0',
      ...env,
    });
  }

  const table: { name: string; conf: string; env?: Record<string, string>; want: RegExp }[] = [
    {
      name: 'nginx is missing',
      conf: 'include SITES/*.conf;',
      env: { VANTA_NGINX_BIN: '/nonexistent/nginx' },
      want: /needs these programs on PATH: \/nonexistent\/nginx/,
    },
    {
      name: 'the homes base is missing',
      conf: 'include SITES/*.conf;',
      env: { VANTA_HOME_BASE: '/nonexistent-homes' },
      want: /VANTA_HOME_BASE \/nonexistent-homes is not a directory/,
    },
    {
      name: 'the nginx configuration is invalid',
      conf: 'include SITES/*.conf; no_such_directive on;',
      want: /nginx configuration is not valid/,
    },
    {
      name: 'nginx does not include the sites directory',
      conf: 'include OTHER/*.conf;',
      want: /nginx does not include the sites directory; add "include .*\/sites\/\*\.conf;"/,
    },
  ];
  for (const row of table) {
    test(row.name, async () => {
      await nginxConf(row.conf.replace('SITES', join(dir, 'sites')).replace('OTHER', join(dir, 'other')));
      const r = await serve(row.env ?? {});
      assert.equal(r.code, 78, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0] ?? '', row.want);
    });
  }
});
