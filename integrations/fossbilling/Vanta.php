<?php

declare(strict_types=1);

/**
 * Server_Manager_Vanta drives Vanta Panel's account API from FOSSBilling 0.8 and later.
 *
 * Install by copying this one file to `src/library/Server/Manager/Vanta.php` of the FOSSBilling
 * installation; see the README beside it for the token, its scopes and the server settings.
 */
class Server_Manager_Vanta extends Server_Manager
{
    /** The user-panel listener, which serves the API, when the server has no port of its own. */
    private const DEFAULT_PORT = 2083;

    /** Every scope the module uses: plans:write makes the panel plan of a package that has none yet. */
    public const REQUIRED_SCOPES = ['accounts:read', 'accounts:write', 'accounts:delete', 'plans:write'];

    /** The panel keeps an account's user name to 16 characters. */
    private const USER_MAX = 16;

    /** What a generated user name keeps of the domain, leaving room for its four-character hash. */
    private const USER_STEM = 12;

    /** Transport failures after which a keyed request is sent again: its Idempotency-Key makes that safe. */
    private const RETRIED_CURL_ERRORS = [CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT, CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR];

    /** How often a keyed request is tried in all. */
    private const ATTEMPTS = 3;

    /** How many creates an activation sends at most when answers are about accounts cancelled since. */
    private const REMADE_ROUNDS = 5;

    /** The server form's credential fields: the API token goes in FOSSBilling's access hash. */
    public static function getForm(): array
    {
        return [
            'label' => 'Vanta Panel',
            'form' => [
                'credentials' => [
                    'fields' => [
                        [
                            'name' => 'accesshash',
                            'type' => 'text',
                            'label' => 'API token',
                            'placeholder' => 'vp_... from `vanta token create` with the scopes '
                                . implode(',', self::REQUIRED_SCOPES),
                            'required' => true,
                        ],
                    ],
                ],
            ],
        ];
    }

    /** A server without a hostname or IP address cannot be reached: say so when it is set up. */
    protected function init()
    {
        if ($this->host() === '') {
            throw new Server_Exception('The :type: server needs a hostname or an IP address', [':type:' => 'Vanta Panel']);
        }
    }

    /**
     * A one-time sign-on link into the user panel for the account, or the panel's address when there
     * is no account or no link can be made (the account is suspended, the panel is unreachable).
     */
    public function getLoginUrl(?Server_Account $account = null): string
    {
        if ($account === null) {
            return $this->panelUrl();
        }
        try {
            $answer = $this->call('POST', ['api' => 'account', 'action' => 'login', 'user' => $this->accountUser($account)]);
            $url = $answer['url'] ?? null;
            if (is_string($url) && preg_match('#^https?://#i', $url) === 1) {
                return $url;
            }
        } catch (Server_Exception $e) {
            $this->getLog()->info('Vanta Panel made no sign-on link, giving the panel address: ' . $e->getMessage());
        }

        return $this->panelUrl();
    }

    /** The panel has no resellers: a reseller's link is an owner's link. */
    public function getResellerLoginUrl(?Server_Account $account = null): string
    {
        return $this->getLoginUrl($account);
    }

    /**
     * A user name from the domain that the panel accepts: a letter first, never `test...`, at most
     * 16 letters and digits. It is the same for the same domain, so a repeated activation names the
     * same account and its Idempotency-Key matches (see createAccount).
     */
    public function generateUsername(string $domain): string
    {
        $prefix = (string) ($this->_config['config']['userprefix'] ?? '');
        $stem = substr($this->panelUsername($prefix . $domain), 0, self::USER_STEM);
        $hash = str_pad(base_convert(substr(hash('sha256', strtolower(trim($domain))), 0, 10), 16, 36), 4, '0', STR_PAD_LEFT);

        return $stem . substr($hash, 0, 4);
    }

    /** Generated passwords are long enough for the panel (10 to 128 characters), 16 unless configured. */
    public function getPasswordLength(): int
    {
        $configured = (int) ($this->_config['passwordLength'] ?? 0);

        return max(10, min(128, $configured > 0 ? $configured : 16));
    }

