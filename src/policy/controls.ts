import type { EnvironmentSettings } from "../config/schema";
import { ELB_LOG_DELIVERY_ACCOUNTS, ELB_LOG_DELIVERY_SERVICE } from "../constructs/access-log-bucket";
import {
  type Block,
  blockList,
  firstBlock,
  identityPolicies,
  isFalse,
  isTrue,
  managedPolicyAttachments,
  type PolicyStatement,
  pointsAt,
  readPolicy,
  referencedBlock,
  resources,
  show,
  subnetZones,
  type TerraformDocument,
} from "../terraform/document";
import { monitoringControls } from "./monitoring-controls";

/**
 * The security and resilience controls platform teams scan for (checkov,
 * trivy, AWS Security Hub FSBP), each named by its public ids, as checks over
 * a synthesized Terraform document. A check returns what violates the
 * control; an empty list means the control is met. Controls without a public
 * id carry the project's own `INV-...` id.
 */

/** What a control is checked against: the inventory stack of an environment, or the state bootstrap stack. */
export type ControlScope = "inventory" | "state";

/** One synthesized stack under check. */
export interface Target {
  /** Environment name (`default`, `lab-start`, ...), `hardened`, or `state-bootstrap`. */
  readonly name: string;
  readonly scope: ControlScope;
  readonly region: string;
  readonly document: TerraformDocument;
  /** The settings the stack was built from (inventory targets only). */
  readonly settings?: EnvironmentSettings;
}

/** One violation: the Terraform address it is about, and what is wrong. */
export interface Finding {
  /** `aws_lb.load_balancer_alb`, or `(configuration)` for something missing altogether. */
  readonly address: string;
  readonly problem: string;
}

export interface Control {
  /** The id exceptions name: checkov's where it has one, else Security Hub's, else the project's. */
  readonly id: string;
  /** The same control's ids in other catalogues (Security Hub FSBP). */
  readonly aliases: readonly string[];
  /** What the control requires, as the test names it. */
  readonly title: string;
  readonly scopes: readonly ControlScope[];
  /** How an environment turns the control on when it is optional (for docs/security.md). */
  readonly turnOn?: string;
  /** Why the project does not offer the control at all (it is waived in every environment). */
  readonly unavailable?: string;
  check(target: Target): Finding[];
}

/** The test name of a control: every id, then the title (`CKV_AWS_131 / ELB.4 ALB drops invalid header fields`). */
export function controlName(control: Control): string {
  return `${[control.id, ...control.aliases].join(" / ")} ${control.title}`;
}

export function formatFinding(finding: Finding): string {
  return `${finding.address}: ${finding.problem}`;
}

const CONFIGURATION = "(configuration)";

/** Findings for every block failing `problem`, or one finding when there is no block at all and one is required. */
function everyBlock(blocks: Block[], what: string, required: boolean, problem: (block: Block) => string | string[] | undefined): Finding[] {
  if (blocks.length === 0) return required ? [{ address: CONFIGURATION, problem: `has no ${what}` }] : [];
  return blocks.flatMap((block) => {
    const result = problem(block);
    const problems = result === undefined ? [] : Array.isArray(result) ? result : [result];
    return problems.map((text) => ({ address: block.address, problem: text }));
  });
}

// ---------------------------------------------------------------- load balancer

const applicationLoadBalancers = (document: TerraformDocument) =>
  [...resources(document, "aws_lb"), ...resources(document, "aws_alb")].filter((block) => (block.config.load_balancer_type ?? "application") === "application");

const listenersOf = (document: TerraformDocument, loadBalancer: Block) =>
  [...resources(document, "aws_lb_listener"), ...resources(document, "aws_alb_listener")].filter((listener) =>
    pointsAt(document, listener.config.load_balancer_arn, loadBalancer),
  );

/** Every listener of every ALB; an ALB without listeners is itself a finding. */
function everyListener(document: TerraformDocument, problem: (listener: Block) => string | undefined): Finding[] {
  return everyBlock(applicationLoadBalancers(document), "application load balancer", true, (loadBalancer) => {
    const listeners = listenersOf(document, loadBalancer);
    if (listeners.length === 0) return "has no listener";
    return listeners.flatMap((listener) => {
      const text = problem(listener);
      return text ? [`listener ${listener.address} ${text}`] : [];
    });
  });
}

const redirectsToHttps = (listener: Block) =>
  blockList(listener.config.default_action).some((action) => action.type === "redirect" && firstBlock(action.redirect)?.protocol === "HTTPS");

// ELB security policies that accept TLS 1.2 and newer only.
const TLS12_POLICY = /^ELBSecurityPolicy-(TLS13-1-[23]-|TLS-1-2-|FS-1-2-)/;

/** The S3 bucket a load balancer's access logs go to, and the bucket policy the load balancer waits for. */
function accessLogDestination(document: TerraformDocument, value: unknown): { bucket?: Block; policy?: Block } {
  // Not followed: whether the load balancer takes the name from the policy is the point.
  const target = referencedBlock(document, value, { follow: false });
  if (target?.type === "aws_s3_bucket_policy") return { bucket: referencedBlock(document, target.config.bucket), policy: target };
  if (target?.type === "aws_s3_bucket") return { bucket: target };
  return {};
}

