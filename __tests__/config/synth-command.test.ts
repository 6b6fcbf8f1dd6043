import * as fs from "node:fs";
import * as path from "node:path";
import { synthesize } from "../../src/synthesize";
import { cdkCommand } from "../../src/bench/switched-project";
import { ProjectCopy } from "../support/project-copy";
import { PROJECT_ROOT } from "../support/stacks";

// The commands a user runs, in a throwaway copy of the project: the app
// command cdktf.json names, and `cdktf synth` around it (which passes the
// app's exit code and stderr on; it costs seconds, so it runs once).
describe("synthesis with bad settings", () => {
  let project: ProjectCopy;

  beforeAll(() => {
    project = new ProjectCopy();
    const lab = JSON.parse(project.read("environments/lab-start.json"));
    lab.database.allocatedStorageGiB = 5;
    project.write("environments/lab-start.json", JSON.stringify(lab));
  });

  afterAll(() => project.remove());

  it("the app stops with one line naming the setting, exit 1, and writes nothing", () => {
    const result = project.run("node", ["scripts/run.mjs", "main.ts"], { CDKTF_OUTDIR: project.path("cdktf.out") });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      "Invalid settings: environments/lab-start.json: database.allocatedStorageGiB: 5 GiB is below the 20 GiB minimum of gp3 storage for MySQL",
    ]);
    expect(project.exists("cdktf.out")).toBe(false);
  });

  it("a bad environment stops the synthesis of the others too, even when narrowed to one", () => {
    const result = project.run("node", ["scripts/run.mjs", "main.ts"], { CDKTF_OUTDIR: project.path("cdktf.out"), INVENTORY_ENV: "default" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("environments/lab-start.json: database.allocatedStorageGiB");
    expect(project.exists("cdktf.out")).toBe(false);
  });
});

describe("synthesis with the repository's settings", () => {
  let project: ProjectCopy;

  beforeAll(() => {
    project = new ProjectCopy();
  });

  afterAll(() => project.remove());

  // The CLI that goes with the installed library: cdktf, or cdktn on CDK Terrain (docs/cdk-terrain.md).
  const cli = cdkCommand(PROJECT_ROOT);

  it(`${cli} synth writes one stack per environment`, () => {
    const result = project.run("npx", [cli, "synth"]);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
    expect(fs.readdirSync(project.path("cdktf.out", "stacks")).sort()).toEqual(["inventory-default", "inventory-lab-start", "inventory-state"]);
    for (const stack of ["inventory-default", "inventory-lab-start"]) {
      const document = JSON.parse(project.read(`cdktf.out/stacks/${stack}/cdk.tf.json`));
      expect(Object.keys(document.resource).length).toBeGreaterThan(10);
    }
  });

  it("writes into a stack folder cdktf deployed from without touching what Terraform keeps there", () => {
    const outdir = project.path("deployed.out");
    synthesize({ projectRoot: project.root, outdir, variables: { INVENTORY_ENV: "default" } });
    const stack = path.join(outdir, "stacks", "inventory-default");
    fs.mkdirSync(path.join(stack, ".terraform"));
    fs.writeFileSync(path.join(stack, ".terraform.lock.hcl"), "# lock\n");
    fs.mkdirSync(path.join(stack, "assets", "old-function"), { recursive: true });
    const archives = () => fs.readdirSync(path.join(stack, "assets", "app_artifact_archive"));
    const [before] = archives();
    const stylesheet = project.path("app", "www", "style.css");
    const original = fs.readFileSync(stylesheet, "utf8");
    fs.appendFileSync(stylesheet, "\n/* another release */\n");
    try {
      synthesize({ projectRoot: project.root, outdir, variables: { INVENTORY_ENV: "default" } });
    } finally {
      fs.writeFileSync(stylesheet, original);
    }
    expect(fs.readdirSync(stack).sort()).toEqual([".terraform", ".terraform.lock.hcl", "assets", "cdk.tf.json"]);
    // The app's archive of this synthesis only, under its own hash: the earlier one is gone.
    expect(archives()).toEqual([expect.not.stringMatching(before)]);
    expect(JSON.parse(project.read("deployed.out/stacks/inventory-default/cdk.tf.json")).resource.aws_s3_object.app_artifact_object.source_hash).toBe(
      archives()[0],
    );
    // The functions' code of this synthesis, and no other.
    expect(fs.readdirSync(path.join(stack, "assets"))).not.toContain("old-function");
  });

  it("leaves an earlier synthesis as it was when the next one fails", () => {
    const outdir = project.path("earlier.out");
    synthesize({ projectRoot: project.root, outdir, variables: {} });
    const files = (directory: string): string[] =>
      fs.readdirSync(directory, { recursive: true, encoding: "utf8" }).map((file) => `${file}:${fs.statSync(path.join(directory, file)).mtimeMs}`);
    const before = files(outdir);
    expect(() => synthesize({ projectRoot: project.root, outdir, variables: { INVENTORY_STATE_REGION: "us-wast-2" } })).toThrow(
      'default.json: state.region: "us-wast-2" is not an AWS region this project knows',
    );
    expect(files(outdir)).toEqual(before);
  });

  it("INVENTORY_ENV narrows synthesis to one environment (and the state bootstrap stack)", () => {
    const outdir = project.path("narrowed.out");
    synthesize({ projectRoot: project.root, outdir, variables: { INVENTORY_ENV: "lab-start" } });
    expect(fs.readdirSync(path.join(outdir, "stacks")).sort()).toEqual(["inventory-lab-start", "inventory-state"]);
  });
});
