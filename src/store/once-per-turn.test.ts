import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { oncePerTurn } from './once-per-turn.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('15.2: the data version is read once per turn of the event loop, not once per request', () => {
  it('calls within one turn, across awaits, share one read; the next turn reads again', async () => {
    let version = 1;
    let reads = 0;
    const read = oncePerTurn(() => {
      reads++;
      return version;
    });
    assert.equal(read(), 1);
    version = 2;
    await Promise.resolve();
    assert.equal(read(), 1, 'the same turn keeps the first answer');
    assert.equal(reads, 1);
    await nextTurn();
    assert.equal(read(), 2, 'a later turn sees the change');
    assert.equal(read(), 2);
    assert.equal(reads, 2);
  });

  it('a turn that never asks reads nothing', async () => {
    let reads = 0;
    const read = oncePerTurn(() => ++reads);
    await nextTurn();
    await nextTurn();
    assert.equal(reads, 0);
    read();
    assert.equal(reads, 1);
  });
});
