<?php

declare(strict_types=1);

namespace Inventory;

/**
 * The one time limit of a request's outbound calls, all of them together
 * (metadata token, role credentials, Secrets Manager; connects, TLS handshakes
 * and reads): a slow endpoint costs a page at most this long, not a timeout per
 * read of every call.
 */
final class Deadline
{
    private readonly float $end;

    public function __construct(float $seconds)
    {
        $this->end = hrtime(true) / 1e9 + $seconds;
    }

    /** Seconds left; throws once there are none. */
    public function remaining(string $what): float
    {
        $left = $this->end - hrtime(true) / 1e9;
        return $left > 0 ? $left : throw new \RuntimeException("$what: the request's deadline for outbound calls passed");
    }
}

/**
 * HTTP/1.1 on a plain socket: core PHP only (Debian ships the curl extension
 * separately), and unlike PHP's http:// wrapper, whose timeout applies to
 * each read, every connect and read waits only as long as the deadline allows.
 */
final class HttpClient
{
    public function __construct(private readonly Deadline $deadline)
    {
    }

    /**
     * @param array<string, string> $headers
     * @return array{0: int, 1: string} status and body; 4xx and 5xx are returned, not thrown
     */
    public function request(string $method, string $url, array $headers = [], string $body = ''): array
    {
        $what = "$method $url";
        ['scheme' => $scheme, 'host' => $host] = parse_url($url) + ['scheme' => '', 'host' => ''];
        $port = parse_url($url, PHP_URL_PORT) ?? ($scheme === 'https' ? 443 : 80);
        // PHP reports why a connection failed (refused, a certificate that does not verify) as warnings.
        $warnings = [];
        set_error_handler(function (int $level, string $message) use (&$warnings): bool {
            $warnings[] = $message;
            return true;
        });
        try {
            $socket = stream_socket_client(
                ($scheme === 'https' ? 'tls' : 'tcp') . "://$host:$port",
                $errorCode,
                $error,
                $this->deadline->remaining($what),
                STREAM_CLIENT_CONNECT,
                stream_context_create(['ssl' => ['peer_name' => $host, 'crypto_method' => STREAM_CRYPTO_METHOD_TLSv1_2_CLIENT | STREAM_CRYPTO_METHOD_TLSv1_3_CLIENT]]),
            );
        } finally {
            restore_error_handler();
        }
        if ($socket === false) {
            throw new \RuntimeException("$what failed: " . (implode('; ', $warnings) ?: $error));
        }
        try {
            $headers += ['Host' => parse_url($url, PHP_URL_PORT) ? "$host:$port" : $host, 'Content-Length' => (string) strlen($body), 'Connection' => 'close'];
            $head = "$method " . (parse_url($url, PHP_URL_PATH) ?: '/') . " HTTP/1.1\r\n";
            foreach ($headers as $name => $value) {
                $head .= "$name: $value\r\n";
            }
            fwrite($socket, "$head\r\n$body");
            $response = '';
            while (!feof($socket)) {
                $left = $this->deadline->remaining($what);
                stream_set_timeout($socket, (int) $left, (int) (fmod($left, 1) * 1e6));
                $response .= (string) fread($socket, 65536);
                if (stream_get_meta_data($socket)['timed_out']) {
                    $this->deadline->remaining($what);
                }
            }
        } finally {
            fclose($socket);
        }
        if (preg_match('#^HTTP/1\.[01] (\d{3})[^\r]*\r\n(.*?)\r\n\r\n#s', $response, $match) !== 1) {
            throw new \RuntimeException("$what failed: no HTTP response");
        }
        $body = substr($response, strlen($match[0]));
        return [(int) $match[1], preg_match('/^transfer-encoding: *chunked/im', $match[2]) ? self::dechunk($body) : $body];
    }

    private static function dechunk(string $body): string
    {
        $result = '';
        while (preg_match('/^([0-9a-f]+)[^\r]*\r\n/i', $body, $size) === 1 && ($length = hexdec($size[1])) > 0) {
            $result .= substr($body, strlen($size[0]), $length);
            $body = substr($body, strlen($size[0]) + $length + 2);
        }
        return $result;
    }
}

final class AwsCredentials
{
    public function __construct(
        public readonly string $accessKeyId,
        #[\SensitiveParameter] public readonly string $secretAccessKey,
        #[\SensitiveParameter] public readonly ?string $sessionToken = null,
    ) {
    }
}

/**
 * The environment (local runs, tests), else the instance role through IMDSv2.
 * Only needed when the secret cache expires, so nothing is cached here.
 */
final class AwsCredentialProvider
{
    public function __construct(private readonly HttpClient $http)
    {
    }

    public function credentials(): AwsCredentials
    {
        $keyId = getenv('AWS_ACCESS_KEY_ID');
        $secretKey = getenv('AWS_SECRET_ACCESS_KEY');
        if ($keyId && $secretKey) {
            return new AwsCredentials($keyId, $secretKey, getenv('AWS_SESSION_TOKEN') ?: null);
        }

        // The AWS SDKs' variable, so a test can point it at a stand-in.
        $base = rtrim(getenv('AWS_EC2_METADATA_SERVICE_ENDPOINT') ?: 'http://169.254.169.254', '/') . '/latest';
        $token = $this->metadata('PUT', "$base/api/token", ['X-aws-ec2-metadata-token-ttl-seconds' => '60']);
        $headers = ['X-aws-ec2-metadata-token' => $token];
        $role = trim(explode("\n", $this->metadata('GET', "$base/meta-data/iam/security-credentials/", $headers))[0]);
        $document = json_decode($this->metadata('GET', "$base/meta-data/iam/security-credentials/" . rawurlencode($role), $headers), true);
        if (!is_array($document) || ($document['Code'] ?? '') !== 'Success'
            || !isset($document['AccessKeyId'], $document['SecretAccessKey'], $document['Token'])) {
            throw new \RuntimeException("no usable credentials for instance role '$role'");
        }
        return new AwsCredentials($document['AccessKeyId'], $document['SecretAccessKey'], $document['Token']);
    }

