import { Construct } from "constructs";
import { AlarmTopic, type AlarmTopicProps } from "./alarm-topic";
import { type AvailabilityAlarm, AvailabilityAlarms, type AvailabilityAlarmsProps } from "./availability-alarms";
import { autoScalingGroupMetric, databaseMetric, loadBalancerMetric, natGatewayMetric } from "../../aws/cloudwatch-metrics";
import { Dashboard, type DashboardWidget } from "./dashboard";
import { refuseProblems, regionPropProblem } from "../../props/prop-problems";

export interface MonitoringProps {
  /** Region of the environment (the dashboard's metrics, the policies' ARNs). */
  readonly region: string;
  /** Names of the topic, its key's alias and the dashboard. */
  readonly names: { readonly topic: string; readonly keyAlias: string; readonly dashboard: string };
  /** Who is notified, and the topic's key. @default a key created for the topic, no subscriptions */
  readonly notifications?: Pick<AlarmTopicProps, "kmsKeyArn" | "emailAddresses" | "httpsEndpoints">;
  /** Thresholds and periods per signal. @default HA_SIGNAL_DESCRIPTIONS' defaults */
  readonly thresholds?: AvailabilityAlarmsProps["thresholds"];
  /** What is watched: the load balancer, target group, Auto Scaling group, database and NAT gateways. */
  readonly watched: Omit<AvailabilityAlarmsProps, "topicArn" | "thresholds">;
}

/**
 * How an environment tells its owners it degrades: the alarm topic, an
 * alarm on every HA signal notifying it, and a dashboard of the same
 * series with every alarm's state on top.
 */
export class Monitoring extends Construct {
  readonly topic: AlarmTopic;
  readonly alarms: readonly AvailabilityAlarm[];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    refuseProblems(this, [regionPropProblem("region", props.region)]);
    this.topic = new AlarmTopic(this, "topic", { name: props.names.topic, keyAlias: props.names.keyAlias, region: props.region, ...props.notifications });
    const alarms = new AvailabilityAlarms(this, "alarms", { ...props.watched, topicArn: this.topic.topicArn, thresholds: props.thresholds });
    this.alarms = alarms.alarms;
    this.dashboard = new Dashboard(this, "dashboard", { name: props.names.dashboard, region: props.region, widgets: this.widgets(props.watched) });
  }

  /** Requests, errors and latency, then the fleet, the database and the NAT gateways; the alarms' own series where they have one. */
  private widgets(watched: MonitoringProps["watched"]): DashboardWidget[] {
    const lb = watched.loadBalancer.dimension;
    const tg = { targetGroupArnSuffix: watched.targetGroup.dimension };
    const group = watched.autoScalingGroup.dimension;
    const db = watched.database.dimension;
    const seriesOf = (signal: AvailabilityAlarm["signal"]) => this.alarms.filter((alarm) => alarm.signal === signal).map((alarm) => alarm.series);
    return [
      { kind: "alarm-status", title: "Alarms", alarmArns: this.alarms.map(({ alarm }) => alarm.arn) },
      { kind: "graph", title: "Requests", unit: "requests / min", series: [loadBalancerMetric("RequestCount", "Sum", lb, { label: "requests" })] },
      { kind: "graph", title: "5xx responses", unit: "% of requests", series: [...seriesOf("elb5xxPercent"), ...seriesOf("target5xxPercent")] },
      {
        kind: "graph",
        title: "Response time",
        unit: "seconds",
        series: (["p50", "p95", "p99"] as const).map((statistic) => loadBalancerMetric("TargetResponseTime", statistic, lb, { ...tg, label: statistic })),
      },
      {
        kind: "graph",
        title: "Healthy hosts",
        unit: "targets",
        series: [
          loadBalancerMetric("HealthyHostCount", "Minimum", lb, { ...tg, label: "healthy" }),
          loadBalancerMetric("UnHealthyHostCount", "Maximum", lb, { ...tg, label: "unhealthy" }),
          autoScalingGroupMetric("GroupDesiredCapacity", "Maximum", group, "desired"),
        ],
      },
      {
        kind: "graph",
        title: "In-service instances",
        unit: "instances",
        series: [
          autoScalingGroupMetric("GroupInServiceInstances", "Minimum", group, "in service"),
          autoScalingGroupMetric("GroupPendingInstances", "Maximum", group, "pending"),
          autoScalingGroupMetric("GroupDesiredCapacity", "Maximum", group, "desired"),
        ],
      },
      { kind: "graph", title: "Database CPU", unit: "%", series: [databaseMetric("CPUUtilization", "Average", db, "CPU")] },
      { kind: "graph", title: "Database connections", unit: "connections", series: [databaseMetric("DatabaseConnections", "Maximum", db, "connections")] },
      {
        kind: "graph",
        title: "Database free storage",
        unit: "GiB",
        series: [{ expression: "free / 1073741824", label: "free storage", using: { free: databaseMetric("FreeStorageSpace", "Minimum", db) } }],
      },
      {
        kind: "graph",
        title: "NAT gateway traffic",
        unit: "bytes / min",
        series: watched.natGateways.flatMap((gateway) => [
          natGatewayMetric("BytesOutToDestination", "Sum", gateway.dimension, `${gateway.name} out`),
          natGatewayMetric("BytesInFromDestination", "Sum", gateway.dimension, `${gateway.name} in`),
        ]),
      },
    ];
  }
}
