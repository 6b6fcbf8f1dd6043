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
        public readonly string $remoteAddress = '',
        public readonly bool $forwarded = false,
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
            (string) ($_SERVER['REMOTE_ADDR'] ?? ''),
            // The ALB adds X-Forwarded-For to every request it forwards, never to its own health checks.
            isset($_SERVER['HTTP_X_FORWARDED_FOR']),
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
 * Sessions and CSRF protection that need no server-side state, since without
 * sticky sessions on the ALB a form one server rendered is often posted to
 * another. The servers issue the session ids: an id is 32 random bytes and an
 * HMAC of them under a key only the servers hold, so an id a client made up
 * (or an attacker planted) is not one the app issued, and the app answers it
 * with a fresh one. Each form carries a token: the time it was issued and an
 * HMAC of the session id, the signed-in user (when there is one) and that
 * time. A token is refused after its lifetime, for another session or user,
 * and when its session id was not issued here. Over HTTPS the cookie is
 * __Host- prefixed: browsers then take it only from this host over HTTPS, for
 * Path=/ and without a Domain, so no other subdomain can plant one.
 */
final class Csrf
{
    public const FIELD = 'csrf_token';
    /** Seconds a token may be dated ahead of this server's clock: another server's clock may run ahead. */
    public const CLOCK_SKEW_SECONDS = 60;

    private readonly string $cookieName;
    /** The id this request's cookie carries when the app issued it; null until checked, '' when not. */
    private ?string $issuedSession = null;
    private ?string $session = null;

    /**
     * @param \Closure(): string $key the signing key, fetched only when an id or token is made or checked
     * @param int $lifetimeSeconds how long a form's token holds
     */
    public function __construct(private readonly Request $request, private readonly \Closure $key, private readonly int $lifetimeSeconds)
    {
        $this->cookieName = ($request->https ? '__Host-' : '') . 'inventory_session';
    }

    public function token(): string
    {
        $issuedAt = time();
        return "$issuedAt-" . $this->tokenMac($this->session(), $issuedAt);
    }

    /** The session cookie: the request's own id when the app issued it, else a fresh one. */
    public function cookie(): string
    {
        return "$this->cookieName={$this->session()}; Path=/; HttpOnly; SameSite=Strict" . ($this->request->https ? '; Secure' : '');
    }

    public function isValid(): bool
    {
        $field = $this->request->form[self::FIELD] ?? null;
        if (!is_string($field) || preg_match('/^([1-9]\d{0,11})-([0-9a-f]{64})$/D', $field, $token) !== 1) {
            return false;
        }
        $session = $this->issuedSession();
        $issuedAt = (int) $token[1];
        $age = time() - $issuedAt;
        return $session !== '' && $age >= -self::CLOCK_SKEW_SECONDS && $age < $this->lifetimeSeconds
            && hash_equals($this->tokenMac($session, $issuedAt), $token[2]);
    }

    private function session(): string
    {
        if ($this->session === null) {
            $nonce = bin2hex(random_bytes(32));
            $issued = $this->issuedSession();
            $this->session = $issued !== '' ? $issued : $nonce . $this->sessionMac($nonce);
        }
        return $this->session;
    }

    /** The cookie's session id if this app issued it, else ''. */
    private function issuedSession(): string
    {
        if ($this->issuedSession === null) {
            $cookie = $this->request->cookies[$this->cookieName] ?? null;
            $this->issuedSession = is_string($cookie) && preg_match('/^([0-9a-f]{64})([0-9a-f]{64})$/D', $cookie, $id) === 1
                && hash_equals($this->sessionMac($id[1]), $id[2]) ? $cookie : '';
        }
        return $this->issuedSession;
    }

    private function sessionMac(string $nonce): string
    {
        return hash_hmac('sha256', "session\n$nonce", ($this->key)());
    }

    private function tokenMac(string $session, int $issuedAt): string
    {
        return hash_hmac('sha256', "form\n$session\n{$this->request->user}\n$issuedAt", ($this->key)());
    }
}