    /** Checks that the panel answers and that the token carries every scope the module uses. */
    public function testConnection(): bool
    {
        $answer = $this->call('GET', ['api' => 'ping']);
        $scopes = $answer['token']['scopes'] ?? [];
        $missing = array_values(array_diff(self::REQUIRED_SCOPES, is_array($scopes) ? $scopes : []));
        if ($missing !== []) {
            throw new Server_Exception('The :type: token lacks the scopes :missing:; issue one with --scopes :all:', [
                ':type:' => 'Vanta Panel',
                ':missing:' => implode(', ', $missing),
                ':all:' => implode(',', self::REQUIRED_SCOPES),
            ]);
        }

        return true;
    }

    /**
     * Creates the account, then sets its password in a second call. The create carries an
     * Idempotency-Key made from what it sends (user, domain, email, plan) and no password, so any
     * retry of the same order (a lost answer here, or FOSSBilling activating again with a new
     * password) is answered with the first create's result instead of `account_exists`.
     */
    public function createAccount(Server_Account $account): bool
    {
        $user = $this->accountUser($account);
        $password = (string) $account->getPassword();
        if ($password !== '') {
            $this->checkPassword($password, $user);
        }
        $body = ['user' => $user, 'domain' => (string) $account->getDomain()];
        $email = $account->getClient()?->getEmail();
        if (is_string($email) && $email !== '') {
            $body['email'] = $email;
        }
        $body['plan'] = $this->ensurePlan($this->packageOf($account));

        $keyed = $body;
        for ($round = 1; ; ++$round) {
            $created = $this->call('POST', ['api' => 'accounts'], $body, $this->idempotencyKey('create', $keyed));
            if ($password === '') {
                return true;
            }
            try {
                $this->setPassword($user, $password);

                return true;
            } catch (Server_Exception $e) {
                // The create was answered from the panel's memory of an earlier request for an account
                // that has since been cancelled: make it again under a key of its own, named after the
                // account that answer was about, so each cancel-and-activate gets a new key.
                if ($e->getCode() !== 404 || $round >= self::REMADE_ROUNDS) {
                    throw $e;
                }
                $keyed = $body + ['after' => (string) ($created['account']['created_at'] ?? '')];
            }
        }
    }

    /** A copy of the account with the panel's user name, domain, suspension, plan and IP address. */
    public function synchronizeAccount(Server_Account $account): Server_Account
    {
        $user = $this->accountUser($account);
        $found = $this->call('GET', ['api' => 'account', 'user' => $user])['account'] ?? [];
        $new = clone $account;
        $new->setUsername($user);
        if (isset($found['domain']) && is_string($found['domain'])) {
            $new->setDomain($found['domain']);
        }
        $new->setSuspended(($found['status'] ?? null) === 'suspended');
        if (isset($found['ip']) && is_string($found['ip']) && $found['ip'] !== '') {
            $new->setIp($found['ip']);
        }
        $package = $this->packageOf($account);
        $package = $package === null ? new Server_Package() : clone $package;
        $plan = $found['plan'] ?? null;
        $package->setCustomValue('vanta_plan', is_string($plan) ? $plan : null);
        $new->setPackage($package);

        return $new;
    }

    /** Suspends the account; one already suspended stays so. */
    public function suspendAccount(Server_Account $account): bool
    {
        $this->call('POST', ['api' => 'account', 'action' => 'suspend', 'user' => $this->accountUser($account)]);

        return true;
    }

    /** Unsuspends the account; an active one stays so. */
    public function unsuspendAccount(Server_Account $account): bool
    {
        $this->call('POST', ['api' => 'account', 'action' => 'unsuspend', 'user' => $this->accountUser($account)]);

        return true;
    }

    /** Terminates the account; one the panel no longer has counts as cancelled. */
    public function cancelAccount(Server_Account $account): bool
    {
        try {
            $this->call('DELETE', ['api' => 'account', 'user' => $this->accountUser($account)]);
        } catch (Server_Exception $e) {
            if ($e->getCode() !== 404) {
                throw $e;
            }
        }

        return true;
    }

