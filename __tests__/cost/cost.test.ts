import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { loadEnvironments } from "../../src/config/load";
import { CiAccessStack, ciAccessProps } from "../../src/ci-access/ci-access-stack";
import { HARDENED, hardenedSettings, synthInventory } from "../../src/policy/evaluate";
import { synthesize } from "../../src/synthesize";
import { costDelta, documentResources, estimateCost, FREE_TYPES, PRICED_TYPES, USAGE_ONLY_TYPES } from "../../src/terraform/cost";
import { PRICE_TABLE } from "../../src/terraform/cost-prices";
import { PROJECT_ROOT, settingsFor, synthStack } from "../support/stacks";

// The cost estimate: every resource type the stacks create is priced, free or
// usage-only; the figures of the repository's environments are AWS's list
// prices; the lab's challenges show as the monthly change.

/** Hours in the month of AWS's pricing calculator. */
const HOURS = 730;
const cents = (value: number) => Math.round(value * 100) / 100;

let outdir: string;
const documents: Record<string, any> = {};

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), "cost-"));
  for (const stack of synthesize({ projectRoot: PROJECT_ROOT, outdir: path.join(outdir, "out"), variables: { INVENTORY_ENV: "" } })) {
    documents[stack.environment] = JSON.parse(fs.readFileSync(path.join(stack.directory, "cdk.tf.json"), "utf8"));
  }
  documents["inventory-state"] = JSON.parse(fs.readFileSync(path.join(outdir, "out", "stacks", "inventory-state", "cdk.tf.json"), "utf8"));
});
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

const estimateOf = (environment: string) => estimateCost(documentResources(documents[environment]), "us-west-2");

describe("every resource type the stacks create is accounted for", () => {
  it("priced, free, or usage-only: the repository's environments, the hardened variant, the state and CI access stacks", () => {
    const hardened = synthInventory(PROJECT_ROOT, hardenedSettings(PROJECT_ROOT));
    const ciSettings = [
      settingsFor("default", { ci: { accountId: "123456789012", githubActions: { repository: "acme/x" } } }),
      settingsFor("cloud", { namePrefix: "c-", state: { backend: "cloud", organization: "acme" }, ci: { accountId: "123456789012", terraformCloud: {} } }),
    ];
    const ci = JSON.parse(Testing.synth(new CiAccessStack(Testing.app(), "ci", ciAccessProps(ciSettings)!)));
    // What monitoring adds when asked: subscriptions and a scaling policy.
    const monitored = synthStack(
      settingsFor("monitored", {
        appTier: { minSize: 2, maxSize: 4, scaling: { policy: "average-cpu" } },
        monitoring: { notifications: { emailAddresses: ["ops@example.com"], httpsEndpoints: ["https://hooks.example.com/alarms"] } },
      }),
    ).document;
    const types = new Set<string>();
    for (const document of [...Object.values(documents), hardened, ci, monitored]) for (const type of Object.keys(document.resource ?? {})) types.add(type);
    for (const type of ["aws_sns_topic_subscription", "aws_autoscaling_policy", "aws_kms_key", "aws_cloudwatch_dashboard"]) expect(types).toContain(type);
    const accounted = new Set([...PRICED_TYPES, ...FREE_TYPES, ...Object.keys(USAGE_ONLY_TYPES)]);
    expect([...types].filter((type) => !accounted.has(type)).sort()).toStrictEqual([]);
    expect(types.size).toBeGreaterThan(30);
  });
  it("a type in no list is reported as unpriced, never counted as free", () => {
    const estimate = estimateCost([{ address: "aws_elasticache_cluster.cache", type: "aws_elasticache_cluster", values: {}, references: {} }], "us-west-2");
    expect(estimate.unpriced).toEqual(["aws_elasticache_cluster.cache: type aws_elasticache_cluster is not in the price table"]);
  });
  it("no type is in two lists", () => {
    const all = [...PRICED_TYPES, ...FREE_TYPES, ...Object.keys(USAGE_ONLY_TYPES)];
    expect(all.length).toBe(new Set(all).size);
  });
});

