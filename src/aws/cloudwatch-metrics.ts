/**
 * CloudWatch metrics of the AWS services the stack runs on, as typed values
 * that alarms and dashboard widgets both render from, so an alarm and the
 * graph beside it can never watch different series. Dimension values are
 * the Terraform references of the resources the stack creates
 * (`${aws_lb.x.arn_suffix}`), never names typed twice.
 */

/** A statistic CloudWatch computes per period; `pNN` is a percentile (extended statistic). */
export type MetricStatistic = "Sum" | "Average" | "Minimum" | "Maximum" | "SampleCount" | `p${number}`;

/** One metric series. */
export interface Metric {
  readonly namespace: string;
  readonly metricName: string;
  /** Dimension name -> value, in the order CloudWatch lists them. */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: MetricStatistic;
  /** Legend text on a graph. @default the metric name */
  readonly label?: string;
}

/** Metric math over named metrics: `100 * FILL(errors, 0) / requests`. */
export interface MetricExpression {
  /** The expression; it names the metrics by the keys of `using`. */
  readonly expression: string;
  readonly label: string;
  /** Expression id (lower-case start, letters, digits, _) -> metric. */
  readonly using: Readonly<Record<string, Metric>>;
}

/** What an alarm or a graph line watches. */
export type MetricSeries = Metric | MetricExpression;

export function isExpression(series: MetricSeries): series is MetricExpression {
  return "expression" in series;
}

/** Every plain metric a series reads (the metric itself, or those an expression uses). */
export function metricsOf(series: MetricSeries): Metric[] {
  return isExpression(series) ? Object.values(series.using) : [series];
}

/** Whether the statistic is a percentile, which CloudWatch calls an extended statistic. */
export function isPercentile(statistic: MetricStatistic): boolean {
  return /^p\d+(\.\d+)?$/.test(statistic);
}

// ---------------------------------------------------------------- the services' metrics

/**
 * `AWS/ApplicationELB` metric of a load balancer, or of one of its target
 * groups when `targetGroupArnSuffix` is given (the TargetGroup dimension
 * comes with the LoadBalancer one).
 */
export function loadBalancerMetric(
  metricName: string,
  statistic: MetricStatistic,
  loadBalancerArnSuffix: string,
  options: { targetGroupArnSuffix?: string; label?: string } = {},
): Metric {
  const dimensions: Record<string, string> = options.targetGroupArnSuffix
    ? { TargetGroup: options.targetGroupArnSuffix, LoadBalancer: loadBalancerArnSuffix }
    : { LoadBalancer: loadBalancerArnSuffix };
  return { namespace: "AWS/ApplicationELB", metricName, dimensions, statistic, label: options.label };
}

/** `AWS/AutoScaling` group metric; it exists only for the metrics the group's `enabled_metrics` collect. */
export function autoScalingGroupMetric(metricName: string, statistic: MetricStatistic, groupName: string, label?: string): Metric {
  return { namespace: "AWS/AutoScaling", metricName, dimensions: { AutoScalingGroupName: groupName }, statistic, label };
}

/** `AWS/RDS` metric of one DB instance. */
export function databaseMetric(metricName: string, statistic: MetricStatistic, instanceIdentifier: string, label?: string): Metric {
  return { namespace: "AWS/RDS", metricName, dimensions: { DBInstanceIdentifier: instanceIdentifier }, statistic, label };
}

/** `AWS/NATGateway` metric of one NAT gateway. */
export function natGatewayMetric(metricName: string, statistic: MetricStatistic, natGatewayId: string, label?: string): Metric {
  return { namespace: "AWS/NATGateway", metricName, dimensions: { NatGatewayId: natGatewayId }, statistic, label };
}
