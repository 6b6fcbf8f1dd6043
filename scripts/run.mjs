#!/usr/bin/env node
// Runs a TypeScript entry point of this project, fast and never stale:
//
//   node scripts/run.mjs <entry.ts> [args...]
//
// esbuild bundles the entry with everything it imports (the project's sources
// and the packages they use) into one file under .cache/run/, and records
// every input file with its size and modification time. The next run stats
// those inputs: if any changed, appeared or vanished, it bundles again first;
// otherwise it runs the bundle as it is. V8's code cache for the bundle is
// kept beside it, so Node does not compile the same 4 MB again on every run.
// Type checking is `npm run typecheck`, part of `npm test`; ts-node would
// type-check every import on every synth and costs seconds.
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as vm from "node:vm";

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node scripts/run.mjs <entry.ts> [args...]");
  process.exit(2);
}

const entryPath = path.resolve(entry);
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const name = path.relative(projectRoot, entryPath).replace(/\.[cm]?ts$/, "").replace(/[\\/]/g, "__");
const cacheDirectory = path.join(projectRoot, ".cache", "run");
const bundleFile = path.join(cacheDirectory, `${name}.cjs`);
const inputsFile = path.join(cacheDirectory, `${name}.inputs.json`);
const codeCacheFile = path.join(cacheDirectory, `${name}.v8cache`);

if (!isFresh()) await bundle();
run();

/** True when the bundle exists and none of its inputs changed since it was built. */
function isFresh() {
  let recorded;
  try {
    recorded = JSON.parse(fs.readFileSync(inputsFile, "utf8"));
  } catch {
    return false;
  }
  if (recorded.node !== process.version || !fs.existsSync(bundleFile)) return false;
  return recorded.inputs.every(([file, size, mtimeMs]) => {
    try {
      const stat = fs.statSync(path.resolve(projectRoot, file));
      return stat.size === size && stat.mtimeMs === mtimeMs;
    } catch {
      return false;
    }
  });
}

async function bundle() {
  const { build } = await import("esbuild");
  fs.mkdirSync(cacheDirectory, { recursive: true });
  const temporary = `${bundleFile}.${process.pid}.tmp`;
  const result = await build({
    entryPoints: [entryPath],
    outfile: temporary,
    absWorkingDir: projectRoot,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    metafile: true,
    logLevel: "warning",
  });
  const inputs = Object.keys(result.metafile.inputs).map((file) => {
    const stat = fs.statSync(path.resolve(projectRoot, file));
    return [file, stat.size, stat.mtimeMs];
  });
  // Replace the bundle, then drop its code cache, then record the inputs: a run
  // that stops halfway leaves a state the next run rebuilds from.
  fs.renameSync(temporary, bundleFile);
  fs.rmSync(codeCacheFile, { force: true });
  fs.writeFileSync(inputsFile, JSON.stringify({ node: process.version, inputs }));
}

function run() {
  const source = fs.readFileSync(bundleFile, "utf8");
  const cachedData = fs.existsSync(codeCacheFile) ? fs.readFileSync(codeCacheFile) : undefined;
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundleFile, cachedData });
  const module = { exports: {} };
  process.argv = [process.argv[0], entryPath, ...args];
  script.runInThisContext()(module.exports, createRequire(bundleFile), module, bundleFile, cacheDirectory);
  // Cached after the first run, so it also holds the functions that run compiled lazily.
  if (!cachedData || script.cachedDataRejected) {
    try {
      fs.writeFileSync(codeCacheFile, script.createCachedData());
    } catch {
      // A read-only checkout still runs, just without the cache.
    }
  }
}
