import { isListening, freePort } from "./free-port";
import { ManagedProcess, waitUntil } from "./managed-process";

/** Port 9 (discard) on loopback: nothing listens, so a stray metadata call fails at once. */
export const CLOSED_METADATA_ENDPOINT = "http://127.0.0.1:9";

export interface PhpServer {
  readonly url: string;
  readonly process: ManagedProcess;
}

/**
 * The app under PHP's built-in server on 127.0.0.1, started as README.md says: www/ as the
 * document root and www/index.php as the router. The environment is exactly
 * `env` plus PATH, so no AWS variable of the machine leaks in, and the
 * metadata endpoint is a closed local port unless `env` names a stand-in: a
 * test or a local run must never reach the real link-local 169.254.169.254.
 */
export async function startPhpServer(options: {
  readonly php: string;
  readonly appDirectory: string;
  readonly env: Readonly<Record<string, string>>;
  /** Requests served at once (PHP_CLI_SERVER_WORKERS); one unless set, as PHP's own default. */
  readonly workers?: number;
}): Promise<PhpServer> {
  const port = await freePort();
  const www = `${options.appDirectory}/www`;
  const server = ManagedProcess.start("php -S", options.php, ["-S", `127.0.0.1:${port}`, "-t", www, `${www}/index.php`], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      AWS_EC2_METADATA_SERVICE_ENDPOINT: CLOSED_METADATA_ENDPOINT,
      ...(options.workers ? { PHP_CLI_SERVER_WORKERS: String(options.workers) } : {}),
      ...options.env,
    },
  });
  await waitUntil(server, () => isListening(port));
  return { url: `http://127.0.0.1:${port}`, process: server };
}
