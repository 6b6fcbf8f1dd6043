import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { projectRoot } from "../../src/config/project-root";
import { CLOSED_METADATA_ENDPOINT } from "../../src/system/php-server";

const run = promisify(execFile);

export const APP_DIRECTORY = path.join(projectRoot(), "app");

/**
 * Runs PHP code with the app's classes loaded, in an environment of exactly
 * `env` plus PATH (and, unless `env` says otherwise, a closed metadata
 * endpoint, as for the PHP server). Resolves with stdout; rejects with stderr
 * when PHP fails.
 */
export async function runPhp(php: string, code: string, env: Readonly<Record<string, string>> = {}): Promise<string> {
  // As www/index.php loads them.
  const prelude = `foreach (glob(${JSON.stringify(path.join(APP_DIRECTORY, "src"))} . '/*.php') as $file) { require_once $file; }`;
  try {
    const { stdout } = await run(php, ["-d", "display_errors=stderr", "-d", "error_reporting=-1", "-r", `${prelude} ${code}`], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", AWS_EC2_METADATA_SERVICE_ENDPOINT: CLOSED_METADATA_ENDPOINT, ...env },
      timeout: 30_000,
    });
    return stdout;
  } catch (error) {
    const failure = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`php failed: ${failure.stderr || failure.stdout || failure.message}`, { cause: error });
  }
}
