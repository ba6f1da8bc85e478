import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { type Server, createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { readFile } from 'node:fs/promises';
import { SCOPES } from '../src/domain/scopes.js';
import { listeningSuite } from './support/app.js';
import { buildAccount, buildPlan } from './support/builders.js';
import { panelClient } from './support/panel.js';

// Issue 14, item 1: FOSSBilling's Server_Manager_Vanta, run by PHP against the real panel on a
// loopback port. Each case of integrations/fossbilling/tests/run.php asserts what the module answers;
// these tests then check its effects through the API, the store and the user panel.

const PHP = '/usr/bin/php8.2';
const RUN = 'integrations/fossbilling/tests/run.php';
const run = promisify(execFile);

/** phpMissing says why the tests cannot run, or null when PHP with curl is there. */
function phpMissing(): string | null {
  const why = 'needs php8.2-cli and php8.2-curl (scripts/test-deps.sh installs them)';
  if (!existsSync(PHP)) return why;
  try {
    execFileSync(PHP, ['-r', 'exit(function_exists("curl_init") ? 0 : 1);']);
    return null;
  } catch {
    return why;
  }
}

/** A password of symbols that JSON, the shell and chpasswd each treat specially. */
const SYMBOLS = `p@$$ "w0rd' \\ ; & | < > { } % $(id) \`x\` ü€ #!`;

type Output = Record<string, unknown>;

describe('FOSSBilling: Server_Manager_Vanta against the panel', { skip: phpMissing() ?? false }, () => {
  const t = listeningSuite({ VANTA_PUBLIC_IP: '203.0.113.7' });
  let token: string;
  const url = () => `http://127.0.0.1:${t.port('panel')}`;

  before(async () => {
    token = await t.app.token([...SCOPES], { name: 'fossbilling' });
    await buildPlan(t.app.rt.ctx, 'starter', { diskMb: 1024 });
    await buildPlan(t.app.rt.ctx, 'bigger', { diskMb: 4096 });
  });

  /** php runs one case of run.php with the account `input`; it fails the test when PHP exits non-zero. */
  async function php(name: string, input: object, opts: { token?: string; url?: string } = {}): Promise<Output> {
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      VANTA_URL: opts.url ?? url(),
      VANTA_TOKEN: opts.token ?? token,
      VANTA_INPUT: JSON.stringify(input),
    };
    // Every notice, warning and deprecation goes to stderr, and a case that prints any fails.
    const args = ['-d', 'error_reporting=-1', '-d', 'display_errors=stderr', RUN, name];
    const answer = await run(PHP, args, { env, timeout: 120_000 }).catch((error: unknown) => {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      assert.fail(`php ${name} exited ${e.code}: ${e.stderr ?? ''}${e.stdout ?? ''}`);
    });
    assert.equal(answer.stderr, '', `php ${name} said more than its answer`);
    return JSON.parse(answer.stdout.trim().split('\n').pop() ?? '') as Output;
  }

  /** account answers the panel's Account object of `user`, or null when it has none. */
  async function account(user: string): Promise<Record<string, unknown> | null> {
    const res = await t.app.api('GET', `api=account&user=${user}`, { token });
    if (res.statusCode === 404) return null;
    assert.equal(res.statusCode, 200, res.body);
    return res.json().account;
  }

  /** signsIn tells whether the owner signs in to the user panel with `password`. */
  async function signsIn(user: string, password: string): Promise<boolean> {
    return (await panelClient(t.app).signIn(user, password)).statusCode === 303;
  }

  /** order is what FOSSBilling hands over for a new order of `user` on `<user>.example`. */
  const order = (user: string, extra: object = {}) => ({
    user,
    password: 'Order-Secret-1234!',
    domain: `${user}.example`,
    email: `owner@${user}.example`,
    package: { name: 'Starter', plan: 'starter' },
    ...extra,
  });

  it('decides user names, plan names, limits and addresses as the panel needs them, without asking it', async () => {
    assert.deepEqual(await php('offline', {}), { ok: true });
  });

  it('testConnection passes with a token of every scope', async () => {
    assert.deepEqual(await php('test-connection', {}), { connected: true });
  });

  it('testConnection names the scopes a token lacks', async () => {
    const narrow = await t.app.token(['accounts:read']);
    const out = await php(
      'test-connection-refused',
      { patterns: ['/lacks the scopes accounts:write, accounts:delete/', '/--scopes accounts:read,/'] },
      { token: narrow },
    );
    assert.match(String(out.message), /plans:write/);
  });

  it('a bad token gets a clear invalid_token error and makes nothing', async () => {
    const bad = 'vp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    await php(
      'test-connection-refused',
      { patterns: ['/answered 401 invalid_token: /', '/\\[request [0-9a-f-]{36}\\]/'] },
      { token: bad },
    );
    await php('create-refused', { ...order('badtoken'), patterns: ['/401 invalid_token/'] }, { token: bad });
    assert.equal(await account('badtoken'), null);
  });

  it('createAccount puts a v before a user name that starts with a digit, and the symbol-heavy password signs in', async () => {
    const out = await php('create', order('1shop', { password: SYMBOLS }));
    assert.deepEqual(out, { user: 'v1shop' });
    const made = await account('v1shop');
    assert.equal(made?.status, 'active');
    assert.equal(made?.domain, '1shop.example');
    assert.equal(made?.email, 'owner@1shop.example');
    assert.equal(made?.plan, 'starter');
    assert.equal(await signsIn('v1shop', SYMBOLS), true);
    assert.equal(await signsIn('v1shop', `${SYMBOLS}x`), false);
  });

  it('createAccount refuses a weak password before making anything', async () => {
    await php('create-refused', {
      ...order('weakpw', { password: 'short' }),
      patterns: ['/weak_password: password must be 10-128/'],
    });
    await php('create-refused', {
      ...order('weakpw2', { password: 'my-weakpw2-pass' }),
      patterns: ['/weak_password: password must not contain the user name/'],
    });
    assert.equal(await account('weakpw'), null);
    assert.equal(await account('weakpw2'), null);
  });

  it('createAccount of a user name the panel already has answers account_exists with its message', async () => {
    await buildAccount(t.app.rt.ctx, 'taken');
    await php('create-refused', { ...order('taken'), patterns: ['/409 account_exists: /'] });
  });

  it('suspendAccount and unsuspendAccount change the status, and synchronizeAccount reports it with the domain and plan', async () => {
    const input = order('syncme');
    await php('create', input);
    assert.deepEqual(await php('suspend', input), { done: true });
    assert.equal((await account('syncme'))?.status, 'suspended');
    const synced = await php('sync', input);
    assert.equal(synced.user, 'syncme');
    assert.equal(synced.domain, 'syncme.example');
    assert.equal(synced.suspended, true);
    assert.equal(synced.plan, 'starter');
    assert.deepEqual(await php('suspend', input), { done: true }, 'suspending twice is fine');
    assert.deepEqual(await php('unsuspend', input), { done: true });
    assert.equal((await account('syncme'))?.status, 'active');
    assert.equal((await php('sync', input)).suspended, false);
  });

  it('synchronizeAccount reports the panel public IP address', async () => {
    const input = order('syncip');
    await php('create', input);
    assert.equal((await php('sync', input)).ip, '203.0.113.7');
  });

  it('synchronizeAccount of an account the panel does not have: account_not_found', async () => {
    await php('sync-refused', { ...order('nosuch'), patterns: ['/404 account_not_found: /'] });
  });

  it('changeAccountPassword sets a symbol-heavy password; a weak one is refused and changes nothing', async () => {
    const input = order('newpw');
    await php('create', input);
    assert.deepEqual(await php('password', { ...input, new_password: SYMBOLS }), { done: true });
    assert.equal(await signsIn('newpw', SYMBOLS), true);
    assert.equal(await signsIn('newpw', input.password), false);
    await php('password-refused', { ...input, new_password: 'short', patterns: ['/weak_password/'] });
    assert.equal(await signsIn('newpw', SYMBOLS), true);
  });

  it('changeAccountPackage puts the account on an existing plan', async () => {
    const input = order('movepkg');
    await php('create', input);
    assert.deepEqual(await php('package', { ...input, new_package: { name: 'Bigger', plan: 'bigger' } }), {
      done: true,
    });
    assert.equal((await account('movepkg'))?.plan, 'bigger');
  });

  it('changeAccountPackage makes a missing plan from the package limits', async () => {
    const input = order('newplan');
    await php('create', input);
    const pkg = {
      name: 'Business Pro',
      quota: '2048',
      bandwidth: '0',
      max_sql: '5',
      max_domains: 'unlimited',
      max_pop: '10',
    };
    assert.deepEqual(await php('package', { ...input, new_package: pkg }), { done: true });
    assert.equal((await account('newplan'))?.plan, 'business-pro');
    const plan = await t.app.rt.ctx.store.plans.get('business-pro');
    assert.ok(plan, 'the plan was made');
    assert.equal(plan.diskMb, 2048);
    assert.equal(plan.bandwidthMb, null);
    assert.equal(plan.maxDatabases, 5);
    assert.equal(plan.maxAddonDomains, null);
    assert.equal(plan.maxEmailAccounts, 10);
  });

  it('createAccount makes a missing plan from the package limits', async () => {
    await php('create', order('planmade', { package: { name: 'Made On Create', quota: '512', max_sql: '1' } }));
    assert.equal((await account('planmade'))?.plan, 'made-on-create');
    assert.equal((await t.app.rt.ctx.store.plans.get('made-on-create'))?.diskMb, 512);
  });

  it('a missing plan with a token without plans:write names the scope', async () => {
    const input = order('noscope');
    await php('create', input);
    const limited = await t.app.token(['accounts:read', 'accounts:write', 'accounts:delete']);
    await php(
      'package-refused',
      {
        ...input,
        new_package: { name: 'Never Made' },
        patterns: ['/403 insufficient_scope: .*needs the scope plans:write/'],
      },
      { token: limited },
    );
    assert.equal(await t.app.rt.ctx.store.plans.get('never-made'), undefined);
  });

  it('changeAccountDomain moves the account; a domain another account has is refused', async () => {
    const input = order('movedom');
    await php('create', input);
    assert.deepEqual(await php('domain', { ...input, new_domain: 'moved.example' }), { done: true });
    assert.equal((await account('movedom'))?.domain, 'moved.example');
    await buildAccount(t.app.rt.ctx, 'holder');
    await php('domain-refused', { ...input, new_domain: 'holder.example', patterns: ['/409 domain_exists: /'] });
    assert.equal((await account('movedom'))?.domain, 'moved.example');
  });

  it('changeAccountUsername and changeAccountIp are refused as not supported, and nothing changes', async () => {
    const input = order('fixedname');
    await php('create', input);
    const out = await php('unsupported', input);
    assert.match(String(out.username), /^Vanta Panel does not support changing the user name/);
    assert.match(String(out.ip), /^Vanta Panel does not support changing the IP address/);
    assert.equal((await account('fixedname'))?.status, 'active');
  });

  it('getLoginUrl gives a one-time sign-on link that opens the panel; a suspended account gets the panel address', async () => {
    const input = order('ssouser');
    await php('create', input);
    const out = await php('login', input);
    const link = new URL(String(out.url));
    assert.equal(link.origin, url());
    assert.equal(link.pathname, '/sign-on');
    assert.notEqual(out.reseller_url, out.url, 'each call makes a link of its own');
    const browser = panelClient(t.app);
    const opened = await browser.get(`${link.pathname}${link.search}`);
    assert.equal(opened.statusCode, 303);
    assert.match((await browser.get('/')).body, /Signed in as <strong>ssouser<\/strong>/);
    assert.equal((await panelClient(t.app).get(`${link.pathname}${link.search}`)).statusCode, 401, 'used once');

    await php('suspend', input);
    const suspended = await php('login', input);
    assert.equal(suspended.url, `${url()}/`);
    assert.match(JSON.stringify(suspended.log), /409 account_suspended/);
  });

  it('a panel that does not answer: a clear error naming its address, and the sign-on button gives that address', async () => {
    const closed = createHttpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = closed.address();
    assert.ok(address && typeof address === 'object');
    await new Promise((resolve) => closed.close(resolve));
    const nowhere = `http://127.0.0.1:${address.port}`;
    const input = order('unreached');
    await php(
      'sync-refused',
      { ...input, patterns: [`/^Could not reach Vanta Panel at ${nowhere.replace(/[/.]/g, '\\$&')}\\/ \\(/`] },
      { url: nowhere },
    );
    const out = await php('login', input, { url: nowhere });
    assert.equal(out.url, `${nowhere}/`);
    assert.match(JSON.stringify(out.log), /Could not reach/);
  });

  it('cancelAccount terminates the account, and one already gone counts as cancelled', async () => {
    const input = order('goner');
    await php('create', input);
    assert.deepEqual(await php('cancel', input), { done: true, again: true });
    assert.equal(await account('goner'), null);
    assert.equal(await t.app.rt.ctx.store.accounts.get('goner'), undefined);
  });

  it('a repeated activation of the same order answers the first create, not account_exists', async () => {
    const input = order('retried');
    const out = await php('create-again', { ...input, second_password: 'a-new-Generated-pw-99' });
    assert.deepEqual(out, { user: 'retried' });
    assert.equal(await signsIn('retried', 'a-new-Generated-pw-99'), true, 'the second password is the one set');
    const { total } = await t.app.rt.ctx.store.accounts.list({ q: 'retried', limit: 10 });
    assert.equal(total, 1);
  });

  it('an order cancelled and activated again within a day, twice, is made again each time, not answered from an earlier create', async () => {
    const input = order('reorder');
    await php('create', input);
    for (const round of [1, 2]) {
      await php('cancel', input);
      assert.equal(await account('reorder'), null);
      await php('create', input);
      assert.equal((await account('reorder'))?.status, 'active', `made again, round ${round}`);
      assert.equal(await signsIn('reorder', input.password), true);
    }
  });

  describe('behind a connection that loses the answer to the first create', () => {
    let proxy: Server;
    let lossyUrl: string;
    const creates: string[] = [];

    before(async () => {
      // The first create reaches the panel, which makes the account; its answer never comes back.
      proxy = createHttpServer((req, res) => {
        const isCreate = req.method === 'POST' && req.url === '/?api=accounts';
        if (isCreate) creates.push(String(req.headers['idempotency-key']));
        const upstream = httpRequest(
          { host: '127.0.0.1', port: t.port('panel'), method: req.method, path: req.url, headers: req.headers },
          (answer) => {
            if (isCreate && creates.length === 1) {
              answer.resume();
              answer.on('end', () => res.socket?.destroy());
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        req.pipe(upstream);
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      const address = proxy.address();
      assert.ok(address && typeof address === 'object');
      lossyUrl = `http://127.0.0.1:${address.port}`;
    });
    after(() => new Promise((resolve) => proxy.close(resolve)));

    it('createAccount sends the create again with the same Idempotency-Key and gets the first result', async () => {
      const input = order('lostreply');
      assert.deepEqual(await php('create', input, { url: lossyUrl }), { user: 'lostreply' });
      assert.equal(creates.length, 2, 'sent twice');
      assert.match(creates[0] ?? '', /^fossbilling-create-[0-9a-f]{40}$/);
      assert.equal(creates[1], creates[0]);
      assert.equal((await account('lostreply'))?.status, 'active');
      assert.equal(await signsIn('lostreply', input.password), true);
    });
  });

  describe('over TLS', () => {
    let dir: string;
    let proxy: Server;
    let tlsUrl: string;
    let caFile: string;

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'vanta-fossbilling-tls-'));
      caFile = join(dir, 'cert.pem');
      const keyFile = join(dir, 'key.pem');
      await run('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        keyFile,
        '-out',
        caFile,
      ]);
      // A TLS front end for the panel, as the README's nginx would be, with a private certificate.
      proxy = createHttpsServer({ key: await readFile(keyFile), cert: await readFile(caFile) }, (req, res) => {
        const upstream = httpRequest(
          { host: '127.0.0.1', port: t.port('panel'), method: req.method, path: req.url, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        req.pipe(upstream);
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      const address = proxy.address();
      assert.ok(address && typeof address === 'object');
      tlsUrl = `https://127.0.0.1:${address.port}`;
      await php('create', order('tlsuser'));
    });
    after(async () => {
      await new Promise((resolve) => proxy.close(resolve));
      await rm(dir, { recursive: true, force: true });
    });

    it('the certificate is verified: a private one is refused without the CA file, trusted with it', async () => {
      await php(
        'sync-refused',
        {
          ...order('tlsuser'),
          patterns: ['/Could not reach Vanta Panel at https:\\/\\/127\\.0\\.0\\.1:\\d+\\/ \\(.*certificate/i'],
        },
        { url: tlsUrl },
      );
      const synced = await php('sync', { ...order('tlsuser'), config: { ca_file: caFile } }, { url: tlsUrl });
      assert.equal(synced.domain, 'tlsuser.example');
    });
  });
});
