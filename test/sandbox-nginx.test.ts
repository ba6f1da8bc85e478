import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ALL_SCOPES, type TestApp, makeApp } from './support/app.js';
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
