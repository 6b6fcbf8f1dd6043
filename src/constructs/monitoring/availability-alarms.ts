import { Construct } from "constructs";
import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmMetricQuery } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import {
  autoScalingGroupMetric,
  databaseMetric,
  isExpression,
  isPercentile,
  loadBalancerMetric,
  type MetricSeries,
  natGatewayMetric,
} from "../../aws/cloudwatch-metrics";
import { defaultMaxConnections, instanceClassMemoryGiB, instanceClassProblem } from "../../aws/database-instance-classes";
import { refuseProblems } from "../../props/prop-problems";
import type { AlarmHandle } from "../../props/handles";

/** Every signal that says the environment lost some of its availability, one alarm each (per NAT gateway for the NAT signals). */
export const HA_SIGNALS = [
  "healthyHosts",
  "unhealthyHosts",
  "inServiceInstances",
  "elb5xxPercent",
  "target5xxPercent",
  "targetResponseTimeP95",
  "rejectedConnections",
  "databaseCpu",
  "databaseFreeStorage",
  "databaseFreeableMemory",
  "databaseConnections",
  "natPortAllocationErrors",
  "natPacketsDropped",
] as const;
export type HaSignal = (typeof HA_SIGNALS)[number];
/** Signals whose alarms read the Auto Scaling group's own metrics (its desired capacity): the group cannot name them. */
export const GROUP_METRIC_SIGNALS: readonly HaSignal[] = ["healthyHosts", "inServiceInstances"];

/** When an alarm fires: past `threshold` in each of `evaluationPeriods` consecutive periods of `periodSeconds`. */
export interface AlarmThreshold {
  readonly threshold: number;
  /** Length of one period; AWS's own metrics come per minute, so a multiple of 60. */
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
}

/** CloudWatch's choices for a period without data. */
export type TreatMissingData = "breaching" | "notBreaching" | "ignore" | "missing";

/** The parts of the environment a signal belongs to. */
export type SignalTier = "app fleet" | "load balancer" | "database" | "NAT gateway";

/** What a signal watches and the reasoning behind its defaults. */
export interface SignalDescription {
  readonly tier: SignalTier;
  /** Put after the watched resource's name to name the alarm: `Inventory-App` + ` healthy hosts below desired`. */
  readonly title: string;
  /** What `threshold` is, for the settings reference. */
  readonly threshold: string;
  /** The threshold is a percentage (at most 100). */
  readonly percent: boolean;
  readonly defaults: AlarmThreshold;
  /** A period without data, as a person on call reads it. */
  readonly treatMissingData: TreatMissingData;
  /** Why the defaults are what they are. */
  readonly why: string;
}

