import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeTarget, parseMysqlUrl } from './mysql-url.js';

describe('parseMysqlUrl', () => {
  const table: Array<[string, unknown]> = [
    [
      'mysql://root@localhost/?socketPath=/run/mysqld/mysqld.sock',
      { user: 'root', socketPath: '/run/mysqld/mysqld.sock' },
    ],
    [
      'mysql://vanta:s%40cret@db.internal:3307/',
      { user: 'vanta', password: 's@cret', host: 'db.internal', port: 3307 },
    ],
    ['mariadb://vanta:pw@127.0.0.1', { user: 'vanta', password: 'pw', host: '127.0.0.1', port: 3306 }],
    ['mysql://vanta@[::1]:3306/', { user: 'vanta', host: '::1', port: 3306 }],
    [
      'mysql://vanta:pw@localhost/?socketPath=/var/run/mysqld/mysqld.sock',
      { user: 'vanta', password: 'pw', socketPath: '/var/run/mysqld/mysqld.sock' },
    ],
  ];
  for (const [url, expected] of table) it(url, () => assert.deepEqual(parseMysqlUrl(url), expected));

  const bad: Array<[string, RegExp]> = [
    ['not a url', /must be a URL/],
    ['postgres://u@h/', /mysql:\/\//],
    ['mysql://localhost/', /must name the user/],
    ['mysql://u:hunter2@h/?ssl=true', /unknown parameter "ssl"/],
    ['mysql://u:hunter2@h/?socketPath=relative.sock', /absolute/],
  ];
  for (const [url, message] of bad) {
    it(`refuses ${url} without repeating the password`, () => {
      assert.throws(
        () => parseMysqlUrl(url),
        (err: Error) => message.test(err.message) && !err.message.includes('hunter2'),
      );
    });
  }
});

it('describeTarget names the server without the password', () => {
  assert.equal(describeTarget(parseMysqlUrl('mysql://vanta:hunter2@db:3307/')), 'vanta@db:3307');
  assert.equal(
    describeTarget(parseMysqlUrl('mysql://root@localhost/?socketPath=/run/mysqld/mysqld.sock')),
    'root@/run/mysqld/mysqld.sock',
  );
});
