import type { FastifyBaseLogger } from 'fastify';

type Write = (...args: unknown[]) => void;

/**
 * lazyChildLogger stands in for the child logger Fastify makes for every request (bound to its id): the child is
 * made on the first line the request logs. Most requests log nothing of their own (the request line is written by
 * the server's hook), and making a pino child for each cost a few per cent of an API call.
 */
export function lazyChildLogger(make: () => FastifyBaseLogger): FastifyBaseLogger {
  let real: FastifyBaseLogger | null = null;
  const log = () => {
    real ??= make();
    return real;
  };
  const write =
    (level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'): Write =>
    (...args) =>
      (log()[level] as Write)(...args);
  return {
    get level() {
      return log().level;
    },
    set level(value: string) {
      log().level = value;
    },
    fatal: write('fatal'),
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: write('debug'),
    trace: write('trace'),
    silent: write('silent'),
    child: (bindings, options) => log().child(bindings, options),
  } as FastifyBaseLogger;
}
