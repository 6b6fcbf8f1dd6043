import * as crypto from "node:crypto";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { storedZip } from "../system/zip-archive";

/**
 * A Lambda function's code, bundled from the project's TypeScript by esbuild
 * at synthesis into a zip that is the same byte for byte wherever and
 * whenever it is built from the same sources: one file, stored (not
 * deflated: zlib's output may differ between Node versions), with a fixed
 * date and mode. Terraform then sees a new `source_code_hash` only when the
 * code changed, and planning needs no archive provider and no download.
 *
 * The bundle is kept in `.cache/functions/` with the size and modification
 * time of every input, and built again when any changed (as scripts/run.mjs
 * does for the app itself), so a synthesis pays for esbuild only after an edit.
 */

export interface FunctionBundle {
  /** The zip file, for the function's `filename` (through a TerraformAsset). */
  readonly zipFile: string;
  /** Base64 SHA-256 of the zip: the function's `source_code_hash`. */
  readonly sha256: string;
}

export interface FunctionBundleProps {
  /** The project's root: where `node_modules/` and `.cache/` are. */
  readonly root: string;
  /** The entry point, relative to the root; it exports `handler`. */
  readonly entry: string;
  /** Name of the cached bundle. */
  readonly name: string;
  /** Node.js major version of the function's runtime (esbuild's target). */
  readonly nodeMajor: number;
  /** Packages the runtime provides, left out of the bundle. @default none */
  readonly external?: readonly string[];
}

/** The name of the one file in the zip: the runtime loads `index.handler`. */
export const FUNCTION_FILE = "index.js";

interface Recorded {
  readonly esbuild: string;
  readonly options: string;
  readonly inputs: [string, number, number][];
}

/** The function's zip, from the cache when no input changed, else bundled now. */
export function functionBundle(props: FunctionBundleProps): FunctionBundle {
  const directory = cacheDirectory(props.root);
  const zipFile = path.join(directory, `${props.name}.zip`);
  const inputsFile = path.join(directory, `${props.name}.inputs.json`);
  const esbuild = loadEsbuild(props.root);
  // How the bundle is made, besides its inputs and the project's folder: the recorded copy of these makes any change to
  // them (an option added, another Node.js target) build it again.
  const made = {
    entryPoints: [props.entry],
    bundle: true,
    platform: "node",
    target: `node${props.nodeMajor}`,
    format: "cjs",
    external: [...(props.external ?? [])],
    // Minified whole: smaller, and without the module paths esbuild otherwise writes into the bundle (node_modules/...,
    // as the project's folder lays them out), so the same sources and packages make the same bytes wherever the
    // project sits or npm nests a package. Names kept: the function's errors still name its functions.
    minify: true,
    keepNames: true,
    // The function's own TypeScript settings, not whatever tsconfig.json esbuild would find above the entry: a copy of
    // the project without one (a test's, a CI job's) makes the same bundle. Strict mode, as the project compiles.
    tsconfigRaw: { compilerOptions: { alwaysStrict: true } },
  } satisfies import("esbuild").BuildOptions;
  const options = JSON.stringify(made);
  if (!isFresh(props.root, zipFile, inputsFile, esbuild.version, options)) {
    const result = esbuild.buildSync({ ...made, absWorkingDir: props.root, metafile: true, write: false, logLevel: "warning" });
    const zip = storedZip([[FUNCTION_FILE, Buffer.from(result.outputFiles[0].contents)]]);
    const inputs = Object.keys(result.metafile.inputs).map((file): [string, number, number] => {
      const stat = fs.statSync(path.resolve(props.root, file));
      return [file, stat.size, stat.mtimeMs];
    });
    // Written beside, then renamed: a synthesis in another process never reads half a zip.
    const temporary = `${zipFile}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, zip);
    fs.renameSync(temporary, zipFile);
    fs.writeFileSync(`${inputsFile}.${process.pid}.tmp`, JSON.stringify({ esbuild: esbuild.version, options, inputs } satisfies Recorded));
    fs.renameSync(`${inputsFile}.${process.pid}.tmp`, inputsFile);
  }
  return { zipFile, sha256: crypto.createHash("sha256").update(fs.readFileSync(zipFile)).digest("base64") };
}

/** esbuild from the project's own packages, loaded when needed: it is a build tool, not part of the synthesized app's bundle. */
function loadEsbuild(root: string): typeof import("esbuild") {
  return createRequire(path.join(root, "package.json"))("esbuild") as typeof import("esbuild");
}

function cacheDirectory(root: string): string {
  const directory = path.join(root, ".cache", "functions");
  try {
    fs.mkdirSync(directory, { recursive: true });
    fs.accessSync(directory, fs.constants.W_OK);
    return directory;
  } catch {
    // A read-only checkout still synthesizes, bundling into a folder of this user's.
    const fallback = path.join(os.tmpdir(), "inventory-ha-functions", crypto.createHash("sha256").update(root).digest("hex").slice(0, 12));
    fs.mkdirSync(fallback, { recursive: true });
    return fallback;
  }
}

function isFresh(root: string, zipFile: string, inputsFile: string, esbuildVersion: string, options: string): boolean {
  let recorded: Recorded;
  try {
    recorded = JSON.parse(fs.readFileSync(inputsFile, "utf8")) as Recorded;
  } catch {
    return false;
  }
  if (recorded.esbuild !== esbuildVersion || recorded.options !== options || !fs.existsSync(zipFile)) return false;
  return recorded.inputs.every(([file, size, mtimeMs]) => {
    try {
      const stat = fs.statSync(path.resolve(root, file));
      return stat.size === size && Math.abs(stat.mtimeMs - mtimeMs) < 1;
    } catch {
      return false;
    }
  });
}
