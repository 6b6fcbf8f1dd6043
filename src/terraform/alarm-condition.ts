import { blockList, firstBlock } from "./document";

/**
 * An alarm's condition in one line, as a reviewer reads it: what it
 * watches, the comparison, the threshold (bytes in GiB or MiB) and for how
 * long, `desired - healthy > 0 for 3 x 60s`. Reads an
 * `aws_cloudwatch_metric_alarm` as synthesized (nested blocks as objects)
 * or as planned (nested blocks as one-item lists) alike.
 */
export function alarmCondition(alarm: Record<string, any>): string {
  const comparison = COMPARISONS[alarm.comparison_operator] ?? alarm.comparison_operator;
  return `${watched(alarm)} ${comparison} ${threshold(alarm)} for ${alarm.evaluation_periods} x ${period(alarm)}s`;
}

const COMPARISONS: Readonly<Record<string, string>> = {
  GreaterThanThreshold: ">",
  GreaterThanOrEqualToThreshold: ">=",
  LessThanThreshold: "<",
  LessThanOrEqualToThreshold: "<=",
};

const queries = (alarm: Record<string, any>) => blockList(alarm.metric_query);

/** `UnHealthyHostCount Maximum`, or the metric math expression. */
function watched(alarm: Record<string, any>): string {
  const expression = queries(alarm).find((query) => query.expression)?.expression;
  if (expression) return expression;
  return `${alarm.metric_name} ${alarm.extended_statistic ?? alarm.statistic}`;
}

function period(alarm: Record<string, any>): number | undefined {
  return (
    alarm.period ??
    queries(alarm)
      .map((query) => firstBlock(query.metric)?.period)
      .find((value) => value !== undefined)
  );
}

/** Byte thresholds in GiB or MiB, everything else as it is. */
function threshold(alarm: Record<string, any>): string {
  const metrics = [alarm.metric_name, ...queries(alarm).map((query) => firstBlock(query.metric)?.metric_name)];
  if (!metrics.some((name) => name === "FreeStorageSpace" || name === "FreeableMemory")) return String(alarm.threshold);
  const gib = alarm.threshold / 2 ** 30;
  return gib >= 1 ? `${Number(gib.toFixed(1))} GiB` : `${Math.round(alarm.threshold / 2 ** 20)} MiB`;
}
