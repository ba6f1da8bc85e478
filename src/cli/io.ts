/** CliIo is where a command writes and reads; tests and the real process each give their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  stdin: NodeJS.ReadStream;
}

/** readSecret reads a password: the whole of stdin when it is piped, a hidden prompt on a terminal. */
export async function readSecret(io: CliIo, prompt: string): Promise<string> {
  if (!io.stdin.isTTY) {
    let data = '';
    io.stdin.setEncoding('utf8');
    for await (const chunk of io.stdin) data += chunk as string;
    return data.replace(/\r?\n$/, '');
  }
  const first = await promptHidden(io, prompt);
  const again = await promptHidden(io, 'Again: ');
  if (first !== again) throw new Error('the two passwords differ');
  return first;
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
        if (ch === '\u0003' || ch === '\u0004') return done(() => reject(new Error('cancelled')));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
