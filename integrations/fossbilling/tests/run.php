<?php

declare(strict_types=1);

// Runs one case of Server_Manager_Vanta against a real panel, as FOSSBilling would call it:
//
//   VANTA_URL=http://127.0.0.1:2083 VANTA_TOKEN=vp_... VANTA_INPUT='{"user":...}' php run.php CASE
//
// VANTA_INPUT describes the account (user, password, domain, email, package {name, quota,
// bandwidth, max_sql, max_domains, max_pop, plan}) and the case's own inputs. The case asserts what
// the module answers and exits non-zero on the first failed assertion; on success it prints one
// line of JSON with what it found, for the caller to check against the panel.

require __DIR__ . '/stand-ins.php';
require __DIR__ . '/../Vanta.php';

/** fail ends the run with a failed assertion. */
function fail(string $message): never
{
    fwrite(STDERR, "FAIL: {$message}\n");
    exit(1);
}

/** check fails the run unless $condition holds. */
function check(bool $condition, string $message): void
{
    if (!$condition) {
        fail($message);
    }
}

/** same fails the run unless $actual is identical to $expected. */
function same(mixed $expected, mixed $actual, string $what): void
{
    check($expected === $actual, $what . ': expected ' . var_export($expected, true) . ', got ' . var_export($actual, true));
}

/** refused runs $call, which must throw a Server_Exception whose message matches every pattern; it answers the message. */
function refused(callable $call, array $patterns, string $what): string
{
    try {
        $call();
    } catch (Server_Exception $e) {
        foreach ($patterns as $pattern) {
            check(preg_match($pattern, $e->getMessage()) === 1, "{$what}: message \"{$e->getMessage()}\" does not match {$pattern}");
        }

        return $e->getMessage();
    }
    fail("{$what}: no Server_Exception");
}

/** manager builds the module for the panel at VANTA_URL with the token $token and the server's custom $config. */
function manager(string $token, array $config = []): Server_Manager_Vanta
{
    $url = parse_url((string) getenv('VANTA_URL'));
    check(is_array($url) && isset($url['host'], $url['port']), 'VANTA_URL must be http(s)://HOST:PORT');

    return new Server_Manager_Vanta([
        'host' => $url['host'],
        'port' => (string) $url['port'],
        'secure' => ($url['scheme'] ?? 'http') === 'https',
        'accesshash' => $token,
        'config' => $config,
    ]);
}

/** package builds a Server_Package from the input's `package` object, or null when there is none. */
function package(?array $spec): ?Server_Package
{
    if ($spec === null) {
        return null;
    }
    $package = (new Server_Package())
        ->setName($spec['name'] ?? 'FOSSBilling')
        ->setQuota($spec['quota'] ?? null)
        ->setBandwidth($spec['bandwidth'] ?? null)
        ->setMaxSql($spec['max_sql'] ?? null)
        ->setMaxDomains($spec['max_domains'] ?? null)
        ->setMaxPop($spec['max_pop'] ?? null);
    if (isset($spec['plan'])) {
        $package->setCustomValue('vanta_plan', $spec['plan']);
    }

    return $package;
}

/** account builds the Server_Account FOSSBilling would hand over for the input. */
function account(array $input): Server_Account
{
    $account = (new Server_Account())
        ->setUsername($input['user'] ?? null)
        ->setPassword($input['password'] ?? null)
        ->setDomain($input['domain'] ?? null)
        ->setIp($input['ip'] ?? null)
        ->setClient((new Server_Client())->setEmail($input['email'] ?? null));
    $package = package($input['package'] ?? null);
    if ($package !== null) {
        $account->setPackage($package);
    }

    return $account;
}

/** offline checks what the module decides without asking the panel. */
function offline(Server_Manager_Vanta $m): array
{
    $form = Server_Manager_Vanta::getForm();
    same('Vanta Panel', $form['label'], 'getForm label');
    same(['accesshash'], array_column($form['form']['credentials']['fields'], 'name'), 'getForm credential fields');

    $names = [
        'alice' => 'alice',
        '1shop' => 'v1shop',
        'Test42' => 'vtest42',
        'tester' => 'vtester',
        'Shop-Name.Example' => 'shopnameexample',
        'averyveryverylongname' => 'averyveryverylon',
        '2averyveryverylongname' => 'v2averyveryveryl',
        '' => 'v',
        'v1shop' => 'v1shop',
    ];
    foreach ($names as $given => $expected) {
        same($expected, $m->panelUsername((string) $given), "panelUsername({$given})");
        same($expected, $m->panelUsername($m->panelUsername((string) $given)), "panelUsername twice ({$given})");
    }

    foreach (['123hosting.example', 'test.example', 'TEST-shop.example', 'a-very-long-domain-name-indeed.example', 'x.io'] as $domain) {
        $user = $m->generateUsername($domain);
        check(preg_match('/^[a-z][a-z0-9]{0,15}$/', $user) === 1, "generateUsername({$domain}) = {$user} breaks the panel's rule");
        check(!str_starts_with($user, 'test'), "generateUsername({$domain}) = {$user} starts with test");
        same($user, $m->generateUsername($domain), "generateUsername({$domain}) again");
    }
    check($m->generateUsername('shop.example') !== $m->generateUsername('shop.example.net'), 'two domains with the same start get different names');

    $plans = [
        'Starter Plan' => 'starter-plan',
        '  Business / Pro  ' => 'business-pro',
        '__Odd..Name--' => 'odd..name',
        '***' => 'fossbilling',
        str_repeat('abc', 20) => substr(str_repeat('abc', 20), 0, 32),
    ];
    foreach ($plans as $given => $expected) {
        same($expected, $m->planName((new Server_Package())->setName((string) $given)), "planName({$given})");
    }
    same('custom', $m->planName((new Server_Package())->setName('Ignored')->setCustomValue('vanta_plan', 'custom')), 'planName with vanta_plan');

    $limits = $m->planLimits((new Server_Package())->setQuota('2048')->setBandwidth('0')->setMaxSql('0')->setMaxDomains('unlimited')->setMaxPop(''));
    same(['disk_mb' => 2048, 'bandwidth_mb' => null, 'max_databases' => 0, 'max_addon_domains' => null, 'max_email_accounts' => null], $limits, 'planLimits');

    same(16, $m->getPasswordLength(), 'getPasswordLength unset');
    $short = new Server_Manager_Vanta(['host' => '127.0.0.1', 'accesshash' => 'x', 'passwordLength' => 6]);
    same(10, $short->getPasswordLength(), 'getPasswordLength of a configured 6');
    $v6 = new Server_Manager_Vanta(['ip' => '::1', 'port' => '8443', 'secure' => true, 'accesshash' => 'x']);
    same('https://[::1]:8443/', $v6->getLoginUrl(null), 'getLoginUrl(null) of an IPv6 server');
    same('http://panel.example:2083/', (new Server_Manager_Vanta(['host' => 'panel.example', 'accesshash' => 'x']))->getLoginUrl(null), 'getLoginUrl(null) with the default port');
    refused(fn () => new Server_Manager_Vanta(['accesshash' => 'x']), ['/hostname or an IP address/'], 'a server without a host');

    $url = (string) getenv('VANTA_URL');
    same(rtrim($url, '/') . '/', $m->getLoginUrl(null), 'getLoginUrl(null)');
    same($m->getLoginUrl(null), $m->getResellerLoginUrl(null), 'getResellerLoginUrl(null)');

    return ['ok' => true];
}