    /** Sets the owner's password, after checking it against the panel's rules. */
    public function changeAccountPassword(Server_Account $account, string $newPassword): bool
    {
        $user = $this->accountUser($account);
        $this->checkPassword($newPassword, $user);
        $this->setPassword($user, $newPassword);

        return true;
    }

    /** The panel's user name is the account's system user and its home: it never changes. */
    public function changeAccountUsername(Server_Account $account, string $newUsername): never
    {
        throw new Server_Exception(':type: does not support :action:', [
            ':type:' => 'Vanta Panel',
            ':action:' => 'changing the user name (it is the account\'s system user; create a new account instead)',
        ]);
    }

    /** Moves the account to another primary domain; `domain_exists` when another account has it. */
    public function changeAccountDomain(Server_Account $account, string $newDomain): bool
    {
        $this->call('POST', ['api' => 'account', 'action' => 'domain', 'user' => $this->accountUser($account)], ['domain' => $newDomain]);

        return true;
    }

    /** Every account is served on the panel's own public address: there is no address per account. */
    public function changeAccountIp(Server_Account $account, string $newIp): never
    {
        throw new Server_Exception(':type: does not support :action:', [
            ':type:' => 'Vanta Panel',
            ':action:' => 'changing the IP address (every account is served on the panel\'s public address)',
        ]);
    }

    /** Puts the account on the package's plan, making the plan from the package's limits when the panel has none of that name. */
    public function changeAccountPackage(Server_Account $account, Server_Package $package): bool
    {
        $this->call('POST', ['api' => 'account', 'action' => 'plan', 'user' => $this->accountUser($account)], [
            'plan' => $this->ensurePlan($package),
        ]);

        return true;
    }

    /**
     * The panel user name for a FOSSBilling one: lower-case letters and digits, a `v` put in front of
     * one that starts with a digit or with `test`, at most 16 characters. A name the panel accepts is
     * kept as it is, so applying this twice changes nothing.
     */
    public function panelUsername(string $name): string
    {
        $user = strtolower((string) preg_replace('/[^A-Za-z0-9]/', '', $name));
        if ($user === '' || !ctype_alpha($user[0]) || str_starts_with($user, 'test')) {
            $user = 'v' . $user;
        }

        return substr($user, 0, self::USER_MAX);
    }

    /**
     * The panel plan of a package: its `vanta_plan` custom value when set, otherwise its name made
     * into a plan name (`Starter Plan` is `starter-plan`).
     */
    public function planName(Server_Package $package): string
    {
        $custom = $package->getCustomValue('vanta_plan');
        if (is_string($custom) && $custom !== '') {
            return $custom;
        }
        $name = strtolower(trim((string) $package->getName()));
        $name = (string) preg_replace('/[^a-z0-9_.-]+/', '-', $name);
        $name = substr(ltrim($name, '-_.'), 0, 32);
        $name = rtrim($name, '-');

        return $name === '' ? 'fossbilling' : $name;
    }

    /** The panel's plan fields for a package's limits (quota and bandwidth in MiB, 0 meaning unlimited as in cPanel). */
    public function planLimits(Server_Package $package): array
    {
        return [
            'disk_mb' => $this->limit($package->getQuota(), true),
            'bandwidth_mb' => $this->limit($package->getBandwidth(), true),
            'max_databases' => $this->limit($package->getMaxSql(), false),
            'max_addon_domains' => $this->limit($package->getMaxDomains(), false),
            'max_email_accounts' => $this->limit($package->getMaxPop(), false),
        ];
    }

    /** A package limit as a number, or null for unlimited: empty, `unlimited`, negative, and for sizes 0. */
    private function limit(?string $value, bool $zeroIsUnlimited): ?int
    {
        $value = trim((string) $value);
        if (preg_match('/^\d{1,12}$/', $value) !== 1) {
            return null;
        }
        $number = (int) $value;

        return $number === 0 && $zeroIsUnlimited ? null : $number;
    }

