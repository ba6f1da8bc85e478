import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ALL_SCOPES, type TestApp, makeApp } from './support/app.js';
import { runVanta } from './support/cli.js';
import { PrivateNginx, eventually, freePort, get } from './support/nginx.js';

describe('sandbox server blocks, served by a real nginx', () => {
  let app: TestApp;
  let nginx: PrivateNginx;
  let token: string;
  let port: number;
  before(async () => {
    port = await freePort();
    app = await makeApp({ VANTA_NGINX_LISTEN: `127.0.0.1:${port}` });
    token = await app.token(ALL_SCOPES);
    nginx = new PrivateNginx(join(app.dir, 'test-nginx'), port, join(app.dir, 'nginx', 'sites'));
    for (const [user, domain] of [
      ['alice', 'alice.example'],
      ['bob', 'bob.example'],
    ]) {
      const res = await app.api('POST', 'api=accounts', { token, body: { user, domain } });
      assert.equal(res.statusCode, 201);
    }
    writeFileSync(join(app.dir, 'homes', 'bob', 'public_html', 'index.html'), '<h1>Bob was here</h1>\n');
    const check = await nginx.test();
    assert.ok(check.ok, check.output);
    await nginx.start();
  });
  after(async () => {
    await nginx?.stop();
    await app.close();
  });

  it("each domain and its www. name serve the account's own public_html", async () => {
    const alice = await get(port, 'alice.example');
    assert.equal(alice.status, 200);
    assert.match(alice.body, /<h1>alice\.example<\/h1>/);
    assert.match((await get(port, 'www.alice.example')).body, /<h1>alice\.example<\/h1>/);
    const bob = await get(port, 'bob.example');
    assert.equal(bob.body, '<h1>Bob was here</h1>\n');
    assert.equal((await get(port, 'unknown.example')).status, 404);
  });

  it('a suspended account answers 503 with the suspended page; unsuspend brings the site back', async () => {
    assert.equal((await app.api('POST', 'api=account&action=suspend&user=alice', { token })).statusCode, 200);
    assert.ok((await nginx.test()).ok);
    await nginx.reload();
    let page = { status: 0, body: '' };
    const settle = (status: number) =>
      eventually(async () => {
        page = await get(port, 'alice.example');
        return page.status === status;
      });
    assert.ok(await settle(503));
    assert.match(page.body, /This account is suspended/);
    assert.equal((await get(port, 'bob.example')).status, 200, 'other sites keep answering');

    assert.equal((await app.api('POST', 'api=account&action=unsuspend&user=alice', { token })).statusCode, 200);
    await nginx.reload();
    assert.ok(await settle(200));
    assert.match(page.body, /<h1>alice\.example<\/h1>/);
  });

  it('PHP source is never sent: with PHP (no php-fpm in the sandbox) .php gets 502, without PHP 404', async () => {
    const source = '<?php echo "run"; // vanta-source-marker\n';
    for (const name of ['probe.php', 'probe.php~', 'page.phtml', 'wp-config.php.bak'])
      writeFileSync(join(app.dir, 'homes', 'bob', 'public_html', name), source);
    const expect = async (table: [string, number][]) => {
      for (const [path, status] of table) {
        const r = await get(port, 'bob.example', path);
        assert.equal(r.status, status, path);
        assert.doesNotMatch(r.body, /vanta-source-marker/, `${path} sent PHP source`);
      }
    };
    await expect([
      ['/probe.php', 502],
      ['/PROBE.PHP', 404],
      ['/probe.php~', 404],
      ['/page.phtml', 404],
      ['/wp-config.php.bak', 404],
      ['/missing/page', 404],
    ]);
    assert.equal((await runVanta(app.dir, ['plan', 'add', 'static', '--no-php'])).code, 0);
    const changed = await app.api('POST', 'api=account&action=plan', { token, body: { user: 'bob', plan: 'static' } });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.ok((await nginx.test()).ok);
    await nginx.reload();
    // Three 404s in a row: just after the reload, a retiring worker may still answer from the old block.
    let streak = 0;
    assert.ok(
      await eventually(async () => {
        streak = (await get(port, 'bob.example', '/probe.php')).status === 404 ? streak + 1 : 0;
        return streak >= 3;
      }),
    );
    await expect([
      ['/probe.php', 404],
      ['/probe.php~', 404],
      ['/page.phtml', 404],
    ]);
    assert.equal((await get(port, 'bob.example')).body, '<h1>Bob was here</h1>\n', 'the rest of the site is served');
  });

  it('after terminate the domain no longer answers with the account page', async () => {
    assert.equal((await app.api('DELETE', 'api=account&user=alice', { token })).statusCode, 200);
    assert.ok((await nginx.test()).ok);
    await nginx.reload();
    let page = { status: 0, body: '' };
    assert.ok(
      await eventually(async () => {
        page = await get(port, 'alice.example');
        return page.status === 404;
      }),
    );
    assert.doesNotMatch(page.body, /alice\.example<\/h1>/);
    assert.equal((await get(port, 'bob.example')).status, 200);
  });
});
