import { reviewPlan } from "../../src/terraform/plan-review";
import type { ResourceChange, TerraformPlanJson } from "../../src/terraform/stack-workspace";

/** A resource change as `terraform show -json` writes it. */
function change(
  address: string,
  actions: string[],
  before: unknown,
  after: Record<string, unknown> | null,
  extra: Partial<ResourceChange["change"]> & { action_reason?: string } = {},
): ResourceChange {
  const [type, name] = address.split(".");
  const { action_reason, ...rest } = extra;
  return { address, mode: "managed", type, name, change: { actions, before, after, after_unknown: {}, ...rest }, ...(action_reason ? { action_reason } : {}) };
}

const plan = (changes: ResourceChange[]): TerraformPlanJson => ({ format_version: "1.2", resource_changes: changes });
const sectionOf = (text: string, heading: RegExp) => {
  const lines = text.split("\n");
  const start = lines.findIndex((line) => heading.test(line));
  if (start < 0) return [];
  const end = lines.findIndex((line, index) => index > start && line === "");
  return lines.slice(start, end < 0 ? undefined : end);
};

describe("the plan review of a change to a deployed environment", () => {
  const review = reviewPlan(
    plan([
      change(
        "aws_vpc_security_group_ingress_rule.database_from_app",
        ["create", "delete"],
        { cidr_ipv4: "10.0.0.0/20", referenced_security_group_id: null, from_port: 3306 },
        { cidr_ipv4: null, referenced_security_group_id: "sg-0app", from_port: 3306 },
        {
          replace_paths: [["cidr_ipv4"], ["referenced_security_group_id"]],
          action_reason: "replace_because_cannot_update",
        },
      ),
      change(
        "aws_db_instance.database",
        ["delete", "create"],
        { identifier: "inventory-db", engine: "mysql" },
        { identifier: "inventory-db-2", engine: "mysql" },
        { replace_paths: [["identifier"]] },
      ),
      change("aws_nat_gateway.nat_2", ["delete"], { subnet_id: "subnet-2" }, null),
      change(
        "aws_autoscaling_group.app",
        ["update"],
        { launch_template: [{ id: "lt-1", version: "1" }], capacity_reservation_specification: [{ capacity_reservation_preference: null }], max_size: 2 },
        { launch_template: [{ id: "lt-1" }], capacity_reservation_specification: [{ capacity_reservation_preference: "" }], max_size: 4 },
        { after_unknown: { launch_template: [{ version: true }] } },
      ),
      change("aws_eip.nat_3", ["create"], null, { domain: "vpc", tags: { Name: "NAT Gateway 3 EIP" } }),
    ]),
    "Plan review of a test stack",
    "Plan: 3 to add, 1 to change, 3 to destroy.",
  );

  it("puts what it replaces or destroys first, as warnings, with the attributes that force each replacement and its order", () => {
    const lines = review.text.split("\n");
    expect(lines.slice(0, 2)).toEqual(["Plan review of a test stack", ""]);
    expect(sectionOf(review.text, /^Replaced or destroyed/)).toEqual([
      "Replaced or destroyed (3)",
      '  ! REPLACED: aws_vpc_security_group_ingress_rule.database_from_app (cidr_ipv4 "10.0.0.0/20" -> null, referenced_security_group_id null -> "sg-0app", ' +
        "replace because cannot update): the new one is created before the old one is destroyed",
      '  ! REPLACED: aws_db_instance.database (identifier "inventory-db" -> "inventory-db-2"): the old one is DESTROYED BEFORE the new one exists',
      "  ! DESTROYED: aws_nat_gateway.nat_2",
    ]);
    expect(lines.indexOf("Replaced or destroyed (3)")).toBe(2);
  });

  it("lists each update in place with what it changes, leaf by leaf, and not the provider's null-or-empty noise", () => {
    expect(sectionOf(review.text, /^Changed in place/)).toEqual([
      "Changed in place (1)",
      '  ~ aws_autoscaling_group.app: launch_template.version "1" -> (known after apply), max_size 2 -> 4',
    ]);
  });

  it("says nothing of changes for a plan that only creates", () => {
    const created = reviewPlan(
      plan([change("aws_eip.nat_1", ["create"], null, { domain: "vpc" })]),
      "Plan review",
      "Plan: 1 to add, 0 to change, 0 to destroy.",
    );
    expect(created.text).not.toMatch(/Replaced or destroyed|Changed in place/);
    expect(created.text.split("\n")[2]).toBe("Resources to add: 1");
  });
});
