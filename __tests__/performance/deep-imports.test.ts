import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "esbuild";
import { PROJECT_ROOT } from "../support/stacks";

// The provider package root loads all 1,500+ AWS resource classes (over 10 s
// and 1 GB per process); every import must name its module under lib/.
const ROOT_IMPORT = /(?:from\s+|import\s+|require\(\s*|import\(\s*)["']@cdktf\/provider-aws\/?["']/;

function sourceFiles(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    if (["node_modules", "cdktf.out", ".cache", "dist", ".git", "plan-review"].includes(entry.name)) return [];
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name) ? [full] : [];
  });
}

describe("imports of @cdktf/provider-aws", () => {
  it("never name the package root in any source file", () => {
    const files = sourceFiles(PROJECT_ROOT);
    expect(files.length).toBeGreaterThan(20);
    const offenders = files.filter((file) => ROOT_IMPORT.test(fs.readFileSync(file, "utf8"))).map((file) => path.relative(PROJECT_ROOT, file));
    expect(offenders).toEqual([]);
  });

  it("the pattern catches the forms a root import takes", () => {
    // Built from parts, so that a plain search of the sources for root imports does not find these examples.
    const root = ["@cdktf", "provider-aws"].join("/");
    for (const line of [`import { Vpc } from "${root}";`, `import * as aws from '${root}';`, `import "${root}";`, `const aws = require("${root}");`, `await import("${root}/")`]) {
      expect(line).toMatch(ROOT_IMPORT);
    }
    expect('import { Vpc } from "@cdktf/provider-aws/lib/vpc";').not.toMatch(ROOT_IMPORT);
  });

  it("never reach the package root through anything the app loads", async () => {
    const result = await build({
      entryPoints: [path.join(PROJECT_ROOT, "main.ts")],
      bundle: true,
      write: false,
      metafile: true,
      platform: "node",
      format: "cjs",
      logLevel: "silent",
      outfile: "main.cjs",
    });
    const inputs = Object.keys(result.metafile.inputs);
    const providerModules = inputs.filter((input) => input.includes("node_modules/@cdktf/provider-aws/"));
    expect(providerModules.length).toBeGreaterThan(10);
    expect(providerModules.filter((input) => /@cdktf\/provider-aws\/lib\/index\.js$/.test(input))).toEqual([]);
  });
});
