<?php

declare(strict_types=1);

// The one entry point: Apache's FallbackResource and the PHP built-in server's router script.
ini_set('display_errors', '0');

// The built-in server serves existing files itself when the router returns false, as Apache does.
$path = (string) parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if (PHP_SAPI === 'cli-server' && $path !== '/index.php' && is_file(__DIR__ . $path)) {
    return false;
}

foreach (glob(dirname(__DIR__) . '/src/*.php') as $file) {
    require_once $file;
}

Inventory\App::create()->handle(Inventory\Request::fromGlobals())->send();