    /**
     * The name of the package's plan on the panel, made from the package's limits when missing. A
     * panel without the plans API gets the name alone (and says `unknown_plan` when it lacks it).
     */
    private function ensurePlan(?Server_Package $package): ?string
    {
        if ($package === null) {
            return null;
        }
        $name = $this->planName($package);
        try {
            $plans = $this->call('GET', ['api' => 'plans'])['plans'] ?? [];
        } catch (Server_Exception $e) {
            if ($e->getCode() === 404 && str_contains($e->getMessage(), 'unknown_api')) {
                return $name;
            }
            throw $e;
        }
        foreach ($plans as $plan) {
            if (($plan['name'] ?? null) === $name) {
                return $name;
            }
        }
        $this->call('POST', ['api' => 'plans'], ['name' => $name] + $this->planLimits($package));
        $this->getLog()->info("Made the Vanta Panel plan {$name} from the package's limits");

        return $name;
    }

    private function setPassword(string $user, string $password): void
    {
        $this->call('POST', ['api' => 'account', 'action' => 'password', 'user' => $user], ['password' => $password]);
    }

    /** The panel's password rules, checked before anything is made so that a refused password leaves nothing behind. */
    private function checkPassword(string $password, string $user): void
    {
        $problem = null;
        // Characters, not bytes, as the panel counts them; without mbstring, which PHP may lack.
        $length = preg_match_all('/./su', $password);
        if ($length === false) {
            $problem = 'password must be UTF-8 text';
        } elseif ($length < 10 || $length > 128) {
            $problem = 'password must be 10-128 characters long';
        } elseif (preg_match('/\p{Cc}/u', $password) === 1) {
            $problem = 'password must not contain control characters';
        } elseif (str_contains(strtolower($password), strtolower($user))) {
            $problem = 'password must not contain the user name';
        }
        if ($problem !== null) {
            throw new Server_Exception(':type: refused the password: weak_password: :problem:', [':type:' => 'Vanta Panel', ':problem:' => $problem], 400);
        }
    }

    private function accountUser(Server_Account $account): string
    {
        return $this->panelUsername((string) $account->getUsername());
    }

    private function packageOf(Server_Account $account): ?Server_Package
    {
        try {
            return $account->getPackage();
        } catch (TypeError) {
            // FOSSBilling's getter is typed non-null and throws when no package was set.
            return null;
        }
    }

    /**
     * The Idempotency-Key of a request: an HMAC of what it sends under the API token, so that it is the
     * same for the same request and tells nobody without the token anything about the request.
     */
    private function idempotencyKey(string $action, array $body): string
    {
        $material = json_encode([$action, $body], JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR);

        return 'fossbilling-' . $action . '-' . substr(hash_hmac('sha256', $material, $this->token()), 0, 40);
    }

    private function host(): string
    {
        $host = trim((string) ($this->_config['host'] ?? ''));
        if ($host === '') {
            $host = trim((string) ($this->_config['ip'] ?? ''));
        }

        return str_contains($host, ':') && !str_starts_with($host, '[') ? "[{$host}]" : $host;
    }

    private function port(): int
    {
        $port = filter_var($this->_config['port'] ?? null, FILTER_VALIDATE_INT, ['options' => ['min_range' => 1, 'max_range' => 65535]]);

        return $port === false ? self::DEFAULT_PORT : $port;
    }

    /** The user panel's address, where owners sign in. */
    private function panelUrl(): string
    {
        $scheme = !empty($this->_config['secure']) ? 'https' : 'http';

        return "{$scheme}://{$this->host()}:{$this->port()}/";
    }

    private function token(): string
    {
        $token = trim((string) ($this->_config['accesshash'] ?? ''));
        if ($token === '') {
            throw new Server_Exception('The :type: server has no API token (the access hash field)', [':type:' => 'Vanta Panel']);
        }

        return $token;
    }

