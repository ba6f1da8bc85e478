import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findMount, hasUserQuota, setquotaArgs } from './setquota-quota.js';

const MOUNTINFO = [
  '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro',
  '30 22 8:2 / /home rw,relatime shared:2 - ext4 /dev/sda2 rw,usrquota',
  '31 22 8:3 / /srv/web\\040sites rw,relatime shared:3 - xfs /dev/sda3 rw,usrjquota=aquota.user,jqfmt=vfsv1',
  '32 22 0:4 / /homework rw - tmpfs tmpfs rw',
].join('\n');

test('setquota gets the limit in KiB as soft and hard block limits; null lifts it', () => {
  assert.deepEqual(setquotaArgs('alice', 1024, '/home'), ['-u', 'alice', '1048576', '1048576', '0', '0', '/home']);
  assert.deepEqual(setquotaArgs('alice', null, '/home'), ['-u', 'alice', '0', '0', '0', '0', '/home']);
});

test('findMount picks the deepest mount holding the path, not a mere name prefix', () => {
  assert.equal(findMount(MOUNTINFO, '/home/alice')?.mountPoint, '/home');
  assert.equal(findMount(MOUNTINFO, '/homework/x')?.mountPoint, '/homework');
  assert.equal(findMount(MOUNTINFO, '/var/www')?.mountPoint, '/');
  assert.equal(findMount(MOUNTINFO, '/srv/web sites/a')?.mountPoint, '/srv/web sites');
});

test('hasUserQuota recognises the user-quota mount options', () => {
  assert.equal(hasUserQuota(findMount(MOUNTINFO, '/home/a')?.options ?? []), true);
  assert.equal(hasUserQuota(findMount(MOUNTINFO, '/srv/web sites/a')?.options ?? []), true);
  assert.equal(hasUserQuota(findMount(MOUNTINFO, '/var')?.options ?? []), false);
  assert.equal(hasUserQuota(['rw', 'grpquota']), false);
});
