import assert from 'node:assert/strict';
import { it } from 'node:test';
import { redactUrl } from './log-redaction.js';

it('redactUrl replaces the values of secret-named parameters and keeps the rest as sent', () => {
  const cases: Array<[string, string]> = [
    ['/', '/'],
    ['/?api=ping', '/?api=ping'],
    ['/?api=ping&token=vp_x', '/?api=ping&token=[redacted]'],
    [
      '/?Access_Token=a&API_KEY=b&key=c&pass=d&x=1',
      '/?Access_Token=[redacted]&API_KEY=[redacted]&key=[redacted]&pass=[redacted]&x=1',
    ],
    ['/?%74oken=vp_x&q=%zz', '/?%74oken=[redacted]&q=%zz'],
    ['/?token', '/?token=[redacted]'],
    ['/?a=1&&secret=', '/?a=1&&secret=[redacted]'],
    ['/a/b?client_secret=s&user=alice', '/a/b?client_secret=[redacted]&user=alice'],
    ['/?%zz=1', '/?%zz=1'],
  ];
  for (const [url, expected] of cases) assert.equal(redactUrl(url), expected, url);
});
