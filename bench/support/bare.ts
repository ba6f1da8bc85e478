import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BareReply } from '../bare-server.js';
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

  /** start starts the bare node:http server, or with `fastify` the same answers through a bare Fastify app. */
  static async start(fastify = false): Promise<BareServer> {
    const script = fileURLToPath(new URL('../bare-server.ts', import.meta.url));
    const child = spawn(PANEL_NODE, ['--import', 'tsx', script, ...(fastify ? ['--fastify'] : [])], {
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
    return new Promise((resolve) => {
      const onMessage = (m: { added?: string }) => {
        if (m.added !== path) return;
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
