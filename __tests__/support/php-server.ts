import { isListening, freePort } from "../../src/system/free-port";
import { ManagedProcess, waitUntil } from "./managed-process";

/** Port 9 (discard) on loopback: nothing listens, so a stray metadata call fails at once. */
export const CLOSED_METADATA_ENDPOINT = "http://127.0.0.1:9";

export interface PhpServer {
  readonly url: string;
  readonly process: ManagedProcess;
}

/**
 * The app under PHP's built-in server, started as README.md says: www/ as the
 * document root and www/index.php as the router. The environment is exactly
 * `env` plus PATH, so no AWS variable of the machine leaks in, and the
 * metadata endpoint is a closed local port unless `env` names a stand-in: a
 * test must never reach the real link-local 169.254.169.254.
 */
export async function startPhpServer(options: {
  readonly php: string;
  readonly appDirectory: string;
  readonly env: Readonly<Record<string, string>>;
}): Promise<PhpServer> {
  const port = await freePort();
  const www = `${options.appDirectory}/www`;
  const server = ManagedProcess.start("php -S", options.php, ["-S", `127.0.0.1:${port}`, "-t", www, `${www}/index.php`], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", AWS_EC2_METADATA_SERVICE_ENDPOINT: CLOSED_METADATA_ENDPOINT, ...options.env },
  });
  await waitUntil(server, () => isListening(port));
  return { url: `http://127.0.0.1:${port}`, process: server };
}