/**
 * What the repository's environments cost a month in us-west-2, worked out by hand from AWS's public on-demand list
 * prices over AWS's 730-hour month, not from the price table under test. Checked with the project's search tool on
 * 2026-12-06:
 * - us-west-2 regional price list files (pricing.us-east-1.amazonaws.com/offers/v1.0/aws/{AmazonEC2,AmazonVPC,AWSELB}/
 *   current/us-west-2), as a public lab kit quotes them on 2026-10-04: t3.medium $0.0416/h (t3.micro is a quarter:
 *   the price list's "$0.0104 per On Demand Linux t3.micro Instance Hour"), gp3 $0.08/GiB-month, public IPv4
 *   $0.005/h, NAT gateway $0.045/h, Application Load Balancer $0.0225/h; Defang's published estimate reads the same
 *   us-west-2 usage types (USW2-LoadBalancerUsage 730 h $16.43, USW2-NatGateway-Hours 730 h $32.85).
 * - RDS for MySQL db.t3.micro $0.017/h Single-AZ (the price list's "$0.017 per RDS db.t3.micro instance hour"),
 *   db.t3.small $0.034/h, gp3 storage $0.115/GB-month: found for us-east-1 only; us-west-2 lists the same.
 * - Secrets Manager $0.40 a secret-month (hivebook.wiki), a CloudWatch alarm metric $0.10 a month (c3x.dev); a
 *   dashboard $3, a KMS key $1, AWS WAF $5 a web ACL and $1 a rule (aws.amazon.com/cloudwatch, /kms and /waf pricing).
 */
