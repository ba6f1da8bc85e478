import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { firstPublicAddress } from '../src/host/public-address.js';
import { ALL_SCOPES, type TestApp, makeApp } from './support/app.js';

describe("the Account object's ip", () => {
  let configured: TestApp;
  let unset: TestApp;
  before(async () => {
    configured = await makeApp({ VANTA_PUBLIC_IP: '198.51.100.20' });
    unset = await makeApp();
  });
  after(async () => {
    await configured.close();
    await unset.close();
  });

  const create = async (app: TestApp, user: string) => {
    const token = await app.token(ALL_SCOPES);
    const made = await app.api('POST', 'api=accounts', { token, body: { user, domain: `${user}.example` } });
    assert.equal(made.statusCode, 201, made.body);
    return { token, made: made.json().account as Record<string, unknown> };
  };

  it('is VANTA_PUBLIC_IP in every call that answers an account', async () => {
    const { token, made } = await create(configured, 'ipuser');
    assert.equal(made.ip, '198.51.100.20');
    const one = await configured.api('GET', 'api=account&user=ipuser', { token });
    assert.equal(one.json().account.ip, '198.51.100.20');
    const list = await configured.api('GET', 'api=accounts', { token });
    assert.deepEqual(
      list.json().accounts.map((a: Record<string, unknown>) => a.ip),
      ['198.51.100.20'],
    );
    const suspended = await configured.api('POST', 'api=account&action=suspend&user=ipuser', { token });
    assert.equal(suspended.json().account.ip, '198.51.100.20');
  });

  it("is the machine's first non-loopback IPv4 address when VANTA_PUBLIC_IP is not set", async () => {
    const { made } = await create(unset, 'ipdefault');
    assert.equal(made.ip, firstPublicAddress(networkInterfaces()));
  });
});
