import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT } from "./support/stacks";

// `npm run lint` as a suite, as __tests__/typecheck.test.ts does for tsc: ESLint
// with typescript-eslint's type-aware rules (eslint.config.mjs), then
// Prettier's check. Both report every finding with its file and line.
const bin = (...parts: string[]) => path.join(PROJECT_ROOT, "node_modules", ...parts);
const run = (script: string, args: string[]) => spawnSync(process.execPath, [script, ...args], { cwd: PROJECT_ROOT, encoding: "utf8" });

it("lints: ESLint finds nothing", () => {
  const result = run(bin("eslint", "bin", "eslint.js"), ["."]);
  expect(`${result.stdout}${result.stderr}`.trim()).toBe("");
  expect(result.status).toBe(0);
});

it("is formatted: Prettier's check passes", () => {
  const result = run(bin("prettier", "bin", "prettier.cjs"), ["--check", "**/*.{ts,js,mjs}"]);
  expect(result.stderr.trim()).toBe("");
  expect(result.status).toBe(0);
});
