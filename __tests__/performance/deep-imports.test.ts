import * as fs from "node:fs";
import * as path from "node:path";
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
    for (const line of [
      `import { Vpc } from "${root}";`,
      `import * as aws from '${root}';`,
      `import "${root}";`,
      `const aws = require("${root}");`,
      `await import("${root}/")`,
    ]) {
      expect(line).toMatch(ROOT_IMPORT);
    }
    expect('import { Vpc } from "@cdktf/provider-aws/lib/vpc";').not.toMatch(ROOT_IMPORT);
  });

  // The bundles scripts/run.mjs built in the global setup (__tests__/global-setup.js),
  // with every file esbuild bundled into each, as run.mjs records them.
  it.each(["main", "scripts__plan", "scripts__diagram"])("never reach the package root through anything the %s bundle holds", (bundle) => {
    const recorded = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, ".cache", "run", `${bundle}.inputs.json`), "utf8")) as {
      inputs: [string, number, number][];
    };
    const providerModules = recorded.inputs.map(([file]) => file).filter((file) => file.includes("node_modules/@cdktf/provider-aws/"));
    expect(providerModules.length).toBeGreaterThan(10);
    expect(providerModules.filter((file) => /@cdktf\/provider-aws\/lib\/index\.js$/.test(file))).toEqual([]);
  });
});
