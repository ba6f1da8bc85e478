import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chpasswdInput,
  lockArgs,
  parsePasswdLine,
  shellArgs,
  unlockArgs,
  useraddArgs,
  userdelArgs,
} from './shadow-commands.js';

test('useradd makes the user with its own group, the given home, and the plan shell', () => {
  const table = [
    {
      input: { user: 'alice', home: '/home/alice', shell: false, domain: 'alice.example' },
      want: [
        '--create-home',
        '--home-dir',
        '/home/alice',
        '--user-group',
        '--shell',
        '/usr/sbin/nologin',
        '--comment',
        'Vanta account alice.example',
        'alice',
      ],
    },
    {
      input: { user: 'bob2', home: '/srv/homes/bob2', shell: true, domain: 'bob.example' },
      want: [
        '--create-home',
        '--home-dir',
        '/srv/homes/bob2',
        '--user-group',
        '--shell',
        '/bin/bash',
        '--comment',
        'Vanta account bob.example',
        'bob2',
      ],
    },
  ];
  for (const { input, want } of table) assert.deepEqual(useraddArgs(input), want);
});

test('lock expires the account as well, and unlock is its exact reverse', () => {
  assert.deepEqual(lockArgs('alice'), ['--lock', '--expiredate', '1', 'alice']);
  assert.deepEqual(unlockArgs('alice'), ['--unlock', '--expiredate', '', 'alice']);
  assert.deepEqual(shellArgs('alice', true), ['--shell', '/bin/bash', 'alice']);
  assert.deepEqual(shellArgs('alice', false), ['--shell', '/usr/sbin/nologin', 'alice']);
  assert.deepEqual(userdelArgs('alice'), ['--remove', 'alice']);
});

test('chpasswd gets one user:password line on stdin and nothing that could add a second line', () => {
  assert.equal(chpasswdInput('alice', 'pa:ss word'), 'alice:pa:ss word\n');
  for (const bad of ['a\nroot:x', 'a\rb', 'a\0b']) assert.throws(() => chpasswdInput('alice', bad));
});

test('parsePasswdLine reads getent output', () => {
  assert.deepEqual(parsePasswdLine('alice:x:40001:40001:Vanta account a.example:/home/alice:/usr/sbin/nologin\n'), {
    user: 'alice',
    uid: 40001,
    gid: 40001,
    home: '/home/alice',
    shell: '/usr/sbin/nologin',
  });
  assert.equal(parsePasswdLine('broken:line'), null);
  assert.equal(parsePasswdLine('a:x:notanumber:1::/h:/s'), null);
});
