import { PRICE_TABLE, type PriceTable, type RegionPrices } from "./cost-prices";
import { blockList, firstBlock } from "./document";
import type { TerraformPlanJson } from "./plan-json";

/**
 * The estimated fixed monthly cost of an environment: what its resources
 * cost by the hour or the month whatever their traffic, from the dated
 * offline price table (cost-prices.ts). Charges that depend on use are
 * named, not estimated. Works on a plan's values (before or after) and on a
 * synthesized configuration alike, so a change and two environments can be
 * compared offline.
 */

/** One resource to price: its type, its attribute values, and the resources each attribute refers to. */
export interface CostedResource {
  readonly address: string;
  readonly type: string;
  readonly values: Record<string, any>;
  /** Top-level attribute -> the addresses (`aws_x.name`) its expression refers to. */
  readonly references: Readonly<Record<string, readonly string[]>>;
}

/** One priced line. */
export interface CostLine {
  readonly address: string;
  /** What is charged, e.g. `NAT gateway (730 h)`. */
  readonly item: string;
  readonly monthly: number;
}

export interface CostEstimate {
  readonly region: string;
  /** Lines in resource order; empty when the region has no prices. */
  readonly lines: CostLine[];
  readonly total: number;
  /** Resources whose price is not in the table (an instance type, a class, an engine): named, never guessed. */
  readonly unpriced: string[];
  /** Whether the table has prices for the region at all. */
  readonly regionPriced: boolean;
}

/** Resource types the estimate prices. */
export const PRICED_TYPES: readonly string[] = [
  "aws_nat_gateway",
  "aws_eip",
  "aws_lb",
  "aws_autoscaling_group",
  "aws_db_instance",
  "aws_cloudwatch_metric_alarm",
  "aws_cloudwatch_dashboard",
  "aws_kms_key",
  // Target tracking: the alarms Auto Scaling creates for it. Other policies cost nothing.
  "aws_autoscaling_policy",
  "aws_secretsmanager_secret",
  "aws_wafv2_web_acl",
  // AWS Backup: a full copy of the database in each vault a rule writes; each restore test, and the instance it restores.
  "aws_backup_selection",
  "aws_backup_restore_testing_selection",
];

/** Resource types that cost nothing by themselves. */
export const FREE_TYPES: readonly string[] = [
  "aws_vpc",
  "aws_subnet",
  "aws_internet_gateway",
  "aws_route_table",
  "aws_route",
  "aws_route_table_association",
  "aws_default_security_group",
  "aws_security_group",
  "aws_vpc_security_group_ingress_rule",
  "aws_vpc_security_group_egress_rule",
  "aws_lb_target_group",
  "aws_lb_listener",
  // Its instances are priced with the Auto Scaling group that launches them.
  "aws_launch_template",
  "aws_iam_role",
  "aws_iam_role_policy",
  "aws_iam_policy",
  "aws_iam_instance_profile",
  "aws_iam_openid_connect_provider",
  "aws_db_subnet_group",
  "aws_db_parameter_group",
  "aws_s3_bucket_versioning",
  "aws_s3_bucket_policy",
  "aws_s3_bucket_public_access_block",
  "aws_s3_bucket_ownership_controls",
  "aws_s3_bucket_server_side_encryption_configuration",
  "aws_s3_bucket_lifecycle_configuration",
  "aws_kms_alias",
  "aws_kms_key_policy",
  "aws_sns_topic_policy",
  "aws_lambda_permission",
  // One Lambda request per release: its function's usage line counts it.
  "aws_lambda_invocation",
  "aws_secretsmanager_secret_rotation",
  "aws_wafv2_web_acl_association",
  "aws_wafv2_web_acl_logging_configuration",
  "aws_cloudwatch_log_resource_policy",
  "aws_cognito_user_pool_client",
  "aws_cognito_user_pool_domain",
  // Public ACM certificates cost nothing, nor does waiting for one.
  "aws_acm_certificate",
  "aws_acm_certificate_validation",
  // Priced through the selections that use them.
  "aws_backup_plan",
  "aws_backup_restore_testing_plan",
  "aws_backup_vault_lock_configuration",
  "aws_iam_role_policy_attachment",
];

