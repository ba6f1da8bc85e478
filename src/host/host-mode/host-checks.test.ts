import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findProgram, includesSitesDir } from './host-checks.js';

test('includesSitesDir finds an include of the sites directory in an nginx -T dump', () => {
  const dump = [
    '# configuration file /etc/nginx/nginx.conf:',
    'http {',
    '    include /etc/nginx/conf.d/*.conf;',
    '    # include /etc/nginx/conf.d/vanta/*.conf;',
    '}',
  ].join('\n');
  assert.equal(includesSitesDir(dump, '/etc/nginx/conf.d/vanta'), false, 'a commented include does not count');
  assert.equal(
    includesSitesDir(`${dump}\n    include "/etc/nginx/conf.d/vanta/*.conf";`, '/etc/nginx/conf.d/vanta/'),
    true,
  );
  assert.equal(includesSitesDir('include /etc/nginx/conf.d/vanta-old/*.conf;', '/etc/nginx/conf.d/vanta'), false);
});

test('findProgram resolves names on PATH and refuses what is not an executable file', async () => {
  assert.match((await findProgram('sh')) ?? '', /\/sh$/);
  assert.equal(await findProgram('vanta-no-such-program'), null);
  assert.equal(await findProgram(fileURLToPath(import.meta.url)), null, 'this test file is not executable');
});
