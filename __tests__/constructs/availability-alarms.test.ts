import * as fs from "node:fs";
import * as path from "node:path";
import { Testing } from "cdktf";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import {
  alarmThresholdProblem,
  AvailabilityAlarms,
  type AvailabilityAlarmsProps,
  GROUP_METRIC_SIGNALS,
  HA_SIGNAL_DESCRIPTIONS,
  HA_SIGNALS,
} from "../../src/constructs/monitoring/availability-alarms";
import { resourcesOf } from "../support/stacks";

const TOPIC = "arn:aws:sns:us-west-2:123456789012:Inventory-Alarms";
const LB = "app/Inventory-LB/50dc6c495c0c9188";
const TG = "targetgroup/Inventory-App/73e2d6bc24d8a067";

/** The lab's final environment as the alarms see it: two NAT gateways, db.t3.small with 40 GiB. */
function synthAlarms(overrides: Partial<AvailabilityAlarmsProps> = {}) {
  const json = Testing.synthScope(
    (scope) =>
      new AvailabilityAlarms(scope, "alarms", {
        topicArn: TOPIC,
        loadBalancer: { dimension: LB, name: "Inventory-LB" },
        targetGroup: { dimension: TG, name: "Inventory-App" },
        autoScalingGroup: { dimension: "Inventory-ASG", name: "Inventory-ASG" },
        database: { dimension: "inventory-db", name: "Inventory-DB", instanceClass: "db.t3.small", allocatedStorageGiB: 40 },
        natGateways: [
          { dimension: "nat-0aaa", name: "NAT Gateway 1" },
          { dimension: "nat-0bbb", name: "NAT Gateway 2" },
        ],
        ...overrides,
      }),
  );
  return { json, document: JSON.parse(json) };
}

/** A metric of a metric math query, as the provider's JSON holds it. */
const query = (id: string, namespace: string, metricName: string, stat: string, dimensions: Record<string, string>, period = 60) => ({
  id,
  return_data: false,
  metric: { namespace, metric_name: metricName, stat, period, dimensions },
});
const notifies = { actions_enabled: true, alarm_actions: [TOPIC], ok_actions: [TOPIC] };
const byTargetGroup = { TargetGroup: TG, LoadBalancer: LB };

