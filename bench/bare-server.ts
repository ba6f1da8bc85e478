// The baseline of the API rows: a bare node:http server in a process of its own, answering each
// path with bytes recorded from the panel (status, headers, body). The parent adds replies over
// the IPC channel; the server does nothing else, so the ratio shows what the panel costs on top.
// `--fastify` serves the same bytes through a bare Fastify app instead (the framework's own floor).
import { createServer } from 'node:http';

/** BareReply is one recorded answer, as sent over IPC. */
export interface BareReply {
  path: string;
  status: number;
  /** headers are name/value pairs in the order the panel sent them. */
  headers: [string, string][];
  bodyBase64: string;
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

const server = framework
  ? await fastifyServer()
  : createServer((req, res) => {
      const r = replies.get(req.url ?? '');
      if (!r) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(r.status, r.headers);
      res.end(r.body);
    });

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

process.on('message', (msg: BareReply) => {
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