describe("the repository's environments", () => {
  // Both environments: two t3.micro at $0.0104/h (15.18) with their 8 GiB gp3 roots at $0.08 (1.28); the load
  // balancer at $0.0225/h (16.43) and its two public addresses at $0.005/h (7.30); the master and app user secrets
  // (0.80); the web ACL and its five rules (10.00); the topic's key and the log groups' key (2.00) and the dashboard (3.00).
  const shared = 15.18 + 1.28 + 16.43 + 7.3 + 0.8 + 10 + 2 + 3;

  it("lab-start: one NAT gateway and address, a Single-AZ db.t3.micro with 20 GiB, two t3.micro, the load balancer and its addresses, the monitoring", () => {
    // One NAT gateway at $0.045/h (32.85) and its address (3.65); db.t3.micro at $0.017/h (12.41) and 20 GiB at
    // $0.115 (2.30); 19 alarm metrics at $0.10 (1.90).
    expect(estimateOf("lab-start").total).toBeCloseTo(shared + 32.85 + 3.65 + 12.41 + 2.3 + 1.9, 2);
    expect(estimateOf("lab-start").unpriced).toStrictEqual([]);
  });
  it("default: two NAT gateways and addresses, a Multi-AZ db.t3.small with 40 GiB (instance and storage twice), the monitoring", () => {
    // Two NAT gateways (65.70) and their addresses (7.30); db.t3.small at $0.034/h twice for Multi-AZ (49.64) and
    // 40 GiB twice at $0.115 (9.20); 23 alarm metrics (2.30). AWS Backup: the vault's key (1.00), the alarms on failed
    // backups and restore tests (0.20), a full copy of 40 GiB at $0.095 (3.80), 52 weekly restore tests a year at
    // $1.50 (6.50), each restoring a Single-AZ db.t3.small for the 1 h validation window and an hour to restore (0.29).
    expect(estimateOf("default").total).toBeCloseTo(shared + 65.7 + 7.3 + 49.64 + 9.2 + 2.3 + 1 + 0.2 + 3.8 + 6.5 + 0.29, 2);
    expect(estimateOf("default").unpriced).toStrictEqual([]);
  });
  it("prices the app servers' hours at t3.micro's list price", () => {
    const servers = estimateOf("default").lines.filter((line) => line.address === "aws_autoscaling_group.app_tier_auto_scaling_group");
    // 2 x $0.0104 x 730 h, and 2 x 8 GiB x $0.08.
    expect(servers.map((line) => line.monthly)).toStrictEqual([15.18, 1.28]);
  });
  it("lab-start -> default: the challenges and nothing else (a NAT gateway, its address and alarms, Multi-AZ, doubled class and storage, AWS Backup)", () => {
    const delta = costDelta(estimateOf("lab-start"), estimateOf("default"));
    expect(delta.lines.map((line) => [line.address, line.item, cents(line.after - line.before)])).toEqual([
      [
        "aws_db_instance.database_instance",
        "RDS mysql db.t3.micro, Single-AZ (730 h) -> RDS mysql db.t3.small, Multi-AZ (730 h)",
        cents(2 * 0.034 * HOURS - 0.017 * HOURS),
      ],
      ["aws_db_instance.database_instance", "RDS gp3 storage 20 GiB, Single-AZ -> RDS gp3 storage 40 GiB, Multi-AZ", cents(2 * 40 * 0.115 - 20 * 0.115)],
      ["aws_backup_restore_testing_selection.database_backups_restore_testing_selection", "4.33 restore tests a month", cents((52 / 12) * 1.5)],
      [
        "aws_backup_restore_testing_selection.database_backups_restore_testing_selection",
        "restored RDS db.t3.small, Single-AZ, 2 h per test",
        cents((52 / 12) * 2 * 0.034),
      ],
      ["aws_backup_selection.database_backups_selection", "AWS Backup storage, a full copy of 40 GiB", cents(40 * 0.095)],
      ["aws_cloudwatch_metric_alarm.database_backups_backup_failed", "alarm reading 1 metric", 0.1],
      ["aws_cloudwatch_metric_alarm.database_backups_restore_failed", "alarm reading 1 metric", 0.1],
      ["aws_cloudwatch_metric_alarm.monitoring_alarms_nat_gateway_2_dropped_packets", "alarm reading 3 metrics (metric math)", cents(3 * 0.1)],
      ["aws_cloudwatch_metric_alarm.monitoring_alarms_nat_gateway_2_port_allocation_errors", "alarm reading 1 metric", 0.1],
      ["aws_eip.network_nat_address_2", "public IPv4 address (730 h)", cents(0.005 * HOURS)],
      ["aws_kms_key.database_backups_vault_key", "KMS customer managed key, rotated yearly (its first two rotations add $1.00 each)", 1],
      ["aws_nat_gateway.network_nat_gateway_2", "NAT gateway (730 h)", cents(0.045 * HOURS)],
    ]);
    expect(delta.delta).toBeCloseTo(
      delta.lines.reduce((sum, line) => sum + line.after - line.before, 0),
      2,
    );
  });
  it("the state stack's one fixed cost is its KMS key ($1 a month); its bucket and table are usage-only", () => {
    expect(estimateOf("inventory-state")).toMatchObject({ total: 1, unpriced: [] });
  });
});

