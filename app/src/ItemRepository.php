<?php

declare(strict_types=1);

namespace Inventory;

/** The items table, in SQL that both MySQL 8.4 (RDS) and MariaDB (the local test) run. */
final class ItemRepository
{
    private const TABLE_MISSING = 1146;

    public function __construct(private readonly Database $database)
    {
    }

    /** @return list<array{id: int, name: string, quantity: int, store: string}> */
    public function all(): array
    {
        return $this->run('SELECT id, name, quantity, store FROM items ORDER BY store, name, id')->fetchAll();
    }

    /** @return ?array{id: int, name: string, quantity: int, store: string} */
    public function find(int $id): ?array
    {
        return $this->run('SELECT id, name, quantity, store FROM items WHERE id = ?', [$id])->fetch() ?: null;
    }

    public function add(string $name, int $quantity, string $store): void
    {
        $this->run('INSERT INTO items (name, quantity, store) VALUES (?, ?, ?)', [$name, $quantity, $store]);
    }

    /** False when there is no such item. */
    public function update(int $id, string $name, int $quantity, string $store): bool
    {
        return $this->run('UPDATE items SET name = ?, quantity = ?, store = ? WHERE id = ?', [$name, $quantity, $store, $id])->rowCount() > 0;
    }

    /** False when there is no such item. */
    public function delete(int $id): bool
    {
        return $this->run('DELETE FROM items WHERE id = ?', [$id])->rowCount() > 0;
    }

    public function count(): int
    {
        return (int) $this->run('SELECT COUNT(*) FROM items')->fetchColumn();
    }

    /** @param list<int|string> $parameters */
    private function run(string $sql, array $parameters = []): \PDOStatement
    {
        $connection = $this->database->connection();
        try {
            $statement = $connection->prepare($sql);
        } catch (\PDOException $e) {
            if (($e->errorInfo[1] ?? null) !== self::TABLE_MISSING) {
                throw $e;
            }
            // Created on first use rather than on every request: MySQL writes even a no-op
            // CREATE TABLE IF NOT EXISTS to its binary log. IF NOT EXISTS: servers may race here.
            $connection->exec('CREATE TABLE IF NOT EXISTS items (
                id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
                name VARCHAR(100) NOT NULL,
                quantity INT UNSIGNED NOT NULL,
                store VARCHAR(100) NOT NULL,
                updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4');
            $statement = $connection->prepare($sql);
        }
        $statement->execute($parameters);
        return $statement;
    }
}