/** Resource types whose whole cost depends on use, with what is charged. */
export const USAGE_ONLY_TYPES: Readonly<Record<string, string>> = {
  aws_s3_bucket: "S3 storage and requests",
  aws_s3_object: "S3 storage and requests",
  aws_route53_record: "Route 53 queries (alias queries to the load balancer are free; the hosted zone is the owner's)",
  aws_cloudwatch_log_group: "CloudWatch Logs ingestion and storage",
  aws_flow_log: "VPC flow log delivery (vended logs)",
  aws_dynamodb_table: "DynamoDB on-demand requests and storage",
  aws_sns_topic: "SNS publishes",
  aws_sns_topic_subscription: "SNS deliveries (email, HTTPS)",
  aws_cognito_user_pool: "Cognito monthly active users beyond the free tier (the load balancer's sign-in, when on)",
  aws_backup_vault: "AWS Backup storage beyond the first full copy (each day's changes), cross-region copy transfer",
  aws_fis_experiment_template: "AWS FIS action-minutes of each experiment run (a zone rehearsal runs 3 or 4 actions for its duration)",
  aws_lambda_function: "Lambda requests and duration (the app user's rotation runs once per rotation period, the app's release once per release)",
};

/** Charges of priced resources that depend on use, and so are not in the total. */
export const USAGE_CHARGES_NOT_INCLUDED: readonly string[] = [
  "NAT gateway data processing (per GB) and data transfer out to the internet",
  "load balancer capacity units (LCU-hours)",
  "T3 CPU credits above the baseline (unlimited mode) for app servers and the database",
  "RDS backup storage beyond the database's size, and snapshots; AWS Backup storage beyond a full copy of the database",
  "CloudWatch Logs ingestion and storage (flow logs, RDS log exports, Enhanced Monitoring)",
  "S3 storage and requests (access logs, app artifacts, state), DynamoDB lock requests",
  "Secrets Manager and KMS API calls, cross-zone data transfer",
  "AWS WAF requests ($0.60 per million) and its log's ingestion and storage",
  "SNS publishes and deliveries of the alarms' notifications",
];

const round = (value: number) => Math.round(value * 100) / 100;

/** The fixed monthly cost of a set of resources in a region. */
export function estimateCost(resources: readonly CostedResource[], region: string, table: PriceTable = PRICE_TABLE): CostEstimate {
  const prices = table.regions[region];
  const lines: CostLine[] = [];
  const unpriced: string[] = [];
  if (!prices) return { region, lines, total: 0, unpriced, regionPriced: false };
  const hours = table.hoursPerMonth;
  const byAddress = new Map(resources.map((resource) => [resource.address, resource]));
  const line = (address: string, item: string, monthly: number) => lines.push({ address, item, monthly: round(monthly) });

  for (const resource of resources) {
    const values = resource.values;
    switch (resource.type) {
      case "aws_nat_gateway":
        if (values.connectivity_type === "private") line(resource.address, `private NAT gateway (${hours} h)`, prices.natGatewayHour * hours);
        else line(resource.address, `NAT gateway (${hours} h)`, prices.natGatewayHour * hours);
        break;
      case "aws_eip":
        line(resource.address, `public IPv4 address (${hours} h)`, prices.publicIpv4Hour * hours);
        break;
      case "aws_lb": {
        if ((values.load_balancer_type ?? "application") !== "application") {
          unpriced.push(`${resource.address}: ${values.load_balancer_type} load balancer`);
          break;
        }
        line(resource.address, `Application Load Balancer (${hours} h)`, prices.applicationLoadBalancerHour * hours);
        if (values.internal !== true) {
          // An internet-facing load balancer holds a public IPv4 address in each of its zones.
          const zones = Array.isArray(values.subnets) ? values.subnets.length : (resource.references.subnets?.length ?? 0);
          if (zones > 0) line(resource.address, `${zones} public IPv4 addresses, one per zone (${hours} h)`, zones * prices.publicIpv4Hour * hours);
          else unpriced.push(`${resource.address}: its public IPv4 addresses (zones unknown)`);
        }
        break;
      }
      case "aws_autoscaling_group":
        priceAutoScalingGroup(resource, byAddress, prices, hours, line, unpriced);
        break;
      case "aws_db_instance":
        priceDatabase(resource, prices, hours, line, unpriced);
        break;
      case "aws_wafv2_web_acl": {
        const rules = Array.isArray(values.rule) ? values.rule.length : 0;
        line(resource.address, `AWS WAF web ACL with ${rules} rule${rules === 1 ? "" : "s"}`, prices.wafWebAclMonth + rules * prices.wafRuleMonth);
        break;
      }
      case "aws_secretsmanager_secret":
        line(resource.address, "Secrets Manager secret", prices.secretMonth);
        break;
      case "aws_cloudwatch_metric_alarm":
        priceAlarm(resource, prices, line);
        break;
      case "aws_autoscaling_policy": {
        if (values.policy_type !== "TargetTrackingScaling") break;
        // Auto Scaling creates a pair of alarms for it (AlarmHigh, AlarmLow; the first alone without scale-in), each on one metric.
        const alarms = firstBlock(values.target_tracking_configuration)?.disable_scale_in === true ? 1 : 2;
        line(resource.address, `${alarms} alarm${alarms === 1 ? "" : "s"} Auto Scaling creates for target tracking`, alarms * prices.alarmMonth);
        break;
      }
      case "aws_cloudwatch_dashboard":
        line(resource.address, "CloudWatch dashboard", prices.dashboardMonth);
        break;
      case "aws_kms_key": {
        const rotation = values.enable_key_rotation === true ? `, rotated yearly (its first two rotations add ${dollars(prices.kmsKeyMonth)} each)` : "";
        line(resource.address, `KMS customer managed key${rotation}`, prices.kmsKeyMonth);
        break;
      }
      case "aws_backup_selection":
        priceBackups(resource, byAddress, prices, line, unpriced);
        break;
      case "aws_backup_restore_testing_selection":
        priceRestoreTests(resource, byAddress, prices, line, unpriced);
        break;
      default:
        if (!FREE_TYPES.includes(resource.type) && !(resource.type in USAGE_ONLY_TYPES))
          unpriced.push(`${resource.address}: type ${resource.type} is not in the price table`);
    }
  }
  return { region, lines, total: round(lines.reduce((sum, costLine) => sum + costLine.monthly, 0)), unpriced, regionPriced: true };
}