describe("AvailabilityAlarms with the defaults", () => {
  const { json, document } = synthAlarms();

  it.each<[string, Record<string, unknown>]>([
    [
      "healthy targets below the group's desired capacity (metric math over both), missing data breaching",
      {
        alarm_name: "Inventory-App healthy hosts below desired",
        comparison_operator: "GreaterThanThreshold",
        threshold: 0,
        evaluation_periods: 3,
        treat_missing_data: "breaching",
        metric_query: [
          { id: "signal", expression: "desired - healthy", label: "servers short of desired capacity", return_data: true },
          query("desired", "AWS/AutoScaling", "GroupDesiredCapacity", "Maximum", { AutoScalingGroupName: "Inventory-ASG" }),
          query("healthy", "AWS/ApplicationELB", "HealthyHostCount", "Minimum", byTargetGroup),
        ],
      },
    ],
    [
      "any unhealthy target for 2 periods",
      {
        alarm_name: "Inventory-App unhealthy hosts",
        namespace: "AWS/ApplicationELB",
        metric_name: "UnHealthyHostCount",
        dimensions: byTargetGroup,
        statistic: "Maximum",
        period: 60,
        comparison_operator: "GreaterThanThreshold",
        threshold: 0,
        evaluation_periods: 2,
        treat_missing_data: "notBreaching",
      },
    ],
    [
      "in-service instances below the desired capacity",
      {
        alarm_name: "Inventory-ASG in-service instances below desired",
        comparison_operator: "GreaterThanThreshold",
        threshold: 0,
        evaluation_periods: 5,
        treat_missing_data: "breaching",
        metric_query: [
          { id: "signal", expression: "desired - in_service", label: "instances short of desired capacity", return_data: true },
          query("desired", "AWS/AutoScaling", "GroupDesiredCapacity", "Maximum", { AutoScalingGroupName: "Inventory-ASG" }),
          query("in_service", "AWS/AutoScaling", "GroupInServiceInstances", "Minimum", { AutoScalingGroupName: "Inventory-ASG" }),
        ],
      },
    ],
    [
      "load balancer 5xx as a percentage of requests",
      {
        alarm_name: "Inventory-LB load balancer 5xx rate",
        comparison_operator: "GreaterThanThreshold",
        threshold: 5,
        evaluation_periods: 5,
        treat_missing_data: "notBreaching",
        metric_query: [
          { id: "signal", expression: "100 * FILL(errors, 0) / requests", label: "load balancer 5xx, % of requests", return_data: true },
          query("errors", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "Sum", { LoadBalancer: LB }),
          query("requests", "AWS/ApplicationELB", "RequestCount", "Sum", { LoadBalancer: LB }),
        ],
      },
    ],
    [
      "app 5xx as a percentage of requests",
      {
        alarm_name: "Inventory-LB app 5xx rate",
        threshold: 5,
        metric_query: [
          { id: "signal", expression: "100 * FILL(errors, 0) / requests", label: "app 5xx, % of requests", return_data: true },
          query("errors", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", { LoadBalancer: LB }),
          query("requests", "AWS/ApplicationELB", "RequestCount", "Sum", { LoadBalancer: LB }),
        ],
      },
    ],
    [
      "p95 target response time as an extended statistic",
      {
        alarm_name: "Inventory-LB p95 response time",
        namespace: "AWS/ApplicationELB",
        metric_name: "TargetResponseTime",
        dimensions: byTargetGroup,
        extended_statistic: "p95",
        period: 60,
        comparison_operator: "GreaterThanThreshold",
        threshold: 1,
        evaluation_periods: 5,
        treat_missing_data: "notBreaching",
      },
    ],
    [
      "any rejected connection",
      {
        alarm_name: "Inventory-LB rejected connections",
        namespace: "AWS/ApplicationELB",
        metric_name: "RejectedConnectionCount",
        dimensions: { LoadBalancer: LB },
        statistic: "Sum",
        threshold: 0,
        evaluation_periods: 1,
      },
    ],
    [
      "database CPU above 80% for 15 minutes, silence breaching",
      {
        alarm_name: "Inventory-DB CPU",
        namespace: "AWS/RDS",
        metric_name: "CPUUtilization",
        dimensions: { DBInstanceIdentifier: "inventory-db" },
        statistic: "Average",
        period: 300,
        comparison_operator: "GreaterThanThreshold",
        threshold: 80,
        evaluation_periods: 3,
        treat_missing_data: "breaching",
      },
    ],
    [
      "free storage below 10% of the 40 GiB allocated (4 GiB in bytes)",
      {
        alarm_name: "Inventory-DB free storage",
        metric_name: "FreeStorageSpace",
        dimensions: { DBInstanceIdentifier: "inventory-db" },
        statistic: "Minimum",
        period: 300,
        comparison_operator: "LessThanThreshold",
        threshold: 4 * 1024 ** 3,
        evaluation_periods: 1,
        treat_missing_data: "ignore",
      },
    ],
    [
      "freeable memory below 10% of db.t3.small's 2 GiB",
      {
        alarm_name: "Inventory-DB freeable memory",
        metric_name: "FreeableMemory",
        statistic: "Average",
        comparison_operator: "LessThanThreshold",
        threshold: Math.round(0.2 * 1024 ** 3),
        evaluation_periods: 3,
      },
    ],
    [
      "connections above 75% of db.t3.small's default max_connections (2 GiB / 12582880 = 170)",
      {
        alarm_name: "Inventory-DB connections near the maximum",
        metric_name: "DatabaseConnections",
        statistic: "Maximum",
        period: 60,
        comparison_operator: "GreaterThanThreshold",
        threshold: 127,
        evaluation_periods: 5,
      },
    ],
    [
      "port allocation errors of NAT gateway 1",
      {
        alarm_name: "NAT Gateway 1 port allocation errors",
        namespace: "AWS/NATGateway",
        metric_name: "ErrorPortAllocation",
        dimensions: { NatGatewayId: "nat-0aaa" },
        statistic: "Sum",
        threshold: 0,
        evaluation_periods: 3,
        treat_missing_data: "notBreaching",
      },
    ],
    [
      "the dropped packet rate of NAT gateway 2",
      {
        alarm_name: "NAT Gateway 2 dropped packets",
        threshold: 0.01,
        evaluation_periods: 5,
        metric_query: [
          { id: "signal", expression: "100 * FILL(dropped, 0) / (from_source + from_destination)", label: "dropped, % of packets", return_data: true },
          query("dropped", "AWS/NATGateway", "PacketsDropCount", "Sum", { NatGatewayId: "nat-0bbb" }),
          query("from_source", "AWS/NATGateway", "PacketsInFromSource", "Sum", { NatGatewayId: "nat-0bbb" }),
          query("from_destination", "AWS/NATGateway", "PacketsInFromDestination", "Sum", { NatGatewayId: "nat-0bbb" }),
        ],
      },
    ],
  ])("alarms on %s, notifying the topic on ALARM and OK", (_signal, properties) => {
    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, { ...properties, ...notifies });
  });

  it("has one alarm per signal, two per NAT gateway, all notifying the topic on ALARM and OK", () => {
    const alarms = resourcesOf(document, "aws_cloudwatch_metric_alarm").map(([, alarm]) => alarm);
    expect(alarms).toHaveLength(HA_SIGNALS.length - 2 + 2 * 2);
    for (const alarm of alarms) expect(alarm).toMatchObject(notifies);
  });

  it("gives the NAT gateways' alarms addresses numbered from 1, in the gateways' order", () => {
    const addresses = resourcesOf(document, "aws_cloudwatch_metric_alarm")
      .map(([address]) => address)
      .filter((address) => address.includes("nat-gateway"));
    expect(addresses.map((address) => address.replace(/_[0-9A-F]{8}$/, "")).sort()).toStrictEqual([
      "alarms_nat-gateway-1-dropped-packets",
      "alarms_nat-gateway-1-port-allocation-errors",
      "alarms_nat-gateway-2-dropped-packets",
      "alarms_nat-gateway-2-port-allocation-errors",
    ]);
  });

  it("names as the group's own metrics exactly the signals whose alarms read the Auto Scaling group (an instance refresh cannot watch them)", () => {
    const readsTheGroup = HA_SIGNALS.filter((signal) => {
      const alarms = resourcesOf(document, "aws_cloudwatch_metric_alarm").filter(([, each]) =>
        each.alarm_name.endsWith(` ${HA_SIGNAL_DESCRIPTIONS[signal].title}`),
      );
      expect(alarms).toHaveLength(signal.startsWith("nat") ? 2 : 1);
      return alarms.some(([, alarm]) => JSON.stringify(alarm).includes('"namespace":"AWS/AutoScaling"'));
    });
    expect(readsTheGroup).toStrictEqual(["healthyHosts", "inServiceInstances"]);
    expect(GROUP_METRIC_SIGNALS).toStrictEqual(readsTheGroup);
  });

  it("explains in each description when it fires and why", () => {
    const [, storage] = resourcesOf(document, "aws_cloudwatch_metric_alarm").find(([, alarm]) => alarm.alarm_name === "Inventory-DB free storage")!;
    expect(storage.alarm_description).toBe(
      `Fires when free storage is below 10% of the 40 GiB allocated, in each of 1 periods of 300 s. Why: ${HA_SIGNAL_DESCRIPTIONS.databaseFreeStorage.why}`,
    );
  });
});

