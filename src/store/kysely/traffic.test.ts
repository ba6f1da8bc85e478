import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EMPTY_TRAFFIC_STATE, type TrafficLogState } from '../../domain/traffic.js';
import { openSqliteStore } from '../sqlite.js';
import type { Store } from '../store.js';
import { parseTrafficState } from './traffic.js';

const AT = '2026-11-28T08:00:00.000Z';
const STATE: TrafficLogState = {
  current: { dev: '2049', ino: '18446744073709551615', born: '1795844673871000000', offset: 120, since: AT },
  rotated: { dev: '2049', ino: '77', born: '0', offset: 9, since: AT, rotatedAt: AT },
};
const month = (m: string, bytesSent: number) => ({ month: m, bytesSent, requestBytes: 10, requests: 1 });

describe('the traffic tables', () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vanta-traffic-store-'));
    store = await openSqliteStore(join(dir, 'vanta.db'));
    await store.accounts.insert({
      user: 'alice',
      domain: 'alice.example',
      email: null,
      plan: null,
      status: 'active',
      suspendReason: null,
      tls: { status: 'none', expiresAt: null },
      createdAt: AT,
      suspendedAt: null,
      databases: [],
      passwordHash: 'hash',
    });
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('adds each pass to the monthly totals and keeps the state and the read time with them', async () => {
    assert.deepEqual(await store.traffic.state('alice'), EMPTY_TRAFFIC_STATE);
    assert.deepEqual(await store.traffic.month('alice', '2026-11'), { bytesSent: 0, readAt: null });
    await store.traffic.record('alice', [month('2026-10', 5), month('2026-11', 100)], STATE, AT);
    await store.traffic.record('alice', [month('2026-11', 23)], STATE, '2026-11-28T08:05:00.000Z');
    assert.deepEqual(await store.traffic.month('alice', '2026-11'), {
      bytesSent: 123,
      readAt: '2026-11-28T08:05:00.000Z',
    });
    assert.equal((await store.traffic.month('alice', '2026-10')).bytesSent, 5);
    assert.deepEqual(await store.traffic.state('alice'), STATE);
  });

  it('keeps a rotation state without changing the read time', async () => {
    const rotated = { current: null, rotated: STATE.rotated };
    await store.traffic.saveState('alice', rotated);
    assert.deepEqual(await store.traffic.state('alice'), rotated);
    assert.equal((await store.traffic.month('alice', '2026-11')).readAt, '2026-11-28T08:05:00.000Z');
  });

  it('keeps nothing for an account that is gone, and forgets an account with it', async () => {
    await store.traffic.record('ghost', [month('2026-11', 1)], STATE, AT);
    assert.deepEqual(await store.traffic.month('ghost', '2026-11'), { bytesSent: 0, readAt: null });
    await store.accounts.delete('alice');
    assert.deepEqual(await store.traffic.month('alice', '2026-11'), { bytesSent: 0, readAt: null });
    assert.deepEqual(await store.traffic.state('alice'), EMPTY_TRAFFIC_STATE);
  });

  it('refuses a stored state it cannot read rather than read the log again from the start', () => {
    for (const bad of [
      'null',
      '{"current":{"dev":"1"}}',
      '{"current":null,"rotated":{"dev":"1","ino":"2","born":"0","offset":1,"since":"x"}}',
      '{"current":{"dev":"1","ino":"2","born":"0","offset":-1,"since":"x"}}',
    ]) {
      assert.throws(() => parseTrafficState(bad), /not readable/, bad);
    }
    assert.deepEqual(parseTrafficState('{"current":null,"rotated":null}'), EMPTY_TRAFFIC_STATE);
  });
});
