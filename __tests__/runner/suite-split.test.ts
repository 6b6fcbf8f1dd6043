import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../support/stacks";

// What each test command runs, as Jest itself resolves it (`jest --listTests`):
// `npm run test:all` every suite, `npm test` all but the ones that deploy into
// the AWS emulator, `npm run test:emulator` only those. A suite missed by the
// whole run, or an emulator suite that crept back into `npm test`, fails here.

/** The suites that apply a stack into the AWS emulator with Terraform, as jest.emulator-suites.js should name them. */
const EMULATOR_SUITES = [
  "ci-access/ci-access-emulator.test.ts",
  "ci-access/deploy-role-emulator.test.ts",
  "lifecycle/environment-lifecycle.test.ts",
  "local/lab-walk.test.ts",
  "local/local-deploy.test.ts",
  "terraform/sensitive-review.test.ts",
];

/** Every `*.test.ts` under `__tests__/`, relative to it. */
function testFiles(directory = path.join(PROJECT_ROOT, "__tests__")): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return entry.name.endsWith(".test.ts") ? [path.relative(path.join(PROJECT_ROOT, "__tests__"), full)] : [];
  });
}

/** The suites Jest would run with `config`, relative to `__tests__/`, sorted. */
function listed(config: string): string[] {
  const jest = path.join(PROJECT_ROOT, "node_modules", "jest", "bin", "jest.js");
  const output = execFileSync(process.execPath, [jest, "--config", config, "--listTests"], { cwd: PROJECT_ROOT, encoding: "utf8" });
  return output
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((file) => path.relative(path.join(PROJECT_ROOT, "__tests__"), file))
    .sort();
}

const ALL = testFiles().sort();
const SCRIPTS = (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

it("finds the suites on disk: more than a hundred, the emulator's among them", () => {
  expect(ALL.length).toBeGreaterThan(100);
  expect(EMULATOR_SUITES.filter((suite) => !ALL.includes(suite))).toStrictEqual([]);
});

it("npm run test:all runs every suite, and .ci/run runs it", () => {
  expect(SCRIPTS["test:all"]).toBe("bash scripts/install-test-deps.sh && jest --config jest.all.config.js");
  expect(listed("jest.all.config.js")).toStrictEqual(ALL);
  expect(
    fs
      .readFileSync(path.join(PROJECT_ROOT, ".ci", "run"), "utf8")
      .trim()
      .split("\n")
      .at(-1),
  ).toBe("npm run test:all");
});

it("npm test runs every suite but the emulator's", () => {
  expect(SCRIPTS.test).toBe("bash scripts/install-test-deps.sh && jest");
  const suites = listed("jest.config.js");
  expect(suites).toHaveLength(ALL.length - EMULATOR_SUITES.length);
  expect(suites).toStrictEqual(ALL.filter((suite) => !EMULATOR_SUITES.includes(suite)));
});

it("npm run test:emulator runs only the emulator's suites, each of which deploys into the emulator", () => {
  expect(SCRIPTS["test:emulator"]).toBe("bash scripts/install-test-deps.sh && jest --config jest.emulator.config.js");
  expect(listed("jest.emulator.config.js")).toStrictEqual(EMULATOR_SUITES);
  const deploying = EMULATOR_SUITES.filter((suite) =>
    /support\/aws-emulator|\.\/emulated-stack|\.\/local-commands/.test(fs.readFileSync(path.join(PROJECT_ROOT, "__tests__", suite), "utf8")),
  );
  expect(deploying).toStrictEqual(EMULATOR_SUITES);
});

it("npm run test:unit runs none of the emulator's suites", () => {
  const unit = listed("jest.unit.config.js");
  expect(unit.length).toBeGreaterThan(50);
  expect(unit.filter((suite) => EMULATOR_SUITES.includes(suite))).toStrictEqual([]);
});
