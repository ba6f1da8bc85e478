import { connect } from 'node:net';

/**
 * rawExchange writes `request` on a fresh TCP connection exactly as given (no HTTP client in
 * between, so it may be malformed or incomplete) and resolves to everything the server sent
 * until it closed the connection, or until `enough` says the answer is complete.
 */
export function rawExchange(
  port: number,
  request: string | Buffer,
  enough: (received: string) => boolean = (r) => /\r\n\r\n/.test(r) && r.includes('}'),
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (d: Buffer) => {
      received += d.toString('latin1');
      if (enough(received)) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('close', () => resolve(received));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') resolve(received);
      else reject(err);
    });
    socket.write(request);
  });
}