    /** @param array<string, string> $headers */
    private function metadata(string $method, string $url, array $headers): string
    {
        [$status, $body] = $this->http->request($method, $url, $headers);
        if ($status !== 200) {
            throw new \RuntimeException("instance metadata $url answered HTTP $status");
        }
        return $body;
    }
}

/** AWS Signature Version 4 for requests without a query string, as the JSON-protocol APIs send them. */
final class SigV4Signer
{
    public function __construct(private readonly string $region, private readonly string $service)
    {
    }

    /**
     * @param array<string, string> $headers must include Host
     * @return array<string, string> $headers plus X-Amz-Date, X-Amz-Security-Token and Authorization
     */
    public function sign(string $method, string $path, array $headers, string $body, AwsCredentials $credentials, ?\DateTimeImmutable $now = null): array
    {
        $time = ($now ?? new \DateTimeImmutable())->setTimezone(new \DateTimeZone('UTC'));
        $headers['X-Amz-Date'] = $time->format('Ymd\THis\Z');
        if ($credentials->sessionToken !== null) {
            $headers['X-Amz-Security-Token'] = $credentials->sessionToken;
        }
        $canonical = [];
        foreach ($headers as $name => $value) {
            $canonical[strtolower($name)] = strtolower($name) . ':' . preg_replace('/\s+/', ' ', trim($value)) . "\n";
        }
        ksort($canonical, SORT_STRING);
        $signedHeaders = implode(';', array_keys($canonical));
        $path = implode('/', array_map('rawurlencode', explode('/', $path)));
        $request = "$method\n$path\n\n" . implode('', $canonical) . "\n$signedHeaders\n" . hash('sha256', $body);

        $scope = $time->format('Ymd') . "/$this->region/$this->service/aws4_request";
        $key = 'AWS4' . $credentials->secretAccessKey;
        foreach (explode('/', $scope) as $part) {
            $key = hash_hmac('sha256', $part, $key, true);
        }
        $signature = hash_hmac('sha256', "AWS4-HMAC-SHA256\n{$headers['X-Amz-Date']}\n$scope\n" . hash('sha256', $request), $key);
        $headers['Authorization'] = "AWS4-HMAC-SHA256 Credential=$credentials->accessKeyId/$scope, SignedHeaders=$signedHeaders, Signature=$signature";
        return $headers;
    }
}

/** Secrets Manager's GetSecretValue over its JSON protocol, nothing more. */
final class SecretsManagerClient
{
    public readonly string $endpoint;

    /**
     * The DNS suffix of each partition's endpoints, by region prefix, as the AWS
     * SDKs' partitions.json has them; GovCloud (us-gov-) shares aws's.
     */
    private const DNS_SUFFIXES = [
        'cn-' => 'amazonaws.com.cn',
        'eusc-' => 'amazonaws.eu',
        'us-isob-' => 'sc2s.sgov.gov',
        'us-isof-' => 'csp.hci.ic.gov',
        'us-iso-' => 'c2s.ic.gov',
        'eu-isoe-' => 'cloud.adc-e.uk',
        '' => 'amazonaws.com',
    ];

    public function __construct(
        private readonly string $region,
        ?string $endpoint,
        private readonly AwsCredentialProvider $credentials,
        private readonly HttpClient $http,
    ) {
        $this->endpoint = rtrim($endpoint ?? 'https://secretsmanager.' . self::regionDomain($region), '/');
        if (preg_match('#^https?://[^/?\#]+$#', $this->endpoint) !== 1) {
            throw new \InvalidArgumentException("secrets_endpoint must be scheme://host[:port], not $this->endpoint");
        }
    }

    /** "<region>.<the partition's DNS suffix>" */
    public static function regionDomain(string $region): string
    {
        if (preg_match('/^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/D', $region) !== 1) {
            throw new \InvalidArgumentException("aws_region '$region' is not an AWS region name");
        }
        foreach (self::DNS_SUFFIXES as $prefix => $suffix) {
            if (str_starts_with($region, $prefix)) {
                return "$region.$suffix";
            }
        }
    }

    public function getSecretString(string $secretId): string
    {
        $body = json_encode(['SecretId' => $secretId], JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES);
        $headers = (new SigV4Signer($this->region, 'secretsmanager'))->sign('POST', '/', [
            'Host' => (string) parse_url($this->endpoint, PHP_URL_HOST) . (($port = parse_url($this->endpoint, PHP_URL_PORT)) ? ":$port" : ''),
            'Content-Type' => 'application/x-amz-json-1.1',
            'X-Amz-Target' => 'secretsmanager.GetSecretValue',
        ], $body, $this->credentials->credentials());
        [$status, $response] = $this->http->request('POST', "$this->endpoint/", $headers, $body);
        $document = json_decode($response, true);
        if ($status !== 200 || !is_string($document['SecretString'] ?? null)) {
            // AWS's error type and message (AccessDeniedException ...) never hold the secret.
            throw new \RuntimeException(sprintf('GetSecretValue answered HTTP %d %s %s', $status, $document['__type'] ?? '', $document['message'] ?? $document['Message'] ?? ''));
        }
        return $document['SecretString'];
    }
}
