import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { bytesToMb } from '../src/domain/usage.js';
import { hostModeSkip, hostRigSuite } from './support/host-mode.js';
import { type Wire, eventually, rawGet, zeroWire } from './support/nginx.js';

const skip = hostModeSkip();

function randomUser(prefix: string): string {
  return prefix + Math.random().toString(36).slice(2, 8).replace(/[0-9]/g, 'x');
}

describe('host mode: usage metered by vanta serve, domain change', { skip: skip ?? false }, () => {
  // Metering every second, so that the test sees a pass soon after its requests.
  const host = hostRigSuite({ VANTA_TRAFFIC_INTERVAL: '1' });

  test("vanta serve meters what nginx sent the account's visitors into GET /?api=usage", async () => {
    const user = randomUser('hu');
    const domain = `${user}.example.test`;
    const made = await host.rig.api('POST', 'api=accounts', { user, domain });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const block = await readFile(join(host.rig.sites, `${user}.conf`), 'utf8');
    const log = join(host.rig.data, 'traffic', `${user}.log`);
    assert.ok(block.includes(`access_log "${log}" vanta_traffic;`), block);
    assert.equal(statSync(log).mode & 0o777, 0o600, 'made by the panel, readable by nobody else');
    await writeFile(join(host.rig.homes, user, 'public_html', 'big.bin'), Buffer.alloc(400_000, 3));

    // Only the account's own block logs to its log: a 404 of the default server (before the
    // reload took effect) is nobody's traffic and is not counted here either.
    const wire: Wire = zeroWire();
    const fetch = async (path: string) => {
      const one = zeroWire();
      const status = await rawGet(host.rig.nginx.port, domain, path, one);
      if (status === 200) {
        wire.requests += one.requests;
        wire.sent += one.sent;
        wire.received += one.received;
      }
      return status;
    };
    let streak = 0;
    assert.ok(
      await eventually(async () => {
        streak = (await fetch('/')) === 200 ? streak + 1 : 0;
        return streak >= 3;
      }),
    );
    for (let i = 0; i < 5; i++) assert.equal(await fetch('/big.bin'), 200);

    const expected = bytesToMb(wire.received);
    assert.ok(expected > 1.9, `${expected} MiB`);
    let entry: Record<string, unknown> = {};
    assert.ok(
      await eventually(async () => {
        const res = await host.rig.api('GET', `api=usage&user=${user}`);
        entry = (res.body.usage as Record<string, unknown>[])[0] ?? {};
        return entry.bandwidth_used_mb === expected;
      }, 200),
      `usage ${JSON.stringify(entry)}, expected ${expected} MiB`,
    );
    assert.equal(entry.user, user);
  });

  test('a domain change: the site answers for the new domain and no longer for the old one', async () => {
    const user = randomUser('hd');
    const old = `${user}.example.test`;
    const renamed = `shop-${user}.example.test`;
    const made = await host.rig.api('POST', 'api=accounts', { user, domain: old });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const index = await readFile(join(host.rig.homes, user, 'public_html', 'index.html'), 'utf8');
    assert.ok(await host.rig.settled(old, (r) => r.status === 200 && r.body === index));

    const changed = await host.rig.api('POST', `api=account&action=domain&user=${user}`, { domain: renamed });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal((changed.body.account as { domain: string }).domain, renamed);
    assert.ok(await host.rig.settled(renamed, (r) => r.status === 200 && r.body === index), 'the new domain serves');
    assert.ok(await host.rig.settled(`www.${renamed}`, (r) => r.status === 200 && r.body === index));
    assert.ok(await host.rig.settled(old, (r) => r.status === 404), 'the old domain falls to the default server');

    const gone = await host.rig.api('DELETE', `api=account&user=${user}`);
    assert.equal(gone.status, 200, JSON.stringify(gone.body));
  });
});
