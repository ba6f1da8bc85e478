import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  canonicalJson,
  checkIdempotencyKey,
  idempotencyKeyHash,
  openResponse,
  requestFingerprint,
  sealResponse,
} from './idempotency.js';
import { generateKeyBytes, makeKeyring } from './keyring.js';
import { SealedSecretError } from './sealed-secret.js';

it('checkIdempotencyKey takes 1 to 255 printable ASCII characters, sent once', () => {
  assert.equal(checkIdempotencyKey(['order-1']), 'order-1');
  assert.equal(checkIdempotencyKey([' ~'.repeat(127).concat('!')]).length, 255);
  for (const bad of [[], [''], ['k'.repeat(256)], ['tab\there'], ['café'], ['a\x7f'], ['a', 'a']]) {
    assert.throws(() => checkIdempotencyKey(bad), { code: 'invalid_idempotency_key' }, JSON.stringify(bad));
  }
});

it('canonicalJson sorts the keys of every object, keeps the order of arrays', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: null } }), '{"a":{"c":null,"d":[2,1]},"b":1}');
  assert.equal(canonicalJson({ a: { c: null, d: [2, 1] }, b: 1 }), canonicalJson({ b: 1, a: { d: [2, 1], c: null } }));
});

it('requestFingerprint: the same request whatever the key order; another method, query or body is another', () => {
  const base = { method: 'POST', query: { api: 'accounts' }, body: { user: 'alice', domain: 'alice.example' } };
  const same = requestFingerprint(base);
  assert.match(same, /^[0-9a-f]{64}$/);
  assert.equal(requestFingerprint({ ...base, body: { domain: 'alice.example', user: 'alice' } }), same);
  assert.equal(requestFingerprint({ ...base, query: { api: 'accounts', user: undefined } }), same);
  for (const other of [
    { ...base, method: 'DELETE' },
    { ...base, query: { api: 'accounts', user: 'alice' } },
    { ...base, body: { ...base.body, email: 'a@alice.example' } },
    { ...base, body: { user: 'alice', domain: 'alice.example ' } },
  ]) {
    assert.notEqual(requestFingerprint(other), same);
  }
});

it('idempotencyKeyHash is a SHA-256 that does not show the key', () => {
  const hash = idempotencyKeyHash('order-1');
  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.notEqual(hash, idempotencyKeyHash('order-2'));
});

it('a sealed response opens only with the same Idempotency-Key, panel key and row', () => {
  const ring = makeKeyring([generateKeyBytes()]);
  const body = '{"ok":true,"password":"n8kuV5oFRTkvaGd0WGShdcbC"}';
  const sealed = sealResponse(ring, 'order-1', 'idempotency:1:abc', body);
  assert.equal(sealed.includes('n8kuV5oF'), false);
  assert.equal(openResponse(ring, 'order-1', 'idempotency:1:abc', sealed), body);
  assert.throws(() => openResponse(ring, 'order-2', 'idempotency:1:abc', sealed), SealedSecretError);
  assert.throws(() => openResponse(ring, 'order-1', 'idempotency:2:abc', sealed), SealedSecretError);
  const otherPanel = makeKeyring([generateKeyBytes()]);
  assert.throws(() => openResponse(otherPanel, 'order-1', 'idempotency:1:abc', sealed), SealedSecretError);
  assert.notEqual(sealResponse(ring, 'order-1', 'idempotency:1:abc', body), sealed, 'a fresh IV each time');
});
