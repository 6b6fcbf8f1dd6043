import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT } from "./support/stacks";

// The whole project, strictly type-checked, as `npm run typecheck` does. Jest
// itself only transpiles (ts-jest in isolated-modules mode); running tsc as a
// test lets it overlap with the other suites instead of delaying them all.
// Incremental, as the command: tsc keeps what it learnt of each file in
// .cache/tsc/ and checks again only what a change can reach (half the time of
// a cold check once warm), and a clean clone pays for the whole check once.
const TSC = path.join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc");
it("type-checks: tsc --noEmit finds no error", () => {
  const incremental = ["--incremental", "--tsBuildInfoFile", path.join(PROJECT_ROOT, ".cache", "tsc", "project.tsbuildinfo")];
  const result = spawnSync(process.execPath, [TSC, "--noEmit", ...incremental, "-p", PROJECT_ROOT], { cwd: PROJECT_ROOT, encoding: "utf8" });
  expect(`${result.stdout}${result.stderr}`.trim()).toBe("");
  expect(result.status).toBe(0);
});
