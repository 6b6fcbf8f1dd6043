import * as fs from "node:fs";
import * as path from "node:path";
import { reviewPlan } from "../../src/terraform/plan-review";
import { readSavedPlan } from "../../src/terraform/saved-plan";
import { redactedPlan } from "../../src/terraform/sensitive-values";
import { StackWorkspace } from "../../src/terraform/stack-workspace";
import type { TerraformPlanJson } from "../../src/terraform/plan-json";
import type { NumberShapes } from "../../src/terraform/value-numbers";
import { storedZip, zipEntries } from "../../src/system/zip-archive";
import { readableChanges, referencedResources } from "../support/plan-json";
import { TERRAFORM_CACHE } from "../support/terraform";

// The plan file reader against Terraform's own `show -json`, on a real plan
// of every kind of change: Terraform's built-in terraform_data resource
// (no provider to install, nothing leaves the machine), applied into a
// local state, then changed so the next plan keeps one, updates one,
// replaces two (one destroyed first, one created first), destroys three (no
// configuration, a count index and a for_each key gone), follows a move and
// creates one whose values are partly unknown, with numbers inside a
// dynamic value (0.01 is written as text in the plan file), and updates a
// value that holds a sensitive variable's (marked in the plan). The AWS
// stacks' own plans are compared in npm run plan's test (the default
// environment), the domain variant's and the lifecycle's (updates and
// replacements of real AWS resources in the emulator).

/** What is deployed first. */
const first = {
  variable: { token: { type: "string", sensitive: true, default: "token-one-5d1e" } },
  resource: {
    terraform_data: {
      kept: { input: { name: "kept", ratio: 0.5 } },
      updated: { input: { text: "one", token: "${var.token}" } },
      replaced: { input: 1, triggers_replace: ["v1"] },
      replaced_first: { input: "x", triggers_replace: ["v1"], lifecycle: { create_before_destroy: true } },
      removed: { input: "gone" },
      counted: { count: 2, input: "${count.index}" },
      keyed: { for_each: { a: "A", b: "B" }, input: "${each.value}" },
      old_name: { input: "moved" },
    },
  },
};

/** The change planned against it. */
const second = {
  moved: [{ from: "terraform_data.old_name", to: "terraform_data.new_name" }],
  variable: { token: { type: "string", sensitive: true, default: "token-two-8b2f" } },
  resource: {
    terraform_data: {
      kept: { input: { name: "kept", ratio: 0.5 } },
      updated: { input: { text: "two", token: "${var.token}" } },
      replaced: { input: 1, triggers_replace: ["v2"] },
      replaced_first: { input: "x", triggers_replace: ["v2"], lifecycle: { create_before_destroy: true } },
      counted: { count: 1, input: "${count.index}" },
      keyed: { for_each: { a: "A" }, input: "${each.value}" },
      new_name: { input: "moved" },
      created: {
        input: { threshold: 0.01, sizes: [1, 2.5], text: "0.01", from: "${terraform_data.replaced.output}-${terraform_data.updated.id}" },
        depends_on: ["terraform_data.kept"],
      },
    },
  },
};

let workspace: StackWorkspace;
let planFile: string;
let shown: TerraformPlanJson;
let shapes: NumberShapes;

function configure(document: object | string, file = "main.tf.json"): void {
  for (const entry of fs.readdirSync(workspace.directory))
    if (entry.endsWith(".tf") || entry.endsWith(".tf.json")) fs.rmSync(path.join(workspace.directory, entry));
  fs.writeFileSync(path.join(workspace.directory, file), typeof document === "string" ? document : JSON.stringify(document, null, 2));
}

beforeAll(async () => {
  workspace = StackWorkspace.empty("saved-plan", { cacheDirectory: TERRAFORM_CACHE });
  configure(first);
  await workspace.init();
  await workspace.run(["apply", "-auto-approve", "-input=false", "-no-color"]);
  configure(second);
  ({ planFile } = await workspace.plan({ refresh: true }));
  shown = await workspace.showJson(planFile);
  shapes = await workspace.numberShapes();
});

afterAll(() => workspace.remove());

function reading(): TerraformPlanJson {
  const result = readSavedPlan(planFile, shapes);
  if (result.unsupported !== undefined) throw new Error(result.unsupported);
  return result.plan;
}

