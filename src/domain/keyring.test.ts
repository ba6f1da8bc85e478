import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  KEY_BYTES,
  deriveKey,
  generateKeyBytes,
  keyIdOf,
  makeKeyring,
  parseKeyFile,
  renderKeyFile,
} from './keyring.js';

const key = (fill: number) => Buffer.alloc(KEY_BYTES, fill);

describe('keyring', () => {
  it('names a key by a fixed 8-character id', () => {
    assert.equal(keyIdOf(key(1)), keyIdOf(key(1)));
    assert.notEqual(keyIdOf(key(1)), keyIdOf(key(2)));
    assert.match(keyIdOf(generateKeyBytes()), /^[A-Za-z0-9_-]{8}$/);
  });
  it('the last key is current and every key is found by its id', () => {
    const ring = makeKeyring([key(1), key(2)]);
    assert.equal(ring.current.id, keyIdOf(key(2)));
    assert.deepEqual(ring.byId(keyIdOf(key(1)))?.bytes, key(1));
    assert.equal(ring.byId('nosuchid'), undefined);
  });
  it('refuses no key and keys of the wrong length', () => {
    assert.throws(() => makeKeyring([]), /at least one/);
    assert.throws(() => makeKeyring([Buffer.alloc(16)]), /32 bytes/);
  });
  it('derives a different key for each purpose, and neither is the key itself', () => {
    const [k] = [makeKeyring([key(7)]).current];
    const seal = deriveKey(k, 'seal');
    const codes = deriveKey(k, 'recovery-code');
    assert.equal(seal.length, KEY_BYTES);
    assert.notDeepEqual(seal, codes);
    assert.notDeepEqual(seal, k.bytes);
    assert.deepEqual(deriveKey(k, 'seal'), seal);
  });
});

describe('the key file text', () => {
  const one = key(0xab);
  const text = renderKeyFile([one]);
  it('is the header and one vk1 line a key', () => {
    const lines = text.trimEnd().split('\n');
    assert.ok(lines.slice(0, -1).every((l) => l.startsWith('# ')));
    assert.equal(lines.at(-1), `vk1 ${one.toString('base64url')}`);
  });
  it('reads back what it wrote, oldest first', () => {
    assert.deepEqual(parseKeyFile(text), [one]);
    assert.deepEqual(parseKeyFile(renderKeyFile([key(1), key(2)])), [key(1), key(2)]);
    assert.deepEqual(parseKeyFile(`\n# c\n  vk1 ${one.toString('base64url')}  \n\n`), [one]);
  });
  const bad: Array<[string, string, RegExp]> = [
    ['empty', '', /no key/],
    ['comments only', '# nothing\n', /no key/],
    ['another version', `vk2 ${one.toString('base64url')}\n`, /line 1 is not a key/],
    ['a short key', `# c\nvk1 ${Buffer.alloc(16).toString('base64url')}\n`, /line 2 is not a key/],
    ['base64 with padding', `vk1 ${one.toString('base64')}\n`, /line 1 is not a key/],
    ['junk after a key', `vk1 ${one.toString('base64url')} x\n`, /line 1 is not a key/],
  ];
  for (const [name, input, error] of bad) it(`refuses ${name}`, () => assert.throws(() => parseKeyFile(input), error));
  it('never repeats a line of the file in its error', () => {
    const secretish = `vk1 ${one.toString('base64url')}x`;
    assert.throws(
      () => parseKeyFile(secretish),
      (err: Error) => !err.message.includes(one.toString('base64url')),
    );
  });
});
