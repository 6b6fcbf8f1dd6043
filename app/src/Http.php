<?php

declare(strict_types=1);

namespace Inventory;

final class Request
{
    /**
     * @param array<string, mixed> $form
     * @param array<string, mixed> $cookies
     */
    public function __construct(
        public readonly string $method,
        public readonly string $path,
        public readonly array $form = [],
        public readonly array $cookies = [],
        public readonly bool $https = false,
    ) {
    }

    public static function fromGlobals(): self
    {
        $method = $_SERVER['REQUEST_METHOD'] ?? 'GET';
        return new self(
            $method === 'HEAD' ? 'GET' : $method, // the web server drops the body
            (string) parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH),
            $_POST,
            $_COOKIE,
            // Behind the ALB the browser's scheme is in X-Forwarded-Proto.
            ($_SERVER['HTTPS'] ?? '') === 'on' || ($_SERVER['HTTP_X_FORWARDED_PROTO'] ?? '') === 'https',
        );
    }

    public function field(string $name): string
    {
        return is_string($this->form[$name] ?? null) ? trim($this->form[$name]) : '';
    }
}

final class Response
{
    /** @param array<string, string> $headers */
    public function __construct(
        public readonly int $status,
        public readonly string $body,
        public readonly array $headers = [],
    ) {
    }

    /** @param array<string, mixed> $document */
    public static function json(int $status, array $document): self
    {
        return new self($status, json_encode($document, JSON_UNESCAPED_SLASHES) . "\n", ['Content-Type' => 'application/json']);
    }

    /** @param array<string, string> $headers */
    public function with(array $headers): self
    {
        return new self($this->status, $this->body, $headers + $this->headers);
    }

    public function send(): void
    {
        http_response_code($this->status);
        header_remove('X-Powered-By');
        foreach ($this->headers as $name => $value) {
            header("$name: $value");
        }
        echo $this->body;
    }
}

/**
 * Double-submit token: a random value in a SameSite=Strict cookie that each
 * form repeats. Stateless on purpose: without sticky sessions on the ALB, a
 * form one server rendered is often posted to another, which would not have
 * the first one's PHP session.
 */
final class Csrf
{
    public const FIELD = 'csrf_token';
    private const COOKIE = 'inventory_csrf';

    public readonly string $token;

    public function __construct(private readonly Request $request)
    {
        $cookie = $request->cookies[self::COOKIE] ?? null;
        $this->token = self::wellFormed($cookie) ? $cookie : bin2hex(random_bytes(32));
    }

    public function cookie(): string
    {
        return self::COOKIE . "=$this->token; Path=/; HttpOnly; SameSite=Strict" . ($this->request->https ? '; Secure' : '');
    }

    public function isValid(): bool
    {
        $cookie = $this->request->cookies[self::COOKIE] ?? null;
        $field = $this->request->form[self::FIELD] ?? null;
        return self::wellFormed($cookie) && is_string($field) && hash_equals($cookie, $field);
    }

    private static function wellFormed(mixed $token): bool
    {
        return is_string($token) && preg_match('/^[0-9a-f]{64}$/D', $token) === 1;
    }
}
