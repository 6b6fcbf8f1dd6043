<?php

declare(strict_types=1);

namespace Inventory;

/** The items table (Database makes it on first use). */
final class ItemRepository
{
    /** Items on a page of the list: a page stays small however many items there are. */
    public const PAGE_SIZE = 50;

    public function __construct(private readonly Database $database)
    {
    }

    /**
     * Page $page (from 1) of the list, with one item more when there is a next page.
     *
     * @return list<array{id: int, name: string, quantity: int, store: string, version: int}>
     */
    public function page(int $page): array
    {
        // Integers in the text: PDO sends bound values as strings, which not every MySQL takes for a LIMIT.
        return $this->database->run(sprintf(
            'SELECT id, name, quantity, store, version FROM items ORDER BY store, name, id LIMIT %d OFFSET %d',
            self::PAGE_SIZE + 1,
            ($page - 1) * self::PAGE_SIZE,
        ))->fetchAll();
    }

    /** @return ?array{id: int, name: string, quantity: int, store: string, version: int} */
    public function find(int $id): ?array
    {
        return $this->database->run('SELECT id, name, quantity, store, version FROM items WHERE id = ?', [$id])->fetch() ?: null;
    }

    public function add(string $name, int $quantity, string $store): void
    {
        $this->database->run('INSERT INTO items (name, quantity, store) VALUES (?, ?, ?)', [$name, $quantity, $store]);
    }

    /** False when there is no such item or it is no longer at $version: someone else saved it since. */
    public function update(int $id, int $version, string $name, int $quantity, string $store): bool
    {
        return $this->database->run(
            'UPDATE items SET name = ?, quantity = ?, store = ?, version = version + 1 WHERE id = ? AND version = ?',
            [$name, $quantity, $store, $id, $version],
        )->rowCount() > 0;
    }

    /** False when there is no such item or it is no longer at $version: someone else saved it since. */
    public function delete(int $id, int $version): bool
    {
        return $this->database->run('DELETE FROM items WHERE id = ? AND version = ?', [$id, $version])->rowCount() > 0;
    }

    public function count(): int
    {
        return (int) $this->database->run('SELECT COUNT(*) FROM items')->fetchColumn();
    }
}
