<?php

declare(strict_types=1);

namespace Inventory;

/**
 * What the app's log may say about an error: its kind, its codes and a fixed
 * description, never words it did not write. A PDO message can quote the
 * statement, a value, the user name and the host; a PHP error's message can
 * quote its input. The app's own exceptions (settings, Secrets Manager, the
 * deadline) are written with fixed text that names no secret, so theirs is
 * kept. Session ids, form tokens, passwords and SQL are never logged.
 */
final class ErrorFacts
{
    /** MySQL and MariaDB error codes the app can meet, each with what it means. */
    private const DATABASE_ERRORS = [
        1044 => 'access to the database denied',
        1045 => 'access denied for the user (a rotated password?)',
        1146 => 'a table is missing',
        1205 => 'a lock wait timed out',
        1213 => 'a deadlock',
        1290 => 'the server is read-only (a failover under way?)',
        1836 => 'the server is read-only (a failover under way?)',
        2002 => 'cannot connect to the server or verify its certificate',
        2006 => 'the server has gone away',
        2013 => 'the connection was lost during a query',
    ];

    /** `$e` (or the database error behind a DatabaseUnavailable) in one line: never its message unless the app wrote it. */
    public static function describe(\Throwable $e): string
    {
        if ($e instanceof DatabaseUnavailable && $e->getPrevious() !== null) {
            return self::describe($e->getPrevious());
        }
        if ($e instanceof \PDOException) {
            return self::database($e);
        }
        if (self::isOwn($e)) {
            return $e->getMessage();
        }
        return sprintf('%s (code %d) at %s:%d', $e::class, (int) $e->getCode(), basename($e->getFile()), $e->getLine());
    }

    /**
     * The SQLSTATE and the server's or client's error number of a database error, each null when it has none.
     *
     * @return array{0: ?string, 1: ?int}
     */
    public static function databaseCodes(\PDOException $e): array
    {
        $info = is_array($e->errorInfo) ? $e->errorInfo : [];
        $state = is_string($info[0] ?? null) ? $info[0] : null;
        $code = is_int($info[1] ?? null) ? $info[1] : null;
        // A failed connect has no errorInfo; its message starts SQLSTATE[HY000] [2002]: only those two codes are read from it.
        if ($code === null && preg_match('/^SQLSTATE\[([A-Z0-9]{5})\] \[(\d{1,5})\]/', $e->getMessage(), $part) === 1) {
            $state = $part[1];
            $code = (int) $part[2];
        }
        return [$state !== null && preg_match('/^[A-Z0-9]{5}$/D', $state) === 1 ? $state : null, $code];
    }

    private static function database(\PDOException $e): string
    {
        [$state, $code] = self::databaseCodes($e);
        return sprintf(
            'PDOException SQLSTATE %s, error %s: %s',
            $state ?? '-----',
            $code ?? 'unknown',
            self::DATABASE_ERRORS[$code] ?? 'a database error',
        );
    }

    /** An exception the app threw itself, with text of its own: a plain runtime or argument error raised in app/src. */
    private static function isOwn(\Throwable $e): bool
    {
        $plain = in_array($e::class, [\RuntimeException::class, \InvalidArgumentException::class, DatabaseUnavailable::class], true);
        return $plain && dirname($e->getFile()) === __DIR__;
    }
}