/** The HA signals, their defaults and why; the settings schema and the README read them from here. */
export const HA_SIGNAL_DESCRIPTIONS: Readonly<Record<HaSignal, SignalDescription>> = {
  healthyHosts: {
    tier: "app fleet",
    title: "healthy hosts below desired",
    threshold: "servers short of the Auto Scaling group's desired capacity that are tolerated (healthy targets in the target group)",
    percent: false,
    defaults: { threshold: 0, periodSeconds: 60, evaluationPeriods: 3 },
    treatMissingData: "breaching",
    why:
      "a blip while a server is replaced or deployed does not page; three minutes with fewer healthy servers than desired means the fleet has " +
      "lost its redundancy. A target group that reports nothing is not healthy.",
  },
  unhealthyHosts: {
    tier: "app fleet",
    title: "unhealthy hosts",
    threshold: "unhealthy targets in the target group that are tolerated",
    percent: false,
    defaults: { threshold: 0, periodSeconds: 60, evaluationPeriods: 2 },
    treatMissingData: "notBreaching",
    why:
      "a target failing its health checks for two minutes is failing, not starting (the group's grace period covers boots); silence is the " +
      "healthy-hosts alarm's to report.",
  },
  inServiceInstances: {
    tier: "app fleet",
    title: "in-service instances below desired",
    threshold: "instances short of the desired capacity that are tolerated (InService in the Auto Scaling group)",
    percent: false,
    defaults: { threshold: 0, periodSeconds: 60, evaluationPeriods: 5 },
    treatMissingData: "breaching",
    why:
      "a replacement is in service within a minute or two of its launch; five minutes short means the group cannot launch (capacity, quota, " +
      "launch template). No group metrics means their collection stopped.",
  },
  elb5xxPercent: {
    tier: "load balancer",
    title: "load balancer 5xx rate",
    threshold: "percent of requests the load balancer itself answered 5xx (no healthy target, target unreachable)",
    percent: true,
    defaults: { threshold: 5, periodSeconds: 60, evaluationPeriods: 5 },
    treatMissingData: "notBreaching",
    why:
      "a failover or a replacement costs a few failed requests (the drill counts them); one request in twenty failing for five minutes is an " +
      "outage users see. No requests, no errors.",
  },
  target5xxPercent: {
    tier: "load balancer",
    title: "app 5xx rate",
    threshold: "percent of requests the app servers answered 5xx",
    percent: true,
    defaults: { threshold: 5, periodSeconds: 60, evaluationPeriods: 5 },
    treatMissingData: "notBreaching",
    why:
      "the app answers 5xx when it cannot reach the database or its secret; one request in twenty for five minutes is more than a failover's " +
      "blip. No requests, no errors.",
  },
  targetResponseTimeP95: {
    tier: "load balancer",
    title: "p95 response time",
    threshold: "seconds the slowest 5% of requests take (TargetResponseTime, p95)",
    percent: false,
    defaults: { threshold: 1, periodSeconds: 60, evaluationPeriods: 5 },
    treatMissingData: "notBreaching",
    why:
      "the app's pages are small and answered in tens of milliseconds; a p95 above a second for five minutes means users wait (a saturated " +
      "fleet or database).",
  },
  rejectedConnections: {
    tier: "load balancer",
    title: "rejected connections",
    threshold: "connections the load balancer refused in a period",
    percent: false,
    defaults: { threshold: 0, periodSeconds: 60, evaluationPeriods: 1 },
    treatMissingData: "notBreaching",
    why:
      "the load balancer refuses connections only at its connection limit: every one is a user turned away. AWS publishes the metric only when " +
      "it is not zero.",
  },
  databaseCpu: {
    tier: "database",
    title: "CPU",
    threshold: "percent CPU of the database instance (average)",
    percent: true,
    defaults: { threshold: 80, periodSeconds: 300, evaluationPeriods: 3 },
    treatMissingData: "breaching",
    why:
      "fifteen minutes above 80% is load the class no longer carries (and on a burstable class, credits running out), not a spike. RDS reports " +
      "CPU every minute while the instance runs: silence means it is down.",
  },
  databaseFreeStorage: {
    tier: "database",
    title: "free storage",
    threshold: "percent of the allocated storage left free, below which the alarm fires",
    percent: true,
    defaults: { threshold: 10, periodSeconds: 300, evaluationPeriods: 1 },
    treatMissingData: "ignore",
    why: "a full volume stops MySQL's writes; at 10% left there is time to grow it (storage autoscaling also steps in at 10%, when turned on).",
  },
  databaseFreeableMemory: {
    tier: "database",
    title: "freeable memory",
    threshold: "percent of the instance class's memory still freeable, below which the alarm fires",
    percent: true,
    defaults: { threshold: 10, periodSeconds: 300, evaluationPeriods: 3 },
    treatMissingData: "ignore",
    why:
      "below a tenth of its memory for fifteen minutes the instance swaps and slows every query; the class's memory comes from its name, so a " +
      "bigger class moves the threshold.",
  },
  databaseConnections: {
    tier: "database",
    title: "connections near the maximum",
    threshold: "percent of max_connections in use (RDS's default {DBInstanceClassMemory/12582880} for the class)",
    percent: true,
    defaults: { threshold: 75, periodSeconds: 60, evaluationPeriods: 5 },
    treatMissingData: "ignore",
    why:
      "at max_connections MySQL refuses the app; RDS divides the memory left after the OS and its own processes, which AWS does not publish, so " +
      "the project's maximum from the class's whole memory is an upper bound and 75% of it leaves room for the difference.",
  },
  natPortAllocationErrors: {
    tier: "NAT gateway",
    title: "port allocation errors",
    threshold: "connections a NAT gateway could not allocate a source port for, in a period",
    percent: false,
    defaults: { threshold: 0, periodSeconds: 60, evaluationPeriods: 3 },
    treatMissingData: "notBreaching",
    why:
      "each error is a connection from the private subnets that failed (the app reaches Secrets Manager and package mirrors through NAT); three " +
      "minutes in a row is exhaustion, not a burst. No traffic, no errors.",
  },
  natPacketsDropped: {
    tier: "NAT gateway",
    title: "dropped packets",
    threshold: "percent of a NAT gateway's packets it dropped",
    percent: true,
    defaults: { threshold: 0.01, periodSeconds: 60, evaluationPeriods: 5 },
    treatMissingData: "notBreaching",
    why: "AWS's recommended alarm: above 0.01% of the traffic for five minutes is a problem of the gateway, not of one flow. No traffic, nothing dropped.",
  },
};

