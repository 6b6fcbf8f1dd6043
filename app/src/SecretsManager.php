<?php

declare(strict_types=1);

namespace Inventory;

/** HTTP over PHP's stream wrappers: core PHP only (Debian ships the curl extension separately). */
final class HttpClient
{
    /**
     * @param array<string, string> $headers
     * @return array{0: int, 1: string} status and body; 4xx and 5xx are returned, not thrown
     */
    public function request(string $method, string $url, array $headers = [], string $body = ''): array
    {
        $context = stream_context_create(['http' => [
            'method' => $method,
            'header' => array_map(fn ($name, $value) => "$name: $value", array_keys($headers), $headers),
            'content' => $body,
            'timeout' => 3,
            'ignore_errors' => true,
            'follow_location' => 0,
            'protocol_version' => 1.1,
        ]]);
        $stream = @fopen($url, 'rb', false, $context);
        $response = $stream === false ? false : stream_get_contents($stream);
        if ($stream === false || $response === false) {
            throw new \RuntimeException("$method $url failed: " . (error_get_last()['message'] ?? 'no response'));
        }
        $status = 0;
        // After "100 Continue" there are several status lines; the last one counts.
        foreach (stream_get_meta_data($stream)['wrapper_data'] as $line) {
            if (preg_match('#^HTTP/\S+ (\d{3})#', $line, $match) === 1) {
                $status = (int) $match[1];
            }
        }
        fclose($stream);
        return [$status, $response];
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
    private readonly string $endpoint;

    public function __construct(
        private readonly string $region,
        ?string $endpoint,
        private readonly AwsCredentialProvider $credentials,
        private readonly HttpClient $http,
    ) {
        $this->endpoint = rtrim($endpoint ?? "https://secretsmanager.$region.amazonaws.com", '/');
        if (preg_match('#^https?://[^/?\#]+$#', $this->endpoint) !== 1) {
            throw new \InvalidArgumentException("secrets_endpoint must be scheme://host[:port], not $this->endpoint");
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
