import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { localLine } from './shadow-system-users.js';

it('localLine finds the whole name before the first colon, never a longer or shorter name', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vanta-local-line-'));
  try {
    const file = join(dir, 'passwd');
    await writeFile(
      file,
      [
        'root:x:0:0:root:/root:/bin/bash',
        'alice2:x:40002:40002::/home/alice2:/usr/sbin/nologin',
        'alice:x:40001:40001:Vanta account a.example:/home/alice:/usr/sbin/nologin',
        'al:x:40003:40003::/home/al:/usr/sbin/nologin',
        '',
      ].join('\n'),
    );
    assert.equal(
      await localLine(file, 'alice'),
      'alice:x:40001:40001:Vanta account a.example:/home/alice:/usr/sbin/nologin',
    );
    assert.equal((await localLine(file, 'al'))?.split(':')[2], '40003');
    assert.equal(await localLine(file, 'ali'), null);
    assert.equal(await localLine(file, 'bob'), null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
