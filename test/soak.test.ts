import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { VANTA_BIN, runVanta } from './support/cli.js';

// Finding (issue 9): on Node 24.19+ better-sqlite3 12 aborted the process from a statement's
// destructor when a collection that the allocator started freed one. This soak drives the real
// server with mixed traffic, a young generation of 1 MiB (so such collections come every few
// requests) and a forced full collection every second; on the old stack the server died at once.
const SOAK_MS = Number(process.env.VANTA_SOAK_SECONDS || 60) * 1000;
const GC_PRELOAD = fileURLToPath(new URL('./support/gc-pressure.mjs', import.meta.url));
const CRASH_RE = /Assertion failed|Aborted|SIGABRT|Segmentation fault|FATAL ERROR|node::/;

describe('soak: a minute of API, vWHM and CLI traffic under forced garbage collection', () => {
  let dir: string;
  let server: ChildProcess;
  let output = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let panel = '';
  let whm = '';
  let adminAuth = '';
  let token = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vanta-soak-'));
    const issued = await runVanta(dir, [
      'token',
      'create',
      '--name',
      'soak',
      '--scopes',
      'accounts:read,accounts:write,accounts:delete',
      '--json',
    ]);
    assert.equal(issued.code, 0, issued.stderr);
    token = JSON.parse(issued.stdout).token;
    server = spawn(
      process.execPath,
      ['--expose-gc', '--max-semi-space-size=1', '--import', GC_PRELOAD, VANTA_BIN, 'serve'],
      {
        env: {
          PATH: process.env.PATH ?? '',
          VANTA_DATA_DIR: dir,
          VANTA_ACME_DIRECTORY: 'off',
          VANTA_PANEL_PORT: '0',
          VANTA_WHM_PORT: '0',
          VANTA_LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    server.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    server.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    server.on('exit', (code, signal) => {
      exit = { code, signal };
    });
    const started = Date.now();
    while (!/Vanta Panel started/.test(output)) {
      assert.equal(exit, null, `the server exited before it started:\n${output}`);
      assert.ok(Date.now() - started < 30_000, `the server did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const line = JSON.parse(output.split('\n').find((l) => l.includes('Vanta Panel started')) ?? '{}');
    const port = (list: string[] | { port: number }[]) => (list as { port: number }[])[0]?.port;
    panel = `http://127.0.0.1:${port(line.panel)}`;
    whm = `http://127.0.0.1:${port(line.whm)}`;
    const password = /with password: (\S+)/.exec(output)?.[1];
    assert.ok(password, 'no first admin password was printed');
    adminAuth = `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;
  });

  after(async () => {
    if (exit === null) server.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps answering, never aborts, and stops cleanly', async () => {
    const deadline = Date.now() + SOAK_MS;
    const failures: string[] = [];
    const counts = { api: 0, whm: 0, cli: 0 };
    const api = async (method: string, query: string, body?: unknown) => {
      const res = await fetch(`${panel}/?${query}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      counts.api++;
      if (res.status >= 500) failures.push(`${method} ${query} → ${res.status} ${await res.text()}`);
      else await res.arrayBuffer();
      return res.status;
    };
    const apiLoop = async (worker: number) => {
      for (let n = 0; Date.now() < deadline; n++) {
        const user = `soak${worker}x${n}`;
        await api('GET', 'api=ping');
        assert.equal(
          await api('POST', 'api=accounts', { user, domain: `${user}.example`, password: 'a-Long-soak-password' }),
          201,
        );
        await api('GET', 'api=accounts&limit=50');
        await api('POST', `api=account&action=suspend&user=${user}`, { reason: 'soak' });
        await api('GET', `api=account&user=${user}`);
        await api('POST', `api=account&action=unsuspend&user=${user}`);
        if (n % 2 === 0) await api('DELETE', `api=account&user=${user}`);
      }
    };
    const whmLoop = async () => {
      const pages = ['/', '/accounts', '/tokens', '/plans', '/audit', '/admins'];
      for (let n = 0; Date.now() < deadline; n++) {
        const page = pages[n % pages.length] ?? '/';
        const res = await fetch(`${whm}${page}`, { headers: { authorization: adminAuth } });
        counts.whm++;
        if (res.status !== 200) failures.push(`vWHM ${page} → ${res.status}`);
        await res.arrayBuffer();
      }
    };
    const cliLoop = async () => {
      const commands = [
        ['token', 'list', '--json'],
        ['account', 'list', '--json'],
        ['audit', 'list', '--limit', '5'],
        ['plan', 'list'],
      ];
      for (let n = 0; Date.now() < deadline; n++) {
        const args = commands[n % commands.length] ?? [];
        const run = await runVanta(dir, args);
        counts.cli++;
        if (run.code !== 0) failures.push(`vanta ${args.join(' ')} → ${run.code} ${run.stderr}`);
      }
    };
    await Promise.all([apiLoop(1), apiLoop(2), whmLoop(), cliLoop()]);

    assert.deepEqual(failures, []);
    assert.equal(exit, null, `the server exited during the soak:\n${output.slice(-4000)}`);
    assert.equal(await api('GET', 'api=ping'), 200);
    assert.doesNotMatch(output, CRASH_RE);
    assert.ok(counts.api > 50 && counts.whm > 50 && counts.cli > 5, `too little traffic: ${JSON.stringify(counts)}`);
    const verify = await runVanta(dir, ['audit', 'verify']);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);

    server.kill('SIGTERM');
    while (exit === null) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(exit, { code: 0, signal: null }, output.slice(-4000));
    assert.doesNotMatch(output, CRASH_RE);
  });
});
