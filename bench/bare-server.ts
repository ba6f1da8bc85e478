// The baseline of the API rows: a bare node:http server in a process of its own, answering each
// path with bytes recorded from the panel (status, headers, body). The parent adds replies over
// the IPC channel; the server does nothing else, so the ratio shows what the panel costs on top.
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

const server = createServer((req, res) => {
  const r = replies.get(req.url ?? '');
  if (!r) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(r.status, r.headers);
  res.end(r.body);
});

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
