import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../../src/compose.js';

/** LogCapture is the panel's real logger writing into memory, for tests that read the server log. */
export interface LogCapture {
  logger: Logger;
  /** text is everything logged since the last clear. */
  text(): string;
  /** entries are the logged lines, parsed. */
  entries(): Array<{ level: number; msg: string } & Record<string, unknown>>;
  clear(): void;
}

/** logCapture builds the panel's logger (its serializers and redaction included) at `level`, into memory. */
export function logCapture(level = 'info'): LogCapture {
  let chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return {
    logger: createLogger(level, sink),
    text: () => chunks.join(''),
    entries: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l)),
    clear: () => {
      chunks = [];
    },
  };
}