describe("AvailabilityAlarms as the default environment has them", () => {
  // The kept document of the default environment (reviewed like a plan when it changes; synthesized-unchanged.test.ts
  // keeps it current): the same alarms, described and set the same, whatever the references to the watched resources.
  const KEPT = path.join(__dirname, "..", "stacks", "synthesized", "app-inventory-default.json");
  const kept = Object.values<any>(JSON.parse(fs.readFileSync(KEPT, "utf8")).resource.aws_cloudwatch_metric_alarm);
  const settings = (alarm: any) => {
    const { alarm_name, alarm_description, comparison_operator, threshold, evaluation_periods, period, statistic, treat_missing_data, metric_name, namespace } =
      alarm;
    return { alarm_name, alarm_description, comparison_operator, threshold, evaluation_periods, period, statistic, treat_missing_data, metric_name, namespace };
  };

  it("are the kept document's 15 availability alarms: names, descriptions, thresholds, periods and statistics", () => {
    const made = resourcesOf(synthAlarms().document, "aws_cloudwatch_metric_alarm").map(([, alarm]) => settings(alarm));
    const byName = (a: { alarm_name: string }, b: { alarm_name: string }) => a.alarm_name.localeCompare(b.alarm_name);
    const availability = kept.filter((alarm) => !alarm.alarm_name.startsWith("Inventory-DB-Backups ")).map(settings);
    expect(availability).toHaveLength(15);
    expect(made.sort(byName)).toEqual(availability.sort(byName));
  });
});

