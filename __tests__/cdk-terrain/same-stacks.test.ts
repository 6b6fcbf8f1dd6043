import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadEnvironments } from "../../src/config/load";
import { inventoryStackName } from "../../src/config/names";
import { STATE_BOOTSTRAP_STACK } from "../../src/stacks/state-bootstrap-stack";
import { synthesize } from "../../src/synthesize";
import type { Diagnostic } from "../../src/terraform/terraform-cli";
import { validateStacks } from "../../src/terraform/validate-stacks";
import { CDK_TERRAIN_DOC, documentedPackageChange, SwitchedProject } from "../../src/bench/switched-project";
import { jsonDifferences } from "../support/json-leaves";
import { PROJECT_ROOT } from "../support/stacks";
import { readable, TERRAFORM_CACHE } from "../support/terraform";

// docs/cdk-terrain.md followed in a throwaway copy of the project: its
// package.json change applied as the page writes it, npm install, and
// `npx cdktn synth` with the same cdktf.json. Every stack it writes is then
// compared with what cdktf synthesizes from the checkout, and validated by
// the real Terraform. One install, one synthesis and one terraform run,
// shared by the assertions below.

const STACKS = [
  ...loadEnvironments({ directory: path.join(PROJECT_ROOT, "environments") }).map((settings) => inventoryStackName(settings.environment)),
  STATE_BOOTSTRAP_STACK,
].sort();
const LOCK_FILES = ["package.json", "package-lock.json"];
const checkout = JSON.parse(fs.readFileSync(require.resolve("cdktf/package.json"), "utf8")) as { name: string; version: string };
/** The cdktn version the page's change names (`"cdktf": "npm:cdktn@0.24.0"`). */
const documentedCdktn = /^\+\s*"cdktf": "npm:cdktn@([^"]+)"/m.exec(documentedPackageChange(PROJECT_ROOT))?.[1];

let project: SwitchedProject;
let cdktfOut: string;
let lockFilesBefore: string[];
let validation: Map<string, Diagnostic[]> | Error;

const readLockFiles = () => LOCK_FILES.map((file) => fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8"));
const readText = (file: string) => fs.readFileSync(file, "utf8");
const readJson = (file: string) => JSON.parse(readText(file));
/**
 * A synthesized file's text with every empty object and array on one line:
 * cdktf writes them over two lines (json-stable-stringify), cdktn as `{}` and
 * `[]` (safe-stable-stringify). Both sort keys and indent by two spaces.
 */
const emptiesOnOneLine = (text: string) => text.replace(/\{\s+\}/g, "{}").replace(/\[\s+\]/g, "[]");
/** cdktf's text as cdktn would write it if nothing but the library version changed. */
const withCdktnVersion = (text: string) => emptiesOnOneLine(text).split(`"version": "${checkout.version}"`).join(`"version": "${documentedCdktn}"`);
const cdktnOut = (...parts: string[]) => project.path("cdktf.out", ...parts);

beforeAll(async () => {
  if (checkout.name !== "cdktf") {
    throw new Error(
      `the project already runs on CDK Terrain (${checkout.name} ${checkout.version} is installed as cdktf): ` +
        `there is no cdktf left to compare with; delete __tests__/cdk-terrain/ as ${CDK_TERRAIN_DOC} says`,
    );
  }
  lockFilesBefore = readLockFiles();
  const switching = SwitchedProject.create(PROJECT_ROOT);
  // cdktf's synthesis of the checkout runs while npm installs the copy.
  cdktfOut = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "inventory-cdktf-")), "cdktf.out");
  synthesize({ projectRoot: PROJECT_ROOT, outdir: cdktfOut });
  project = await switching;
  await project.run("npx", ["cdktn", "synth"]);
  validation = await validateStacks(
    STACKS.map((stack) => ({ name: stack, directory: cdktnOut("stacks", stack) })),
    { cacheDirectory: TERRAFORM_CACHE },
  ).catch((error: Error) => error);
}, 300_000);

afterAll(() => {
  project?.remove();
  if (cdktfOut) fs.rmSync(path.dirname(cdktfOut), { recursive: true, force: true });
});

describe(`${CDK_TERRAIN_DOC} followed in a copy of the project`, () => {
  it(`installs cdktn ${documentedCdktn} as cdktf, the one copy @cdktf/provider-aws uses too`, () => {
    const core = project.coreLibrary();
    expect({ name: core.name, version: core.version }).toEqual({ name: "cdktn", version: documentedCdktn });
    expect(project.coreLibrary("@cdktf/provider-aws").directory).toBe(core.directory);
  });

  it("keeps the AWS provider bindings the checkout has", () => {
    const version = (root: string) => readJson(require.resolve("@cdktf/provider-aws/package.json", { paths: [root] })).version;
    expect(version(project.root)).toBe(version(PROJECT_ROOT));
  });

  it("leaves the checkout's package.json and package-lock.json as they were", () => {
    expect(readLockFiles()).toEqual(lockFilesBefore);
  });
});

describe("npx cdktn synth in the copy, against cdktf's synthesis of the checkout", () => {
  it("writes the same stacks, one per environment and the state bootstrap stack", () => {
    expect(fs.readdirSync(cdktnOut("stacks")).sort()).toEqual(STACKS);
    expect(fs.readdirSync(path.join(cdktfOut, "stacks")).sort()).toEqual(STACKS);
  });

  it.each(STACKS)("%s: the same files, and JSON equal to cdktf's but for the library version in //.metadata.version", (stack) => {
    expect(fs.readdirSync(cdktnOut("stacks", stack))).toEqual(fs.readdirSync(path.join(cdktfOut, "stacks", stack)));
    const differences = jsonDifferences(readJson(path.join(cdktfOut, "stacks", stack, "cdk.tf.json")), readJson(cdktnOut("stacks", stack, "cdk.tf.json")));
    expect(differences).toEqual([{ path: "//.metadata.version", before: checkout.version, after: documentedCdktn }]);
  });

  it.each(STACKS)("%s: the same text as cdktf's but for that version and empty objects written on one line", (stack) => {
    const file = path.join("stacks", stack, "cdk.tf.json");
    expect(readText(cdktnOut(file))).toBe(withCdktnVersion(readText(path.join(cdktfOut, file))));
  });

  it("writes a manifest.json that differs from cdktf's in its version alone, and in text also in empty arrays on one line", () => {
    expect(jsonDifferences(readJson(path.join(cdktfOut, "manifest.json")), readJson(cdktnOut("manifest.json")))).toEqual([
      { path: "version", before: checkout.version, after: documentedCdktn },
    ]);
    expect(readText(cdktnOut("manifest.json"))).toBe(withCdktnVersion(readText(path.join(cdktfOut, "manifest.json"))));
  });
});

describe("cdktn's output against terraform", () => {
  it.each(STACKS)("%s passes terraform validate without errors or warnings", (stack) => {
    if (validation instanceof Error) throw validation;
    expect(readable(validation.get(stack))).toStrictEqual([]);
  });
});
