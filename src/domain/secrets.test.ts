import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  base62,
  generatePassword,
  generateToken,
  isWellFormedToken,
  sha256Hex,
  tokenDisplayPrefix,
} from './secrets.js';

it('generateToken makes vp_ + 32 base62 characters that pass the checksum', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const t = generateToken();
    assert.match(t, /^vp_[A-Za-z0-9]{32}$/);
    assert.ok(isWellFormedToken(t));
    seen.add(t);
  }
  assert.equal(seen.size, 500);
});

it('the checksum catches every single-character typo', () => {
  const t = generateToken();
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let caught = 0;
  let tried = 0;
  for (let pos = 3; pos < t.length; pos += 3) {
    for (const ch of alphabet) {
      if (ch === t[pos]) continue;
      tried++;
      if (!isWellFormedToken(t.slice(0, pos) + ch + t.slice(pos + 1))) caught++;
    }
  }
  assert.equal(caught, tried);
});

it('isWellFormedToken refuses other shapes', () => {
  for (const bad of [
    '',
    'vp_',
    `vp_${'a'.repeat(31)}`,
    `vp_${'a'.repeat(33)}`,
    `VP_${generateToken().slice(3)}`,
    `vp_${'a'.repeat(31)}!`,
  ]) {
    assert.equal(isWellFormedToken(bad), false, bad);
  }
});

it('base62 pads to the width and sha256Hex is the standard digest', () => {
  assert.equal(base62(0, 6), '000000');
  assert.equal(base62(61, 2), '0z');
  assert.equal(base62(62, 2), '10');
  assert.equal(base62(0xffffffff, 6).length, 6);
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

it('tokenDisplayPrefix shows vp_ and four characters; generatePassword is long and random', () => {
  assert.equal(tokenDisplayPrefix('vp_AbCdEfGh'), 'vp_AbCd');
  const a = generatePassword();
  assert.match(a, /^[A-Za-z0-9]{24}$/);
  assert.notEqual(a, generatePassword());
});
