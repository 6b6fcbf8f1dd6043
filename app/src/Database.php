<?php

declare(strict_types=1);

namespace Inventory;

use PDO;
use PDOException;

/** The database (or the secret needed to reach it) cannot be had; the page answers 503. */
final class DatabaseUnavailable extends \RuntimeException
{
}

final class DatabaseCredentials
{
    public function __construct(
        public readonly string $username,
        #[\SensitiveParameter] public readonly string $password,
    ) {
    }

    /** From RDS's secret, {"username": ..., "password": ...}, or its cached copy. */
    public static function fromArray(#[\SensitiveParameter] mixed $secret): self
    {
        if (!is_string($secret['username'] ?? null) || !is_string($secret['password'] ?? null)) {
            throw new \RuntimeException('the database secret has no username and password');
        }
        return new self($secret['username'], $secret['password']);
    }
}

/**
 * The database credentials, cached for a few minutes in a file: PHP keeps
 * nothing between requests, and without the file every page would call
 * Secrets Manager. The cache dir is a tmpfs in production (/run/inventory).
 * Workers fetch under a lock and look at the file again once they hold it, so
 * when the copy expires or MySQL refuses it one worker calls Secrets Manager
 * and the others take its answer. RDS rotates the secret, so a cached copy can
 * be stale: Database calls refresh() when MySQL denies access.
 */
final class DatabaseSecret
{
    public const TTL_SECONDS = 300;
    /** A fetch after a refusal that brought the same password back is not repeated for this long. */
    public const REFUSED_RETRY_SECONDS = 10;

    public function __construct(
        private readonly string $secretArn,
        private readonly string $cacheDir,
        private readonly SecretsManagerClient $secretsManager,
    ) {
    }

    public function current(): DatabaseCredentials
    {
        return self::usable($this->read()) ?? $this->locked(fn (?array $cached) => self::usable($cached) ?? $this->fetch(false));
    }

