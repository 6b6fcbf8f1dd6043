import * as path from "node:path";
import { loadEnvironments } from "../../src/config/load";
import { onlyResource, PROJECT_ROOT, resourcesOf, settingsFor, synthStack, type SynthesizedDocument } from "../support/stacks";

const environments = loadEnvironments({ directory: path.join(PROJECT_ROOT, "environments"), variables: {} });
const stacks = environments.map((settings) => [settings.environment, synthStack(settings).document] as const);

/** The resource type and attribute each CloudWatch dimension must name. */
const DIMENSION_TARGETS: Readonly<Record<string, string>> = {
  LoadBalancer: "aws_lb.*.arn_suffix",
  TargetGroup: "aws_lb_target_group.*.arn_suffix",
  AutoScalingGroupName: "aws_autoscaling_group.*.name",
  DBInstanceIdentifier: "aws_db_instance.*.identifier",
  NatGatewayId: "aws_nat_gateway.*.id",
  BackupVaultName: "aws_backup_vault.*.name",
};
/** Dimensions that name a kind, not a resource, with the one value each may take. */
const FIXED_DIMENSIONS: Readonly<Record<string, string>> = { ResourceType: "RDS" };

interface NamedMetric {
  readonly where: string;
  readonly metric: string;
  readonly dimensions: Record<string, unknown>;
}

/** Every metric the alarms read: their own, and those of their metric math. */
function alarmMetrics(document: SynthesizedDocument): NamedMetric[] {
  return resourcesOf(document, "aws_cloudwatch_metric_alarm").flatMap(([name, alarm]) => [
    ...(alarm.metric_name ? [{ where: `alarm ${name}`, metric: alarm.metric_name, dimensions: alarm.dimensions }] : []),
    ...(alarm.metric_query ?? [])
      .filter((query: any) => query.metric)
      .map((query: any) => ({ where: `alarm ${name} query ${query.id}`, metric: query.metric.metric_name, dimensions: query.metric.dimensions })),
  ]);
}

/** Every metric row of every graph on the dashboard: `[namespace, name, dimension, value, ..., options]`. */
function dashboardMetrics(document: SynthesizedDocument): NamedMetric[] {
  const [, dashboard] = onlyResource(document, "aws_cloudwatch_dashboard");
  return JSON.parse(dashboard.dashboard_body).widgets.flatMap((widget: any) =>
    (widget.properties.metrics ?? [])
      .filter((row: unknown[]) => typeof row[0] === "string")
      .map((row: unknown[]) => {
        const pairs = row.slice(2).filter((item): item is string => typeof item === "string");
        const dimensions = Object.fromEntries(pairs.flatMap((item, index) => (index % 2 === 0 ? [[item, pairs[index + 1]]] : [])));
        return { where: `dashboard "${widget.properties.title}"`, metric: String(row[1]), dimensions };
      }),
  );
}

/** Why a metric's dimensions do not all name a resource the stack creates, or undefined. */
function dimensionProblem(document: SynthesizedDocument, { where, metric, dimensions }: NamedMetric): string | undefined {
  if (!dimensions || Object.keys(dimensions).length === 0) return `${where}: ${metric} has no dimension`;
  for (const [name, value] of Object.entries(dimensions)) {
    if (FIXED_DIMENSIONS[name] !== undefined && value === FIXED_DIMENSIONS[name]) continue;
    const expected = DIMENSION_TARGETS[name];
    const match = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}$/.exec(String(value));
    if (!expected || !match) return `${where}: ${metric} ${name}=${JSON.stringify(value)} is not a reference to a resource`;
    const [, type, resourceName, attribute] = match;
    if (`${type}.*.${attribute}` !== expected) return `${where}: ${metric} ${name} names ${type}.${attribute}, not ${expected}`;
    if (!document.resource[type]?.[resourceName]) return `${where}: ${metric} ${name} names ${type}.${resourceName}, which the stack does not create`;
  }
  return undefined;
}

/** What each repository environment has to watch: its NAT gateways (one per zone, or one for the lab's start), and the alarms in all. */
const WATCHED: Record<string, { natGateways: number; alarms: number }> = {
  // With AWS Backup's 2: failed backups, failed restore tests.
  default: { natGateways: 2, alarms: 17 },
  "lab-start": { natGateways: 1, alarms: 13 },
};

it("knows what every repository environment watches", () => {
  expect(stacks.map(([environment]) => environment).sort()).toStrictEqual(Object.keys(WATCHED).sort());
});

