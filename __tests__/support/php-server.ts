import { isListening, freePort } from "./free-port";
import { ManagedProcess, waitUntil } from "./managed-process";

export interface PhpServer {
  readonly url: string;
  readonly process: ManagedProcess;
}

/**
 * The app under PHP's built-in server, started as README.md says: www/ as the
 * document root and www/index.php as the router. The environment is exactly
 * `env` plus PATH, so no AWS variable of the machine leaks in.
 */
export async function startPhpServer(options: {
  readonly php: string;
  readonly appDirectory: string;
  readonly env: Readonly<Record<string, string>>;
}): Promise<PhpServer> {
  const port = await freePort();
  const www = `${options.appDirectory}/www`;
  const process = ManagedProcess.start("php -S", options.php, ["-S", `127.0.0.1:${port}`, "-t", www, `${www}/index.php`], {
    env: { PATH: globalThis.process.env.PATH ?? "/usr/bin:/bin", ...options.env },
  });
  await waitUntil(process, () => isListening(port));
  return { url: `http://127.0.0.1:${port}`, process };
}
