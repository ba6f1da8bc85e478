import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NginxWebServer } from '../src/host/nginx/nginx-web-server.js';
import { NginxTrafficLogs } from '../src/host/traffic/nginx-traffic-logs.js';
import { HostRig, hostModeSkip } from './support/host-mode.js';
import { NGINX_BIN, PrivateNginx, freePort, get } from './support/nginx.js';

const REFUSED_RELOAD = fileURLToPath(new URL('./support/refused-reload.mjs', import.meta.url));

/** refusals counts the configurations nginx's master refused, as its error log tells them. */
function refusals(nginx: PrivateNginx): number {
  return (readFileSync(join(nginx.prefix, 'logs', 'error.log'), 'utf8').match(/\[emerg\]/g) ?? []).length;
}

describe('a reload answered before nginx took the new configuration (real nginx)', () => {
  let dir: string;
  let port: number;
  let nginx: PrivateNginx;
  let sitesDir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vanta-nginx-reload-'));
    port = await freePort();
    sitesDir = join(dir, 'sites');
    mkdirSync(sitesDir, { recursive: true });
    nginx = new PrivateNginx(join(dir, 'nginx'), port, sitesDir);
    await nginx.start();
  });
  after(async () => {
    await nginx?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** webServer is the panel's nginx driver on the private nginx, its reloads confirmed, its commands run by `run`. */
  const webServer = (hangUp?: (pid: number) => Promise<void>, reloadWaitMs = 30_000) => {
    const web: NginxWebServer = new NginxWebServer({
      sitesDir,
      bin: NGINX_BIN,
      args: nginx.args,
      reloadCommand: null,
      pidFile: nginx.pidFile,
      reloadWaitMs,
      listen: `127.0.0.1:${port}`,
      tlsListen: `127.0.0.1:${port + 1}`,
      challengeDir: join(dir, 'challenges'),
      suspendedRoot: join(dir, 'suspended'),
      timeoutMs: 30_000,
      reopenCommand: null,
      logs: new NginxTrafficLogs({ dir: join(dir, 'traffic'), buffer: null, reopen: () => web.reopenLogs() }),
      ...(hangUp ? { hangUp } : {}),
    });
    return web;
  };

  /** writeSite gives a user a page and writes the user's block through the driver (its nginx -t included). */
  const writeSite = async (web: NginxWebServer, user: string) => {
    const root = join(dir, 'homes', user);
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'index.html'), `<h1>${user}</h1>\n`);
    await web.writeLogFormat();
    await web.writeSite({ user, domain: `${user}.example`, root, suspended: false, phpSocket: null, tls: null });
  };

  it('each new site answers from the moment its reload returns (read once, no retry)', async () => {
    const web = webServer();
    for (const user of ['now1', 'now2', 'now3', 'now4', 'now5']) {
      await writeSite(web, user);
      await web.reload();
      assert.deepEqual(await get(port, `${user}.example`), { status: 200, body: `<h1>${user}</h1>\n` }, user);
    }
  });

  it('even from a master slow to re-read: the reload waits for its new workers', async () => {
    // The master is stopped when the panel signals it and for half a second after: as a master with a
    // large configuration to read, it takes its time; its old workers serve meanwhile.
    const slowMaster = async (pid: number) => {
      process.kill(pid, 'SIGSTOP');
      process.kill(pid, 'SIGHUP');
      setTimeout(() => process.kill(pid, 'SIGCONT'), 500);
    };
    const web = webServer(slowMaster);
    await writeSite(web, 'slow');
    await web.reload();
    assert.deepEqual(await get(port, 'slow.example'), { status: 200, body: '<h1>slow</h1>\n' });
  });

  it('a re-read the master refuses is reloaded once more, then the reload fails; the old configuration serves on', async () => {
    // Between the panel's nginx -t (a good configuration) and the master's re-read, a block nginx refuses
    // appears beside the others: the master logs it, keeps its old configuration and starts no worker.
    // The block goes once the refusal is logged.
    const broken = join(sitesDir, 'zz-vanta-test-refused.conf');
    let reloads = 0;
    const refusingMaster = async (pid: number) => {
      reloads++;
      const seen = refusals(nginx);
      process.kill(pid, 'SIGSTOP');
      try {
        writeFileSync(broken, 'vanta_test_refused_directive on;\n');
        process.kill(pid, 'SIGHUP');
      } finally {
        process.kill(pid, 'SIGCONT');
        for (let i = 0; i < 2000 && refusals(nginx) === seen; i++) await sleep(5);
        rmSync(broken, { force: true });
      }
    };
    const web = webServer(refusingMaster, 1500);
    await writeSite(web, 'refused');
    const before = refusals(nginx);
    await assert.rejects(web.reload(), {
      name: 'NginxReloadError',
      message:
        /^nginx did not take the new configuration after two reloads: no new worker of its master \(pid \d+\) within 1500 ms$/,
    });
    assert.equal(reloads, 2, 'one reload, and one more');
    assert.equal(refusals(nginx), before + 2, 'the master refused both');
    assert.equal((await get(port, 'refused.example')).status, 404, 'the site is not served');
    assert.equal((await get(port, 'now1.example')).status, 200, 'the sites of before are');
    await webServer().reload();
    assert.equal((await get(port, 'refused.example')).status, 200, 'the next reload catches up');
  });
});

const skip = hostModeSkip();

describe('a create answered 201 while nginx refused its reload (real panel, host mode)', {
  skip: skip ?? false,
}, () => {
  let rig: HostRig;
  before(async () => {
    rig = await HostRig.create();
  });
  after(async () => {
    await rig?.close();
  });

  it('the reload is tried once more, the create answers provisioning_failed at step reload, and it is undone, nginx asked to reload after the undos', async () => {
    const count = join(rig.dir, 'reloads');
    writeFileSync(count, '');
    const errorLog = join(rig.nginx.prefix, 'logs', 'error.log');
    await rig.start({
      VANTA_NGINX_RELOAD: [process.execPath, REFUSED_RELOAD, rig.nginx.pidFile, rig.sites, errorLog, count].join(' '),
      // Each reload waits as long as a host command may take.
      VANTA_HOST_TIMEOUT: '3',
    });
    try {
      const user = 'refusedreload';
      const made = await rig.api('POST', 'api=accounts', { user, domain: `${user}.example.test` });
      assert.equal(made.status, 502, JSON.stringify(made.body));
      assert.deepEqual([made.body.error, made.body.step], ['provisioning_failed', 'reload']);
      // A master slower than the waits may still load what the failed reload's turn left written: once
      // the undos have put the sites back, it is asked for one more reload, not waited for.
      assert.equal(
        readFileSync(count, 'utf8'),
        'reload\nreload\nreload\n',
        'one reload, one more, one after the undos',
      );
      assert.equal((await rig.api('GET', `api=account&user=${user}`)).status, 404, 'the account is gone');
      assert.equal(await rig.passwdEntry(user), null, 'and so is its system user');
      assert.equal(rig.homeExists(user), false);
      assert.deepEqual(await rig.siteFiles(), [], 'and its block');
      assert.equal((await rig.site(`${user}.example.test`)).status, 404);
    } finally {
      await rig.stop();
    }
  });
});
