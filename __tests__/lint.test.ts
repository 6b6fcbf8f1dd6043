import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT } from "./support/stacks";

// `npm run lint` as a suite, as __tests__/typecheck.test.ts does for tsc: ESLint
// with typescript-eslint's type-aware rules (eslint.config.mjs), then
// Prettier's check. Both report every finding with its file and line.
// Prettier keeps a cache in .cache/prettier/ (by each file's content: a file
// unchanged since it passed is not read again). ESLint keeps none: its cache
// lints again only the files that changed, and a type-aware rule's finding in
// one file can come from a change to another.
const bin = (...parts: string[]) => path.join(PROJECT_ROOT, "node_modules", ...parts);
const run = (script: string, args: string[]) => spawnSync(process.execPath, [script, ...args], { cwd: PROJECT_ROOT, encoding: "utf8" });

it("lints: ESLint finds nothing", () => {
  const result = run(bin("eslint", "bin", "eslint.js"), ["."]);
  expect(`${result.stdout}${result.stderr}`.trim()).toBe("");
  expect(result.status).toBe(0);
});

it("is formatted: Prettier's check passes", () => {
  const cache = ["--cache", "--cache-location", path.join(PROJECT_ROOT, ".cache", "prettier", "cache.json")];
  const result = run(bin("prettier", "bin", "prettier.cjs"), ["--check", ...cache, "**/*.{ts,js,mjs}"]);
  expect(result.stderr.trim()).toBe("");
  expect(result.status).toBe(0);
});
