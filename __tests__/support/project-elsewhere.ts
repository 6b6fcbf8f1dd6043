import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "./stacks";

/**
 * The folder the project's packages are in. Not always `node_modules/` of the project root: a copy of the project
 * inside a checkout (StrykerJS's sandbox under .cache/stryker/) finds the checkout's by looking upwards.
 */
const PACKAGES = path.dirname(path.dirname(require.resolve("esbuild/package.json")));

/**
 * `use` given a project of its own: the sources and package.json copied, the packages linked, no tsconfig.json and no
 * cache. What a construct bundles there is the only bundle in its `.cache/functions/`. Removed afterwards.
 */
export function inProjectElsewhere<T>(use: (root: string) => T): T {
  const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-bundle-"));
  try {
    for (const entry of ["package.json", "src"]) fs.cpSync(path.join(PROJECT_ROOT, entry), path.join(elsewhere, entry), { recursive: true });
    fs.symlinkSync(PACKAGES, path.join(elsewhere, "node_modules"));
    return use(elsewhere);
  } finally {
    fs.rmSync(elsewhere, { recursive: true, force: true });
  }
}

/** The AWS SDK packages a function's bundle (its zip stores index.js uncompressed) loads from the runtime, in order. */
export const sdkRequires = (zip: Buffer): string[] => zip.toString("latin1").match(/require\("@aws-sdk\/[\w-]+"\)/g) ?? [];