    /** MySQL refused $refused: fetch again, unless another worker already did. */
    public function refresh(#[\SensitiveParameter] DatabaseCredentials $refused): DatabaseCredentials
    {
        return $this->locked(function (?array $cached) use ($refused): DatabaseCredentials {
            $credentials = self::usable($cached);
            $fetchedAfterRefusal = ($cached['refused'] ?? false) === true && time() - $cached['fetched_at'] < self::REFUSED_RETRY_SECONDS;
            return $credentials !== null && ($credentials->password !== $refused->password || $fetchedAfterRefusal)
                ? $credentials
                : $this->fetch(true);
        });
    }

    /** A copy younger than the TTL; one dated in the future is none (a clock set back, or a planted file). */
    private static function usable(#[\SensitiveParameter] ?array $cached): ?DatabaseCredentials
    {
        $fetchedAt = $cached['fetched_at'] ?? null;
        return is_int($fetchedAt) && $fetchedAt <= time() && time() - $fetchedAt < self::TTL_SECONDS ? DatabaseCredentials::fromArray($cached) : null;
    }

    /** @return ?array<string, mixed> */
    private function read(): ?array
    {
        $cached = json_decode((string) @file_get_contents($this->cacheFile()), true);
        return is_array($cached) ? $cached : null;
    }

    /** @param \Closure(?array<string, mixed>): DatabaseCredentials $work gets the cached copy as it is once the lock is held */
    private function locked(\Closure $work): DatabaseCredentials
    {
        @mkdir($this->cacheDir, 0700, true);
        // Without a lock file (an unwritable cache dir) each worker fetches for itself: slower, not an outage.
        $lock = @fopen($this->cacheFile() . '.lock', 'c');
        try {
            if ($lock !== false) {
                // The holder's own outbound calls end at its request's deadline, so the wait does too.
                flock($lock, LOCK_EX);
            }
            return $work($this->read());
        } finally {
            if ($lock !== false) {
                fclose($lock);
            }
        }
    }

    private function fetch(bool $afterRefusal): DatabaseCredentials
    {
        $credentials = DatabaseCredentials::fromArray(json_decode($this->secretsManager->getSecretString($this->secretArn), true));
        // Written to a 0600 file of its own and renamed into place: a worker reading without the lock never sees half a file.
        // A cache that cannot be written costs a Secrets Manager call per request, not an outage.
        $temporary = "$this->cacheDir/.secret-" . bin2hex(random_bytes(8));
        $file = @fopen($temporary, 'x');
        $document = json_encode(['fetched_at' => time(), 'refused' => $afterRefusal, 'username' => $credentials->username, 'password' => $credentials->password]);
        if ($file === false || !chmod($temporary, 0600) || !fwrite($file, (string) $document) || !fclose($file)
            || !rename($temporary, $this->cacheFile())) {
            @unlink($temporary);
            error_log("inventory: cannot cache the database secret in $this->cacheDir");
        }
        return $credentials;
    }

    private function cacheFile(): string
    {
        // Named after the ARN: a changed setting never reads the other secret's copy.
        return "$this->cacheDir/secret-" . substr(hash('sha256', $this->secretArn), 0, 16) . '.json';
    }
}

/**
 * The request's connection, opened on first use with the credentials from
 * Secrets Manager, and the app's tables, in SQL that both MySQL 8.4 (RDS) and
 * MariaDB (the local test) run.
 */
final class Database
{
    private const TABLE_MISSING = 1146;
    private const UNKNOWN_COLUMN = 1054;
    private const DUPLICATE_COLUMN = 1060;
    /** Seconds a connect may take at most, less when the request's deadline is nearer. */
    public const CONNECT_TIMEOUT_SECONDS = 3;
    /**
     * The client's codes for a server that cannot be reached (2002), has gone away (2006) or cut the
     * connection during a statement (2013): a failover, a restart, a network fault.
     */
    private const CONNECTION_LOST = [2002, 2006, 2013];

    private ?PDO $pdo = null;

    /** @param Deadline $deadline the request's, shared with its Secrets Manager calls: it bounds every connect and read */
    public function __construct(private readonly Settings $settings, private readonly DatabaseSecret $secret, private readonly Deadline $deadline)
    {
    }

    /** @throws DatabaseUnavailable */
    public function connection(): PDO
    {
        if ($this->pdo !== null) {
            return $this->pdo;
        }
        try {
            try {
                $this->pdo = $this->open($credentials = $this->secret->current());
            } catch (PDOException $e) {
                if (self::errorCode($e) !== 1045) {
                    throw $e;
                }
                // Access denied: RDS rotated the password after it was cached. Fetch it again, once.
                $this->pdo = $this->open($this->secret->refresh($credentials));
            }
        } catch (PDOException | \RuntimeException $e) {
            throw new DatabaseUnavailable('database unavailable', 0, $e);
        }
        return $this->pdo;
    }

    /**
     * Runs one prepared statement. The tables are made on first use rather than
     * checked on every request (MySQL writes even a no-op CREATE TABLE IF NOT
     * EXISTS to its binary log); IF NOT EXISTS and the duplicate-column check
     * let servers that boot together race here safely.
     *
     * @param list<int|string> $parameters
     */
    public function run(string $sql, array $parameters = []): \PDOStatement
    {
        try {
            return $this->runOnce($sql, $parameters);
        } catch (PDOException $e) {
            if (in_array(self::errorCode($e), self::CONNECTION_LOST, true)) {
                // The connection is dead: nothing of this request uses it again, and the next one connects afresh.
                $this->pdo = null;
                throw new DatabaseUnavailable('the connection to the database was lost', 0, $e);
            }
            throw $e;
        }
    }

    /**
     * A write answers once the server has committed it: the connection is in autocommit, and the
     * server sends a statement's OK only after InnoDB has written its commit to the redo log
     * (innodb_flush_log_at_trx_commit = 1, the default on RDS and MariaDB). A write whose OK is lost
     * to a failover is a 503, never an acknowledgement.
     *
     * @param list<int|string> $parameters
     */
    private function runOnce(string $sql, array $parameters): \PDOStatement
    {
        $connection = $this->connection();
        try {
            $statement = $connection->prepare($sql);
        } catch (PDOException $e) {
            $code = self::errorCode($e);
            if ($code === self::TABLE_MISSING) {
                $connection->exec('CREATE TABLE IF NOT EXISTS items (
                    id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
                    name VARCHAR(100) NOT NULL,
                    quantity INT UNSIGNED NOT NULL,
                    store VARCHAR(100) NOT NULL,
                    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
                    version INT UNSIGNED NOT NULL DEFAULT 1,
                    INDEX list_order (store, name)
                ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4');
                $connection->exec('CREATE TABLE IF NOT EXISTS app_keys (
                    name VARCHAR(32) NOT NULL PRIMARY KEY,
                    value VARBINARY(64) NOT NULL
                ) ENGINE=InnoDB');
            } elseif ($code === self::UNKNOWN_COLUMN && str_contains($e->getMessage(), "'version'")) {
                // A table from before edits carried a version (or the list was paged). A column added at
                // the end is instant, and the index is built online, on MySQL 8.0.12+ and MariaDB 10.3+.
                try {
                    $connection->exec('ALTER TABLE items ADD COLUMN version INT UNSIGNED NOT NULL DEFAULT 1, ADD INDEX list_order (store, name)');
                } catch (PDOException $raced) {
                    if (self::errorCode($raced) !== self::DUPLICATE_COLUMN) {
                        throw $raced;
                    }
                }
            } else {
                throw $e;
            }
            $statement = $connection->prepare($sql);
        }
        $statement->execute($parameters);
        return $statement;
    }

    /**
     * The key that signs form tokens (Csrf): 32 random bytes, made by the first
     * server that needs one and shared by all of them through the database, as a
     * form one server renders is often posted to another.
     */
    public function formKey(): string
    {
        $key = $this->run("SELECT value FROM app_keys WHERE name = 'csrf'")->fetchColumn();
        if ($key === false) {
            // IGNORE: when two servers race, the first key stays and both read it back.
            $this->run("INSERT IGNORE INTO app_keys (name, value) VALUES ('csrf', ?)", [random_bytes(32)]);
            $key = $this->run("SELECT value FROM app_keys WHERE name = 'csrf'")->fetchColumn();
        }
        return (string) $key;
    }

    /** The session's TLS cipher, '' without TLS. */
    public function tlsCipher(): string
    {
        return (string) $this->connection()->query("SHOW SESSION STATUS LIKE 'Ssl_cipher'")->fetchColumn(1);
    }

    private function open(DatabaseCredentials $credentials): PDO
    {
        $settings = $this->settings;
        $remaining = $this->deadline->remaining('connecting to the database');
        // Each read of this connection (the TLS handshake's included) waits at most what is left of the
        // deadline now: a server that stops answering mid-statement (a failover, a frozen host) ends the
        // request with error 2006 instead of holding a worker for mysqlnd's default of a day. Whole
        // seconds, rounded up: the setting takes no fraction.
        ini_set('mysqlnd.net_read_timeout', (string) (int) ceil($remaining));
        $options = [
            PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
            PDO::ATTR_EMULATE_PREPARES => false,
            PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC,
            // Else an unreachable host holds a PHP worker for the OS's TCP timeout.
            PDO::ATTR_TIMEOUT => (int) ceil(min(self::CONNECT_TIMEOUT_SECONDS, $remaining)),
            // Said, not assumed: a write is acknowledged only once committed (runOnce).
            PDO::ATTR_AUTOCOMMIT => true,
            self::mysql('MULTI_STATEMENTS') => false,
            // UPDATE's rowCount() then counts matched rows: saving an unchanged item is no "not found".
            self::mysql('FOUND_ROWS') => true,
        ];
        if ($settings->dbTlsCa !== null) {
            // RDS requires TLS (require_secure_transport): check the server's certificate and name.
            $options[self::mysql('SSL_CA')] = $settings->dbTlsCa;
            $options[self::mysql('SSL_VERIFY_SERVER_CERT')] = true;
        }
        $dsn = "mysql:host=$settings->dbHost;port=$settings->dbPort;dbname=$settings->dbName;charset=utf8mb4";
        return new PDO($dsn, $credentials->username, $credentials->password, $options);
    }

    private static function errorCode(PDOException $e): ?int
    {
        return ErrorFacts::databaseCodes($e)[1];
    }

    /** PHP 8.4 moved the driver's constants to Pdo\Mysql and 8.5 deprecates the PDO::MYSQL_ATTR_ names. */
    private static function mysql(string $name): int
    {
        return \defined("Pdo\\Mysql::ATTR_$name") ? \constant("Pdo\\Mysql::ATTR_$name") : \constant("PDO::MYSQL_ATTR_$name");
    }
}
