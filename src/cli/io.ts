import { DomainError } from '../domain/errors.js';

/** CliIo is where a command writes and reads; tests and the real process each give their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  stdin: NodeJS.ReadStream;
}

/**
 * readSecret reads a password: the first line of stdin when it is piped (so `printf 'pw\npw\n'`
 * works, as with passwd), or a hidden prompt, asked twice, on a terminal.
 */
export async function readSecret(io: CliIo, prompt: string): Promise<string> {
  if (!io.stdin.isTTY) return readFirstLine(io.stdin);
  const first = await promptHidden(io, prompt);
  const again = await promptHidden(io, 'Again: ');
  if (first !== again) {
    throw new DomainError('invalid_parameter', 'the two passwords typed differ; nothing was changed', {
      param: 'password',
    });
  }
  return first;
}

async function readFirstLine(stdin: NodeJS.ReadableStream): Promise<string> {
  let data = '';
  stdin.setEncoding('utf8');
  for await (const chunk of stdin) {
    data += chunk as string;
    // The rest of the input is not read: `yes secret | vanta ...` ends too.
    if (data.includes('\n')) break;
  }
  const end = data.indexOf('\n');
  return (end === -1 ? data : data.slice(0, end)).replace(/\r$/, '');
}

function promptHidden(io: CliIo, prompt: string): Promise<string> {
  const stdin = io.stdin;
  io.err(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (fn: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      io.err('\n');
      fn();
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(() => resolve(value));
        if (ch === '\u0003' || ch === '\u0004') {
          return done(() =>
            reject(
              new DomainError('invalid_parameter', 'no password was given: the prompt was cancelled', {
                param: 'password',
              }),
            ),
          );
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
