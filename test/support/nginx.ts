import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** NGINX_BIN is the nginx binary the tests drive (Debian's, installed by scripts/test-deps.sh). */
export const NGINX_BIN = process.env.VANTA_TEST_NGINX ?? '/usr/sbin/nginx';

/** freePort asks the kernel for a loopback port that is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** PrivateNginx is an nginx instance of the test's own, on a loopback port, serving a sites directory. */
export class PrivateNginx {
  private child: ChildProcess | null = null;
  readonly args: string[];

  /**
   * workerUser is who the workers run as when the test runs as root: root by default, so that they
   * read the test's temporary files; host-mode rigs pass the system's own (www-data), as a provider's nginx runs.
   */
  constructor(
    readonly prefix: string,
    readonly port: number,
    sitesDir: string,
    workerUser = 'root',
  ) {
    for (const d of ['logs', 'tmp']) mkdirSync(join(prefix, d), { recursive: true });
    const user = process.getuid?.() === 0 ? `user ${workerUser};\n` : '';
    writeFileSync(
      join(prefix, 'nginx.conf'),
      `${user}worker_processes 1;
daemon off;
pid ${join(prefix, 'nginx.pid')};
error_log ${prefix}/logs/error.log notice;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path ${prefix}/tmp/body;
    proxy_temp_path ${prefix}/tmp/proxy;
    fastcgi_temp_path ${prefix}/tmp/fastcgi;
    uwsgi_temp_path ${prefix}/tmp/uwsgi;
    scgi_temp_path ${prefix}/tmp/scgi;
    server {
        listen 127.0.0.1:${port} default_server;
        return 404;
    }
    include ${sitesDir}/*.conf;
}
`,
    );
    this.args = ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'logs', 'error.log')];
  }

  /** pidFile is where the master writes its pid (the `pid` of its configuration). */
  get pidFile(): string {
    return join(this.prefix, 'nginx.pid');
  }

  /** test runs `nginx -t` and returns its exit status and output. */
  async test(): Promise<{ ok: boolean; output: string }> {
    try {
      const r = await run(NGINX_BIN, [...this.args, '-t']);
      return { ok: true, output: r.stderr };
    } catch (err) {
      return { ok: false, output: String((err as { stderr?: string }).stderr ?? err) };
    }
  }

  async start(): Promise<void> {
    this.child = spawn(NGINX_BIN, this.args, { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if ((await get(this.port, 'nothing.invalid').catch(() => null)) !== null) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('private nginx did not start');
  }

  async reload(): Promise<void> {
    await run(NGINX_BIN, [...this.args, '-s', 'reload']);
  }

  async stop(): Promise<void> {
    if (!this.child) return;
    const exited = new Promise((r) => this.child?.once('exit', r));
    this.child.kill('SIGQUIT');
    await exited;
    this.child = null;
  }
}

/** get requests a path (`/` by default) from a loopback port with the given Host header. */
export function get(port: number, host: string, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // A fresh connection each time: a kept-alive one may belong to a worker that a reload retires.
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** eventually polls `probe` until it returns true, for changes that follow an nginx reload. */
export async function eventually(probe: () => Promise<boolean>, tries = 100): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await probe().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** Wire is what crossed the socket for some requests: exactly what `$request_length` and `$bytes_sent` count. */
export interface Wire {
  requests: number;
  sent: number;
  received: number;
}

/** zeroWire is the count of no request at all. */
export const zeroWire = (): Wire => ({ requests: 0, sent: 0, received: 0 });

/** rawGet sends one HTTP/1.1 request on a fresh connection and counts every byte both ways. */
export function rawGet(port: number, host: string, path: string, tally: Wire): Promise<number> {
  const request = `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: traffic-test\r\nConnection: close\r\n\r\n`;
  return new Promise((resolve, reject) => {
    let received = 0;
    let head = '';
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
    socket.on('data', (d: Buffer) => {
      received += d.length;
      if (head.length < 16) head += d.toString('latin1');
    });
    socket.on('error', reject);
    // nginx writes the log line before it closes the connection: once closed, the line is there.
    socket.on('close', (hadError) => {
      if (hadError) return;
      tally.requests += 1;
      tally.sent += Buffer.byteLength(request);
      tally.received += received;
      resolve(Number(head.split(' ')[1]));
    });
  });
}
