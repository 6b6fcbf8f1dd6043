import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { loadEnvironments } from "../../src/config/load";
import { CiAccessStack, ciAccessProps } from "../../src/stacks/ci-access-stack";
import { HARDENED, hardenedSettings, synthInventory } from "../../src/policy/evaluate";
import { synthesize } from "../../src/synthesize";
import { costDelta, documentResources, estimateCost, FREE_TYPES, PRICED_TYPES, USAGE_ONLY_TYPES } from "../../src/terraform/cost";
import { PRICE_TABLE } from "../../src/terraform/cost-prices";
import { PROJECT_ROOT, settingsFor, synthStack } from "../support/stacks";

// The cost estimate: every resource type the stacks create is priced, free or
// usage-only; the figures of the repository's environments follow from the
// price table; the lab's challenges show as the monthly change.

const prices = PRICE_TABLE.regions["us-west-2"];
const HOURS = PRICE_TABLE.hoursPerMonth;
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
    expect([...types].filter((type) => !accounted.has(type)).sort()).toEqual([]);
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

describe("the repository's environments", () => {
  const shared = {
    ec2: 2 * prices.ec2InstanceHour["t3.micro"] * HOURS,
    ebs: 2 * 8 * prices.ebsGbMonth.gp3,
    alb: prices.applicationLoadBalancerHour * HOURS + 2 * prices.publicIpv4Hour * HOURS,
    // The RDS-managed master secret, and the app user's own.
    secret: 2 * prices.secretMonth,
    // The web ACL and its five rules: two rate limits and three AWS managed rule groups.
    waf: prices.wafWebAclMonth + 5 * prices.wafRuleMonth,
  };
  const nat = prices.natGatewayHour * HOURS + prices.publicIpv4Hour * HOURS;
  // The topic's own key and the dashboard; the alarms by the metrics they read: one each for the 8 on a metric of their own
  // (the database's 4, rejected connections, p95 response time, unhealthy hosts, a NAT gateway's port allocation errors),
  // two for each rate or comparison (the two 5xx rates, healthy hosts and in-service instances against desired capacity),
  // three for a NAT gateway's share of dropped packets; the second NAT gateway adds its two alarms, 4 metrics.
  const monitoring = prices.kmsKeyMonth + prices.dashboardMonth;
  const labStartAlarmMetrics = 8 + 4 * 2 + 3;
  const defaultAlarmMetrics = labStartAlarmMetrics + 1 + 3;

  it("lab-start: one NAT gateway and address, a Single-AZ db.t3.micro with 20 GiB, two t3.micro, the load balancer and its addresses, the monitoring", () => {
    const database = prices.rdsMysqlInstanceHour["db.t3.micro"] * HOURS + 20 * prices.rdsStorageGbMonth.gp3;
    expect(estimateOf("lab-start").total).toBeCloseTo(
      cents(shared.ec2) +
        cents(shared.ebs) +
        cents(shared.alb) +
        shared.secret +
        shared.waf +
        cents(nat) +
        cents(database) +
        monitoring +
        labStartAlarmMetrics * prices.alarmMonth,
      1,
    );
    expect(estimateOf("lab-start").unpriced).toEqual([]);
  });
  it("default: two NAT gateways and addresses, a Multi-AZ db.t3.small with 40 GiB (instance and storage twice), the monitoring", () => {
    const database = 2 * prices.rdsMysqlInstanceHour["db.t3.small"] * HOURS + 2 * 40 * prices.rdsStorageGbMonth.gp3;
    expect(estimateOf("default").total).toBeCloseTo(
      cents(shared.ec2) +
        cents(shared.ebs) +
        cents(shared.alb) +
        shared.secret +
        shared.waf +
        2 * cents(nat) +
        cents(database) +
        monitoring +
        defaultAlarmMetrics * prices.alarmMonth,
      1,
    );
  });
  it("lab-start -> default: the challenges and nothing else (one more NAT gateway, its address and alarms, Multi-AZ, the doubled class and storage)", () => {
    const delta = costDelta(estimateOf("lab-start"), estimateOf("default"));
    expect(delta.lines.map((line) => [line.address, line.item, cents(line.after - line.before)])).toEqual([
      [
        "aws_db_instance.database_instance",
        "RDS mysql db.t3.micro, Single-AZ (730 h) -> RDS mysql db.t3.small, Multi-AZ (730 h)",
        cents(2 * 0.034 * HOURS - 0.017 * HOURS),
      ],
      ["aws_db_instance.database_instance", "RDS gp3 storage 20 GiB, Single-AZ -> RDS gp3 storage 40 GiB, Multi-AZ", cents(2 * 40 * 0.115 - 20 * 0.115)],
      ["aws_cloudwatch_metric_alarm.monitoring_alarms_nat_gateway_2_dropped_packets", "alarm reading 3 metrics (metric math)", cents(3 * 0.1)],
      ["aws_cloudwatch_metric_alarm.monitoring_alarms_nat_gateway_2_port_allocation_errors", "alarm reading 1 metric", 0.1],
      ["aws_eip.network_nat_address_2", "public IPv4 address (730 h)", cents(0.005 * HOURS)],
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
    expect(estimate.unpriced).toEqual([]);
  });
});

it("the price table is dated and covers the regions of the repository's environments", () => {
  expect(PRICE_TABLE.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  for (const settings of loadEnvironments({ directory: path.join(PROJECT_ROOT, "environments"), variables: {} })) {
    expect({ region: settings.region, priced: settings.region in PRICE_TABLE.regions }).toEqual({ region: settings.region, priced: true });
  }
  expect(HARDENED).toBe("hardened");
});
