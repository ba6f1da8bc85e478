import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRepquota, repquotaArgs } from './repquota.js';

const REPORT = [
  'User,BlockStatus,FileStatus,BlockUsed,BlockSoftLimit,BlockHardLimit,BlockGrace,FileUsed,FileSoftLimit,FileHardLimit,FileGrace',
  'root,ok,ok,20,0,0,,2,0,0,',
  'alice,ok,ok,1536,10240,10240,,41,0,0,',
  'over,soft,ok,10300,10240,20480,6days,7,0,0,',
  '#1042,ok,ok,12,0,0,,1,0,0,',
  '',
].join('\n');

test('repquota is asked for user quotas as comma-separated values', () => {
  assert.deepEqual(repquotaArgs('/home'), ['-u', '-O', 'csv', '/home']);
});

test('parseRepquota gives each named user the bytes its KiB count, skipping the header and bare uids', () => {
  assert.deepEqual(
    [...parseRepquota(REPORT).entries()],
    [
      ['root', 20 * 1024],
      ['alice', 1536 * 1024],
      ['over', 10300 * 1024],
    ],
  );
});

test('the used column is found by its name, whichever version names it', () => {
  const text = 'User,SpaceStatus,FileStatus,SpaceUsed,SpaceSoftLimit\nbob,ok,ok,77,0\n';
  assert.equal(parseRepquota(text).get('bob'), 77 * 1024);
  assert.equal(parseRepquota('bob,ok,ok,77,0\n').size, 0, 'no header, no figures');
});
