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

/**
 * The Monitoring section's lines below its title (none for a plan without monitoring); the short review's lines, which
 * count the alarms instead of listing them; and warnings for alarms that notify no one.
 */
export function monitoringReview(plan: PlannedResources): { lines: string[]; brief: string[]; warnings: string[] } {
  const types = ["aws_sns_topic", "aws_cloudwatch_dashboard", "aws_cloudwatch_metric_alarm", "aws_autoscaling_policy"];
  if (types.every((type) => plan.valuesOf(type).length === 0)) return { lines: [], brief: [], warnings: [] };
  const lines: string[] = [];
  const warnings: string[] = [];
  const subscriptions = plan.valuesOf("aws_sns_topic_subscription");
  for (const { address, values } of plan.valuesOf("aws_sns_topic")) {
    const key = plan.referenced(address, "kms_master_key_id");
    const rotated = plan.valuesOf("aws_kms_key").find((candidate) => candidate.address === key)?.values.enable_key_rotation;
    const encryption = key ? `${key}${rotated ? " (rotated yearly)" : ""}` : (values.kms_master_key_id ?? "NOTHING: the topic is not encrypted");
    const own = subscriptions.filter((subscription) => plan.referenced(subscription.address, "topic_arn") === address);
    const protocols = own.map(({ values: subscription }) => `${subscription.protocol} ${subscription.endpoint}`);
    lines.push(`  topic ${values.name}: encrypted with ${encryption}; notifies ${protocols.length ? protocols.join(", ") : "no one yet"}`);
  }
  const briefTopics = plan.valuesOf("aws_sns_topic").map(({ address, values }) => {
    const own = subscriptions.filter((subscription) => plan.referenced(subscription.address, "topic_arn") === address);
    const encrypted = plan.referenced(address, "kms_master_key_id") || values.kms_master_key_id ? "encrypted" : "NOT ENCRYPTED";
    return `topic ${values.name} (${encrypted}) notifies ${own.length ? `${own.length} subscriber${own.length === 1 ? "" : "s"}` : "no one yet"}`;
  });
  for (const { values } of plan.valuesOf("aws_cloudwatch_dashboard")) lines.push(`  dashboard ${values.dashboard_name}`);
  const alarms = plan.valuesOf("aws_cloudwatch_metric_alarm").sort((a, b) => String(a.values.alarm_name).localeCompare(String(b.values.alarm_name)));
  if (alarms.length > 0) lines.push(`  ${alarms.length} alarms:`);
  for (const { address, values } of alarms) {
    const notified = plan.referenced(address, "alarm_actions");
    if (!notified || values.actions_enabled === false) warnings.push(`SILENT: ${address} (${values.alarm_name}) notifies no one`);
    const recovers = plan.referenced(address, "ok_actions") ? "" : ", no OK notification";
    lines.push(`    ${values.alarm_name}: ${alarmCondition(values)}${recovers}`);
  }
  const scaling = plan.valuesOf("aws_autoscaling_policy").map(({ values }) => {
    const tracking = values.target_tracking_configuration?.[0];
    const metric = tracking?.predefined_metric_specification?.[0]?.predefined_metric_type ?? "a custom metric";
    return `  scaling ${values.name}: ${values.policy_type} of ${metric} at ${tracking?.target_value}`;
  });
  lines.push(...scaling);
  const dashboards = plan.valuesOf("aws_cloudwatch_dashboard").map(({ values }) => `dashboard ${values.dashboard_name}`);
  const alarmCount = `${alarms.length} alarm${alarms.length === 1 ? "" : "s"}`;
  return { lines, brief: [`  ${[...briefTopics, ...dashboards, alarmCount].join("; ")}`, ...scaling], warnings };
}
