import { reviewPlan } from "../../src/terraform/plan-review";
import type { ResourceChange, TerraformPlanJson } from "../../src/terraform/plan-json";

/** A resource change as `terraform show -json` writes it; nothing sensitive unless `extra` marks it. */
function change(
  address: string,
  actions: string[],
  before: unknown,
  after: Record<string, unknown> | null,
  extra: Partial<ResourceChange["change"]> & { action_reason?: string } = {},
): ResourceChange {
  const [type, name] = address.split(".");
  const { action_reason, ...rest } = extra;
  return {
    address,
    mode: "managed",
    type,
    name,
    change: {
      actions,
      before,
      after,
      after_unknown: {},
      before_sensitive: before === null ? false : {},
      after_sensitive: after === null ? false : {},
      ...rest,
    },
    ...(action_reason ? { action_reason } : {}),
  };
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

  it("lists a function Terraform invokes again (the app's release) with the updates, not as a replacement: nothing in AWS is destroyed", () => {
    const release = reviewPlan(
      plan([
        change(
          "aws_lambda_invocation.release",
          ["delete", "create"],
          { input: '{"launchTemplateVersion":"1"}', result: "{}" },
          { input: null, result: null },
          { replace_paths: [["input"]], after_unknown: { input: true, result: true } },
        ),
        change("aws_lambda_function.other", ["delete", "create"], { function_name: "a" }, { function_name: "b" }, { replace_paths: [["function_name"]] }),
      ]),
      "Plan review",
      "Plan: 2 to add, 0 to change, 2 to destroy.",
    );
    expect(sectionOf(release.text, /^Changed in place/)).toEqual([
      "Changed in place (1)",
      '  ~ aws_lambda_invocation.release: invoked again, input "{\\"launchTemplateVersion\\":\\"1\\"}" -> (known after apply)',
    ]);
    // Any other replaced function is still a replacement.
    expect(sectionOf(release.text, /^Replaced or destroyed/)).toEqual([
      "Replaced or destroyed (1)",
      '  ! REPLACED: aws_lambda_function.other (function_name "a" -> "b"): the old one is DESTROYED BEFORE the new one exists',
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

  it("lists what a change adds by type in the short review; a plan that only creates, in the full review only", () => {
    // The two replacements are added too.
    expect(sectionOf(review.text, /^Resources to add/)).toEqual([
      "Resources to add: 3",
      "   1 aws_db_instance                           1 aws_eip",
      "   1 aws_vpc_security_group_ingress_rule",
    ]);
    const created = reviewPlan(plan([change("aws_eip.nat_1", ["create"], null, { domain: "vpc" })]), "Plan review", "Plan: 1 to add.");
    expect(sectionOf(created.text, /^Resources to add/)).toEqual(["Resources to add: 1"]);
    expect(sectionOf(created.fullText, /^Resources to add/)).toEqual(["Resources to add: 1", "   1 aws_eip"]);
  });
});

/** The configuration entry of `address`, whose attributes refer to other resources as cdktf writes them (`aws_x.y.id`). */
const referring = (address: string, expressions: Record<string, string>) => ({
  address,
  expressions: Object.fromEntries(Object.entries(expressions).map(([attribute, target]) => [attribute, { references: [`${target}.id`, target] }])),
});

/** The lab's network: two public and two private subnets in two zones, with one NAT gateway (`single`) or one per zone (`per-az`). */
function labNetwork(strategy: "single" | "per-az"): TerraformPlanJson {
  const zones = ["us-west-2a", "us-west-2b"];
  const nats = strategy === "single" ? [1] : [1, 2];
  const create = (address: string, values: Record<string, unknown>) => change(address, ["create"], null, values);
  return {
    format_version: "1.2",
    resource_changes: [
      create("aws_vpc.lab", { cidr_block: "10.0.0.0/20", enable_dns_hostnames: true, tags: { Name: "Lab VPC" } }),
      create("aws_internet_gateway.igw", { tags: { Name: "Lab IGW" } }),
      ...zones.flatMap((zone, index) => [
        create(`aws_subnet.public_${index + 1}`, { cidr_block: `10.0.${index}.0/24`, availability_zone: zone, tags: { Name: `Public Subnet ${index + 1}` } }),
        create(`aws_subnet.private_${index + 1}`, {
          cidr_block: `10.0.${2 + 2 * index}.0/23`,
          availability_zone: zone,
          tags: { Name: `Private Subnet ${index + 1}` },
        }),
        create(`aws_route_table_association.public_${index + 1}`, {}),
        create(`aws_route_table_association.private_${index + 1}`, {}),
      ]),
      create("aws_route_table.public", { tags: { Name: "Public Route Table" } }),
      create("aws_route.public", { destination_cidr_block: "0.0.0.0/0" }),
      ...nats.flatMap((index) => [
        create(`aws_nat_gateway.nat_${index}`, { tags: { Name: `NAT Gateway ${index}` } }),
        create(`aws_route_table.private_${index}`, { tags: { Name: `Private Route Table ${index}` } }),
        create(`aws_route.private_${index}`, { destination_cidr_block: "0.0.0.0/0" }),
      ]),
    ],
    configuration: {
      root_module: {
        resources: [
          referring("aws_route.public", { route_table_id: "aws_route_table.public", gateway_id: "aws_internet_gateway.igw" }),
          ...[1, 2].flatMap((index) => [
            referring(`aws_route_table_association.public_${index}`, { subnet_id: `aws_subnet.public_${index}`, route_table_id: "aws_route_table.public" }),
            referring(`aws_route_table_association.private_${index}`, {
              subnet_id: `aws_subnet.private_${index}`,
              route_table_id: `aws_route_table.private_${strategy === "single" ? 1 : index}`,
            }),
          ]),
          ...nats.flatMap((index) => [
            referring(`aws_nat_gateway.nat_${index}`, { subnet_id: `aws_subnet.public_${index}` }),
            referring(`aws_route.private_${index}`, { route_table_id: `aws_route_table.private_${index}`, nat_gateway_id: `aws_nat_gateway.nat_${index}` }),
          ]),
        ],
      },
    },
  };
}

describe("the plan review's Network section", () => {
  it("gives each subnet's route table and where it sends 0.0.0.0/0; a NAT gateway per zone raises no flag", () => {
    const review = reviewPlan(labNetwork("per-az"), "Plan review", "Plan: 17 to add.");
    expect(sectionOf(review.text, /^Network$/)).toEqual([
      "Network",
      "  VPC Lab VPC 10.0.0.0/20, DNS hostnames on; NAT gateways: 2 (in Public Subnet 1, Public Subnet 2)",
      "  Public Subnet 1  10.0.0.0/24 us-west-2a -> Public Route Table -> Lab IGW",
      "  Public Subnet 2  10.0.1.0/24 us-west-2b -> Public Route Table -> Lab IGW",
      "  Private Subnet 1 10.0.2.0/23 us-west-2a -> Private Route Table 1 -> NAT Gateway 1",
      "  Private Subnet 2 10.0.4.0/23 us-west-2b -> Private Route Table 2 -> NAT Gateway 2",
    ]);
    expect(review.warnings).toStrictEqual([]);
  });

  it("flags a private subnet that leaves through a NAT gateway in another zone, there and in the warnings", () => {
    const review = reviewPlan(labNetwork("single"), "Plan review", "Plan: 15 to add.");
    expect(sectionOf(review.text, /^Network$/).slice(4)).toEqual([
      "  Private Subnet 1 10.0.2.0/23 us-west-2a -> Private Route Table 1 -> NAT Gateway 1",
      "  Private Subnet 2 10.0.4.0/23 us-west-2b -> Private Route Table 1 -> NAT Gateway 1",
      "    ! CROSS-ZONE: leaves through a NAT gateway in us-west-2a; an outage there cuts it off the internet",
    ]);
    expect(review.warnings).toEqual(["CROSS-ZONE: Private Subnet 2 (us-west-2b) leaves through NAT Gateway 1 in us-west-2a"]);
  });

  it("names the VPC's main route table for a subnet without an association", () => {
    const network = labNetwork("per-az");
    const review = reviewPlan(
      { ...network, resource_changes: network.resource_changes!.filter((each) => each.address !== "aws_route_table_association.private_2") },
      "Plan review",
      "Plan: 16 to add.",
    );
    expect(review.text).toContain("  Private Subnet 2 10.0.4.0/23 us-west-2b -> the VPC's main route table");
  });
});

describe("the plan review's Security group rules", () => {
  const rule = (address: string, values: Record<string, unknown>) => change(address, ["create"], null, { ip_protocol: "tcp", ...values });
  const review = reviewPlan(
    {
      format_version: "1.2",
      resource_changes: [
        change("aws_security_group.lb", ["create"], null, { name: "LB" }),
        change("aws_security_group.app", ["create"], null, { name: "App" }),
        rule("aws_vpc_security_group_ingress_rule.http", { from_port: 80, to_port: 80, cidr_ipv4: "0.0.0.0/0" }),
        rule("aws_vpc_security_group_ingress_rule.https", { from_port: 443, to_port: 443, cidr_ipv4: "0.0.0.0/0" }),
        rule("aws_vpc_security_group_egress_rule.to_app", { from_port: 80, to_port: 80 }),
      ],
      configuration: {
        root_module: {
          resources: [
            referring("aws_vpc_security_group_ingress_rule.http", { security_group_id: "aws_security_group.lb" }),
            referring("aws_vpc_security_group_ingress_rule.https", { security_group_id: "aws_security_group.lb" }),
            referring("aws_vpc_security_group_egress_rule.to_app", {
              security_group_id: "aws_security_group.lb",
              referenced_security_group_id: "aws_security_group.app",
            }),
          ],
        },
      },
    },
    "Plan review",
    "Plan: 5 to add.",
  );

  it("lists every rule in the full review, and the ports a group opens to one peer in a line in the short one", () => {
    expect(sectionOf(review.fullText, /^Security group rules$/)).toEqual([
      "Security group rules",
      "  LB  in  tcp 443   from 0.0.0.0/0",
      "  LB  in  tcp 80    from 0.0.0.0/0",
      "  LB  out tcp 80    to   group App",
      "  App out (none)",
    ]);
    expect(sectionOf(review.text, /^Security group rules$/)).toEqual([
      "Security group rules",
      "  LB  in  tcp 80, 443 from 0.0.0.0/0",
      "  LB  out tcp 80      to   group App",
      "  App out (none)",
    ]);
  });

  it("warns once of the ports a group opens to the internet", () => {
    expect(review.warnings).toEqual(["PUBLIC: LB in tcp 80, 443 from 0.0.0.0/0"]);
  });
});

describe("the plan review's Monitoring section", () => {
  const topic = "aws_sns_topic.alarms";
  const alarm = (name: string, values: Record<string, unknown>) => change(`aws_cloudwatch_metric_alarm.${name}`, ["create"], null, values);
  const references = (address: string, expressions: Record<string, string>) => ({
    address,
    expressions: Object.fromEntries(Object.entries(expressions).map(([attribute, target]) => [attribute, { references: [`${target}.arn`, target] }])),
  });
  const review = reviewPlan(
    {
      format_version: "1.2",
      resource_changes: [
        change(topic, ["create"], null, { name: "Alarms", kms_master_key_id: "alias/ops" }),
        change("aws_sns_topic_subscription.ops", ["create"], null, { protocol: "email", endpoint: "ops@example.com" }),
        alarm("storage", {
          alarm_name: "DB free storage",
          metric_name: "FreeStorageSpace",
          statistic: "Minimum",
          comparison_operator: "LessThanThreshold",
          threshold: 2147483648,
          evaluation_periods: 1,
          period: 300,
        }),
        alarm("memory", {
          alarm_name: "DB freeable memory",
          metric_name: "FreeableMemory",
          statistic: "Average",
          comparison_operator: "LessThanThreshold",
          threshold: 107374182,
          evaluation_periods: 3,
          period: 300,
        }),
        alarm("latency", {
          alarm_name: "LB p95",
          metric_name: "TargetResponseTime",
          extended_statistic: "p95",
          comparison_operator: "GreaterThanThreshold",
          threshold: 1,
          evaluation_periods: 5,
          period: 60,
        }),
        alarm("forgotten", {
          alarm_name: "App 5xx rate",
          metric_query: [
            { id: "signal", expression: "100 * errors / requests" },
            { id: "errors", metric: [{ metric_name: "HTTPCode_Target_5XX_Count", period: 60 }] },
          ],
          comparison_operator: "GreaterThanThreshold",
          threshold: 5,
          evaluation_periods: 5,
        }),
      ],
      configuration: {
        root_module: {
          resources: [
            references("aws_sns_topic_subscription.ops", { topic_arn: topic }),
            references("aws_cloudwatch_metric_alarm.storage", { alarm_actions: topic, ok_actions: topic }),
            references("aws_cloudwatch_metric_alarm.memory", { alarm_actions: topic, ok_actions: topic }),
            references("aws_cloudwatch_metric_alarm.latency", { alarm_actions: topic }),
          ],
        },
      },
    },
    "Plan review of a test stack",
    "Plan: 6 to add, 0 to change, 0 to destroy.",
  );

  it("names the topic's key and subscribers, and each alarm's metric, threshold (bytes in GiB or MiB) and period, by name", () => {
    expect(sectionOf(review.fullText, /^Monitoring$/)).toEqual([
      "Monitoring",
      "  topic Alarms: encrypted with alias/ops; notifies email ops@example.com",
      "  4 alarms:",
      "    App 5xx rate: 100 * errors / requests > 5 for 5 x 60s, no OK notification",
      "    DB free storage: FreeStorageSpace Minimum < 2 GiB for 1 x 300s",
      "    DB freeable memory: FreeableMemory Average < 102 MiB for 3 x 300s",
      "    LB p95: TargetResponseTime p95 > 1 for 5 x 60s, no OK notification",
    ]);
  });

  it("counts the alarms in the short review, which says whether the topic is encrypted and how many it notifies", () => {
    expect(sectionOf(review.text, /^Monitoring$/)).toEqual(["Monitoring", "  topic Alarms (encrypted) notifies 1 subscriber; 4 alarms"]);
  });

  it("warns of an alarm that notifies no one", () => {
    expect(review.warnings).toEqual(["SILENT: aws_cloudwatch_metric_alarm.forgotten (App 5xx rate) notifies no one"]);
  });
});