$case = $argv[1] ?? '';
$input = json_decode((string) (getenv('VANTA_INPUT') ?: '{}'), true, 512, JSON_THROW_ON_ERROR);
$token = (string) getenv('VANTA_TOKEN');
$m = manager($token, $input['config'] ?? []);
$account = account($input);

try {
    $result = run($case, $m, $account, $input);
} catch (Throwable $e) {
    fail('unexpected ' . get_class($e) . ': ' . $e->getMessage());
}
echo json_encode($result, JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR), "\n";

/** run runs one case and answers what it found. */
function run(string $case, Server_Manager_Vanta $m, Server_Account $account, array $input): array
{
    return match ($case) {
    'offline' => offline($m),
    'test-connection' => ['connected' => $m->testConnection()],
    'test-connection-refused' => ['message' => refused(fn () => $m->testConnection(), $input['patterns'], 'testConnection')],
    'create' => (function () use ($m, $account): array {
        same(true, $m->createAccount($account), 'createAccount');

        return ['user' => $m->panelUsername((string) $account->getUsername())];
    })(),
    'create-again' => (function () use ($m, $account, $input): array {
        // FOSSBilling activating the same order once more: the same account, a newly generated password.
        same(true, $m->createAccount($account), 'createAccount');
        same(true, $m->createAccount((clone $account)->setPassword($input['second_password'])), 'createAccount again');

        return ['user' => $m->panelUsername((string) $account->getUsername())];
    })(),
    'create-refused' => ['message' => refused(fn () => $m->createAccount($account), $input['patterns'], 'createAccount')],
    'sync' => (function () use ($m, $account, $input): array {
        $synced = $m->synchronizeAccount($account);
        check($synced !== $account, 'synchronizeAccount answers a new object');
        same($input['user'], $account->getUsername(), 'the given account keeps its user name');
        same($input['package']['plan'] ?? null, $account->getPackage()->getCustomValue('vanta_plan'), 'the given package is left as it was');

        return [
            'user' => $synced->getUsername(),
            'domain' => $synced->getDomain(),
            'suspended' => $synced->getSuspended(),
            'ip' => $synced->getIp(),
            'plan' => $synced->getPackage()->getCustomValue('vanta_plan'),
        ];
    })(),
    'sync-refused' => ['message' => refused(fn () => $m->synchronizeAccount($account), $input['patterns'], 'synchronizeAccount')],
    'suspend' => ['done' => $m->suspendAccount($account)],
    'unsuspend' => ['done' => $m->unsuspendAccount($account)],
    'password' => ['done' => $m->changeAccountPassword($account, $input['new_password'])],
    'password-refused' => ['message' => refused(fn () => $m->changeAccountPassword($account, $input['new_password']), $input['patterns'], 'changeAccountPassword')],
    'package' => ['done' => $m->changeAccountPackage($account, package($input['new_package']))],
    'package-refused' => ['message' => refused(fn () => $m->changeAccountPackage($account, package($input['new_package'])), $input['patterns'], 'changeAccountPackage')],
    'domain' => ['done' => $m->changeAccountDomain($account, $input['new_domain'])],
    'domain-refused' => ['message' => refused(fn () => $m->changeAccountDomain($account, $input['new_domain']), $input['patterns'], 'changeAccountDomain')],
    'unsupported' => [
        'username' => refused(fn () => $m->changeAccountUsername($account, 'othername'), ['/does not support changing the user name/'], 'changeAccountUsername'),
        'ip' => refused(fn () => $m->changeAccountIp($account, '192.0.2.1'), ['/does not support changing the IP address/'], 'changeAccountIp'),
    ],
    'login' => ['url' => $m->getLoginUrl($account), 'reseller_url' => $m->getResellerLoginUrl($account), 'log' => $m->getLog()->lines],
    'cancel' => ['done' => $m->cancelAccount($account), 'again' => $m->cancelAccount($account)],
    default => fail("unknown case \"{$case}\""),
    };
}
