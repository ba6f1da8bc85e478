import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { type CliIo, readSecret } from './io.js';

/** piped is stdin as a pipe that yields `chunks` then ends. */
function piped(chunks: string[]): CliIo {
  const stdin = Readable.from(chunks, { objectMode: false }) as unknown as NodeJS.ReadStream;
  return { out() {}, err() {}, stdin };
}

/** terminal is stdin as a terminal on which `typed` is typed, one chunk per key press. */
function terminal(typed: string): { io: CliIo; errors: string[] } {
  const stream = new PassThrough();
  const stdin = Object.assign(stream, { isTTY: true, setRawMode: () => stdin }) as unknown as NodeJS.ReadStream;
  const errors: string[] = [];
  queueMicrotask(() => {
    for (const ch of typed) stream.write(ch);
  });
  return { io: { out() {}, err: (s) => errors.push(s), stdin }, errors };
}

describe('readSecret from a pipe', () => {
  const cases: Array<[string, string[], string]> = [
    ['takes the first line', ['pw-one-line\npw-one-line\n'], 'pw-one-line'],
    ['takes a line split across chunks', ['first-', 'half\nsecond\n'], 'first-half'],
    ['drops a CR before the newline', ['windows-line\r\n'], 'windows-line'],
    ['takes input without a newline whole', ['no-newline'], 'no-newline'],
    ['keeps spaces inside the line', ['  spaced out  \n'], '  spaced out  '],
    ['reads an empty line as empty', ['\nsecond\n'], ''],
  ];
  for (const [name, chunks, expected] of cases) {
    it(name, async () => {
      assert.equal(await readSecret(piped(chunks), 'Password: '), expected);
    });
  }
});

describe('readSecret on a terminal', () => {
  it('asks twice without echoing and returns the password typed', async () => {
    const { io, errors } = terminal('s3cret-pass\rs3cret-pass\r');
    assert.equal(await readSecret(io, 'Password: '), 's3cret-pass');
    assert.deepEqual(errors, ['Password: ', '\n', 'Again: ', '\n']);
  });

  it('a typo between the two entries is invalid_parameter, not an internal error', async () => {
    const { io } = terminal('s3cret-pass\rs3cret-pas\r');
    await assert.rejects(readSecret(io, 'Password: '), {
      name: 'DomainError',
      code: 'invalid_parameter',
      message: /differ/,
    });
  });

  it('Ctrl-C at the prompt is invalid_parameter too', async () => {
    const { io } = terminal('abc\u0003');
    await assert.rejects(readSecret(io, 'Password: '), { code: 'invalid_parameter', message: /cancelled/ });
  });
});