/** Why an alarm's timing or threshold cannot be used, naming the field, or undefined. */
export function alarmThresholdProblem(signal: HaSignal, value: AlarmThreshold): { field: keyof AlarmThreshold; message: string } | undefined {
  if (!Number.isFinite(value.threshold) || value.threshold < 0) return { field: "threshold", message: `${value.threshold} must be 0 or more` };
  if (HA_SIGNAL_DESCRIPTIONS[signal].percent && value.threshold > 100)
    return { field: "threshold", message: `${value.threshold} is a percentage, at most 100` };
  if (!Number.isInteger(value.periodSeconds) || value.periodSeconds < 60 || value.periodSeconds % 60 !== 0)
    return { field: "periodSeconds", message: `${value.periodSeconds} must be a multiple of 60 (AWS services publish these metrics per minute)` };
  if (!Number.isInteger(value.evaluationPeriods) || value.evaluationPeriods < 1)
    return { field: "evaluationPeriods", message: `${value.evaluationPeriods} must be a whole number of at least 1` };
  if (value.periodSeconds * value.evaluationPeriods > 86400)
    return {
      field: "evaluationPeriods",
      message: `${value.evaluationPeriods} periods of ${value.periodSeconds} s span more than a day, the longest CloudWatch evaluates`,
    };
  return undefined;
}

/** A resource the alarms watch. */
export interface WatchedResource {
  /** Value of its metrics' dimension: a reference to the resource (`${aws_lb.x.arn_suffix}`). */
  readonly dimension: string;
  /** The name its alarms are called by (`Inventory-LB`). */
  readonly name: string;
}

export interface AvailabilityAlarmsProps {
  /** Topic every alarm notifies when it goes to ALARM and back to OK. */
  readonly topicArn: string;
  /** The load balancer (dimension: its `arn_suffix`). */
  readonly loadBalancer: WatchedResource;
  /** The app servers' target group (dimension: its `arn_suffix`). */
  readonly targetGroup: WatchedResource;
  /** The app servers' Auto Scaling group (dimension: its name); it must collect GroupDesiredCapacity and GroupInServiceInstances. */
  readonly autoScalingGroup: WatchedResource;
  /** The database (dimension: its identifier), with what its thresholds are proportional to. */
  readonly database: WatchedResource & { readonly instanceClass: string; readonly allocatedStorageGiB: number };
  /** The NAT gateways (dimension: their id), each watched on its own. */
  readonly natGateways: readonly WatchedResource[];
  /** Thresholds and periods per signal. @default HA_SIGNAL_DESCRIPTIONS[signal].defaults for each */
  readonly thresholds?: Partial<Record<HaSignal, Partial<AlarmThreshold>>>;
}

