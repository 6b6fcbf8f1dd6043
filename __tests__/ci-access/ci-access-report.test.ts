import * as fs from "node:fs";
import * as path from "node:path";
import { CI_ACCESS_DOC, ciRolesTable, generatedCiAccessDocs } from "../../src/policy/ci-access-report";
import { PROJECT_ROOT } from "../support/stacks";

// docs/ci-access.md's table of what each CI role can and cannot do, decided
// by the IAM evaluator on the synthesized policies: current, and saying what
// the fence promises.

const table = ciRolesTable();
const row = (what: string) => {
  const line = table.split("\n").find((candidate) => candidate.startsWith(`| ${what} |`));
  if (!line) throw new Error(`no row "${what}" in the table`);
  return line
    .split(" | ")
    .slice(1)
    .map((cell) => cell.replace(/ \|$/, ""));
};

describe(CI_ACCESS_DOC, () => {
  it("holds the table as npm run docs writes it (run npm run docs after a change)", () => {
    const file = path.join(PROJECT_ROOT, CI_ACCESS_DOC);
    expect(fs.readFileSync(file, "utf8")).toBe(generatedCiAccessDocs(PROJECT_ROOT).get(file));
  });
  it("a column per role of the example: Terraform Cloud's plan and apply roles, GitHub's plan and deploy roles", () => {
    expect(table.split("\n")[0]).toBe(
      "| a run may | `cloud-Inventory-TFC-Apply` | `cloud-Inventory-TFC-Plan` | `Inventory-GHA-Deploy` | `Inventory-GHA-Plan` |",
    );
    expect(table.split("\n")).toHaveLength(2 + 29);
  });
  it("deploy roles deploy, plan roles read; only the GitHub deploy role writes the S3 state and takes its lock", () => {
    expect(row("read the environment (describe its VPC)")).toEqual(["yes", "yes", "yes", "yes"]);
    expect(row("create the environment's VPC, tagged")).toEqual(["yes", "no", "yes", "no"]);
    expect(row("create a workload role with the environment's boundary")).toEqual(["yes", "no", "yes", "no"]);
    expect(row("write the S3 state")).toEqual(["n/a", "n/a", "yes", "no"]);
    expect(row("take the state lock")).toEqual(["n/a", "n/a", "yes", "no"]);
  });
  it("no role leaves the fence, each refusal named by the Deny that makes it", () => {
    expect(row("create a workload role without the boundary")).toEqual(Array(4).fill("no: DenyRoleWritesOutsideTheBoundary"));
    for (const what of ["remove a role's boundary", "change a role's trust policy", "assume another role", "create an IAM user's access key"])
      expect(row(what)).toEqual(Array(4).fill("no: DenyEscalation"));
    for (const what of ["create a KMS key", "request an ACM certificate", "read the database's master secret", "launch into another environment's subnet"])
      expect(row(what)).toEqual(Array(4).fill("no"));
    expect(row("delete another environment's tagged network interface")).toEqual(Array(4).fill("no"));
  });
  it("deploy roles may delete a detached interface no environment tagged, what a function or the database leaves behind; plan roles may not", () => {
    const cleanup = "delete a detached network interface that carries no Environment tag (what a function or the database leaves behind)";
    expect(row(cleanup)).toEqual(["yes", "no", "yes", "no"]);
  });
  it("an untagged security group: the deploy roles only remove its rules (the VPC's default group's adoption), never tag or open it", () => {
    expect(row("remove a rule from an untagged security group (how the VPC's default group is adopted)")).toEqual(["yes", "no", "yes", "no"]);
    expect(row("add a rule to an untagged security group")).toEqual(Array(4).fill("no"));
    expect(row("tag an untagged security group with the environment's tag, then open it")).toEqual(Array(4).fill("no"));
  });
});
