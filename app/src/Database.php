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
 * RDS rotates the secret, so a cached copy can be stale: Database calls
 * refresh() when MySQL denies access.
 */
final class DatabaseSecret
{
    public const TTL_SECONDS = 300;

    public function __construct(
        private readonly string $secretArn,
        private readonly string $cacheDir,
        private readonly SecretsManagerClient $secretsManager,
    ) {
    }

    public function current(): DatabaseCredentials
    {
        $cached = json_decode((string) @file_get_contents($this->cacheFile()), true);
        if (is_int($cached['fetched_at'] ?? null) && time() - $cached['fetched_at'] < self::TTL_SECONDS) {
            return DatabaseCredentials::fromArray($cached);
        }
        return $this->refresh();
    }

    public function refresh(): DatabaseCredentials
    {
        $secret = json_decode($this->secretsManager->getSecretString($this->secretArn), true);
        $credentials = DatabaseCredentials::fromArray($secret);
        // Written to a 0600 file of its own and renamed into place: concurrent workers never read half a file.
        // A cache that cannot be written costs a Secrets Manager call per request, not an outage.
        @mkdir($this->cacheDir, 0700, true);
        $temporary = "$this->cacheDir/.secret-" . bin2hex(random_bytes(8));
        $file = @fopen($temporary, 'x');
        $document = json_encode(['fetched_at' => time(), 'username' => $credentials->username, 'password' => $credentials->password]);
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

/** The request's connection, opened on first use with the credentials from Secrets Manager. */
final class Database
{
    private ?PDO $pdo = null;

    public function __construct(private readonly Settings $settings, private readonly DatabaseSecret $secret)
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
                $this->pdo = $this->open($this->secret->current());
            } catch (PDOException $e) {
                if (($e->errorInfo[1] ?? null) !== 1045) {
                    throw $e;
                }
                // Access denied: RDS rotated the password after it was cached. Fetch it again, once.
                $this->pdo = $this->open($this->secret->refresh());
            }
        } catch (PDOException | \RuntimeException $e) {
            throw new DatabaseUnavailable('database unavailable', 0, $e);
        }
        return $this->pdo;
    }

    /** The session's TLS cipher, '' without TLS. */
    public function tlsCipher(): string
    {
        return (string) $this->connection()->query("SHOW SESSION STATUS LIKE 'Ssl_cipher'")->fetchColumn(1);
    }

    private function open(DatabaseCredentials $credentials): PDO
    {
        $settings = $this->settings;
        $options = [
            PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
            PDO::ATTR_EMULATE_PREPARES => false,
            PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC,
            // Else an unreachable host holds a PHP worker for the OS's TCP timeout.
            PDO::ATTR_TIMEOUT => 3,
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

    /** PHP 8.4 moved the driver's constants to Pdo\Mysql and 8.5 deprecates the PDO::MYSQL_ATTR_ names. */
    private static function mysql(string $name): int
    {
        return \defined("Pdo\\Mysql::ATTR_$name") ? \constant("Pdo\\Mysql::ATTR_$name") : \constant("PDO::MYSQL_ATTR_$name");
    }
}