describe("a saved plan read from the file", () => {
  it("covers every kind of change (Terraform's own JSON says so)", () => {
    const kinds = (shown.resource_changes ?? []).map((change) => `${change.address} ${change.change.actions.join("+")} ${change.action_reason ?? ""}`.trim());
    expect(kinds).toEqual([
      "terraform_data.counted[0] no-op",
      "terraform_data.counted[1] delete delete_because_count_index",
      "terraform_data.created create",
      "terraform_data.kept no-op",
      'terraform_data.keyed["a"] no-op',
      'terraform_data.keyed["b"] delete delete_because_each_key',
      "terraform_data.new_name no-op",
      "terraform_data.removed delete delete_because_no_resource_config",
      "terraform_data.replaced delete+create replace_because_cannot_update",
      "terraform_data.replaced_first create+delete replace_because_cannot_update",
      "terraform_data.updated update",
    ]);
  });

  it("gives every resource change as terraform show -json does: address, actions, values before and after, unknowns, replace paths, reasons", () => {
    expect(readableChanges(reading())).toEqual(readableChanges(shown));
  });

  it('types numbers inside a dynamic value by the type the plan gives it: 0.01 a number, the text "0.01" a string', () => {
    const created = reading().resource_changes!.find((change) => change.address === "terraform_data.created")!;
    expect(created.change.after).toMatchObject({ input: { threshold: 0.01, sizes: [1, 2.5], text: "0.01" } });
    expect(created.change.after_unknown).toMatchObject({ id: true, output: true, input: { from: true } });
  });

  it("names the move and the index or key of each instance", () => {
    const changes = reading().resource_changes!;
    expect(changes.find((change) => change.address === "terraform_data.new_name")!.previous_address).toBe("terraform_data.old_name");
    expect(changes.filter((change) => change.index !== undefined).map((change) => change.index)).toEqual([0, 1, "a", "b"]);
    expect(changes.filter((change) => change.index !== undefined).map((change) => change.index)).toEqual(
      shown.resource_changes!.filter((change) => change.index !== undefined).map((change) => change.index),
    );
  });

  it("marks as sensitive what show -json marks, before and after: the same values redacted, and the review shows neither token where they are marked", () => {
    const redactedChanges = (plan: TerraformPlanJson) => redactedPlan(plan).resource_changes!.map((change) => [change.change.before, change.change.after]);
    expect(redactedChanges(reading())).toEqual(redactedChanges(shown));
    const updated = reading().resource_changes!.find((change) => change.address === "terraform_data.updated")!;
    expect(updated.change).toMatchObject({ before_sensitive: { input: { token: true } }, after_sensitive: { input: { token: true } } });
    const review = reviewPlan(reading(), "Plan review", "Plan: 1 to add, 1 to change, 5 to destroy.").text;
    expect(review).toContain('  ~ terraform_data.updated: input.text "one" -> "two", input.token (sensitive) -> (sensitive)');
    // terraform_data's output copies the token without its mark, so Terraform's own text plan prints the old one there too:
    // the review hides what Terraform marks, no more.
    expect(review.replace(/output \{.*?\} -> \(known after apply\)/, "")).not.toMatch(/token-(one|two)/);
  });

  it("gives the resources each attribute refers to as the configuration in show -json does", () => {
    const references = referencedResources(reading());
    expect(references).toEqual(referencedResources(shown));
    expect(references["terraform_data.created"]).toEqual({ input: ["terraform_data.replaced", "terraform_data.updated"] });
  });

  it("leaves a plan of a configuration in HCL to terraform show -json, saying why", async () => {
    configure('resource "terraform_data" "only" {\n  input = "hcl"\n}\n', "main.tf");
    const { planFile: hclPlan } = await workspace.plan({ planFileName: "hcl.tfplan" });
    const read = await workspace.readPlan(hclPlan);
    expect(read).toMatchObject({ source: "terraform show -json", fallbackReason: "its configuration is in HCL (main.tf)" });
    expect(read.plan.resource_changes!.map((change) => change.address)).toContain("terraform_data.only");
  });

  it("refuses a plan file of another format version, and a file that is not a plan, with the reason", () => {
    const entries = zipEntries(fs.readFileSync(planFile));
    const plan = entries.get("tfplan")!;
    // The message opens with field 1, the format version: tag 0x08, then the varint.
    expect([...plan.subarray(0, 2)]).toEqual([0x08, 3]);
    const otherVersion = path.join(workspace.directory, "other-version.tfplan");
    fs.writeFileSync(otherVersion, storedZip(new Map([...entries, ["tfplan", Buffer.concat([Buffer.from([0x08, 4]), plan.subarray(2)])]])));
    expect(readSavedPlan(otherVersion, shapes)).toEqual({ unsupported: "its format version is 4, not 3" });

    const notAPlan = path.join(workspace.directory, "not-a-plan.tfplan");
    fs.writeFileSync(notAPlan, "plain text");
    expect(readSavedPlan(notAPlan, shapes)).toEqual({ unsupported: "the plan file could not be read: no end of central directory record: not a zip archive" });
  });
});
