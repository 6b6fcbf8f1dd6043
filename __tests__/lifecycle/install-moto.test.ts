import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../support/stacks";

// scripts/install-test-deps.sh installs moto with pip when moto_server is
// missing, and otherwise stops with one line naming it. Run here with stand-ins
// for dpkg-query (every Debian package installed) and python3 (a pip that
// installs, or one with no registry to reach), and a PATH without moto_server.

const script = path.join(PROJECT_ROOT, "scripts", "install-test-deps.sh");
let bin: string;

function write(name: string, body: string): void {
  fs.writeFileSync(path.join(bin, name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
}

function install() {
  return spawnSync("/bin/bash", [script], { encoding: "utf8", env: { PATH: `${bin}:/usr/bin:/bin`, HOME: bin } });
}

beforeEach(() => {
  bin = fs.mkdtempSync(path.join(os.tmpdir(), "install-deps-"));
  write("dpkg-query", 'echo "install ok installed"');
});
afterEach(() => fs.rmSync(bin, { recursive: true, force: true }));

it("does nothing more when moto_server is on PATH", () => {
  write("moto_server", "exit 0");
  write("python3", `echo "python3 $*" >> ${bin}/calls; exit 1`);
  const result = install();
  expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 0, stdout: "", stderr: "" });
  expect(fs.existsSync(path.join(bin, "calls"))).toBe(false);
});

it("installs moto[server] 5.2 with pip when moto_server is missing", () => {
  // A pip that installs moto_server, as a real install puts it on PATH.
  write(
    "python3",
    `echo "$*" >> ${bin}/calls; if [ "$3" = install ]; then printf '#!/bin/bash\\n' > ${bin}/moto_server; chmod +x ${bin}/moto_server; fi; exit 0`,
  );
  const result = install();
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
  expect(result.stdout).toBe("install-test-deps: installed moto[server]>=5.2,<5.3 with pip\n");
  expect(fs.readFileSync(path.join(bin, "calls"), "utf8")).toContain(
    "-m pip install --quiet --disable-pip-version-check --retries 0 --timeout 15 moto[server]>=5.2,<5.3",
  );
});

it("stops with one line naming moto when pip cannot reach its registry", () => {
  write("python3", 'if [ "$3" = install ]; then echo "ERROR: Could not find a version" >&2; exit 1; fi; exit 0');
  const result = install();
  expect(result.status).toBe(1);
  expect(result.stderr.trim().split("\n")).toEqual([
    "install-test-deps: moto_server is missing and pip could not install it: install the Python package 'moto[server]>=5.2,<5.3' " +
      "(pip install 'moto[server]>=5.2,<5.3') so moto_server is on PATH",
  ]);
});
