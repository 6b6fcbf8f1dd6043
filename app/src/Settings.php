<?php

declare(strict_types=1);

namespace Inventory;

/** The ini file the boot script writes: path in INVENTORY_APP_SETTINGS, default /etc/inventory/app.ini. */
final class Settings
{
    /** Hours a form's token holds unless form_token_hours says otherwise. */
    public const DEFAULT_FORM_TOKEN_HOURS = 8;

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
        public readonly int $formTokenHours = self::DEFAULT_FORM_TOKEN_HOURS,
        public readonly bool $instanceHeaders = false,
        public readonly ?string $vpcCidr = null,
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
        $hours = $value('form_token_hours') === '' ? self::DEFAULT_FORM_TOKEN_HOURS
            : filter_var($value('form_token_hours'), FILTER_VALIDATE_INT, ['options' => ['min_range' => 1, 'max_range' => 168]]);
        $headers = match ($value('instance_headers')) {
            '', 'false' => false,
            'true' => true,
            default => throw new \RuntimeException("the settings file $path has an invalid instance_headers (true or false)"),
        };
        $vpcCidr = $value('vpc_cidr') ?: null;
        if ($vpcCidr !== null && !Network::isIpv4Cidr($vpcCidr)) {
            throw new \RuntimeException("the settings file $path has an invalid vpc_cidr (an IPv4 CIDR like 10.0.0.0/16)");
        }
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
            $hours ?: throw new \RuntimeException("the settings file $path has an invalid form_token_hours (1 to 168)"),
            $headers,
            $vpcCidr,
        );
    }
}

/** IPv4 addresses and CIDR blocks, for telling the VPC's own requests from the internet's. */
final class Network
{
    public static function isIpv4Cidr(string $cidr): bool
    {
        return preg_match('#^([0-9.]+)/(\d{1,2})$#D', $cidr, $part) === 1
            && filter_var($part[1], FILTER_VALIDATE_IP, FILTER_FLAG_IPV4) !== false && (int) $part[2] <= 32;
    }

    /** Whether $address (IPv4) is inside $cidr; false for anything else, IPv6 included. */
    public static function contains(string $cidr, string $address): bool
    {
        if (!self::isIpv4Cidr($cidr) || filter_var($address, FILTER_VALIDATE_IP, FILTER_FLAG_IPV4) === false) {
            return false;
        }
        [$base, $bits] = explode('/', $cidr);
        $mask = $bits === '0' ? 0 : (~0 << (32 - (int) $bits)) & 0xFFFFFFFF;
        return (ip2long($address) & $mask) === (ip2long($base) & $mask);
    }
}
