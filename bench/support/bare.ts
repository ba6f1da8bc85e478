import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BareReply, BareToken } from '../bare-server.js';
import { PANEL_NODE, type Reply } from './panel-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// Headers each server writes for itself on every answer; everything else is replayed as recorded.
const OWN_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

/** replayHeaders picks the recorded headers the bare server sends as they are. */
export function replayHeaders(rawHeaders: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? '';
    if (!OWN_HEADERS.has(name.toLowerCase())) out.push([name, rawHeaders[i + 1] ?? '']);
  }
  return out;
}

/** BareServer is the parent's handle on bench/bare-server.ts, running on the panel's Node. */
export class BareServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  /**
   * start starts the bare node:http server; `fastify` serves the same answers through a bare Fastify app,
   * `required` from node:http doing only what every API call must (see bare-server.ts), its files in a directory.
   */
  static async start(kind: 'bare' | 'fastify' | { required: string } = 'bare'): Promise<BareServer> {
    const script = fileURLToPath(new URL('../bare-server.ts', import.meta.url));
    const flags = kind === 'bare' ? [] : kind === 'fastify' ? ['--fastify'] : ['--required', kind.required];
    const child = spawn(PANEL_NODE, ['--import', 'tsx', script, ...flags], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
      child.once('message', (m: { port?: number }) => (m.port ? resolve(m.port) : reject(new Error('no port'))));
    });
    child.removeAllListeners('exit');
    return new BareServer(child, port);
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** answer makes the server answer `path` with exactly the recorded reply. */
  answer(path: string, reply: Reply): Promise<void> {
    const msg: BareReply = {
      path,
      status: reply.status,
      headers: replayHeaders(reply.rawHeaders),
      bodyBase64: reply.body.toString('base64'),
    };
    return this.send(msg, path);
  }

  /** accept makes the `required` server take a token, by the digest the panel stores. */
  accept(tokenHash: string): Promise<void> {
    return this.send({ tokenHash } satisfies BareToken, tokenHash);
  }

  private send(msg: BareReply | BareToken, added: string): Promise<void> {
    return new Promise((resolve) => {
      const onMessage = (m: { added?: string }) => {
        if (m.added !== added) return;
        this.child.off('message', onMessage);
        resolve();
      };
      this.child.on('message', onMessage);
      this.child.send(msg);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}
