import * as fs from "node:fs";
import * as path from "node:path";
import { loadEnvironments } from "../../src/config/load";
import { PROJECT_ROOT } from "../support/stacks";
import type { Diagnostic } from "../../src/terraform/terraform-cli";
import { type StackToValidate, validateStacks } from "../../src/terraform/validate-stacks";
import { type PlanRun, planned, planStack, readable, synthesizeEnvironment, TERRAFORM_CACHE } from "../support/terraform";

// Every environment of the repository, and the state bootstrap stack, proven
// against the real terraform and AWS provider: the JSON and the HCL of each
// pass terraform validate, and the default environment plans offline the same
// from both. Terraform runs once for all of it, shared by the assertions below.
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

/**
 * A copy of a synthesized stack with a wrong attribute type, as a broken
 * construct would write it, validated in the same run as the real stacks.
 */
function brokenCopy(stack: { directory: string; outdir: string }): string {
  const directory = path.join(stack.outdir, "broken");
  fs.cpSync(stack.directory, directory, { recursive: true });
  const file = path.join(directory, "cdk.tf.json");
  const document = JSON.parse(fs.readFileSync(file, "utf8"));
  document.resource.aws_lb_target_group.load_balancer_target_group.health_check.healthy_threshold = { threshold: 2 };
  fs.writeFileSync(file, JSON.stringify(document, null, 2));
  return directory;
}

const TERRAFORM_FORMATS = ["json", "hcl"] as const;
const stacks: StackToValidate[] = [];
const folders: string[] = [];
let resourceCount = 0;
let validation: Map<string, Diagnostic[]> | Error;
let jsonPlan: PlanRun;
let hclPlan: PlanRun;

beforeAll(async () => {
  for (const environment of environments) {
    for (const format of TERRAFORM_FORMATS) {
      const stack = synthesizeEnvironment(environment, format);
      folders.push(stack.outdir);
      stacks.push({ name: `${environment}-${format}`, directory: stack.directory });
      // Every synthesis writes the state bootstrap stack beside the environment's; one of each format is enough.
      if (environment === "default") stacks.push({ name: `state-${format}`, directory: path.join(path.dirname(stack.directory), "inventory-state") });
      if (environment === "default" && format === "json") stacks.push({ name: "broken", directory: brokenCopy(stack) });
    }
  }
  const stackOf = (name: string) => stacks.find((stack) => stack.name === name)!.directory;
  const document = JSON.parse(fs.readFileSync(path.join(stackOf("default-json"), "cdk.tf.json"), "utf8"));
  resourceCount = Object.values<Record<string, unknown>>(document.resource).reduce((sum, resources) => sum + Object.keys(resources).length, 0);
  // Each terraform command loads the AWS provider, seconds of CPU each: all stacks are
  // validated in one run, and the default environment, which has every resource kind,
  // is planned from JSON and from HCL. lab-start's plan and its review are npm run
  // plan's own test (plan-command.test.ts).
  [validation, jsonPlan, hclPlan] = await Promise.all([
    validateStacks(stacks, { cacheDirectory: TERRAFORM_CACHE }).catch((error: Error) => error),
    planStack(stackOf("default-json")),
    planStack(stackOf("default-hcl")),
  ]);
});

afterAll(() => {
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

/** The diagnostics terraform validate reported for one stack, in Terraform's words; throws what stopped validation. */
function validationOf(name: string): string[] {
  if (validation instanceof Error) throw validation;
  return readable(validation.get(name));
}

describe.each(environments)("environment %s against terraform", (environment) => {
  it("JSON passes terraform validate without errors or warnings", () => {
    expect(validationOf(`${environment}-json`)).toEqual([]);
  });

  it("HCL passes terraform validate without errors or warnings", () => {
    expect(validationOf(`${environment}-hcl`)).toEqual([]);
  });

  if (environment === "default") {
    it("plans offline: one addition per resource in the synthesized JSON, nothing changed or destroyed", () => {
      expect(planned(jsonPlan).text).toContain(`Plan: ${resourceCount} to add, 0 to change, 0 to destroy.`);
      expect(resourceCount).toBeGreaterThan(40);
    });

    it("HCL plans exactly what JSON plans: same addresses, same planned values, same outputs", () => {
      const fromJson = plannedChanges(planned(jsonPlan).text);
      const fromHcl = plannedChanges(planned(hclPlan).text);
      const addresses = (text: string) => [...text.matchAll(/^  # (\S+) will be (created|read during apply)$/gm)].map((match) => match[1]);
      expect(addresses(fromJson).length).toBeGreaterThan(resourceCount);
      expect(addresses(fromHcl)).toEqual(addresses(fromJson));
      expect(fromHcl).toBe(fromJson);
    });
  }
});

describe("the state bootstrap stack against terraform", () => {
  it("JSON passes terraform validate without errors or warnings", () => {
    expect(validationOf("state-json")).toEqual([]);
  });

  it("HCL passes terraform validate without errors or warnings", () => {
    expect(validationOf("state-hcl")).toEqual([]);
  });
});

describe("a broken construct in the same terraform validate run", () => {
  it("fails with Terraform's own message and where it is, against its own stack alone", () => {
    const reported = validationOf("broken");
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatch(/^Error: Incorrect attribute value type: Inappropriate value for attribute "healthy_threshold": number required/);
    expect(reported[0]).toMatch(/\(broken\/cdk\.tf\.json line \d+, in resource\.aws_lb_target_group\.load_balancer_target_group\.health_check\)/);
  });

  it("leaves the synthesized folders as they were: Terraform worked in copies", () => {
    for (const stack of stacks.filter(({ name }) => name !== "broken")) {
      expect(fs.readdirSync(stack.directory).filter((entry) => !["cdk.tf.json", "cdk.tf", "metadata.json"].includes(entry))).toEqual([]);
    }
  });
});
