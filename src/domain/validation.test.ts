import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from './errors.js';
import { checkPassword, normalizeDomain, validateEmail, validateTokenName, validateUser } from './validation.js';

const code = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof DomainError ? err.code : 'thrown';
  }
};

describe('validateUser', () => {
  const table: Array<[string, string]> = [
    ['alice', 'ok'],
    ['a', 'ok'],
    ['a123456789012345', 'ok'],
    ['a1234567890123456', 'invalid_user'],
    ['Alice', 'invalid_user'],
    ['1alice', 'invalid_user'],
    ['al_ice', 'invalid_user'],
    ['al-ice', 'invalid_user'],
    ['root', 'invalid_user'],
    ['mysql', 'invalid_user'],
    ['global', 'invalid_user'],
    ['www', 'invalid_user'],
    ['test', 'invalid_user'],
    ['tester', 'invalid_user'],
    ['atest', 'ok'],
    ['', 'invalid_user'],
  ];
  for (const [input, expected] of table)
    it(`${JSON.stringify(input)} → ${expected}`, () =>
      assert.equal(
        code(() => validateUser(input)),
        expected,
      ));
});

describe('normalizeDomain', () => {
  const table: Array<[string, string]> = [
    ['Example.COM', 'example.com'],
    ['example.com.', 'example.com'],
    ['www.alice.example', 'www.alice.example'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['ÄÖÜ.example', 'xn--4ca0bs.example'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['a-b.example', 'a-b.example'],
    [`${'a'.repeat(63)}.example`, `${'a'.repeat(63)}.example`],
  ];
  for (const [input, expected] of table)
    it(`${input} → ${expected}`, () => assert.equal(normalizeDomain(input), expected));
  const bad = [
    '',
    'localhost',
    'example',
    '10.0.0.1',
    '::1',
    '[::1]',
    'a..b',
    '.a.b',
    '-a.b',
    'a-.b',
    'a_b.example',
    'a b.example',
    'exa"mple.com',
    'a;b.example',
    `${'a'.repeat(64)}.example`,
    'example.42',
    `${'abcdefghi.'.repeat(26)}com`,
  ];
  for (const input of bad)
    it(`refuses ${JSON.stringify(input.slice(0, 40))}`, () =>
      assert.equal(
        code(() => normalizeDomain(input)),
        'invalid_domain',
      ));
});

describe('validateEmail', () => {
  it('accepts an address and lower-cases its host', () =>
    assert.equal(validateEmail('Owner@Alice.Example'), 'Owner@alice.example'));
  for (const bad of [
    '',
    'owner',
    'owner@',
    '@alice.example',
    'a b@alice.example',
    'a@b@c.example',
    'a@localhost',
    `${'x'.repeat(65)}@a.example`,
  ]) {
    it(`refuses ${JSON.stringify(bad)}`, () =>
      assert.equal(
        code(() => validateEmail(bad)),
        'invalid_email',
      ));
  }
});

describe('checkPassword', () => {
  const table: Array<[string, string, string]> = [
    ['0123456789', 'bob', 'ok'],
    ['012345678', 'bob', 'weak_password'],
    ['x'.repeat(128), 'bob', 'ok'],
    ['x'.repeat(129), 'bob', 'weak_password'],
    ['my-BOB-password', 'bob', 'weak_password'],
    ['ääääääääää', 'bob', 'ok'],
  ];
  for (const [pw, user, expected] of table)
    it(`${pw.slice(0, 20)} for ${user} → ${expected}`, () =>
      assert.equal(
        code(() => checkPassword(pw, user)),
        expected,
      ));
});

describe('validateTokenName', () => {
  for (const ok of ['billing', 'WHMCS production', 'a', 'x'.repeat(64), 'ünïcode-ok'])
    it(`accepts ${ok.slice(0, 20)}`, () =>
      assert.equal(
        code(() => validateTokenName(ok)),
        'ok',
      ));
  for (const bad of ['', 'x'.repeat(65), ' lead', 'trail ', 'tab\there', 'new\nline', '5', '0042'])
    it(`refuses ${JSON.stringify(bad.slice(0, 20))}`, () =>
      assert.equal(
        code(() => validateTokenName(bad)),
        'invalid_parameter',
      ));
});