    /**
     * Calls the API and answers the decoded body of a success. A failure throws a Server_Exception
     * whose message carries the panel's error code and message and whose code is the HTTP status.
     * A request with an Idempotency-Key is sent again after a lost answer or `request_in_progress`.
     */
    private function call(string $method, array $query, ?array $body = null, ?string $key = null): array
    {
        for ($attempt = 1; ; ++$attempt) {
            $last = $key === null || $attempt >= self::ATTEMPTS;
            [$status, $answer, $requestId, $curlError] = $this->send($method, $query, $body, $key);
            if ($curlError !== null) {
                if ($last || !in_array($curlError[0], self::RETRIED_CURL_ERRORS, true)) {
                    throw new Server_Exception('Could not reach :type: at :url: (:error:)', [
                        ':type:' => 'Vanta Panel',
                        ':url:' => $this->panelUrl(),
                        ':error:' => $curlError[1],
                    ]);
                }
            } elseif (($answer['ok'] ?? false) === true) {
                return $answer;
            } elseif ($last || ($answer['error'] ?? null) !== 'request_in_progress') {
                throw $this->failure($status, $answer, $requestId);
            }
            sleep($attempt);
        }
    }

    private function failure(int $status, ?array $answer, string $requestId): Server_Exception
    {
        $code = is_string($answer['error'] ?? null) ? $answer['error'] : 'http_' . $status;
        $message = is_string($answer['message'] ?? null) ? $answer['message'] : 'the answer was not the API\'s JSON';
        $extra = '';
        if (is_string($answer['required_scope'] ?? null)) {
            $extra .= ' (needs the scope ' . $answer['required_scope'] . ')';
        } elseif (is_string($answer['param'] ?? null)) {
            $extra .= ' (' . $answer['param'] . ')';
        }
        if (is_string($answer['step'] ?? null)) {
            $extra .= ' (step ' . $answer['step'] . ')';
        }
        if ($requestId !== '') {
            $extra .= ' [request ' . $requestId . ']';
        }

        return new Server_Exception(':type: answered :status: :code:: :message::extra:', [
            ':type:' => 'Vanta Panel',
            ':status:' => (string) $status,
            ':code:' => $code,
            ':message:' => $message,
            ':extra:' => $extra,
        ], $status);
    }

    /** One HTTP exchange: [status, decoded JSON object or null, X-Request-Id, [curl errno, curl error] or null]. */
    private function send(string $method, array $query, ?array $body, ?string $key): array
    {
        $headers = ['Accept: application/json', 'Authorization: Bearer ' . $this->token(), 'User-Agent: vanta-fossbilling/1'];
        $payload = null;
        if ($body !== null) {
            try {
                $payload = json_encode($body, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR);
            } catch (JsonException $e) {
                throw new Server_Exception('Could not send to :type: (:error:)', [':type:' => 'Vanta Panel', ':error:' => $e->getMessage()]);
            }
            $headers[] = 'Content-Type: application/json';
        }
        if ($key !== null) {
            $headers[] = 'Idempotency-Key: ' . $key;
        }
        $requestId = '';
        $curl = curl_init($this->panelUrl() . '?' . http_build_query($query, '', '&', PHP_QUERY_RFC3986));
        $options = [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_HTTPHEADER => $headers,
            CURLOPT_CONNECTTIMEOUT => 10,
            CURLOPT_TIMEOUT => 60,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_PROTOCOLS => CURLPROTO_HTTP | CURLPROTO_HTTPS,
            CURLOPT_SSL_VERIFYPEER => true,
            CURLOPT_SSL_VERIFYHOST => 2,
            CURLOPT_HEADERFUNCTION => static function ($handle, string $line) use (&$requestId): int {
                if (stripos($line, 'x-request-id:') === 0) {
                    $requestId = trim(substr($line, strlen('x-request-id:')));
                }

                return strlen($line);
            },
        ];
        $caFile = trim((string) ($this->_config['config']['ca_file'] ?? ''));
        if ($caFile !== '') {
            $options[CURLOPT_CAINFO] = $caFile;
        }
        if ($payload !== null) {
            $options[CURLOPT_POSTFIELDS] = $payload;
        }
        curl_setopt_array($curl, $options);
        $raw = curl_exec($curl);
        $errno = curl_errno($curl);
        $error = curl_error($curl);
        $status = (int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
        if ($raw === false || $errno !== 0) {
            return [0, null, '', [$errno, $error]];
        }
        $answer = json_decode((string) $raw, true);

        return [$status, is_array($answer) ? $answer : null, $requestId, null];
    }
}
