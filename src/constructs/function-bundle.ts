import * as crypto from "node:crypto";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";

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
    const zip = storedZip(FUNCTION_FILE, Buffer.from(result.outputFiles[0].contents));
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

/**
 * A zip of one file, stored: local header, data, central directory, end
 * record (APPNOTE 6.3). Dated 1980-01-01 00:00 (the earliest DOS date),
 * made on Unix with mode 0644, so nothing of the machine or the moment is in it.
 */
export function storedZip(name: string, data: Buffer): Buffer {
  const fileName = Buffer.from(name, "utf8");
  const crc = zlib.crc32(data);
  const dosTime = 0;
  const dosDate = (0 << 9) | (1 << 5) | 1;
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed: 2.0
  local.writeUInt16LE(0x0800, 6); // flags: the name is UTF-8
  local.writeUInt16LE(0, 8); // method: stored
  local.writeUInt16LE(dosTime, 10);
  local.writeUInt16LE(dosDate, 12);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  local.writeUInt16LE(0, 28);

  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x0800, 8);
  central.writeUInt16LE(0, 10);
  central.writeUInt16LE(dosTime, 12);
  central.writeUInt16LE(dosDate, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  central.writeUInt16LE(0, 30); // extra
  central.writeUInt16LE(0, 32); // comment
  central.writeUInt16LE(0, 34); // disk
  central.writeUInt16LE(0, 36); // internal attributes
  central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular file, rw-r--r--
  central.writeUInt32LE(0, 42); // offset of the local header

  const localSize = local.length + fileName.length + data.length;
  const centralSize = central.length + fileName.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(localSize, 16);
  end.writeUInt16LE(0, 20);
  return Buffer.concat([local, fileName, data, central, fileName, end]);
}
