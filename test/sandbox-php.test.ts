import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderPool } from '../src/host/php/pool-config.js';
import { ALL_SCOPES, type TestApp, makeApp } from './support/app.js';
import { runVanta } from './support/cli.js';

describe('sandbox mode renders the PHP pools into the data directory', () => {
  let app: TestApp;
  let token: string;
  let poolDir: string;
  const pools = () => readdirSync(poolDir).sort();
  before(async () => {
    app = await makeApp();
    token = await app.token(ALL_SCOPES);
    poolDir = join(app.dir, 'php', 'pool.d');
  });
  after(() => app.close());

  it('create writes the pool as host mode would, with the plan limits, and the account its tmp dir', async () => {
    assert.equal((await runVanta(app.dir, ['plan', 'add', 'big', '--php-max-children', '9'])).code, 0);
    const res = await app.api('POST', 'api=accounts', {
      token,
      body: { user: 'alice', domain: 'alice.example', plan: 'big' },
    });
    assert.equal(res.statusCode, 201, res.body);
    const home = join(app.dir, 'homes', 'alice');
    assert.equal(
      readFileSync(join(poolDir, 'vanta-alice.conf'), 'utf8'),
      renderPool({
        user: 'alice',
        home,
        runDir: join(app.dir, 'php', 'run'),
        webGroup: 'www-data',
        maxChildren: 9,
        memoryMb: 256,
      }),
    );
    assert.equal(statSync(join(home, 'tmp')).mode & 0o777, 0o700);
  });

  it('suspend keeps the pool aside, unsuspend puts it back, a plan without PHP removes it, terminate too', async () => {
    const call = (query: string, body?: unknown) => app.api('POST', query, { token, body });
    assert.equal((await call('api=account&action=suspend&user=alice')).statusCode, 200);
    assert.deepEqual(pools(), ['vanta-alice.conf.disabled']);
    assert.equal((await call('api=account&action=unsuspend&user=alice')).statusCode, 200);
    assert.deepEqual(pools(), ['vanta-alice.conf']);
    assert.equal((await runVanta(app.dir, ['plan', 'add', 'static', '--no-php'])).code, 0);
    assert.equal((await call('api=account&action=plan', { user: 'alice', plan: 'static' })).statusCode, 200);
    assert.deepEqual(pools(), []);
    assert.equal((await call('api=account&action=plan', { user: 'alice', plan: null })).statusCode, 200);
    assert.deepEqual(pools(), ['vanta-alice.conf'], 'no plan is PHP with the default limits');
    assert.match(readFileSync(join(poolDir, 'vanta-alice.conf'), 'utf8'), /^pm\.max_children = 5$/m);
    assert.equal((await app.api('DELETE', 'api=account&user=alice', { token })).statusCode, 200);
    assert.deepEqual(pools(), []);
    assert.equal(existsSync(join(app.dir, 'homes', 'alice')), false);
  });
});