describe("alarmThresholdProblem", () => {
  const value = (threshold: number, periodSeconds: number, evaluationPeriods: number) => ({ threshold, periodSeconds, evaluationPeriods });

  it("takes a threshold of 0 and up (a percentage up to 100), whole minutes, and up to a day of periods", () => {
    expect([value(0, 60, 1), value(100, 60, 1), value(50, 86400, 1), value(1, 3600, 24)].map((v) => alarmThresholdProblem("elb5xxPercent", v))).toEqual(
      Array(4).fill(undefined),
    );
    expect(alarmThresholdProblem("healthyHosts", value(101, 60, 1))).toBeUndefined();
  });

  it("caps at 100 the thresholds that are percentages, and only those", () => {
    expect(HA_SIGNALS.map((signal) => [signal, alarmThresholdProblem(signal, value(101, 60, 1))?.message ?? "taken"])).toStrictEqual([
      ["healthyHosts", "taken"],
      ["unhealthyHosts", "taken"],
      ["inServiceInstances", "taken"],
      ["elb5xxPercent", "101 is a percentage, at most 100"],
      ["target5xxPercent", "101 is a percentage, at most 100"],
      ["targetResponseTimeP95", "taken"],
      ["rejectedConnections", "taken"],
      ["databaseCpu", "101 is a percentage, at most 100"],
      ["databaseFreeStorage", "101 is a percentage, at most 100"],
      ["databaseFreeableMemory", "101 is a percentage, at most 100"],
      ["databaseConnections", "101 is a percentage, at most 100"],
      ["natPortAllocationErrors", "taken"],
      ["natPacketsDropped", "101 is a percentage, at most 100"],
    ]);
  });

  it("files each signal under the tier the settings reference lists it in", () => {
    expect(HA_SIGNALS.map((signal) => `${signal}: ${HA_SIGNAL_DESCRIPTIONS[signal].tier}`)).toStrictEqual([
      "healthyHosts: app fleet",
      "unhealthyHosts: app fleet",
      "inServiceInstances: app fleet",
      "elb5xxPercent: load balancer",
      "target5xxPercent: load balancer",
      "targetResponseTimeP95: load balancer",
      "rejectedConnections: load balancer",
      "databaseCpu: database",
      "databaseFreeStorage: database",
      "databaseFreeableMemory: database",
      "databaseConnections: database",
      "natPortAllocationErrors: NAT gateway",
      "natPacketsDropped: NAT gateway",
    ]);
  });

  it("names the first field wrong and why", () => {
    expect(
      [
        value(-1, 60, 1),
        value(Number.NaN, 60, 1),
        value(100.5, 60, 1),
        value(1, 0, 1),
        value(1, 61, 1),
        value(1, 120.5, 1),
        value(1, 60, 0),
        value(1, 60, 1.5),
        value(1, 3600, 25),
      ].map((v) => alarmThresholdProblem("target5xxPercent", v)),
    ).toEqual([
      { field: "threshold", message: "-1 must be 0 or more" },
      { field: "threshold", message: "NaN must be 0 or more" },
      { field: "threshold", message: "100.5 is a percentage, at most 100" },
      { field: "periodSeconds", message: "0 must be a multiple of 60 (AWS services publish these metrics per minute)" },
      { field: "periodSeconds", message: "61 must be a multiple of 60 (AWS services publish these metrics per minute)" },
      { field: "periodSeconds", message: "120.5 must be a multiple of 60 (AWS services publish these metrics per minute)" },
      { field: "evaluationPeriods", message: "0 must be a whole number of at least 1" },
      { field: "evaluationPeriods", message: "1.5 must be a whole number of at least 1" },
      { field: "evaluationPeriods", message: "25 periods of 3600 s span more than a day, the longest CloudWatch evaluates" },
    ]);
  });
});

