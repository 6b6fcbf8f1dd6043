<?php

declare(strict_types=1);

namespace Inventory;

/** Routes a request to its page; www/index.php builds one per request. */
final class App
{
    /** Seconds a request may spend on all its outbound calls together (instance metadata, Secrets Manager). */
    public const OUTBOUND_DEADLINE_SECONDS = 5;
    /**
     * Seconds a client is told to wait (Retry-After) before trying again after a 503. A restarted
     * database is back in seconds and a Multi-AZ failover in one to two minutes: a client that
     * honours it comes back soon without hammering a database on its way up.
     */
    public const RETRY_AFTER_SECONDS = 5;

    private readonly View $view;

    private function __construct(
        private readonly string $instanceId,
        private readonly string $availabilityZone,
        private readonly ?Database $database, // null without usable settings
        private readonly int $formTokenSeconds = Settings::DEFAULT_FORM_TOKEN_HOURS * 3600,
        private readonly bool $instanceHeaders = false,
        private readonly ?string $vpcCidr = null,
    ) {
        $this->view = new View(dirname(__DIR__) . '/templates', $instanceId, $availabilityZone);
    }

    public static function create(): self
    {
        try {
            $settings = Settings::load();
            $deadline = new Deadline(self::OUTBOUND_DEADLINE_SECONDS);
            $http = new HttpClient($deadline);
            $secrets = new SecretsManagerClient($settings->awsRegion, $settings->secretsEndpoint, new AwsCredentialProvider($http), $http);
            $database = new Database($settings, new DatabaseSecret($settings->dbSecretArn, $settings->cacheDir, $secrets), $deadline);
            return new self(
                $settings->instanceId,
                $settings->availabilityZone,
                $database,
                $settings->formTokenHours * 3600,
                $settings->instanceHeaders,
                $settings->vpcCidr,
            );
        } catch (\RuntimeException | \InvalidArgumentException $e) {
            // Every page is a 503, /health included: the boot script's own check then fails the boot
            // loudly, and the load balancer sends no one to a server that cannot work.
            error_log('inventory: ' . ErrorFacts::describe($e));
            return new self('unknown', 'unknown', null);
        }
    }

    public function handle(Request $request): Response
    {
        try {
            $response = $this->route($request);
        } catch (DatabaseUnavailable | \PDOException $e) {
            self::logDatabaseError($e);
            $response = $this->error(503, 'The inventory is unavailable right now. Please try again in a minute.');
        } catch (\Throwable $e) {
            error_log('inventory: ' . ErrorFacts::describe($e));
            $response = $this->error(500, 'Something went wrong.');
        }
        // The page's footer names the server; the headers, which tell every client (scanners too) the fleet's ids, only when turned on.
        $instance = $this->instanceHeaders
            ? ['X-Inventory-Instance-Id' => $this->instanceId, 'X-Inventory-Availability-Zone' => $this->availabilityZone]
            : [];
        // Every 503 is a while: the database or its secret away, or the settings missing.
        $retry = $response->status === 503 ? ['Retry-After' => (string) self::RETRY_AFTER_SECONDS] : [];
        return $response->with($instance + $retry + [
            'Cache-Control' => 'no-store',
            'X-Content-Type-Options' => 'nosniff',
            'Content-Security-Policy' => "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'",
        ] + ($request->https ? ['Strict-Transport-Security' => 'max-age=31536000'] : []));
    }

    private function route(Request $request): Response
    {
        $csrf = new Csrf($request, fn () => $this->database()->formKey(), $this->formTokenSeconds);
        $routes = [
            '#^/$#' => ['GET' => fn () => $this->list($csrf, $request->query['page'] ?? '1')],
            '#^/items$#' => ['POST' => fn () => $this->save($request, $csrf, null)],
            '#^/items/(\d{1,9})$#' => ['POST' => fn (int $id) => $this->save($request, $csrf, $id)],
            '#^/items/(\d{1,9})/edit$#' => ['GET' => fn (int $id) => $this->edit($csrf, $id)],
            '#^/items/(\d{1,9})/delete$#' => ['POST' => fn (int $id) => $this->delete($request, $csrf, $id)],
            // The ALB's check: Apache and PHP answer, with the settings loaded. It leaves the database out,
            // so a database outage or failover does not make the Auto Scaling group replace healthy servers.
            '#^/health$#' => ['GET' => fn () => $this->database === null
                ? new Response(503, "Unavailable\n", ['Content-Type' => 'text/plain'])
                : new Response(200, "OK\n", ['Content-Type' => 'text/plain'])],
            '#^/health/deep$#' => ['GET' => fn () => $this->deepHealth($request)],
        ];
        foreach ($routes as $pattern => $handlers) {
            if (preg_match($pattern, $request->path, $match) === 1) {
                $handler = $handlers[$request->method] ?? null;
                return $handler === null
                    ? $this->error(405, 'Method not allowed.')->with(['Allow' => implode(', ', array_keys($handlers))])
                    : $handler(...array_map('intval', array_slice($match, 1)));
            }
        }
        return $this->error(404, 'There is no such page.');
    }

