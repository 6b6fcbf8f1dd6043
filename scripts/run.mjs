#!/usr/bin/env node
// Runs a TypeScript entry point of this project: esbuild transpiles and
// bundles the project's own sources (packages stay external), then Node runs
// the bundle. The bundle is rebuilt on every run, so a changed source is never
// run stale; esbuild takes milliseconds for a project this size, where ts-node
// type-checks every import and costs seconds. Type checking is `npm run
// typecheck`, part of `npm test`.
//
//   node scripts/run.mjs <entry.ts> [args...]
import { build } from "esbuild";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node scripts/run.mjs <entry.ts> [args...]");
  process.exit(2);
}

const entryPath = path.resolve(entry);
const bundleName = path.relative(projectRoot, entryPath).replace(/\.ts$/, "").replace(/[\\/]/g, "__");
const outfile = path.join(projectRoot, ".cache", "run", `${bundleName}.cjs`);

await build({
  entryPoints: [entryPath],
  outfile,
  bundle: true,
  packages: "external",
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: "inline",
  sourcesContent: false,
  logLevel: "warning",
});


process.argv = [process.argv[0], entryPath, ...args];
createRequire(import.meta.url)(outfile);
