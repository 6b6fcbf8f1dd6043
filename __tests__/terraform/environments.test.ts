import * as fs from "node:fs";
import * as path from "node:path";
import { loadEnvironments } from "../../src/config/load";
import { PROJECT_ROOT } from "../support/stacks";
import { initValidatePlan, succeeded, synthesizeEnvironment, type TerraformRun } from "../support/terraform";

// Every environment of the repository, proven against the real terraform and
// AWS provider: init, validate and an offline plan of its JSON and of its HCL,
// once per environment, shared by the assertions below.
const environments = loadEnvironments({ directory: path.join(PROJECT_ROOT, "environments"), variables: {} }).map((settings) => settings.environment);

/**
 * Terraform's own rendering of a plan: every planned resource by address with
 * every planned attribute value (or "known after apply"), and the outputs.
 * The progress lines before it (in whatever order data sources finished) and
 * the lines naming the temporary plan file are left out.
 */
function plannedChanges(planText: string): string {
  const start = planText.indexOf("Terraform used the selected providers");
  expect(start).toBeGreaterThanOrEqual(0);
  return planText
    .slice(start)
    .split("\n")
    .filter((line) => !line.includes(".tfplan"))
    .join("\n");
}

describe.each(environments)("environment %s against terraform", (environment) => {
  let resourceCount = 0;
  let json: TerraformRun;
  let hcl: TerraformRun;
  const folders: string[] = [];

  beforeAll(async () => {
    const jsonStack = synthesizeEnvironment(environment, "json");
    const hclStack = synthesizeEnvironment(environment, "hcl");
    folders.push(jsonStack.outdir, hclStack.outdir);
    const document = JSON.parse(fs.readFileSync(path.join(jsonStack.directory, "cdk.tf.json"), "utf8"));
    resourceCount = Object.values<Record<string, unknown>>(document.resource).reduce((sum, resources) => sum + Object.keys(resources).length, 0);
    // Each terraform command loads the AWS provider, seconds of CPU each. The default
    // environment, which has every resource kind, is planned from JSON and from HCL;
    // lab-start's plan and its review are npm run plan's own test (plan-command.test.ts).
    const plan = environment === "default";
    [json, hcl] = await Promise.all([initValidatePlan(jsonStack.directory, { plan }), initValidatePlan(hclStack.directory, { plan })]);
  });

  afterAll(() => {
    for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
  });

  it("JSON passes terraform validate without warnings", () => {
    expect(succeeded(json).warnings).toEqual([]);
  });

  it("HCL passes terraform validate without warnings", () => {
    expect(succeeded(hcl).warnings).toEqual([]);
  });

  if (environment === "default") {
    it("plans offline: one addition per resource in the synthesized JSON, nothing changed or destroyed", () => {
      const { plan } = succeeded(json);
      expect(plan!.text).toContain(`Plan: ${resourceCount} to add, 0 to change, 0 to destroy.`);
      expect(resourceCount).toBeGreaterThan(40);
    });

    it("HCL plans exactly what JSON plans: same addresses, same planned values, same outputs", () => {
      const fromJson = plannedChanges(succeeded(json).plan!.text);
      const fromHcl = plannedChanges(succeeded(hcl).plan!.text);
      const addresses = (text: string) => [...text.matchAll(/^  # (\S+) will be (created|read during apply)$/gm)].map((match) => match[1]);
      expect(addresses(fromJson).length).toBeGreaterThan(resourceCount);
      expect(addresses(fromHcl)).toEqual(addresses(fromJson));
      expect(fromHcl).toBe(fromJson);
    });
  }
});

describe("the state bootstrap stack against terraform", () => {
  let bootstrap: TerraformRun;
  let outdir: string;

  beforeAll(async () => {
    const stack = synthesizeEnvironment("default", "json");
    outdir = stack.outdir;
    bootstrap = await initValidatePlan(path.join(path.dirname(stack.directory), "inventory-state"), { plan: false });
  });

  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  it("passes terraform validate without warnings", () => {
    expect(succeeded(bootstrap).warnings).toEqual([]);
  });
});