    /** The list, a page at a time; a page number that is malformed or past the end is a 404. */
    private function list(Csrf $csrf, mixed $page): Response
    {
        $page = is_string($page) && preg_match('/^[1-9]\d{0,5}$/D', $page) === 1 ? (int) $page : 0;
        $items = $page > 0 ? $this->items()->page($page) : [];
        if ($items === [] && $page !== 1) {
            return $this->error(404, 'There is no such page.');
        }
        return $this->form($csrf, 'Inventory', 'items', [
            'items' => array_slice($items, 0, ItemRepository::PAGE_SIZE),
            'page' => $page,
            'hasNextPage' => count($items) > ItemRepository::PAGE_SIZE,
        ]);
    }

    private function edit(Csrf $csrf, int $id): Response
    {
        $item = $this->items()->find($id);
        return $item === null ? $this->error(404, 'There is no such item.') : $this->form($csrf, 'Edit item', 'edit', ['item' => $item]);
    }

    /** Adds an item ($id null) or updates one. */
    private function save(Request $request, Csrf $csrf, ?int $id): Response
    {
        if (!$csrf->isValid()) {
            return $this->error(403, 'The form has expired. Reload the page and try again.');
        }
        [$name, $quantity, $store, $version] = [$request->field('name'), $request->field('quantity'), $request->field('store'), $request->field('version')];
        // /u also refuses bytes that are not UTF-8.
        $errors = array_filter([
            preg_match('/^.{1,100}$/Du', $name) ? null : 'Name must be 1 to 100 characters.',
            filter_var($quantity, FILTER_VALIDATE_INT, ['options' => ['min_range' => 0, 'max_range' => 1000000]]) === false
                ? 'Quantity must be a whole number from 0 to 1000000.' : null,
            preg_match('/^.{1,100}$/Du', $store) ? null : 'Store must be 1 to 100 characters.',
            $id === null || preg_match('/^[1-9]\d{0,9}$/D', $version) ? null : 'The form has no version of the item. Reload the page and try again.',
        ]);
        if ($errors !== []) {
            return $this->error(422, ...$errors);
        }
        if ($id === null) {
            $this->items()->add($name, (int) $quantity, $store);
        } elseif (!$this->items()->update($id, (int) $version, $name, (int) $quantity, $store)) {
            return $this->notAtVersion($id, 'your changes were not saved');
        }
        return self::redirectHome();
    }

    /** Deletes the item at the version the form showed, as an edit saves only over the version it opened. */
    private function delete(Request $request, Csrf $csrf, int $id): Response
    {
        if (!$csrf->isValid()) {
            return $this->error(403, 'The form has expired. Reload the page and try again.');
        }
        $version = $request->field('version');
        if (preg_match('/^[1-9]\d{0,9}$/D', $version) !== 1) {
            return $this->error(422, 'The form has no version of the item. Reload the page and try again.');
        }
        return $this->items()->delete($id, (int) $version) ? self::redirectHome() : $this->notAtVersion($id, 'it was not deleted');
    }

    /** After an update or delete that matched no row: the item is gone (404), or someone saved it since the form was opened (409). */
    private function notAtVersion(int $id, string $outcome): Response
    {
        return $this->items()->find($id) === null
            ? $this->error(404, 'There is no such item.')
            : $this->error(409, "Someone else changed this item after you opened it, so $outcome. Open it again to see its current values.");
    }

    /**
     * For a person checking the whole path to the database. The details (the server, the TLS cipher, the item count)
     * only to the VPC: a request from inside vpc_cidr without X-Forwarded-For, which the ALB adds to every request it
     * forwards from a client and leaves off its own health checks. Through the load balancer, the status alone.
     */
    private function deepHealth(Request $request): Response
    {
        $details = $this->vpcCidr !== null && !$request->forwarded && Network::contains($this->vpcCidr, $request->remoteAddress);
        $where = $details ? ['instance_id' => $this->instanceId, 'availability_zone' => $this->availabilityZone] : [];
        try {
            $cipher = $this->database()->tlsCipher() ?: null;
            $database = $details ? ['status' => 'ok', 'tls_cipher' => $cipher, 'items' => $this->items()->count()] : ['status' => 'ok'];
        } catch (DatabaseUnavailable | \PDOException $e) {
            self::logDatabaseError($e);
            return Response::json(503, ['status' => 'unavailable', 'database' => ['status' => 'unavailable']] + $where);
        }
        return Response::json(200, ['status' => 'ok', 'database' => $database] + $where);
    }

    /** Only the server log gets the cause, as codes and a fixed description (ErrorFacts): never the statement, a value or a user. */
    private static function logDatabaseError(\Exception $e): void
    {
        error_log('inventory: database unavailable: ' . ErrorFacts::describe($e));
    }

    private function items(): ItemRepository
    {
        return new ItemRepository($this->database());
    }

    private function database(): Database
    {
        return $this->database ?? throw new DatabaseUnavailable('no settings');
    }

    /** @param array<string, mixed> $variables */
    private function form(Csrf $csrf, string $title, string $template, array $variables): Response
    {
        return $this->view->page(200, $title, $template, $variables + ['csrfField' => Csrf::FIELD, 'csrfToken' => $csrf->token()])
            ->with(['Set-Cookie' => $csrf->cookie()]);
    }

    private static function redirectHome(): Response
    {
        // 303: the browser follows with a GET, so reloading the list does not post the form again.
        return new Response(303, '', ['Location' => '/']);
    }

    private function error(int $status, string ...$messages): Response
    {
        return $this->view->page($status, 'Inventory', 'error', ['messages' => $messages]);
    }
}