describe("AvailabilityAlarms with other settings", () => {
  it("takes thresholds and periods per signal, leaving the rest at their defaults", () => {
    const { json } = synthAlarms({ thresholds: { databaseCpu: { threshold: 60, periodSeconds: 60 }, unhealthyHosts: { evaluationPeriods: 4 } } });
    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, { alarm_name: "Inventory-DB CPU", threshold: 60, period: 60, evaluation_periods: 3 });
    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, { alarm_name: "Inventory-App unhealthy hosts", threshold: 0, evaluation_periods: 4 });
  });

  it("moves the database thresholds with the class's memory and the allocated storage", () => {
    const { json } = synthAlarms({
      database: { dimension: "inventory-db", name: "Inventory-DB", instanceClass: "db.r6g.large", allocatedStorageGiB: 100 },
    });
    // db.r6g.large: 16 GiB; max_connections 16 GiB / 12582880 = 1365, 75% of it 1023.
    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, { alarm_name: "Inventory-DB connections near the maximum", threshold: 1023 });
    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, { alarm_name: "Inventory-DB freeable memory", threshold: Math.round(1.6 * 1024 ** 3) });
    expect(json).toHaveResourceWithProperties(CloudwatchMetricAlarm, { alarm_name: "Inventory-DB free storage", threshold: 10 * 1024 ** 3 });
  });

  it("watches every NAT gateway on its own", () => {
    const { document } = synthAlarms({ natGateways: [{ dimension: "nat-0aaa", name: "NAT Gateway 1" }] });
    const natAlarms = resourcesOf(document, "aws_cloudwatch_metric_alarm").filter(([, alarm]) => alarm.alarm_name.startsWith("NAT"));
    expect(natAlarms.map(([, alarm]) => alarm.alarm_name).sort()).toEqual(["NAT Gateway 1 dropped packets", "NAT Gateway 1 port allocation errors"]);
  });

  it.each<[string, Partial<AvailabilityAlarmsProps>, string]>([
    [
      "a period that is not whole minutes",
      { thresholds: { databaseCpu: { periodSeconds: 90 } } },
      "thresholds.databaseCpu.periodSeconds: 90 must be a multiple of 60",
    ],
    ["a percentage above 100", { thresholds: { elb5xxPercent: { threshold: 101 } } }, "thresholds.elb5xxPercent.threshold: 101 is a percentage, at most 100"],
    [
      "more than a day of periods",
      { thresholds: { healthyHosts: { periodSeconds: 3600, evaluationPeriods: 48 } } },
      "thresholds.healthyHosts.evaluationPeriods: 48 periods of 3600 s span more than a day",
    ],
    [
      "a class whose memory is unknown",
      { database: { dimension: "db", name: "DB", instanceClass: "db.x9.huge", allocatedStorageGiB: 20 } },
      "alarms: database.instanceClass: db.x9.huge is not a class whose memory the project knows",
    ],
  ])("refuses %s, naming the construct and the prop", (_what, overrides, message) => {
    expect(() => synthAlarms(overrides)).toThrow(message);
  });

  it("names the construct's path in its errors", () => {
    expect(() => synthAlarms({ thresholds: { rejectedConnections: { evaluationPeriods: 0 } } })).toThrow(
      /^AvailabilityAlarms [\w-]+\/alarms: thresholds\.rejectedConnections\.evaluationPeriods: 0 must be a whole number of at least 1$/,
    );
  });
});
