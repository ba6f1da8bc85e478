<?php

declare(strict_types=1);

// Stand-ins for the FOSSBilling classes a server manager is given, written from FOSSBilling's
// documented interface (src/library/Server/*.php in FOSSBilling 0.8): the same method names,
// argument and return types, and the same nullable getters, with nothing of FOSSBilling behind them.

/** Server_Exception is what a server manager throws; its message has :placeholders: filled in from $variables. */
class Server_Exception extends Exception
{
    public function __construct(string $message, ?array $variables = null, int $code = 0)
    {
        parent::__construct($variables === null ? $message : strtr($message, $variables), $code);
    }
}

/** TestLog records what a manager logs, where FOSSBilling gives it a Box_Log. */
class TestLog
{
    /** @var list<string> */
    public array $lines = [];

    public function info(string $message): void
    {
        $this->lines[] = $message;
    }
}

/** Server_Manager is the base class of every server manager, constructed with the server's settings. */
abstract class Server_Manager
{
    protected array $_config = [
        'ip' => null,
        'host' => null,
        'secure' => false,
        'username' => null,
        'password' => null,
        'accesshash' => null,
        'config' => null,
        'port' => null,
        'passwordLength' => null,
    ];

    private ?TestLog $log = null;

    public function __construct(array $options)
    {
        foreach (['ip', 'host', 'username', 'password', 'accesshash', 'config', 'port', 'passwordLength'] as $name) {
            if (isset($options[$name])) {
                $this->_config[$name] = $options[$name];
            }
        }
        if (isset($options['secure'])) {
            $this->_config['secure'] = (bool) $options['secure'];
        }
        $this->init();
    }

    protected function init()
    {
    }

    public function generateUsername(string $domain)
    {
        return substr((string) preg_replace('/[^A-Za-z0-9]/', '', $domain), 0, 7) . random_int(0, 9);
    }

    public function getPasswordLength(): int
    {
        return $this->_config['passwordLength'] ?? 10;
    }

    public function getLog(): TestLog
    {
        return $this->log ??= new TestLog();
    }

    abstract public function getLoginUrl(?Server_Account $account);

    abstract public function getResellerLoginUrl(?Server_Account $account);

    abstract public function testConnection();

    abstract public function createAccount(Server_Account $account);

    abstract public function synchronizeAccount(Server_Account $account);

    abstract public function suspendAccount(Server_Account $account);

    abstract public function unsuspendAccount(Server_Account $account);

    abstract public function cancelAccount(Server_Account $account);

    abstract public function changeAccountPassword(Server_Account $account, string $newPassword);

    abstract public function changeAccountUsername(Server_Account $account, string $newUsername);

    abstract public function changeAccountDomain(Server_Account $account, string $newDomain);

    abstract public function changeAccountIp(Server_Account $account, string $newIp);

    abstract public function changeAccountPackage(Server_Account $account, Server_Package $package);
}

/** Server_Client is the customer an account belongs to. */
class Server_Client
{
    private ?int $id = null;
    private ?string $email = null;
    private ?string $fullName = null;

    public function getId(): ?int
    {
        return $this->id;
    }

    public function setId(int $id): static
    {
        $this->id = $id;

        return $this;
    }

    public function getEmail(): ?string
    {
        return $this->email;
    }

    public function setEmail(?string $email): static
    {
        $this->email = $email;

        return $this;
    }

    public function getFullName(): ?string
    {
        return $this->fullName;
    }

    public function setFullName(?string $fullName): static
    {
        $this->fullName = $fullName;

        return $this;
    }
}

/** Server_Package is a hosting plan's limits as FOSSBilling keeps them: text, quota and bandwidth in MB. */
class Server_Package
{
    private ?string $name = 'FOSSBilling';
    private ?string $quota = null;
    private ?string $bandwidth = null;
    private ?string $maxDomains = null;
    private ?string $maxSql = null;
    private ?string $maxPop = null;
    private array $custom = [];

    public function getName(): ?string
    {
        return $this->name;
    }

    public function setName(?string $name): static
    {
        $this->name = $name;

        return $this;
    }

    public function getQuota(): ?string
    {
        return $this->quota;
    }

    public function setQuota(?string $quota): static
    {
        $this->quota = $quota;

        return $this;
    }

    public function getBandwidth(): ?string
    {
        return $this->bandwidth;
    }

    public function setBandwidth(?string $bandwidth): static
    {
        $this->bandwidth = $bandwidth;

        return $this;
    }

    public function getMaxDomains(): ?string
    {
        return $this->maxDomains;
    }

    public function setMaxDomains(?string $maxDomains): static
    {
        $this->maxDomains = $maxDomains;

        return $this;
    }

    public function getMaxSql(): ?string
    {
        return $this->maxSql;
    }

    public function setMaxSql(?string $maxSql): static
    {
        $this->maxSql = $maxSql;

        return $this;
    }

    public function getMaxPop(): ?string
    {
        return $this->maxPop;
    }

    public function setMaxPop(?string $maxPop): static
    {
        $this->maxPop = $maxPop;

        return $this;
    }

    public function getCustomValue(string $param): ?string
    {
        return $this->custom[$param] ?? null;
    }

    public function setCustomValue(string $param, ?string $value): static
    {
        $this->custom[$param] = $value;

        return $this;
    }
}

/** Server_Account is one hosting account as FOSSBilling hands it to a server manager. */
class Server_Account
{
    private ?string $username = null;
    private ?string $password = null;
    private ?string $domain = null;
    private ?string $ip = null;
    private ?Server_Client $client = null;
    private ?Server_Package $package = null;
    private ?bool $suspended = null;

    public function getUsername(): ?string
    {
        return $this->username;
    }

    public function setUsername(?string $username): static
    {
        $this->username = $username;

        return $this;
    }

    public function getPassword(): ?string
    {
        return $this->password;
    }

    public function setPassword(?string $password): static
    {
        $this->password = $password;

        return $this;
    }

    public function getDomain(): ?string
    {
        return $this->domain;
    }

    public function setDomain(?string $domain): static
    {
        $this->domain = $domain;

        return $this;
    }

    public function getIp(): ?string
    {
        return $this->ip;
    }

    public function setIp(?string $ip): static
    {
        $this->ip = $ip;

        return $this;
    }

    public function getClient(): ?Server_Client
    {
        return $this->client;
    }

    public function setClient(?Server_Client $client): static
    {
        $this->client = $client;

        return $this;
    }

    /** Typed non-null like FOSSBilling's: reading an account without a package throws a TypeError. */
    public function getPackage(): Server_Package
    {
        return $this->package;
    }

    public function setPackage(?Server_Package $package): static
    {
        $this->package = $package;

        return $this;
    }

    public function getSuspended(): ?bool
    {
        return $this->suspended;
    }

    public function setSuspended(bool $suspended): static
    {
        $this->suspended = $suspended;

        return $this;
    }
}