/** One alarm, as the dashboard and the stack's outputs need it. */
export interface AvailabilityAlarm {
  readonly signal: HaSignal;
  /** The name as written, for outputs and reports. */
  readonly name: string;
  /** The alarm itself, to hand to what acts on it. */
  readonly alarm: AlarmHandle;
  /** What it watches. */
  readonly series: MetricSeries;
}

type Comparison = "GreaterThanThreshold" | "LessThanThreshold";

interface AlarmSpec {
  readonly id: string;
  readonly signal: HaSignal;
  readonly subject: WatchedResource;
  readonly series: MetricSeries;
  readonly comparison: Comparison;
  /** The alarm's threshold in the metric's unit (bytes, connections ...). */
  readonly threshold: number;
  /** The threshold in words, for the alarm's description. */
  readonly detail: string;
}

/**
 * One CloudWatch alarm per HA signal of the environment (the app fleet, the
 * load balancer, the database, each NAT gateway), each notifying the topic
 * on ALARM and on OK, with thresholds and periods from its props and a
 * documented reason for every default (HA_SIGNAL_DESCRIPTIONS).
 */
export class AvailabilityAlarms extends Construct {
  readonly alarms: readonly AvailabilityAlarm[];

  constructor(scope: Construct, id: string, props: AvailabilityAlarmsProps) {
    super(scope, id);
    const classProblem = instanceClassProblem(props.database.instanceClass);
    if (classProblem) refuseProblems(this, [{ prop: "database.instanceClass", message: classProblem }]);
    const settings = Object.fromEntries(HA_SIGNALS.map((signal) => [signal, this.thresholdOf(signal, props.thresholds?.[signal])])) as Record<
      HaSignal,
      AlarmThreshold
    >;
    this.alarms = alarmSpecs(props, settings).map((spec) => this.addAlarm(spec, settings[spec.signal], props.topicArn));
  }

  private thresholdOf(signal: HaSignal, given: Partial<AlarmThreshold> | undefined): AlarmThreshold {
    const value = { ...HA_SIGNAL_DESCRIPTIONS[signal].defaults, ...given };
    const problem = alarmThresholdProblem(signal, value);
    if (problem) refuseProblems(this, [{ prop: `thresholds.${signal}.${problem.field}`, message: problem.message }]);
    return value;
  }

  private addAlarm(spec: AlarmSpec, timing: AlarmThreshold, topicArn: string): AvailabilityAlarm {
    const description = HA_SIGNAL_DESCRIPTIONS[spec.signal];
    const name = `${spec.subject.name} ${description.title}`;
    const period = timing.periodSeconds;
    const watched = isExpression(spec.series)
      ? {
          metricQuery: [
            { id: "signal", expression: spec.series.expression, label: spec.series.label, returnData: true },
            ...Object.entries(spec.series.using).map(([queryId, metric]): CloudwatchMetricAlarmMetricQuery => ({
              id: queryId,
              returnData: false,
              metric: { namespace: metric.namespace, metricName: metric.metricName, dimensions: { ...metric.dimensions }, stat: metric.statistic, period },
            })),
          ],
        }
      : {
          namespace: spec.series.namespace,
          metricName: spec.series.metricName,
          dimensions: { ...spec.series.dimensions },
          period,
          ...(isPercentile(spec.series.statistic) ? { extendedStatistic: spec.series.statistic } : { statistic: spec.series.statistic }),
        };
    const alarm = new CloudwatchMetricAlarm(this, spec.id, {
      alarmName: name,
      alarmDescription: `Fires when ${spec.detail}, in each of ${timing.evaluationPeriods} periods of ${period} s. Why: ${description.why}`.slice(0, 1024),
      comparisonOperator: spec.comparison,
      threshold: spec.threshold,
      evaluationPeriods: timing.evaluationPeriods,
      treatMissingData: description.treatMissingData,
      actionsEnabled: true,
      alarmActions: [topicArn],
      okActions: [topicArn],
      ...watched,
    });
    return { signal: spec.signal, name, alarm: { name: alarm.alarmName, arn: alarm.arn }, series: spec.series };
  }
}

