import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { findExecutable } from "../../src/system/executables";

/** The Debian package that brings each command or PHP extension the tests use. */
const DEBIAN_PACKAGES: Readonly<Record<string, string>> = {
  php: "php-cli",
  pdo_mysql: "php-mysql",
  mariadbd: "mariadb-server",
  "mariadb-install-db": "mariadb-server",
  mariadb: "mariadb-server",
  chromium: "chromium",
  shellcheck: "shellcheck",
  openssl: "openssl",
  tar: "tar",
  bash: "bash",
};

const INSTALL_HINT =
  "Install them with `bash scripts/install-test-deps.sh` (as root), i.e. apt-get install -y php-cli php-mysql mariadb-server chromium shellcheck openssl";

/**
 * Absolute paths of the commands, or an error naming the Debian packages to
 * install: a missing tool fails the suite, it never skips it. mariadbd lives in
 * /usr/sbin, which is not on every user's PATH.
 */
export function requireCommands(commands: readonly string[], options: { readonly phpExtensions?: readonly string[] } = {}): Record<string, string> {
  const searchPath = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/local/sbin", "/usr/sbin", "/sbin"];
  const found: Record<string, string> = {};
  const missing: string[] = [];
  for (const command of commands) {
    const location = findExecutable(command, searchPath);
    if (location) found[command] = location;
    else missing.push(command);
  }
  if (options.phpExtensions?.length && found.php) {
    const loaded = execFileSync(found.php, ["-m"], { encoding: "utf8" })
      .split("\n")
      .map((line) => line.trim().toLowerCase());
    missing.push(...options.phpExtensions.filter((extension) => !loaded.includes(extension.toLowerCase())));
  }
  if (missing.length > 0) {
    const named = missing.map((name) => `${name} (Debian package ${DEBIAN_PACKAGES[name] ?? "unknown"})`);
    throw new Error(`missing test tools: ${named.join(", ")}. ${INSTALL_HINT}`);
  }
  return found;
}
