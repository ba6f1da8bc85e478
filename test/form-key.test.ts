import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { addAdmin } from '../src/app/admins.js';
import { loadConfig } from '../src/config.js';
import { type Serving, serve } from '../src/main.js';
import { fastHasher } from './support/app.js';
import { cookieJar } from './support/cookie-jar.js';
import { basicAuth, csrfOf, encodeForm } from './support/whm.js';

/** start runs `vanta serve` in this process over the data directory, quietly, on free ports. */
function start(dir: string): Promise<Serving> {
  const config = loadConfig({
    VANTA_DATA_DIR: dir,
    VANTA_ACME_DIRECTORY: 'off',
    VANTA_PANEL_PORT: '0',
    VANTA_WHM_PORT: '0',
  });
  return serve(config, () => {}, { logger: pino({ level: 'silent' }), hasher: fastHasher() });
}

/**
 * Finding: the key that signs form tokens was made anew by every process, so every vWHM and user-panel
 * form open during a restart (an upgrade, say) was refused as forged when posted. It is now kept in
 * the data directory.
 */
describe('a form opened before a restart of vanta serve', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vanta-form-key-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('still posts after it, with the token the page gave', async () => {
    let serving = await start(dir);
    const auth = basicAuth('alice', 'correct-horse-battery-9');
    const jar = cookieJar();
    let token: string;
    try {
      await addAdmin(serving.ctx, 'alice', 'correct-horse-battery-9');
      const page = jar.remember(
        await serving.whm.inject({ method: 'GET', url: '/plans', headers: { authorization: auth } }),
      );
      assert.equal(page.statusCode, 200);
      token = csrfOf(page.body);
    } finally {
      await serving.stop();
    }
    serving = await start(dir);
    try {
      const posted = await serving.whm.inject({
        method: 'POST',
        url: '/plans',
        headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded', ...jar.header() },
        payload: encodeForm({ name: 'afterrestart', _csrf: token }),
      });
      assert.equal(posted.statusCode, 303, posted.body);
      assert.ok(await serving.ctx.store.plans.get('afterrestart'), 'the plan was added');
    } finally {
      await serving.stop();
    }
    assert.equal(statSync(join(dir, 'form.key')).mode & 0o777, 0o600, 'the key is readable by its owner alone');
  });

  it('a key file that does not hold a key stops the start-up, with the file named', async () => {
    const other = await mkdtemp(join(tmpdir(), 'vanta-form-key-bad-'));
    try {
      writeFileSync(join(other, 'form.key'), 'not a key\n', { mode: 0o600 });
      await assert.rejects(
        start(other).then((started) => started.stop()),
        /form key file .*form\.key does not hold 64 hex digits/,
      );
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