/** Whether a policy resource is the bucket's ARN (`${aws_s3_bucket.x.arn}`, or the literal ARN of a fixed name), plus `suffix`. */
function isBucketArn(resource: string, bucket: Block, suffix = ""): boolean {
  if (resource === `\${${bucket.address}.arn}${suffix}`) return true;
  const name = bucket.config.bucket;
  return (
    typeof name === "string" &&
    !name.includes("${") &&
    new RegExp(`^arn:aws[a-z-]*:s3:::${name.replace(/\./g, "\\.")}${suffix.replace(/\*/g, "\\*")}$`).test(resource)
  );
}

function elbCanWrite(statement: PolicyStatement, region: string, bucket: Block): boolean {
  const account = ELB_LOG_DELIVERY_ACCOUNTS[region];
  const principal = statement.principals.some((candidate) =>
    account
      ? candidate.type === "AWS" && candidate.identifiers.some((identifier) => identifier === account || identifier.endsWith(`::${account}:root`))
      : candidate.type === "Service" && candidate.identifiers.includes(ELB_LOG_DELIVERY_SERVICE),
  );
  const objects = statement.resources.some(
    (resource) => resource.startsWith(`\${${bucket.address}.arn}/`) || (resource.includes("/") && isBucketArn(resource.split("/")[0], bucket)),
  );
  return statement.effect === "Allow" && principal && objects && statement.actions.some((action) => action === "s3:PutObject" || action === "s3:*");
}

const loadBalancerControls: Control[] = [
  {
    id: "CKV_AWS_131",
    aliases: ["ELB.4"],
    title: "ALB drops invalid header fields",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(applicationLoadBalancers(document), "application load balancer", true, (alb) =>
        isTrue(alb.config.drop_invalid_header_fields) ? undefined : `drop_invalid_header_fields is ${show(alb.config.drop_invalid_header_fields)}, not true`,
      ),
  },
  {
    id: "CKV_AWS_328",
    aliases: ["ELB.12"],
    title: "ALB desync mitigation is defensive or strictest, never monitor",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(applicationLoadBalancers(document), "application load balancer", true, (alb) =>
        ["defensive", "strictest"].includes(alb.config.desync_mitigation_mode)
          ? undefined
          : `desync_mitigation_mode is ${show(alb.config.desync_mitigation_mode)}; set defensive or strictest explicitly`,
      ),
  },
  {
    id: "CKV_AWS_150",
    aliases: ["ELB.6"],
    title: "ALB has deletion protection",
    scopes: ["inventory"],
    turnOn: "on by default; `loadBalancer.deletionProtection: false` turns it off (only to destroy)",
    check: ({ document }) =>
      everyBlock(applicationLoadBalancers(document), "application load balancer", true, (alb) =>
        isTrue(alb.config.enable_deletion_protection) ? undefined : `enable_deletion_protection is ${show(alb.config.enable_deletion_protection)}, not true`,
      ),
  },
  {
    id: "CKV_AWS_91",
    aliases: ["ELB.5"],
    title: "ALB writes access logs to an S3 bucket ELB log delivery may write to",
    scopes: ["inventory"],
    turnOn: "on by default; `loadBalancer.accessLogs.enabled`",
    check: ({ document, region }) =>
      everyBlock(applicationLoadBalancers(document), "application load balancer", true, (alb) => {
        const logs = firstBlock(alb.config.access_logs);
        if (!logs || !isTrue(logs.enabled)) return `access_logs is ${show(logs)}, not enabled`;
        const { bucket, policy: waitedFor } = accessLogDestination(document, logs.bucket);
        if (!bucket) return `access_logs.bucket ${show(logs.bucket)} is not a bucket of this configuration, so its policy cannot be checked`;
        const policies = resources(document, "aws_s3_bucket_policy").filter((policy) => pointsAt(document, policy.config.bucket, bucket));
        const writable = policies.some((policy) => {
          const reading = readPolicy(policy.config.policy);
          return "statements" in reading && reading.statements.some((statement) => elbCanWrite(statement, region, bucket));
        });
        const problems: string[] = [];
        if (!writable) problems.push(`no policy of ${bucket.address} lets the ${region} ELB log delivery principal put objects in it`);
        const dependsOn = blockList(alb.config.depends_on).map(String);
        if (!waitedFor && !policies.some((policy) => dependsOn.includes(policy.address))) {
          problems.push(`does not wait for the bucket policy of ${bucket.address}; AWS refuses to turn on access logs it cannot write`);
        }
        return problems;
      }),
  },
  {
    id: "CKV_AWS_2",
    aliases: [],
    title: "ALB listeners use HTTPS, or redirect to it",
    scopes: ["inventory"],
    turnOn: "set `loadBalancer.certificateArn` (an ACM certificate in the environment's region)",
    check: ({ document }) =>
      everyListener(document, (listener) =>
        listener.config.protocol === "HTTPS" || redirectsToHttps(listener) ? undefined : `is ${show(listener.config.protocol)} and does not redirect to HTTPS`,
      ),
  },
  {
    id: "CKV2_AWS_20",
    aliases: ["ELB.1"],
    title: "ALB redirects HTTP to HTTPS",
    scopes: ["inventory"],
    turnOn: "set `loadBalancer.certificateArn`: HTTP:80 then answers 301 to HTTPS:443",
    check: ({ document }) =>
      everyBlock(applicationLoadBalancers(document), "application load balancer", true, (alb) => {
        const listeners = listenersOf(document, alb);
        const problems = listeners
          .filter((listener) => listener.config.protocol === "HTTP" && !redirectsToHttps(listener))
          .map((listener) => `HTTP listener ${listener.address} does not redirect to HTTPS`);
        if (!listeners.some((listener) => listener.config.protocol === "HTTPS")) problems.push("has no HTTPS listener to redirect to");
        return problems;
      }),
  },
  {
    id: "CKV_AWS_103",
    aliases: [],
    title: "ALB HTTPS listeners accept TLS 1.2 and newer only",
    scopes: ["inventory"],
    turnOn: "set `loadBalancer.certificateArn`; `loadBalancer.sslPolicy` picks the TLS 1.2+/1.3 policy",
    check: ({ document }) =>
      everyListener(document, (listener) => {
        if (listener.config.protocol === "HTTPS")
          return TLS12_POLICY.test(listener.config.ssl_policy ?? "")
            ? undefined
            : `uses ssl_policy ${show(listener.config.ssl_policy)}, which allows TLS below 1.2`;
        return redirectsToHttps(listener) ? undefined : `is ${show(listener.config.protocol)}: no TLS at all`;
      }),
  },
  {
    id: "ELB.13",
    aliases: [],
    title: "ALB spans two or more availability zones",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(applicationLoadBalancers(document), "application load balancer", true, (alb) => {
        const { zones, problems } = subnetZones(document, alb.config.subnets ?? blockList(alb.config.subnet_mapping).map((mapping) => mapping.subnet_id));
        return zones.length >= 2 ? problems : [...problems, `is in ${zones.length} zone(s) (${zones.join(", ")})`];
      }),
  },
  {
    id: "CKV_AWS_261",
    aliases: [],
    title: "Target group health check requests a path",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock([...resources(document, "aws_lb_target_group"), ...resources(document, "aws_alb_target_group")], "target group", true, (group) => {
        const health = firstBlock(group.config.health_check);
        if (!health || isFalse(health.enabled)) return "has no enabled health_check";
        return typeof health.path === "string" && health.path.startsWith("/") ? undefined : `health_check.path is ${show(health.path)}`;
      }),
  },
  {
    id: "INV-TG-1",
    aliases: [],
    title: "Target group drains deregistering targets in 60 s or less (AWS default 300 s)",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock([...resources(document, "aws_lb_target_group"), ...resources(document, "aws_alb_target_group")], "target group", true, (group) => {
        const delay = Number(group.config.deregistration_delay);
        return group.config.deregistration_delay !== undefined && delay <= 60
          ? undefined
          : `deregistration_delay is ${show(group.config.deregistration_delay)}`;
      }),
  },
];

