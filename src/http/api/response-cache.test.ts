import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResponseCache } from './response-cache.js';

describe('ResponseCache', () => {
  it('answers a kept text at its version only; a new version forgets everything', () => {
    const cache = new ResponseCache(1000);
    cache.set('a', '1.0', 'A');
    cache.set('b', '1.0', 'B');
    assert.equal(cache.get('a', '1.0')?.toString(), 'A');
    assert.equal(cache.get('a', '1.1'), undefined);
    assert.equal(cache.get('b', '1.0'), undefined, 'the answers of the old version are gone');
    assert.equal(cache.size, 0);
  });

  it('holds at most its bound, dropping the oldest, and never a text over a quarter of it', () => {
    const cache = new ResponseCache(100);
    cache.set('a', 'v', 'x'.repeat(25));
    assert.equal(cache.size, 1);
    assert.equal(cache.set('big', 'v', 'x'.repeat(26)).toString(), 'x'.repeat(26), 'too big: answered, not kept');
    assert.equal(cache.get('big', 'v'), undefined);
    for (const key of ['b', 'c', 'd']) cache.set(key, 'v', 'y'.repeat(25));
    assert.equal(cache.size, 4);
    cache.set('e', 'v', 'z'.repeat(20));
    assert.equal(cache.get('a', 'v'), undefined, 'the oldest went');
    assert.equal(cache.get('e', 'v')?.toString(), 'z'.repeat(20));
    cache.set('e', 'v', 'w'.repeat(25));
    assert.equal(cache.get('e', 'v')?.toString(), 'w'.repeat(25), 'a key set again holds the new text');
    assert.equal(cache.size, 4);
  });
});
