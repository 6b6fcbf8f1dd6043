#!/usr/bin/env node
// Runs a TypeScript entry point of this project, fast and never stale:
//
//   node scripts/run.mjs <entry.ts> [args...]
//   node scripts/run.mjs --build-only <entry.ts>...   bring the bundles up to date, run nothing
//
// esbuild bundles the entry with everything it imports (the project's sources
// and the packages they use) into one file under .cache/run/, and records
// every input file with its size and modification time. The next run stats
// those inputs: if any changed, appeared or vanished, it bundles again first;
// otherwise it runs the bundle as it is. V8's code cache for the bundle is
// kept beside it, so Node does not compile the same 4 MB again on every run.
// Type checking is `npm run typecheck`, part of `npm test`; ts-node would
// type-check every import on every synth and costs seconds.
//
// Stack traces name the TypeScript sources (src/constructs/network/network.ts:57:11),
// not the bundle: esbuild writes a source map beside the bundle, and a frame
// in the bundle is looked up in it when an error's stack trace is formatted.
// The map is read only then: Node's own --enable-source-maps reads it on every
// run and maps every stack trace cdktf records, about 0.13 s and 55 MB more
// per synthesis.
import * as fs from "node:fs";
import { createRequire, SourceMap } from "node:module";
import * as path from "node:path";
import * as util from "node:util";
import { fileURLToPath } from "node:url";
import * as vm from "node:vm";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cacheDirectory = path.join(projectRoot, ".cache", "run");
const buildOnly = process.argv[2] === "--build-only";
const [entry, ...args] = process.argv.slice(buildOnly ? 3 : 2);
if (!entry) {
  console.error("usage: node scripts/run.mjs <entry.ts> [args...] | --build-only <entry.ts>...");
  process.exit(2);
}

if (buildOnly) {
  for (const each of [entry, ...args]) {
    const target = bundleOf(each);
    if (!isFresh(target)) await bundle(target);
  }
} else {
  const target = bundleOf(entry);
  if (!isFresh(target)) await bundle(target);
  run(target, args);
}

/** Where the bundle of an entry point and what belongs to it live. */
function bundleOf(entryFile) {
  const entryPath = path.resolve(entryFile);
  const name = path
    .relative(projectRoot, entryPath)
    .replace(/\.[cm]?ts$/, "")
    .replace(/[\\/]/g, "__");
  return {
    entryPath,
    bundleFile: path.join(cacheDirectory, `${name}.cjs`),
    sourceMapFile: path.join(cacheDirectory, `${name}.cjs.map`),
    inputsFile: path.join(cacheDirectory, `${name}.inputs.json`),
    codeCacheFile: path.join(cacheDirectory, `${name}.v8cache`),
  };
}

/** True when the bundle exists and none of its inputs changed since it was built. */
function isFresh({ bundleFile, inputsFile }) {
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
      // Within a millisecond: copies that keep modification times (cp -p, fs.cpSync) keep them only to the millisecond.
      return stat.size === size && Math.abs(stat.mtimeMs - mtimeMs) < 1;
    } catch {
      return false;
    }
  });
}

async function bundle({ entryPath, bundleFile, sourceMapFile, inputsFile, codeCacheFile }) {
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
    // Less to read and parse on every run; names are kept, so errors still name classes and functions.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: "warning",
    // Line and column mappings only: the sources are in the checkout.
    sourcemap: "external",
    sourcesContent: false,
  });
  const inputs = Object.keys(result.metafile.inputs).map((file) => {
    const stat = fs.statSync(path.resolve(projectRoot, file));
    return [file, stat.size, stat.mtimeMs];
  });
  // Replace the bundle, then drop its code cache, then record the inputs: a run
  // that stops halfway leaves a state the next run rebuilds from.
  fs.renameSync(`${temporary}.map`, sourceMapFile);
  fs.renameSync(temporary, bundleFile);
  fs.rmSync(codeCacheFile, { force: true });
  fs.writeFileSync(inputsFile, JSON.stringify({ node: process.version, inputs }));
}

function run({ entryPath, bundleFile, sourceMapFile, codeCacheFile }, args) {
  const source = fs.readFileSync(bundleFile, "utf8");
  const cachedData = fs.existsSync(codeCacheFile) ? fs.readFileSync(codeCacheFile) : undefined;
  mapStackTraces(bundleFile, sourceMapFile);
  // The wrapper has a line of its own and lineOffset takes it back, so positions are the bundle's, as its map has them.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {\n${source}\n})`, {
    filename: bundleFile,
    lineOffset: -1,
    cachedData,
  });
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

/**
 * Stack traces of errors name the TypeScript line of each frame in the
 * bundle, as its source map gives it. Only errors: cdktf records a stack
 * trace for every token it creates (thousands per synthesis), in case an
 * error quotes it later; those keep the bundle's positions until such an error
 * is printed. An uncaught error prints with every bundle position in it
 * mapped, and without the bundle's minified line it was thrown from, which
 * Node would print first.
 */
function mapStackTraces(bundleFile, sourceMapFile) {
  let sourceMap;
  /** `file.ts:line:column` of a 1-based position in the bundle, or undefined. */
  const original = (line, column) => {
    try {
      sourceMap ??= new SourceMap(JSON.parse(fs.readFileSync(sourceMapFile, "utf8")));
    } catch {
      return undefined;
    }
    const entry = sourceMap.findEntry(line - 1, column - 1);
    if (!entry?.originalSource) return undefined;
    return `${path.resolve(path.dirname(sourceMapFile), entry.originalSource)}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  };
  const bundlePositions = new RegExp(`${bundleFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:(\\d+):(\\d+)`, "g");
  const mapPositions = (text) => text.replace(bundlePositions, (position, line, column) => original(Number(line), Number(column)) ?? position);

  Error.prepareStackTrace = (error, callSites) => {
    let heading;
    try {
      heading = Error.prototype.toString.call(error);
    } catch {
      heading = "Error";
    }
    const trace = [heading, ...callSites.map((site) => `    at ${site}`)].join("\n");
    return error instanceof Error ? mapPositions(trace) : trace;
  };
  process.on("uncaughtException", (error) => {
    process.stderr.write(`${mapPositions(util.inspect(error))}\n`);
    process.exit(1);
  });
}
