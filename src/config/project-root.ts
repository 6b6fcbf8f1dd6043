import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The folder holding `cdktf.json`. Code runs from the sources (ts-jest), from
 * a bundle under `.cache/` (scripts/run.mjs) or from `dist/`, so the root is
 * found by looking upward rather than by a fixed relative path.
 */
export function projectRoot(start: string = __dirname): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "cdktf.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no cdktf.json found above ${start}`);
  }
}