type Line = (address: string, item: string, monthly: number) => void;

function priceAutoScalingGroup(
  group: CostedResource,
  byAddress: Map<string, CostedResource>,
  prices: RegionPrices,
  hours: number,
  line: Line,
  unpriced: string[],
): void {
  const count = Number(group.values.desired_capacity ?? group.values.min_size ?? 0);
  const templateAddress = group.references.launch_template?.find((address) => address.startsWith("aws_launch_template."));
  const template = templateAddress ? byAddress.get(templateAddress) : undefined;
  if (!template) {
    unpriced.push(`${group.address}: its launch template is not in the plan`);
    return;
  }
  const type = template.values.instance_type;
  const hourly = prices.ec2InstanceHour[type];
  if (hourly === undefined) unpriced.push(`${group.address}: instance type ${type}`);
  else line(group.address, `${count} x EC2 ${type} (${hours} h)`, count * hourly * hours);
  for (const mapping of template.values.block_device_mappings ?? []) {
    const ebs = Array.isArray(mapping.ebs) ? mapping.ebs[0] : mapping.ebs;
    if (!ebs?.volume_size) continue;
    const volumeType = ebs.volume_type ?? "gp2";
    const perGb = prices.ebsGbMonth[volumeType];
    if (perGb === undefined) unpriced.push(`${group.address}: EBS volume type ${volumeType}`);
    else line(group.address, `${count} x EBS ${volumeType} ${ebs.volume_size} GiB`, count * Number(ebs.volume_size) * perGb);
  }
}

/**
 * CloudWatch bills an alarm per metric it reads: one, or for metric math
 * every query that reads a metric (the expressions read nothing of their
 * own). A period under 60 s is high resolution.
 */
function priceAlarm(alarm: CostedResource, prices: RegionPrices, line: Line): void {
  const metrics = blockList(alarm.values.metric_query)
    .map((query) => firstBlock(query.metric))
    .filter((metric) => metric !== undefined);
  const count = Math.max(1, metrics.length);
  // A metric math alarm has no period of its own (a deployed one reads back 0): its metrics have.
  const periods = (metrics.length > 0 ? metrics.map((metric) => metric.period) : [alarm.values.period]).filter((period) => typeof period === "number");
  const highResolution = periods.some((period) => period > 0 && period < 60);
  const item = `${highResolution ? "high-resolution " : ""}alarm reading ${count} metric${count === 1 ? "" : "s"}${metrics.length > 0 ? " (metric math)" : ""}`;
  line(alarm.address, item, count * (highResolution ? prices.highResolutionAlarmMonth : prices.alarmMonth));
}

function priceDatabase(db: CostedResource, prices: RegionPrices, hours: number, line: Line, unpriced: string[]): void {
  const values = db.values;
  const copies = values.multi_az ? 2 : 1;
  const deployment = values.multi_az ? "Multi-AZ" : "Single-AZ";
  const hourly = values.engine === "mysql" ? prices.rdsMysqlInstanceHour[values.instance_class] : undefined;
  if (hourly === undefined) unpriced.push(`${db.address}: ${values.engine} ${values.instance_class}`);
  else line(db.address, `RDS ${values.engine} ${values.instance_class}, ${deployment} (${hours} h)`, copies * hourly * hours);
  const storageType = values.storage_type ?? "gp2";
  const perGb = prices.rdsStorageGbMonth[storageType];
  if (perGb === undefined) unpriced.push(`${db.address}: ${storageType} storage`);
  else line(db.address, `RDS ${storageType} storage ${values.allocated_storage} GiB, ${deployment}`, copies * Number(values.allocated_storage) * perGb);
  if (values.manage_master_user_password) line(db.address, "Secrets Manager secret of the master password (RDS-managed)", prices.secretMonth);
}

