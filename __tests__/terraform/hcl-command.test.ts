import { spawnSync } from "node:child_process";
import { terraformBinary } from "../../src/terraform/terraform-cli";
import { ProjectCopy } from "../support/project-copy";

// `npm run synth:hcl` as a user runs it, in a throwaway copy of the project,
// with the real cdktf CLI and Terraform, and no CHECKPOINT_DISABLE of the
// user's own: the script turns the CLIs' telemetry off itself.
describe("npm run synth:hcl", () => {
  let project: ProjectCopy;
  let result: ReturnType<ProjectCopy["run"]>;

  beforeAll(() => {
    project = new ProjectCopy();
    result = project.run("npm", ["run", "synth:hcl"], { CHECKPOINT_DISABLE: "", INVENTORY_ENV: "default" });
  }, 240_000);

  afterAll(() => project.remove());

  it("writes HCL that terraform fmt -check accepts as it is", () => {
    expect(result.status).toBe(0);
    expect(project.exists("cdktf.out/stacks/inventory-default/cdk.tf")).toBe(true);
    expect(project.exists("cdktf.out/stacks/inventory-state/cdk.tf")).toBe(true);
    const check = spawnSync(terraformBinary(), ["fmt", "-check", "-recursive", "cdktf.out/stacks"], {
      cwd: project.root,
      encoding: "utf8",
      env: { ...process.env, CHECKPOINT_DISABLE: "1" },
    });
    expect({ status: check.status, unformatted: check.stdout }).toEqual({ status: 0, unformatted: "" });
  });

  it("never calls HashiCorp's checkpoint service, which fails loudly offline", () => {
    expect(`${result.stdout}\n${result.stderr}`).not.toMatch(/checkpoint-api\.hashicorp\.com|Could not send telemetry/);
  });
});
