// The baseline of the API rows: a bare node:http server in a process of its own, answering each
// path with bytes recorded from the panel (status, headers, body). The parent adds replies over
// the IPC channel; the server does nothing else, so the ratio shows what the panel costs on top.
// `--fastify` serves the same bytes through a bare Fastify app instead (the framework's own floor).
// `--required DIR` serves them from node:http doing only what the issue asks of every API call.
import { randomUUID } from 'node:crypto';
import { openSync } from 'node:fs';
import { type IncomingMessage, createServer } from 'node:http';
import { join } from 'node:path';

/** BareReply is one recorded answer, as sent over IPC. */
export interface BareReply {
  path: string;
  status: number;
  /** headers are name/value pairs in the order the panel sent them. */
  headers: [string, string][];
  bodyBase64: string;
}

/** BareToken makes the `--required` server accept one token (by the digest the panel stores). */
export interface BareToken {
  tokenHash: string;
}

interface Prepared {
  status: number;
  headers: string[];
  body: Buffer;
}

const replies = new Map<string, Prepared>();

/**
 * With `--fastify` the same answers go through a Fastify app with one route and nothing else (no hook, no logger):
 * the floor the panel's framework sets, measured beside the bare server in the same run.
 */
const framework = process.argv.includes('--fastify');
const requiredAt = process.argv.indexOf('--required');
const requiredDir = requiredAt === -1 ? null : (process.argv[requiredAt + 1] ?? null);
const tokenHashes = new Set<string>();

const server = framework
  ? await fastifyServer()
  : requiredDir !== null
    ? await requiredServer(requiredDir)
    : createServer((req, res) => {
        const r = replies.get(req.url ?? '');
        if (!r) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(r.status, r.headers);
        res.end(r.body);
      });

/**
 * requiredServer answers the recorded bytes from node:http after doing what the issue asks of every API
 * call and nothing else, with the panel's own parts: the token's SHA-256 looked up in memory, SQLite's
 * `pragma data_version` read once per turn of the event loop (a revocation by another process counts on
 * the next request), a fresh request id, and one request line through the panel's logger, into a file.
 * No framework, no routing, no scope, no limiter: the floor any design that keeps those duties can reach.
 */
async function requiredServer(dir: string) {
  const { default: BetterSqlite3 } = await import('better-sqlite3');
  const { createLogger, logDestination } = await import('../src/compose.js');
  const { sha256Hex } = await import('../src/domain/secrets.js');
  const { oncePerTurn } = await import('../src/store/once-per-turn.js');
  const db = new BetterSqlite3(join(dir, 'required.sqlite'));
  db.pragma('journal_mode = WAL');
  const pragma = db.prepare('pragma data_version').pluck();
  const dataVersion = oncePerTurn(() => pragma.get() as number);
  const log = createLogger('info', logDestination(openSync(join(dir, 'required.log'), 'a', 0o600))).child(
    {},
    { redact: [] },
  );
  const bearer = (req: IncomingMessage) => /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
  return createServer((req, res) => {
    const started = performance.now();
    dataVersion();
    const r = replies.get(req.url ?? '');
    const status = r && tokenHashes.has(sha256Hex(bearer(req))) ? r.status : 401;
    const id = randomUUID();
    if (r && status === r.status) {
      const headers = r.headers.slice();
      const at = headers.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === 'x-request-id');
      if (at !== -1) headers[at + 1] = id;
      res.writeHead(r.status, headers);
      res.end(r.body);
    } else res.writeHead(status).end();
    const request = {
      method: req.method,
      url: req.url,
      host: req.headers.host,
      clientIp: req.socket.remoteAddress,
      socket: req.socket,
    };
    log.info(
      { reqId: id, req: request, res: { statusCode: status }, responseTime: performance.now() - started },
      'request answered',
    );
  });
}

async function fastifyServer() {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  app.all('/*', (req, reply) => {
    const r = replies.get(req.url);
    if (!r) return reply.code(404).send();
    for (let i = 0; i + 1 < r.headers.length; i += 2) reply.header(r.headers[i] ?? '', r.headers[i + 1]);
    return reply.code(r.status).send(r.body);
  });
  await app.ready();
  return app.server;
}

process.on('message', (msg: BareReply | BareToken) => {
  if ('tokenHash' in msg) {
    tokenHashes.add(msg.tokenHash);
    process.send?.({ added: msg.tokenHash });
    return;
  }
  replies.set(msg.path, {
    status: msg.status,
    headers: msg.headers.flat(),
    body: Buffer.from(msg.bodyBase64, 'base64'),
  });
  process.send?.({ added: msg.path });
});
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: address && typeof address === 'object' ? address.port : 0 });
});