describe.each(stacks)("monitoring of environment %s", (environment, document) => {
  const alarms = resourcesOf(document, "aws_cloudwatch_metric_alarm");
  const [topicName] = onlyResource(document, "aws_sns_topic");
  const topicArn = `\${aws_sns_topic.${topicName}.arn}`;

  it("names, in every metric of every alarm and of the dashboard, a dimension of a resource the stack creates", () => {
    const metrics = [...alarmMetrics(document), ...dashboardMetrics(document)];
    expect(alarmMetrics(document).length).toBeGreaterThanOrEqual(alarms.length);
    expect(dashboardMetrics(document).length).toBeGreaterThan(10);
    expect(metrics.map((metric) => dimensionProblem(document, metric)).filter((problem) => problem !== undefined)).toStrictEqual([]);
  });

  it("has every alarm notify the stack's topic when it fires and when it recovers", () => {
    expect(alarms).toHaveLength(WATCHED[environment].alarms);
    for (const [, alarm] of alarms) expect(alarm).toMatchObject({ actions_enabled: true, alarm_actions: [topicArn], ok_actions: [topicArn] });
  });

  it("shows every alarm's state on the dashboard and names every alarm in the outputs", () => {
    const [, dashboard] = onlyResource(document, "aws_cloudwatch_dashboard");
    const alarmWidget = JSON.parse(dashboard.dashboard_body).widgets.find((widget: any) => widget.type === "alarm");
    // The backups' alarms are made after the dashboard (they need its topic) and are not on it.
    const watchedHere = alarms.filter(([, alarm]) => alarm.namespace !== "AWS/Backup");
    expect(alarms.length - watchedHere.length).toBe(environment === "default" ? 2 : 0);
    expect(alarmWidget.properties.alarms.sort()).toEqual(watchedHere.map(([name]) => `\${aws_cloudwatch_metric_alarm.${name}.arn}`).sort());
    expect([...(document.output.alarm_names.value as string[])].sort()).toEqual(alarms.map(([, alarm]) => alarm.alarm_name).sort());
    expect(document.output.alarm_topic_arn.value).toBe(topicArn);
    expect(document.output.dashboard_url.value).toMatch(
      new RegExp(
        "^https://us-west-2\\.console\\.aws\\.amazon\\.com/cloudwatch/home\\?region=us-west-2#dashboards/dashboard/" +
          "\\$\\{aws_cloudwatch_dashboard\\.\\w+\\.dashboard_name\\}$",
      ),
    );
  });

  it("watches each NAT gateway with its own two alarms", () => {
    const gateways = resourcesOf(document, "aws_nat_gateway");
    expect(gateways).toHaveLength(WATCHED[environment].natGateways);
    for (const [name] of gateways) {
      const watching = alarms.filter(([, alarm]) => JSON.stringify(alarm).includes(`\${aws_nat_gateway.${name}.id}`));
      expect(watching.map(([, alarm]) => alarm.alarm_name.replace(/^.*NAT Gateway \d+ /, "")).sort()).toEqual(["dropped packets", "port allocation errors"]);
    }
  });

  it("does not scale the app servers: no policy, the group held at its desired capacity", () => {
    expect(resourcesOf(document, "aws_autoscaling_policy")).toStrictEqual([]);
    expect(onlyResource(document, "aws_autoscaling_group")[1].desired_capacity).toBe(2);
  });
});

describe("the stack with target tracking scaling", () => {
  const { document } = synthStack(
    settingsFor("scaling", { appTier: { minSize: 2, maxSize: 6, scaling: { policy: "request-count-per-target", targetValue: 600 } } }),
  );

  it("adds a target tracking policy on the load balancer's requests per target of the group, and leaves the desired capacity to it", () => {
    const [, group] = onlyResource(document, "aws_autoscaling_group");
    const [, policy] = onlyResource(document, "aws_autoscaling_policy");
    expect(group).toMatchObject({ min_size: 2, max_size: 6 });
    expect(group.desired_capacity).toBeUndefined();
    expect(policy).toMatchObject({
      name: "Inventory-ASG target tracking",
      autoscaling_group_name: "${aws_autoscaling_group.app_tier_auto_scaling_group.name}",
      policy_type: "TargetTrackingScaling",
      target_tracking_configuration: {
        target_value: 600,
        predefined_metric_specification: {
          predefined_metric_type: "ALBRequestCountPerTarget",
          resource_label: "${aws_lb.load_balancer_alb.arn_suffix}/${aws_lb_target_group.load_balancer_target_group.arn_suffix}",
        },
      },
    });
  });
});
