import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT } from "./support/stacks";

// The whole project, strictly type-checked, as `npm run typecheck` does. Jest
// itself only transpiles (ts-jest in isolated-modules mode); running tsc as a
// test lets it overlap with the other suites instead of delaying them all.
it("type-checks: tsc --noEmit finds no error", () => {
  const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", PROJECT_ROOT], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
  });
  expect(`${result.stdout}${result.stderr}`.trim()).toBe("");
  expect(result.status).toBe(0);
});
