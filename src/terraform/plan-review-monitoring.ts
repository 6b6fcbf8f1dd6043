import { alarmCondition } from "./alarm-condition";

/**
 * The plan review's Monitoring section: the alarm topic and who it
 * notifies, the dashboard, and each alarm in one line (what it watches,
 * its threshold and how long), so a reviewer sees what will page and when.
 */

type Values = Record<string, any>;

/** What the section reads from the plan: the planned values by type, and where an attribute's reference leads. */
export interface PlannedResources {
  valuesOf(type: string): { address: string; values: Values }[];
  /** The address an attribute of `address` refers to (`alarm_actions` -> `aws_sns_topic.x`). */
  referenced(address: string, attribute: string): string | undefined;
  nameOf(address: string | undefined): string;
}

/** The Monitoring section's lines below its title (none for a plan without monitoring), and warnings for alarms that notify no one. */
export function monitoringReview(plan: PlannedResources): { lines: string[]; warnings: string[] } {
  const types = ["aws_sns_topic", "aws_cloudwatch_dashboard", "aws_cloudwatch_metric_alarm", "aws_autoscaling_policy"];
  if (types.every((type) => plan.valuesOf(type).length === 0)) return { lines: [], warnings: [] };
  const lines: string[] = [];
  const warnings: string[] = [];
  const subscriptions = plan.valuesOf("aws_sns_topic_subscription");
  for (const { address, values } of plan.valuesOf("aws_sns_topic")) {
    const key = plan.referenced(address, "kms_master_key_id");
    const rotated = plan.valuesOf("aws_kms_key").find((candidate) => candidate.address === key)?.values.enable_key_rotation;
    const encryption = key ? `${key}${rotated ? " (rotated yearly)" : ""}` : (values.kms_master_key_id ?? "NOTHING: the topic is not encrypted");
    const own = subscriptions.filter((subscription) => plan.referenced(subscription.address, "topic_arn") === address);
    const protocols = own.map(({ values: subscription }) => `${subscription.protocol} ${subscription.endpoint}`);
    lines.push(`  topic ${values.name}: encrypted with ${encryption}; notifies ${protocols.length ? protocols.join(", ") : "no one yet (no subscriptions)"}`);
  }
  for (const { values } of plan.valuesOf("aws_cloudwatch_dashboard")) lines.push(`  dashboard ${values.dashboard_name}`);
  const alarms = plan.valuesOf("aws_cloudwatch_metric_alarm").sort((a, b) => String(a.values.alarm_name).localeCompare(String(b.values.alarm_name)));
  if (alarms.length > 0) lines.push(`  ${alarms.length} alarms:`);
  for (const { address, values } of alarms) {
    const notified = plan.referenced(address, "alarm_actions");
    if (!notified || values.actions_enabled === false) warnings.push(`SILENT: ${address} (${values.alarm_name}) notifies no one`);
    const recovers = plan.referenced(address, "ok_actions") ? "" : ", no OK notification";
    lines.push(`    ${values.alarm_name}: ${alarmCondition(values)}${recovers}`);
  }
  for (const { values } of plan.valuesOf("aws_autoscaling_policy")) {
    const tracking = values.target_tracking_configuration?.[0];
    const metric = tracking?.predefined_metric_specification?.[0]?.predefined_metric_type ?? "a custom metric";
    lines.push(`  scaling ${values.name}: ${values.policy_type} of ${metric} at ${tracking?.target_value}`);
  }
  return { lines, warnings };
}