// ---------------------------------------------------------------- app servers

const launchTemplates = (document: TerraformDocument) => resources(document, "aws_launch_template");
const autoScalingGroups = (document: TerraformDocument) => resources(document, "aws_autoscaling_group");

/** Secrets that must never sit in user data: AWS keys, private keys, passwords. */
const USER_DATA_SECRETS: [string, RegExp][] = [
  ["an AWS access key id", /\b(AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b/],
  ["an AWS secret access key", /aws_secret_access_key|AWS_SECRET_ACCESS_KEY/],
  ["a private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  // A literal value after password=, not a variable, placeholder or command that fetches it at boot.
  ["a password", /(password|passwd|pwd)\w*['"]?\s*[=:]\s*['"]?(?![$%{(<])[^\s'"\\]{4,}/i],
];

const appServerControls: Control[] = [
  {
    id: "CKV_AWS_79",
    aliases: ["EC2.170"],
    title: "Launch template requires IMDSv2",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(launchTemplates(document), "launch template", true, (template) => {
        const metadata = firstBlock(template.config.metadata_options);
        if (metadata?.http_endpoint === "disabled") return undefined;
        return metadata?.http_tokens === "required" ? undefined : `metadata_options.http_tokens is ${show(metadata?.http_tokens)}, not required`;
      }),
  },
  {
    id: "CKV_AWS_341",
    aliases: [],
    title: "Launch template keeps the metadata hop limit at 1",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(launchTemplates(document), "launch template", true, (template) => {
        const limit = firstBlock(template.config.metadata_options)?.http_put_response_hop_limit;
        return limit !== undefined && Number(limit) <= 1 ? undefined : `metadata_options.http_put_response_hop_limit is ${show(limit)}, not 1`;
      }),
  },
  {
    id: "CKV_AWS_88",
    aliases: ["EC2.25"],
    title: "App servers get no public IP address",
    scopes: ["inventory"],
    check: ({ document }) => [
      ...everyBlock(launchTemplates(document), "launch template", true, (template) =>
        blockList(template.config.network_interfaces)
          .filter((nic) => isTrue(nic.associate_public_ip_address))
          .map(() => "a network interface sets associate_public_ip_address"),
      ),
      ...everyBlock(resources(document, "aws_instance"), "instance", false, (instance) =>
        isTrue(instance.config.associate_public_ip_address) ? "sets associate_public_ip_address" : undefined,
      ),
      ...everyBlock(autoScalingGroups(document), "Auto Scaling group", true, (group) =>
        blockList(group.config.vpc_zone_identifier)
          .map((id) => referencedBlock(document, id))
          .filter((subnet) => subnet?.type === "aws_subnet" && !isFalse(subnet.config.map_public_ip_on_launch))
          .map((subnet) => `launches into ${subnet!.address}, which may give instances a public IP`),
      ),
    ],
  },
  {
    id: "EC2.181",
    aliases: [],
    title: "Launch template encrypts its EBS volumes",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(launchTemplates(document), "launch template", true, (template) => {
        const mappings = blockList(template.config.block_device_mappings).filter((mapping) => mapping.ebs !== undefined);
        if (mappings.length === 0) return "names no EBS volume, so the root volume is encrypted only if the AMI's is";
        return mappings
          .filter((mapping) => !isTrue(firstBlock(mapping.ebs).encrypted))
          .map((mapping) => `volume ${show(mapping.device_name)} is not encrypted`);
      }),
  },
  {
    id: "CKV_AWS_46",
    aliases: [],
    title: "No secrets in user data",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock([...launchTemplates(document), ...resources(document, "aws_instance")], "launch template", true, (block) => {
        const userData = String(block.config.user_data ?? "");
        return USER_DATA_SECRETS.filter(([, pattern]) => pattern.test(userData)).map(([what]) => `user_data holds ${what}`);
      }),
  },
  {
    id: "CKV_AWS_315",
    aliases: ["AutoScaling.9"],
    title: "ASG launches from a launch template at a pinned version",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(autoScalingGroups(document), "Auto Scaling group", true, (group) => {
        if (group.config.launch_configuration !== undefined) return "uses a launch configuration";
        const template = firstBlock(group.config.launch_template);
        if (!template) return "has no launch_template";
        const version = template.version;
        return version === undefined || version === "$Latest" || version === "$Default" ? `launch_template.version is ${show(version)}, not pinned` : undefined;
      }),
  },
  {
    id: "AutoScaling.1",
    aliases: [],
    title: "ASG replaces servers the load balancer finds unhealthy",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(autoScalingGroups(document), "Auto Scaling group", true, (group) => {
        const problems: string[] = [];
        if (group.config.health_check_type !== "ELB") problems.push(`health_check_type is ${show(group.config.health_check_type)}, not ELB`);
        if (blockList(group.config.target_group_arns).length === 0 && blockList(group.config.load_balancers).length === 0)
          problems.push("is attached to no load balancer");
        return problems;
      }),
  },
  {
    id: "AutoScaling.2",
    aliases: [],
    title: "ASG spans two or more availability zones",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(autoScalingGroups(document), "Auto Scaling group", true, (group) => {
        const { zones, problems } = subnetZones(document, group.config.vpc_zone_identifier);
        return zones.length >= 2 ? problems : [...problems, `is in ${zones.length} zone(s) (${zones.join(", ")})`];
      }),
  },
  {
    id: "CKV_AWS_153",
    aliases: [],
    title: "ASG tags the instances it launches",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(autoScalingGroups(document), "Auto Scaling group", true, (group) => {
        const tags = blockList(group.config.tag);
        if (tags.length === 0) return "has no tag blocks";
        const problems = tags.filter((tag) => !isTrue(tag.propagate_at_launch)).map((tag) => `tag ${show(tag.key)} does not propagate at launch`);
        if (!tags.some((tag) => tag.key === "Name")) problems.push("gives instances no Name tag");
        return problems;
      }),
  },
  {
    id: "INV-ASG-1",
    aliases: [],
    title: "ASG rolls a new launch template version through an instance refresh",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(autoScalingGroups(document), "Auto Scaling group", true, (group) =>
        firstBlock(group.config.instance_refresh)?.strategy === "Rolling" ? undefined : `instance_refresh is ${show(group.config.instance_refresh)}`,
      ),
  },
];

// ---------------------------------------------------------------- database

const databases = (document: TerraformDocument) => resources(document, "aws_db_instance");

/** A database setting that must be exactly `expected` (stated explicitly, not left to a default). */
function databaseSetting(attribute: string, expected: boolean): (target: Target) => Finding[] {
  return ({ document }) =>
    everyBlock(databases(document), "database instance", true, (db) =>
      (expected ? isTrue : isFalse)(db.config[attribute]) ? undefined : `${attribute} is ${show(db.config[attribute])}, not ${expected}`,
    );
}

/** The parameters of the parameter group a database uses, or why they cannot be read. */
function databaseParameters(document: TerraformDocument, db: Block): Map<string, string> | string {
  const group = referencedBlock(document, db.config.parameter_group_name);
  if (!group || group.type !== "aws_db_parameter_group")
    return `parameter_group_name is ${show(db.config.parameter_group_name)}, not a parameter group of this configuration`;
  return new Map(blockList(group.config.parameter).map((parameter) => [String(parameter.name), String(parameter.value)]));
}

/** MySQL logs RDS exports only when the server writes them, and the parameter that makes it. */
const LOG_PARAMETERS: Record<string, string> = { slowquery: "slow_query_log", general: "general_log" };

const databaseControls: Control[] = [
  { id: "CKV_AWS_16", aliases: ["RDS.3"], title: "RDS storage is encrypted", scopes: ["inventory"], check: databaseSetting("storage_encrypted", true) },
  {
    id: "CKV_AWS_17",
    aliases: ["RDS.2"],
    title: "RDS is not publicly accessible",
    scopes: ["inventory"],
    check: databaseSetting("publicly_accessible", false),
  },
  {
    id: "CKV_AWS_157",
    aliases: ["RDS.5"],
    title: "RDS is Multi-AZ",
    scopes: ["inventory"],
    turnOn: "on by default; `database.multiAz`",
    check: databaseSetting("multi_az", true),
  },
  {
    id: "CKV_AWS_133",
    aliases: ["RDS.11"],
    title: "RDS keeps 7 or more days of backups",
    scopes: ["inventory"],
    turnOn: "7 days by default; `database.backupRetentionDays`",
    check: ({ document }) =>
      everyBlock(databases(document), "database instance", true, (db) =>
        Number(db.config.backup_retention_period ?? 0) >= 7 ? undefined : `backup_retention_period is ${show(db.config.backup_retention_period)}`,
      ),
  },
  {
    id: "CKV_AWS_293",
    aliases: ["RDS.8"],
    title: "RDS has deletion protection",
    scopes: ["inventory"],
    turnOn: "on by default; `database.deletionProtection: false` turns it off (only to destroy)",
    check: databaseSetting("deletion_protection", true),
  },
  {
    id: "CKV_AWS_129",
    aliases: [],
    title: "RDS exports its logs to CloudWatch Logs, and the server writes them",
    scopes: ["inventory"],
    turnOn: "error and slowquery by default; `database.logExports`",
    check: ({ document }) =>
      everyBlock(databases(document), "database instance", true, (db) => {
        const exports = blockList(db.config.enabled_cloudwatch_logs_exports).map(String);
        if (!exports.includes("error")) return `enabled_cloudwatch_logs_exports is ${show(db.config.enabled_cloudwatch_logs_exports)}, without the error log`;
        const parameters = databaseParameters(document, db);
        if (typeof parameters === "string") return parameters;
        const problems = exports
          .filter((log) => LOG_PARAMETERS[log] && parameters.get(LOG_PARAMETERS[log]) !== "1")
          .map((log) => `exports the ${log} log but its parameter group does not set ${LOG_PARAMETERS[log]} = 1, so nothing arrives`);
        if (exports.includes("audit")) {
          const options = referencedBlock(document, db.config.option_group_name);
          const audit =
            options?.type === "aws_db_option_group" && blockList(options.config.option).some((option) => option.option_name === "MARIADB_AUDIT_PLUGIN");
          if (!audit) problems.push("exports the audit log without an option group holding MARIADB_AUDIT_PLUGIN, so nothing arrives");
        }
        return problems;
      }),
  },
  {
    id: "RDS.9",
    aliases: [],
    title: "RDS for MySQL exports the audit, error, general and slow query logs",
    scopes: ["inventory"],
    unavailable: "partly: `database.logExports` can add `general`; the audit log (MariaDB Audit Plugin option group) is not offered",
    check: ({ document }) =>
      everyBlock(databases(document), "database instance", true, (db) => {
        const exports = blockList(db.config.enabled_cloudwatch_logs_exports).map(String);
        const missing = ["audit", "error", "general", "slowquery"].filter((log) => !exports.includes(log));
        return missing.length === 0 ? undefined : `does not export ${missing.join(", ")}`;
      }),
  },
  {
    id: "CKV_AWS_226",
    aliases: ["RDS.13"],
    title: "RDS applies minor engine upgrades automatically",
    scopes: ["inventory"],
    check: databaseSetting("auto_minor_version_upgrade", true),
  },
  {
    id: "CKV2_AWS_60",
    aliases: ["RDS.17"],
    title: "RDS copies tags to snapshots",
    scopes: ["inventory"],
    check: databaseSetting("copy_tags_to_snapshot", true),
  },
  {
    id: "CKV2_AWS_69",
    aliases: [],
    title: "RDS requires TLS through its parameter group",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(databases(document), "database instance", true, (db) => {
        const parameters = databaseParameters(document, db);
        if (typeof parameters === "string") return parameters;
        return ["1", "ON"].includes(parameters.get("require_secure_transport") ?? "")
          ? undefined
          : `its parameter group sets require_secure_transport to ${show(parameters.get("require_secure_transport"))}`;
      }),
  },
  {
    id: "CKV_AWS_118",
    aliases: ["RDS.6"],
    title: "RDS has Enhanced Monitoring",
    scopes: ["inventory"],
    turnOn: "every 60 s by default; `database.monitoringIntervalSeconds`",
    check: ({ document }) =>
      everyBlock(databases(document), "database instance", true, (db) => {
        if (!(Number(db.config.monitoring_interval ?? 0) > 0)) return `monitoring_interval is ${show(db.config.monitoring_interval)}`;
        return db.config.monitoring_role_arn ? undefined : "has no monitoring_role_arn";
      }),
  },
];

// ---------------------------------------------------------------- network

const ANYWHERE = ["0.0.0.0/0", "::/0"];

const networkControls: Control[] = [
  {
    id: "CKV2_AWS_11",
    aliases: ["EC2.6"],
    title: "VPC records flow logs",
    scopes: ["inventory"],
    turnOn: "on by default; `network.flowLogs.enabled`",
    check: ({ document }) =>
      everyBlock(resources(document, "aws_vpc"), "VPC", true, (vpc) => {
        const logs = resources(document, "aws_flow_log").filter((log) => pointsAt(document, log.config.vpc_id, vpc));
        if (logs.length === 0) return "has no flow log";
        return logs.some((log) => ["ALL", "REJECT"].includes(log.config.traffic_type)) ? undefined : "no flow log records rejected traffic";
      }),
  },
  {
    id: "CKV2_AWS_12",
    aliases: ["EC2.2"],
    title: "VPC default security group has no rules",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(resources(document, "aws_vpc"), "VPC", true, (vpc) => {
        const [group, ...others] = resources(document, "aws_default_security_group").filter((candidate) => pointsAt(document, candidate.config.vpc_id, vpc));
        if (!group) return "leaves its default security group unmanaged, with AWS's allow rules";
        const problems = others.map((other) => `has a second default security group ${other.address}`);
        if (blockList(group.config.ingress).length > 0 || blockList(group.config.egress).length > 0)
          problems.push(`default security group ${group.address} has rules`);
        for (const type of ["aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"]) {
          for (const rule of resources(document, type).filter((candidate) => pointsAt(document, candidate.config.security_group_id, group)))
            problems.push(`${rule.address} adds a rule to the default security group`);
        }
        return problems;
      }),
  },
  {
    id: "CKV_AWS_130",
    aliases: ["EC2.15"],
    title: "No subnet assigns public IP addresses on launch",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(resources(document, "aws_subnet"), "subnet", true, (subnet) =>
        isFalse(subnet.config.map_public_ip_on_launch) ? undefined : `map_public_ip_on_launch is ${show(subnet.config.map_public_ip_on_launch)}, not false`,
      ),
  },
  {
    id: "CKV_AWS_23",
    aliases: [],
    title: "Every security group and rule has a description",
    scopes: ["inventory"],
    check: ({ document }) => {
      const described = (value: unknown) => typeof value === "string" && value.trim() !== "" && value !== "Managed by Terraform";
      return [
        ...everyBlock(resources(document, "aws_security_group"), "security group", true, (group) => [
          ...(described(group.config.description) ? [] : [`description is ${show(group.config.description)}`]),
          ...[...blockList(group.config.ingress), ...blockList(group.config.egress)]
            .filter((rule) => !described(rule.description))
            .map(() => "an inline rule has no description"),
        ]),
        ...["aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"].flatMap((type) =>
          everyBlock(resources(document, type), type, false, (rule) => (described(rule.config.description) ? undefined : "has no description")),
        ),
      ];
    },
  },
  {
    id: "CKV_AWS_382",
    aliases: [],
    title: "No all-protocol egress; each egress rule names one protocol and port",
    scopes: ["inventory"],
    check: ({ document }) => {
      type Egress = { address: string; protocol: string; from: unknown; to: unknown; cidrs: string[] };
      const rules: Egress[] = [
        ...resources(document, "aws_vpc_security_group_egress_rule").map((rule) => ({
          address: rule.address,
          protocol: String(rule.config.ip_protocol),
          from: rule.config.from_port,
          to: rule.config.to_port,
          cidrs: [rule.config.cidr_ipv4, rule.config.cidr_ipv6].filter(Boolean),
        })),
        ...resources(document, "aws_security_group_rule")
          .filter((rule) => rule.config.type === "egress")
          .map((rule) => ({
            address: rule.address,
            protocol: String(rule.config.protocol),
            from: rule.config.from_port,
            to: rule.config.to_port,
            cidrs: [...blockList(rule.config.cidr_blocks), ...blockList(rule.config.ipv6_cidr_blocks)],
          })),
        ...resources(document, "aws_security_group").flatMap((group) =>
          blockList(group.config.egress).map((rule) => ({
            address: group.address,
            protocol: String(rule.protocol),
            from: rule.from_port,
            to: rule.to_port,
            cidrs: [...blockList(rule.cidr_blocks), ...blockList(rule.ipv6_cidr_blocks)],
          })),
        ),
      ];
      return rules.flatMap((rule): Finding[] => {
        if (["-1", "all"].includes(rule.protocol)) {
          const where = rule.cidrs.some((cidr) => ANYWHERE.includes(cidr)) ? " to anywhere" : "";
          return [{ address: rule.address, problem: `allows every protocol${where}` }];
        }
        if (!["tcp", "udp", "6", "17"].includes(rule.protocol) || rule.from === undefined || Number(rule.from) !== Number(rule.to)) {
          return [{ address: rule.address, problem: `allows ${rule.protocol} ports ${show(rule.from)}-${show(rule.to)}, more than one port` }];
        }
        return [];
      });
    },
  },
];

// ---------------------------------------------------------------- IAM

/**
 * AWS managed policies the project attaches, reviewed by hand: their text
 * is AWS's and not in the synthesized JSON, so the `*` checks cannot read it.
 * Any other AWS managed policy fails CKV_AWS_274 until it is reviewed here.
 */
export const REVIEWED_MANAGED_POLICIES: Readonly<Record<string, string>> = {
  AmazonSSMManagedInstanceCore:
    "Session Manager instead of SSH (no key pair, no port 22). AWS's minimal policy for the SSM agent; its few `Resource: *` statements are for ssm, ssmmessages and ec2messages actions that have no resource-level permissions.",
  "service-role/AmazonRDSEnhancedMonitoringRole": "Lets RDS publish Enhanced Monitoring metrics: CloudWatch Logs actions on the RDSOSMetrics log group only.",
};

const MANAGED_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/;

const wildcardAction = (action: string) => action === "*" || /^[a-z0-9-]+:\*$/i.test(action);

const iamControls: Control[] = [
  {
    id: "CKV_AWS_62",
    aliases: ["CKV_AWS_63", "CKV_AWS_355", "CKV_AWS_290"],
    title: "IAM policies allow no `*` action and no `*` resource",
    scopes: ["inventory", "state"],
    check: ({ document }) =>
      identityPolicies(document).flatMap(({ address, description, reading }): Finding[] => {
        if ("problem" in reading) return [{ address, problem: `${description}: ${reading.problem}` }];
        return reading.statements
          .filter((statement) => statement.effect === "Allow")
          .flatMap((statement) => [
            ...statement.actions.filter(wildcardAction).map((action) => `allows action ${action}`),
            ...(statement.notActions.length > 0 ? ["allows NotAction, every action but a few"] : []),
            ...statement.resources.filter((resource) => resource === "*").map(() => `allows ${statement.actions.join(", ")} on resource *`),
            ...(statement.notResources.length > 0 ? ["allows NotResource, every resource but a few"] : []),
          ])
          .map((problem) => ({ address, problem: `${description} ${problem}` }));
      }),
  },
  {
    id: "CKV_AWS_274",
    aliases: [],
    title: "No AdministratorAccess, and AWS managed policies only from the reviewed list",
    scopes: ["inventory", "state"],
    check: ({ document }) =>
      managedPolicyAttachments(document).flatMap(({ address, policyArn, attachedTo }): Finding[] => {
        const managed = MANAGED_POLICY.exec(policyArn)?.[1];
        if (managed === undefined) return [];
        if (managed === "AdministratorAccess") return [{ address, problem: `attaches AdministratorAccess to ${attachedTo}` }];
        return REVIEWED_MANAGED_POLICIES[managed]
          ? []
          : [{ address, problem: `attaches AWS managed policy ${managed} to ${attachedTo}, which is not on the reviewed list` }];
      }),
  },
];

// ---------------------------------------------------------------- S3 and DynamoDB

/** The configuration blocks of `type` that belong to `bucket`. */
const bucketParts = (document: TerraformDocument, type: string, bucket: Block) =>
  resources(document, type).filter(
    (part) => pointsAt(document, part.config.bucket, bucket) || (typeof bucket.config.bucket === "string" && part.config.bucket === bucket.config.bucket),
  );

/** A check over every S3 bucket; the state stack must have one, the inventory stack may have none. */
function everyBucket(problem: (document: TerraformDocument, bucket: Block) => string | string[] | undefined): (target: Target) => Finding[] {
  return ({ document, scope }) => everyBlock(resources(document, "aws_s3_bucket"), "S3 bucket", scope === "state", (bucket) => problem(document, bucket));
}

function encryptionAlgorithms(document: TerraformDocument, bucket: Block): string[] {
  return bucketParts(document, "aws_s3_bucket_server_side_encryption_configuration", bucket).flatMap((configuration) =>
    blockList(configuration.config.rule).map((rule) => String(firstBlock(rule.apply_server_side_encryption_by_default)?.sse_algorithm)),
  );
}

function deniesInsecureTransport(statement: PolicyStatement, bucket: Block): boolean {
  const everyone = statement.principals.some((principal) => principal.identifiers.includes("*") && ["*", "AWS"].includes(principal.type));
  const everything = statement.actions.some((action) => action === "s3:*" || action === "*");
  const covers =
    statement.resources.some((resource) => isBucketArn(resource, bucket)) && statement.resources.some((resource) => isBucketArn(resource, bucket, "/*"));
  const insecure = statement.conditions.some(
    (condition) => condition.test === "Bool" && condition.variable === "aws:SecureTransport" && condition.values.includes("false"),
  );
  return statement.effect === "Deny" && everyone && everything && covers && insecure;
}

const storageControls: Control[] = [
  {
    id: "CKV_AWS_21",
    aliases: ["S3.14"],
    title: "S3 bucket is versioned",
    scopes: ["inventory", "state"],
    check: everyBucket((document, bucket) => {
      const legacy = isTrue(firstBlock(bucket.config.versioning)?.enabled);
      const versioned = bucketParts(document, "aws_s3_bucket_versioning", bucket).some(
        (part) => firstBlock(part.config.versioning_configuration)?.status === "Enabled",
      );
      return legacy || versioned ? undefined : "has no versioning with status Enabled";
    }),
  },
  {
    id: "CKV_AWS_19",
    aliases: [],
    title: "S3 bucket encrypts objects at rest by default",
    scopes: ["inventory", "state"],
    check: everyBucket((document, bucket) => {
      const algorithms = encryptionAlgorithms(document, bucket);
      return algorithms.some((algorithm) => ["AES256", "aws:kms", "aws:kms:dsse"].includes(algorithm))
        ? undefined
        : "has no server-side encryption configuration";
    }),
  },
  {
    id: "CKV_AWS_145",
    aliases: ["S3.17"],
    title: "S3 bucket encrypts objects with a KMS key",
    scopes: ["inventory"],
    unavailable: "not possible for the access log bucket: ALB log delivery supports SSE-S3 only",
    check: everyBucket((document, bucket) => {
      const algorithms = encryptionAlgorithms(document, bucket);
      return algorithms.some((algorithm) => algorithm.startsWith("aws:kms"))
        ? undefined
        : `encrypts with ${algorithms.join(", ") || "nothing configured"}, not KMS`;
    }),
  },
  {
    id: "CKV2_AWS_6",
    aliases: ["S3.8"],
    title: "S3 bucket blocks all public access",
    scopes: ["inventory", "state"],
    check: everyBucket((document, bucket) => {
      const flags = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];
      const blocked = bucketParts(document, "aws_s3_bucket_public_access_block", bucket).some((part) => flags.every((flag) => isTrue(part.config[flag])));
      return blocked ? undefined : "has no public access block with all four settings on";
    }),
  },
  {
    id: "S3.5",
    aliases: [],
    title: "S3 bucket refuses requests without TLS",
    scopes: ["inventory", "state"],
    check: everyBucket((document, bucket) => {
      const policies = bucketParts(document, "aws_s3_bucket_policy", bucket);
      if (policies.length === 0) return "has no bucket policy";
      const problems: string[] = [];
      let denied = false;
      for (const policy of policies) {
        const reading = readPolicy(policy.config.policy);
        if ("problem" in reading) problems.push(`${policy.address}: ${reading.problem}`);
        else denied ||= reading.statements.some((statement) => deniesInsecureTransport(statement, bucket));
      }
      return denied ? undefined : [...problems, "its policy does not deny s3:* on the bucket and its objects when aws:SecureTransport is false"];
    }),
  },
  {
    id: "CKV2_AWS_61",
    aliases: ["S3.13"],
    title: "S3 bucket has a lifecycle configuration",
    scopes: ["inventory"],
    turnOn: "log files expire after `loadBalancer.accessLogs.retentionDays` (90 by default)",
    check: everyBucket((document, bucket) =>
      bucketParts(document, "aws_s3_bucket_lifecycle_configuration", bucket).some((part) =>
        blockList(part.config.rule).some((rule) => rule.status === "Enabled"),
      )
        ? undefined
        : "has no enabled lifecycle rule",
    ),
  },
  {
    id: "CKV2_AWS_65",
    aliases: ["S3.12"],
    title: "S3 bucket has ACLs disabled (bucket owner enforced)",
    scopes: ["inventory"],
    check: everyBucket((document, bucket) =>
      bucketParts(document, "aws_s3_bucket_ownership_controls", bucket).some((part) => firstBlock(part.config.rule)?.object_ownership === "BucketOwnerEnforced")
        ? undefined
        : "does not enforce bucket owner object ownership",
    ),
  },
  {
    id: "CKV_AWS_18",
    aliases: ["S3.9"],
    title: "S3 bucket has server access logging",
    scopes: ["inventory"],
    unavailable: "not offered: needs a second bucket to log into",
    check: everyBucket((document, bucket) => (bucketParts(document, "aws_s3_bucket_logging", bucket).length > 0 ? undefined : "has no server access logging")),
  },
  {
    id: "CKV_AWS_144",
    aliases: ["S3.7"],
    title: "S3 bucket replicates to another region",
    scopes: ["inventory"],
    unavailable: "not offered: needs a bucket in a second region",
    check: everyBucket((document, bucket) =>
      bucketParts(document, "aws_s3_bucket_replication_configuration", bucket).length > 0 ? undefined : "has no replication configuration",
    ),
  },
  {
    id: "CKV2_AWS_62",
    aliases: ["S3.11"],
    title: "S3 bucket sends event notifications",
    scopes: ["inventory"],
    unavailable: "not offered: needs a consumer of the notifications",
    check: everyBucket((document, bucket) =>
      bucketParts(document, "aws_s3_bucket_notification", bucket).length > 0 ? undefined : "has no event notifications",
    ),
  },
  {
    id: "CKV_AWS_28",
    aliases: ["DynamoDB.2"],
    title: "DynamoDB lock table has point-in-time recovery",
    scopes: ["state"],
    check: ({ document, scope }) =>
      everyBlock(resources(document, "aws_dynamodb_table"), "DynamoDB table", scope === "state", (table) =>
        isTrue(firstBlock(table.config.point_in_time_recovery)?.enabled) ? undefined : `point_in_time_recovery is ${show(table.config.point_in_time_recovery)}`,
      ),
  },
  {
    id: "DynamoDB.6",
    aliases: [],
    title: "DynamoDB lock table has deletion protection",
    scopes: ["state"],
    check: ({ document, scope }) =>
      everyBlock(resources(document, "aws_dynamodb_table"), "DynamoDB table", scope === "state", (table) =>
        isTrue(table.config.deletion_protection_enabled) ? undefined : `deletion_protection_enabled is ${show(table.config.deletion_protection_enabled)}`,
      ),
  },
];

/** Every control, in the order docs/security.md lists them. */
export const CONTROLS: readonly Control[] = [
  ...loadBalancerControls,
  ...appServerControls,
  ...databaseControls,
  ...networkControls,
  ...iamControls,
  ...storageControls,
  ...monitoringControls,
];

export function controlsFor(scope: ControlScope): Control[] {
  return CONTROLS.filter((control) => control.scopes.includes(scope));
}