/** The first resource of `type` an attribute refers to. */
function referenced(resource: CostedResource, attribute: string, type: string, byAddress: Map<string, CostedResource>): CostedResource | undefined {
  const address = resource.references[attribute]?.find((candidate) => candidate.startsWith(`${type}.`));
  return address ? byAddress.get(address) : undefined;
}

/**
 * A selection's database in each vault its plan's rules write: a full copy of its allocated storage (the first
 * snapshot; later days add only their changes, which are usage), and as much again in each copy's vault.
 */
function priceBackups(selection: CostedResource, byAddress: Map<string, CostedResource>, prices: RegionPrices, line: Line, unpriced: string[]): void {
  const db = referenced(selection, "resources", "aws_db_instance", byAddress);
  const plan = referenced(selection, "plan_id", "aws_backup_plan", byAddress);
  if (!db || !plan) {
    unpriced.push(`${selection.address}: its database or plan is not in the plan`);
    return;
  }
  const storage = Number(db.values.allocated_storage);
  for (const rule of blockList(plan.values.rule)) {
    const copies = 1 + blockList(rule.copy_action).length;
    for (let copy = 0; copy < copies; copy++) {
      const where = copy === 0 ? "" : ", copy in a second region";
      line(selection.address, `AWS Backup storage, a full copy of ${storage} GiB${where}`, storage * prices.backupRdsSnapshotGbMonth);
    }
  }
}

/** Restore tests a month of an AWS Backup cron schedule: daily or weekly (`cron(m h ? * * *)`, `cron(m h ? * MON *)`), else undefined. */
export function restoreTestsPerMonth(schedule: unknown): number | undefined {
  const fields = /^cron\((.+)\)$/.exec(String(schedule))?.[1].split(" ");
  if (fields?.length !== 6 || fields[2] !== "?" || fields[3] !== "*") return undefined;
  if (fields[4] === "*") return 365 / 12;
  return /^([A-Z]{3}|[1-7])$/.test(fields[4]) ? 52 / 12 : undefined;
}

/** Each restore test: its job, and the database it restores running Single-AZ for the validation window and an hour to restore. */
function priceRestoreTests(selection: CostedResource, byAddress: Map<string, CostedResource>, prices: RegionPrices, line: Line, unpriced: string[]): void {
  const plan = referenced(selection, "restore_testing_plan_name", "aws_backup_restore_testing_plan", byAddress);
  const tests = restoreTestsPerMonth(plan?.values.schedule_expression);
  if (tests === undefined) {
    unpriced.push(`${selection.address}: restore tests on schedule ${String(plan?.values.schedule_expression)}`);
    return;
  }
  line(selection.address, `${tests.toFixed(2)} restore tests a month`, tests * prices.restoreTestJob);
  const db = referenced(selection, "protected_resource_arns", "aws_db_instance", byAddress);
  const hourly = db?.values.engine === "mysql" ? prices.rdsMysqlInstanceHour[db.values.instance_class] : undefined;
  if (hourly === undefined) {
    unpriced.push(`${selection.address}: the restored instance`);
    return;
  }
  const each = Number(selection.values.validation_window_hours ?? 0) + 1;
  line(selection.address, `restored RDS ${db!.values.instance_class}, Single-AZ, ${each} h per test`, tests * each * hourly);
}

/** The managed resources of a plan, with their values before or after it (resources absent on that side left out). */
export function planResources(plan: TerraformPlanJson, side: "before" | "after"): CostedResource[] {
  const references = planReferences(plan);
  return (plan.resource_changes ?? [])
    .filter((change) => change.mode === "managed" && change.change[side])
    .map((change) => ({
      address: change.address,
      type: change.type,
      values: change.change[side] as Record<string, any>,
      references: references.get(change.address) ?? {},
    }));
}