describe("what the estimate refuses to guess", () => {
  it("a region without prices says so", () => {
    expect(estimateCost(documentResources(documents.default), "eu-north-1")).toMatchObject({ regionPriced: false, total: 0, lines: [] });
  });
  it("an instance type or class not in the table is named, not priced at zero", () => {
    const settings = settingsFor("big", { appTier: { instanceType: "m7i.large" }, database: { instanceClass: "db.r6g.large" } });
    const estimate = estimateCost(documentResources(synthStack(settings).document), settings.region);
    expect(estimate.unpriced).toEqual([
      "aws_autoscaling_group.app_tier_auto_scaling_group: instance type m7i.large",
      // The restore tests restore that class too.
      "aws_backup_restore_testing_selection.database_backups_restore_testing_selection: the restored instance",
      "aws_db_instance.database_instance: mysql db.r6g.large",
    ]);
  });
  it("an internal load balancer has no public addresses; alarms cost by resolution and by the metrics they read", () => {
    const estimate = estimateCost(
      [
        { address: "aws_lb.internal", type: "aws_lb", values: { internal: true, subnets: ["a", "b"] }, references: {} },
        { address: "aws_cloudwatch_metric_alarm.a", type: "aws_cloudwatch_metric_alarm", values: { period: 60 }, references: {} },
        { address: "aws_cloudwatch_metric_alarm.b", type: "aws_cloudwatch_metric_alarm", values: { period: 10 }, references: {} },
        {
          address: "aws_cloudwatch_metric_alarm.rate",
          type: "aws_cloudwatch_metric_alarm",
          // As deployed: every block a list, the alarm's own period read back as 0; the expression reads the two metrics and is not billed itself.
          values: {
            period: 0,
            metric_query: [
              { id: "rate", expression: "100 * errors / requests", metric: [] },
              { id: "errors", metric: [{ metric_name: "HTTPCode_Target_5XX_Count", period: 60 }] },
              { id: "requests", metric: [{ metric_name: "RequestCount", period: 60 }] },
            ],
          },
          references: {},
        },
        {
          address: "aws_cloudwatch_metric_alarm.fast_rate",
          type: "aws_cloudwatch_metric_alarm",
          // As synthesized: a single nested block an object.
          values: {
            metric_query: [
              { id: "e", expression: "a + b" },
              { id: "a", metric: { period: 10 } },
              { id: "b", metric: { period: 10 } },
            ],
          },
          references: {},
        },
      ],
      "us-east-1",
    );
    expect(estimate.lines.map((line) => [line.item, line.monthly])).toEqual([
      ["Application Load Balancer (730 h)", cents(0.0225 * HOURS)],
      ["alarm reading 1 metric", 0.1],
      ["high-resolution alarm reading 1 metric", 0.3],
      ["alarm reading 2 metrics (metric math)", 0.2],
      ["high-resolution alarm reading 2 metrics (metric math)", 0.6],
    ]);
  });
  it("a target tracking policy costs the alarms Auto Scaling creates for it; the dashboard and the key by the month", () => {
    const policy = (name: string, values: Record<string, unknown>) => ({
      address: `aws_autoscaling_policy.${name}`,
      type: "aws_autoscaling_policy",
      values,
      references: {},
    });
    const estimate = estimateCost(
      [
        policy("tracking", { policy_type: "TargetTrackingScaling", target_tracking_configuration: [{ target_value: 50 }] }),
        policy("out_only", { policy_type: "TargetTrackingScaling", target_tracking_configuration: [{ target_value: 50, disable_scale_in: true }] }),
        policy("step", { policy_type: "StepScaling" }),
        { address: "aws_cloudwatch_dashboard.d", type: "aws_cloudwatch_dashboard", values: {}, references: {} },
        { address: "aws_kms_key.rotated", type: "aws_kms_key", values: { enable_key_rotation: true }, references: {} },
        { address: "aws_kms_key.kept", type: "aws_kms_key", values: { enable_key_rotation: false }, references: {} },
      ],
      "us-west-2",
    );
    expect(estimate.lines.map((line) => [line.address, line.item, line.monthly])).toEqual([
      ["aws_autoscaling_policy.tracking", "2 alarms Auto Scaling creates for target tracking", 0.2],
      ["aws_autoscaling_policy.out_only", "1 alarm Auto Scaling creates for target tracking", 0.1],
      ["aws_cloudwatch_dashboard.d", "CloudWatch dashboard", 3],
      ["aws_kms_key.rotated", "KMS customer managed key, rotated yearly (its first two rotations add $1.00 each)", 1],
      ["aws_kms_key.kept", "KMS customer managed key", 1],
    ]);
    expect(estimate.unpriced).toStrictEqual([]);
  });
});

it("the price table is dated and covers the regions of the repository's environments", () => {
  expect(PRICE_TABLE.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  for (const settings of loadEnvironments({ directory: path.join(PROJECT_ROOT, "environments"), variables: {} })) {
    expect({ region: settings.region, priced: settings.region in PRICE_TABLE.regions }).toEqual({ region: settings.region, priced: true });
  }
  expect(HARDENED).toBe("hardened");
});