/** What each signal's alarm watches, and its threshold in the metric's own unit. */
function alarmSpecs(props: AvailabilityAlarmsProps, settings: Record<HaSignal, AlarmThreshold>): AlarmSpec[] {
  const lb = props.loadBalancer.dimension;
  const tg = props.targetGroup.dimension;
  const group = props.autoScalingGroup.dimension;
  const db = props.database;
  const threshold = (signal: HaSignal) => settings[signal].threshold;
  const requests = loadBalancerMetric("RequestCount", "Sum", lb);
  const desired = autoScalingGroupMetric("GroupDesiredCapacity", "Maximum", group);
  const memoryBytes = instanceClassMemoryGiB(db.instanceClass) * 2 ** 30;
  const maxConnections = defaultMaxConnections(db.instanceClass);
  const specs: AlarmSpec[] = [
    {
      id: "healthy-hosts",
      signal: "healthyHosts",
      subject: props.targetGroup,
      series: {
        expression: "desired - healthy",
        label: "servers short of desired capacity",
        using: { desired, healthy: loadBalancerMetric("HealthyHostCount", "Minimum", lb, { targetGroupArnSuffix: tg }) },
      },
      comparison: "GreaterThanThreshold",
      threshold: threshold("healthyHosts"),
      detail: `healthy targets are short of the desired capacity by more than ${threshold("healthyHosts")}`,
    },
    {
      id: "unhealthy-hosts",
      signal: "unhealthyHosts",
      subject: props.targetGroup,
      series: loadBalancerMetric("UnHealthyHostCount", "Maximum", lb, { targetGroupArnSuffix: tg }),
      comparison: "GreaterThanThreshold",
      threshold: threshold("unhealthyHosts"),
      detail: `more than ${threshold("unhealthyHosts")} targets are unhealthy`,
    },
    {
      id: "in-service-instances",
      signal: "inServiceInstances",
      subject: props.autoScalingGroup,
      series: {
        expression: "desired - in_service",
        label: "instances short of desired capacity",
        using: { desired, in_service: autoScalingGroupMetric("GroupInServiceInstances", "Minimum", group) },
      },
      comparison: "GreaterThanThreshold",
      threshold: threshold("inServiceInstances"),
      detail: `in-service instances are short of the desired capacity by more than ${threshold("inServiceInstances")}`,
    },
    {
      id: "elb-5xx-rate",
      signal: "elb5xxPercent",
      subject: props.loadBalancer,
      series: {
        expression: "100 * FILL(errors, 0) / requests",
        label: "load balancer 5xx, % of requests",
        using: { errors: loadBalancerMetric("HTTPCode_ELB_5XX_Count", "Sum", lb), requests },
      },
      comparison: "GreaterThanThreshold",
      threshold: threshold("elb5xxPercent"),
      detail: `more than ${threshold("elb5xxPercent")}% of requests are answered 5xx by the load balancer`,
    },
    {
      id: "target-5xx-rate",
      signal: "target5xxPercent",
      subject: props.loadBalancer,
      series: {
        expression: "100 * FILL(errors, 0) / requests",
        label: "app 5xx, % of requests",
        using: { errors: loadBalancerMetric("HTTPCode_Target_5XX_Count", "Sum", lb), requests },
      },
      comparison: "GreaterThanThreshold",
      threshold: threshold("target5xxPercent"),
      detail: `more than ${threshold("target5xxPercent")}% of requests are answered 5xx by the app servers`,
    },
    {
      id: "response-time-p95",
      signal: "targetResponseTimeP95",
      subject: props.loadBalancer,
      series: loadBalancerMetric("TargetResponseTime", "p95", lb, { targetGroupArnSuffix: tg }),
      comparison: "GreaterThanThreshold",
      threshold: threshold("targetResponseTimeP95"),
      detail: `the p95 response time is above ${threshold("targetResponseTimeP95")} s`,
    },
    {
      id: "rejected-connections",
      signal: "rejectedConnections",
      subject: props.loadBalancer,
      series: loadBalancerMetric("RejectedConnectionCount", "Sum", lb),
      comparison: "GreaterThanThreshold",
      threshold: threshold("rejectedConnections"),
      detail: `more than ${threshold("rejectedConnections")} connections are rejected`,
    },
    {
      id: "database-cpu",
      signal: "databaseCpu",
      subject: db,
      series: databaseMetric("CPUUtilization", "Average", db.dimension),
      comparison: "GreaterThanThreshold",
      threshold: threshold("databaseCpu"),
      detail: `CPU is above ${threshold("databaseCpu")}%`,
    },
    {
      id: "database-free-storage",
      signal: "databaseFreeStorage",
      subject: db,
      series: databaseMetric("FreeStorageSpace", "Minimum", db.dimension),
      comparison: "LessThanThreshold",
      threshold: Math.round((threshold("databaseFreeStorage") / 100) * db.allocatedStorageGiB * 2 ** 30),
      detail: `free storage is below ${threshold("databaseFreeStorage")}% of the ${db.allocatedStorageGiB} GiB allocated`,
    },
    {
      id: "database-freeable-memory",
      signal: "databaseFreeableMemory",
      subject: db,
      series: databaseMetric("FreeableMemory", "Average", db.dimension),
      comparison: "LessThanThreshold",
      threshold: Math.round((threshold("databaseFreeableMemory") / 100) * memoryBytes),
      detail: `freeable memory is below ${threshold("databaseFreeableMemory")}% of the ${instanceClassMemoryGiB(db.instanceClass)} GiB of ${db.instanceClass}`,
    },
    {
      id: "database-connections",
      signal: "databaseConnections",
      subject: db,
      series: databaseMetric("DatabaseConnections", "Maximum", db.dimension),
      comparison: "GreaterThanThreshold",
      threshold: Math.floor((threshold("databaseConnections") / 100) * maxConnections),
      detail: `connections are above ${threshold("databaseConnections")}% of max_connections (at most ${maxConnections} on ${db.instanceClass})`,
    },
  ];
  props.natGateways.forEach((gateway, index) => {
    specs.push(
      {
        id: `nat-gateway-${index + 1}-port-allocation-errors`,
        signal: "natPortAllocationErrors",
        subject: gateway,
        series: natGatewayMetric("ErrorPortAllocation", "Sum", gateway.dimension),
        comparison: "GreaterThanThreshold",
        threshold: threshold("natPortAllocationErrors"),
        detail: `more than ${threshold("natPortAllocationErrors")} connections fail to get a port`,
      },
      {
        id: `nat-gateway-${index + 1}-dropped-packets`,
        signal: "natPacketsDropped",
        subject: gateway,
        series: {
          expression: "100 * FILL(dropped, 0) / (from_source + from_destination)",
          label: "dropped, % of packets",
          using: {
            dropped: natGatewayMetric("PacketsDropCount", "Sum", gateway.dimension),
            from_source: natGatewayMetric("PacketsInFromSource", "Sum", gateway.dimension),
            from_destination: natGatewayMetric("PacketsInFromDestination", "Sum", gateway.dimension),
          },
        },
        comparison: "GreaterThanThreshold",
        threshold: threshold("natPacketsDropped"),
        detail: `more than ${threshold("natPacketsDropped")}% of packets are dropped`,
      },
    );
  });
  return specs;
}
