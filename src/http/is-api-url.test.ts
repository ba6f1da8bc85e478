import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isApiUrl } from './server.js';

describe('isApiUrl reads `api` among the query parameters as the query parser does', () => {
  const cases: [string, boolean][] = [
    ['/', false],
    ['/?', false],
    ['/?api', true],
    ['/?api=', true],
    ['/?api=ping', true],
    ['/?limit=1&api=accounts', true],
    ['/?apix=1', false],
    ['/?xapi=1', false],
    ['/?a=api', false],
    ['/?=api', false],
    ['/?%61pi=ping', true],
    ['/?ap%69', true],
    ['/?a+pi=1', false],
    ['/?api+=1', false],
    ['/?x=%zz&api=1', true],
    ['/?x=%zz', false],
    ['/path?api=ping#frag', true],
    ['/?&&api&&', true],
  ];
  for (const [url, expected] of cases) {
    it(`${url} → ${expected}`, () => {
      assert.equal(isApiUrl(url), expected);
      const q = url.indexOf('?');
      assert.equal(new URLSearchParams(url.slice(q + 1)).has('api'), expected, 'agrees with URLSearchParams');
    });
  }
});