/** Per resource of the plan's configuration, per attribute: the resources its expressions refer to (data sources left out). */
export function planReferences(plan: TerraformPlanJson): Map<string, Record<string, string[]>> {
  const found = new Map<string, Record<string, string[]>>();
  const resources = ((plan.configuration as any)?.root_module?.resources ?? []) as { address: string; expressions?: Record<string, unknown> }[];
  for (const resource of resources) {
    const byAttribute: Record<string, string[]> = {};
    for (const [attribute, expression] of Object.entries(resource.expressions ?? {})) {
      const addresses = new Set<string>();
      const visit = (node: any) => {
        if (Array.isArray(node)) node.forEach(visit);
        else if (node && typeof node === "object") {
          if (Array.isArray(node.references)) {
            for (const reference of node.references as string[]) if (!reference.startsWith("data.")) addresses.add(reference.split(".").slice(0, 2).join("."));
          } else Object.values(node).forEach(visit);
        }
      };
      visit(expression);
      if (addresses.size > 0) byAttribute[attribute] = [...addresses];
    }
    found.set(resource.address, byAttribute);
  }
  return found;
}

/** The resources of a synthesized configuration (cdk.tf.json), with the `${…}` references of each attribute. */
export function documentResources(document: { resource?: Record<string, Record<string, any>> }): CostedResource[] {
  const resources: CostedResource[] = [];
  for (const [type, byName] of Object.entries(document.resource ?? {})) {
    for (const [name, values] of Object.entries(byName)) {
      const references: Record<string, string[]> = {};
      for (const [attribute, value] of Object.entries(values)) {
        const addresses = [...JSON.stringify(value).matchAll(/\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)\./g)]
          .map((match) => match[1])
          .filter((a) => !a.startsWith("data."));
        if (addresses.length > 0) references[attribute] = [...new Set(addresses)];
      }
      resources.push({ address: `${type}.${name}`, type, values: normalisedBlocks(values), references });
    }
  }
  return resources;
}

/** cdktf writes a single nested block as an object; the plan always as a list. Priced attributes read the plan's shape. */
function normalisedBlocks(values: Record<string, any>): Record<string, any> {
  const result: Record<string, any> = { ...values };
  if (result.block_device_mappings && !Array.isArray(result.block_device_mappings)) result.block_device_mappings = [result.block_device_mappings];
  return result;
}

/** One line of a comparison: the same item before and after, by address and item. */
export interface CostDeltaLine {
  readonly address: string;
  readonly item: string;
  readonly before: number;
  readonly after: number;
}

export interface CostDelta {
  readonly lines: CostDeltaLine[];
  readonly before: number;
  readonly after: number;
  readonly delta: number;
}

/**
 * What changes between two estimates, line by line: matched by address and
 * by what the line charges for (its item without the quantities), so a
 * bigger database class shows as one line changing.
 */
export function costDelta(before: CostEstimate, after: CostEstimate, options: { unchanged?: boolean } = {}): CostDelta {
  const key = (costLine: CostLine) => `${costLine.address} ${lineKind(costLine.item)}`;
  const keys = [...new Set([...before.lines.map(key), ...after.lines.map(key)])];
  const sum = (lines: CostLine[], wanted: string) =>
    round(lines.filter((costLine) => key(costLine) === wanted).reduce((total, costLine) => total + costLine.monthly, 0));
  const lines = keys
    .map((wanted) => {
      const item = (after.lines.find((costLine) => key(costLine) === wanted) ?? before.lines.find((costLine) => key(costLine) === wanted))!;
      const beforeItem = before.lines.find((costLine) => key(costLine) === wanted)?.item;
      return {
        address: item.address,
        item: beforeItem && beforeItem !== item.item ? `${beforeItem} -> ${item.item}` : item.item,
        before: sum(before.lines, wanted),
        after: sum(after.lines, wanted),
      };
    })
    .filter((costLine) => options.unchanged || costLine.before !== costLine.after);
  return { lines, before: before.total, after: after.total, delta: round(after.total - before.total) };
}

/** What a line charges for, without class, size or count: `RDS storage` for `RDS gp3 storage 40 GiB, Multi-AZ`. */
function lineKind(item: string): string {
  if (item.startsWith("RDS") && item.includes("storage")) return "rds-storage";
  if (item.startsWith("RDS")) return "rds-instance";
  if (item.includes("x EC2")) return "ec2";
  if (item.includes("x EBS")) return "ebs";
  if (item.includes("alarm reading")) return item.startsWith("high-resolution") ? "alarm-high-resolution" : "alarm";
  return item.replace(/\d+/g, "#");
}

/** Dollars as the review shows them. */
export function dollars(value: number, signed = false): string {
  const text = `$${Math.abs(value).toFixed(2)}`;
  if (!signed) return value < 0 ? `-${text}` : text;
  return value < 0 ? `-${text}` : `+${text}`;
}
