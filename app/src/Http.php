<?php

declare(strict_types=1);

namespace Inventory;

final class Request
{
    /**
     * @param array<string, mixed> $form
     * @param array<string, mixed> $cookies
     * @param array<string, mixed> $query
     */
    public function __construct(
        public readonly string $method,
        public readonly string $path,
        public readonly array $form = [],
        public readonly array $cookies = [],
        public readonly bool $https = false,
        public readonly array $query = [],
        public readonly string $user = '',
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
            $_GET,
            // The signed-in user when the load balancer authenticates (OIDC or Cognito); else empty.
            (string) ($_SERVER['HTTP_X_AMZN_OIDC_IDENTITY'] ?? ''),
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
 * CSRF protection that needs no server-side state, since without sticky
 * sessions on the ALB a form one server rendered is often posted to another: a
 * random session id in a cookie, and in each form an HMAC of that id (and of
 * the signed-in user, when there is one) under a key only the servers hold.
 * Unlike a plain double-submit cookie, a cookie and field pair of an
 * attacker's choosing is refused. Over HTTPS the cookie is __Host- prefixed:
 * browsers then take it only from this host over HTTPS, for Path=/ and without
 * a Domain, so no other subdomain can plant one.
 */
final class Csrf
{
    public const FIELD = 'csrf_token';

    private readonly string $cookieName;
    private readonly string $session;

    /** @param \Closure(): string $key the signing key, fetched only when a token is made or checked */
    public function __construct(private readonly Request $request, private readonly \Closure $key)
    {
        $this->cookieName = ($request->https ? '__Host-' : '') . 'inventory_session';
        $cookie = $request->cookies[$this->cookieName] ?? null;
        $this->session = self::wellFormed($cookie) ? $cookie : bin2hex(random_bytes(32));
    }

    public function token(): string
    {
        return hash_hmac('sha256', "$this->session\n{$this->request->user}", ($this->key)());
    }

    public function cookie(): string
    {
        return "$this->cookieName=$this->session; Path=/; HttpOnly; SameSite=Strict" . ($this->request->https ? '; Secure' : '');
    }

    public function isValid(): bool
    {
        $field = $this->request->form[self::FIELD] ?? null;
        return self::wellFormed($this->request->cookies[$this->cookieName] ?? null) && self::wellFormed($field) && hash_equals($this->token(), $field);
    }

    private static function wellFormed(mixed $value): bool
    {
        return is_string($value) && preg_match('/^[0-9a-f]{64}$/D', $value) === 1;
    }
}
