<?php

declare(strict_types=1);

namespace Inventory;

/** The ini file the boot script writes: path in INVENTORY_APP_SETTINGS, default /etc/inventory/app.ini. */
final class Settings
{
    public function __construct(
        public readonly string $dbHost,
        public readonly int $dbPort,
        public readonly string $dbName,
        public readonly string $dbSecretArn,
        public readonly string $awsRegion,
        public readonly ?string $dbTlsCa,
        public readonly ?string $secretsEndpoint,
        public readonly string $cacheDir,
        public readonly string $instanceId,
        public readonly string $availabilityZone,
    ) {
    }

    public static function load(): self
    {
        $path = getenv('INVENTORY_APP_SETTINGS') ?: '/etc/inventory/app.ini';
        // RAW: an RDS secret's ARN holds "!", an operator to the typed scanner.
        $ini = is_readable($path) ? parse_ini_file($path, false, INI_SCANNER_RAW) : false;
        if ($ini === false) {
            throw new \RuntimeException("cannot read the settings file $path");
        }
        $value = fn (string $key): string => trim($ini[$key] ?? '');
        $required = fn (string $key): string => $value($key) !== '' ? $value($key)
            : throw new \RuntimeException("the settings file $path has no $key");
        $port = filter_var($required('db_port'), FILTER_VALIDATE_INT, ['options' => ['min_range' => 1, 'max_range' => 65535]]);
        return new self(
            $required('db_host'),
            $port ?: throw new \RuntimeException("the settings file $path has an invalid db_port"),
            $required('db_name'),
            $required('db_secret_arn'),
            $required('aws_region'),
            $value('db_tls_ca') ?: null,
            $value('secrets_endpoint') ?: null,
            $required('cache_dir'),
            $value('instance_id') ?: 'unknown',
            $value('availability_zone') ?: 'unknown',
        );
    }
}
