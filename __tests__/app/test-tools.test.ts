import { requireCommands } from "../support/require-commands";

// The app tests need Debian packages; a machine without them must fail the
// suites with the fix in the message, never skip them quietly.

describe("requireCommands", () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it("returns the absolute path of each command, /usr/sbin included", () => {
    const found = requireCommands(["bash", "mariadbd"]);
    expect(found.bash).toMatch(/^\/.*\/bash$/);
    expect(found.mariadbd).toMatch(/^\/.*sbin\/mariadbd$/);
  });

  it("names the Debian packages to install when commands are missing", () => {
    process.env.PATH = "/nonexistent";
    expect(() => requireCommands(["php", "chromium", "shellcheck"])).toThrow(
      "missing test tools: php (Debian package php-cli), chromium (Debian package chromium), shellcheck (Debian package shellcheck). " +
        "Install them with `bash scripts/install-test-deps.sh` (as root), i.e. apt-get install -y php-cli php-mysql mariadb-server chromium shellcheck openssl",
    );
  });

  it("names the package of a missing PHP extension", () => {
    expect(() => requireCommands(["php"], { phpExtensions: ["pdo_mysql", "no_such_extension"] })).toThrow(
      /^missing test tools: no_such_extension \(Debian package unknown\)\./,
    );
  });
});
