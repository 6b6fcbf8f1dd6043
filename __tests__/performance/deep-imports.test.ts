import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../support/stacks";

// The provider package root loads all 1,500+ AWS resource classes (over 10 s
// and 1 GB per process); every import must name its module under lib/. In
// the sources, that is a lint rule (eslint.config.mjs; the lint suite runs
// it over every file); what the bundles hold is checked here.
//
// ESLint loads its configuration with import(), which Jest's module system
// does not offer: the forms are linted by ESLint's API in one child process.
function lintForms(forms: readonly { code: string; file: string }[]): (string | null)[][] {
  const script = `
    import { ESLint } from "eslint";
    const forms = JSON.parse(process.argv[1]);
    const eslint = new ESLint({ cwd: process.cwd() });
    const results = [];
    for (const { code, file } of forms) {
      const [result] = await eslint.lintText(code, { filePath: file });
      results.push(result.messages.map((message) => message.ruleId));
    }
    console.log(JSON.stringify(results));`;
  const withPaths = forms.map(({ code, file }) => ({ code, file: path.join(PROJECT_ROOT, file) }));
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script, JSON.stringify(withPaths)], { cwd: PROJECT_ROOT, encoding: "utf8" });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as (string | null)[][];
}

describe("imports of @cdktf/provider-aws", () => {
  // Built from parts, so that a search of the sources for root imports does not find these examples.
  const root = ["@cdktf", "provider-aws"].join("/");

  const refused = [
    // As the text of a source file, to lint it in its TypeScript project.
    { code: `import { Vpc } from "${root}";\nexport { Vpc };\n`, file: "src/constructs/network/network.ts", rule: "no-restricted-imports" },
    { code: `export * from "${root}";\n`, file: "scripts/probe.mjs", rule: "no-restricted-imports" },
    { code: `import "${["@cdktn", "provider-aws"].join("/")}";\n`, file: "scripts/probe.mjs", rule: "no-restricted-imports" },
    { code: `export const aws = import("${root}/");\n`, file: "scripts/probe.mjs", rule: "no-restricted-syntax" },
    { code: `module.exports = require("${root}");\n`, file: "scripts/probe.js", rule: "no-restricted-syntax" },
  ];
  const accepted = { code: `import { Vpc } from "${root}/lib/vpc";\nexport const vpc = Vpc;\n`, file: "scripts/probe.mjs" };
  let linted: (string | null)[][];

  beforeAll(() => {
    linted = lintForms([...refused, accepted]);
  });

  it("are refused by the lint rules in every form an import takes, in TypeScript and JavaScript", () => {
    expect(linted.slice(0, refused.length)).toEqual(refused.map(({ rule }) => [rule]));
  });

  it("are accepted by name under lib/", () => {
    expect(linted[refused.length]).toStrictEqual([]);
  });

  // The bundles scripts/run.mjs built in the global setup (__tests__/global-setup.js),
  // with every file esbuild bundled into each, as run.mjs records them.
  it.each(["main", "scripts__plan", "scripts__diagram"])("never reach the package root through anything the %s bundle holds", (bundle) => {
    const recorded = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, ".cache", "run", `${bundle}.inputs.json`), "utf8")) as {
      inputs: [string, number, number][];
    };
    const providerModules = recorded.inputs.map(([file]) => file).filter((file) => file.includes("node_modules/@cdktf/provider-aws/"));
    expect(providerModules.length).toBeGreaterThan(10);
    expect(providerModules.filter((file) => /@cdktf\/provider-aws\/lib\/index\.js$/.test(file))).toStrictEqual([]);
  });
});
