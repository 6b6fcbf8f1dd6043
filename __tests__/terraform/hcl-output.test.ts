import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { synthesize } from "../../src/synthesize";
import { ProjectCopy } from "../support/project-copy";
import { PROJECT_ROOT } from "../support/stacks";

describe("HCL output", () => {
  it("replaces the JSON of an earlier synthesis instead of sitting beside it, and the reverse", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-formats-"));
    try {
      const variables = { INVENTORY_ENV: "default" };
      const [json] = synthesize({ projectRoot: PROJECT_ROOT, outdir, hcl: false, variables });
      expect(fs.readdirSync(json.directory)).toEqual(["cdk.tf.json"]);
      const [hcl] = synthesize({ projectRoot: PROJECT_ROOT, outdir, hcl: true, variables });
      expect(fs.readdirSync(hcl.directory).sort()).toEqual(["cdk.tf", "metadata.json"]);
      expect(fs.readFileSync(path.join(hcl.directory, "cdk.tf"), "utf8")).toMatch(/^resource "aws_vpc" "network_vpc" \{$/m);
      synthesize({ projectRoot: PROJECT_ROOT, outdir, hcl: false, variables });
      expect(fs.readdirSync(json.directory)).toEqual(["cdk.tf.json"]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("is what the app writes when cdktf synth --hcl asks for it (SYNTH_HCL_OUTPUT)", () => {
    const project = new ProjectCopy();
    try {
      expect(project.run("node", ["scripts/run.mjs", "main.ts"]).status).toBe(0);
      const result = project.run("node", ["scripts/run.mjs", "main.ts"], { SYNTH_HCL_OUTPUT: "true" });
      expect(result.status).toBe(0);
      for (const stack of ["inventory-default", "inventory-lab-start"]) {
        expect(fs.readdirSync(project.path("cdktf.out", "stacks", stack)).sort()).toEqual(["cdk.tf", "metadata.json"]);
      }
    } finally {
      project.remove();
    }
  });
});
