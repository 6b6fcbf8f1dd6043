import { blockList } from "./document";

/**
 * The attributes of an `aws_cloudwatch_metric_alarm` its condition is read
 * from, as synthesized (nested blocks as objects) or as planned (nested
 * blocks as one-item lists, unset attributes as null).
 */
export interface MetricAlarmValues {
  readonly comparison_operator?: string | null;
  readonly evaluation_periods?: number | null;
  readonly threshold?: number | null;
  readonly period?: number | null;
  readonly metric_name?: string | null;
  readonly statistic?: string | null;
  readonly extended_statistic?: string | null;
  readonly metric_query?: OneOrList<MetricQueryValues> | null;
}

/** A `metric_query` block: a metric math expression, or one metric it reads. */
export interface MetricQueryValues {
  readonly expression?: string | null;
  readonly metric?: OneOrList<MetricValues>;
}

/** The `metric` block of a metric query. */
export interface MetricValues {
  readonly metric_name?: string;
  readonly period?: number;
  readonly dimensions?: Readonly<Record<string, string>>;
}

type OneOrList<T> = T | readonly T[];

/**
 * An alarm's condition in one line, as a reviewer reads it: what it
 * watches, the comparison, the threshold (bytes in GiB or MiB) and for how
 * long, `desired - healthy > 0 for 3 x 60s`.
 */
export function alarmCondition(alarm: MetricAlarmValues): string {
  const comparison = (alarm.comparison_operator && COMPARISONS[alarm.comparison_operator]) ?? alarm.comparison_operator;
  return `${watched(alarm)} ${comparison} ${threshold(alarm)} for ${alarm.evaluation_periods} x ${period(alarm)}s`;
}

const COMPARISONS: Readonly<Record<string, string>> = {
  GreaterThanThreshold: ">",
  GreaterThanOrEqualToThreshold: ">=",
  LessThanThreshold: "<",
  LessThanOrEqualToThreshold: "<=",
};

const list = <T>(value: OneOrList<T> | null | undefined): T[] => blockList(value) as T[];

/** The metrics the alarm reads: its own, or those of its metric queries. */
const metricsOf = (alarm: MetricAlarmValues) => list(alarm.metric_query).flatMap((query) => list(query.metric).slice(0, 1));

/** `UnHealthyHostCount Maximum`, or the metric math expression. */
function watched(alarm: MetricAlarmValues): string {
  const expression = list(alarm.metric_query).find((query) => query.expression)?.expression;
  if (expression) return expression;
  return `${alarm.metric_name} ${alarm.extended_statistic ?? alarm.statistic}`;
}

function period(alarm: MetricAlarmValues): number | undefined {
  return alarm.period ?? metricsOf(alarm).find((metric) => metric.period != null)?.period;
}

/** Byte thresholds in GiB or MiB, everything else as it is. */
function threshold(alarm: MetricAlarmValues): string {
  const names = [alarm.metric_name, ...metricsOf(alarm).map((metric) => metric.metric_name)];
  if (alarm.threshold == null || !names.some((name) => name === "FreeStorageSpace" || name === "FreeableMemory")) return String(alarm.threshold);
  const gib = alarm.threshold / 2 ** 30;
  return gib >= 1 ? `${Number(gib.toFixed(1))} GiB` : `${Math.round(alarm.threshold / 2 ** 20)} MiB`;
}
