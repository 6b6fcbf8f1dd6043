import * as fs from "node:fs";
import * as path from "node:path";
import { Testing } from "cdktf";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { type Control, controlName, type Target } from "../../src/policy/control";
import { controlsFor } from "../../src/policy/controls";
import { HARDENED, hardenedSettings, synthInventory } from "../../src/policy/evaluate";
import type { TerraformDocument } from "../../src/terraform/document";
import { PROJECT_ROOT } from "../support/stacks";

// Proof that no control passes vacuously: each protection is broken in a copy
// of the hardened stack (where it holds) and its control must notice; each
// control the hardened stack cannot meet is shown a configuration that
// meets it. The state controls run against a stand-in bootstrap stack built
// from the resource types the bootstrap stack uses.

const settings = hardenedSettings(PROJECT_ROOT);
const hardened = synthInventory(PROJECT_ROOT, settings);

// What each violation's findings say, kept in findings/ and compared line for line: a check that notices the right
// resource but says something wrong of it (an empty problem, another attribute's name, another resource's address)
// changes the kept text, whose diff is reviewed like a plan's.
// After a deliberate change: UPDATE_FINDINGS=1 npx jest __tests__/policy/controls-catch-violations.test.ts
const KEPT_FINDINGS = path.join(__dirname, "findings");
const UPDATE_FINDINGS = process.env.UPDATE_FINDINGS === "1";

/** Compares `text` with the kept findings file `name`, or rewrites it under UPDATE_FINDINGS=1. */
function expectKeptFindings(name: string, text: string): void {
  const file = path.join(KEPT_FINDINGS, name);
  if (UPDATE_FINDINGS) {
    fs.mkdirSync(KEPT_FINDINGS, { recursive: true });
    fs.writeFileSync(file, text);
  }
  expect(text).toBe(fs.readFileSync(file, "utf8"));
}

/** The findings of `control` after `edit` that it does not have in `base`, as `npm run policy` prints them. */
function newFindings(control: Control, base: TerraformDocument, edit: Edit, scope: Target["scope"]): string[] {
  const before = new Set(findingsIn(control, base, scope));
  return findingsAfter(control, base, edit, scope).filter((finding) => !before.has(finding));
}

/** A control's heading and its findings, indented, as lines of a kept findings file. */
const findingLines = (heading: string, findings: readonly string[]) => [heading, ...findings.map((finding) => `  ${finding}`)];

type Edit = (document: any) => void;

/** A control's findings in `document`. */
function findingsIn(control: Control, document: TerraformDocument, scope: Target["scope"]): string[] {
  return control
    .check({ name: "probe", scope, region: "us-west-2", document, settings: scope === "inventory" ? settings : undefined })
    .map((finding) => `${finding.address}: ${finding.problem}`);
}

/** A control's findings in a copy of `base` after `edit`. */
function findingsAfter(control: Control, base: TerraformDocument, edit: Edit, scope: Target["scope"] = "inventory"): string[] {
  const document = structuredClone(base);
  edit(document);
  return findingsIn(control, document, scope);
}

/** Each control's findings in an unedited document, by control id, worked out once per document. */
const baselines = new WeakMap<TerraformDocument, Map<string, Set<string>>>();

/**
 * The ids of the controls of `scope` with a finding after `edit` that they do not have in `base`: which controls an
 * edit breaks, so a test names the one it means to break (and a check that stopped reading what the edit changes
 * cannot pass on another finding).
 */
function controlsBrokenBy(base: TerraformDocument, edit: Edit, scope: Target["scope"]): string[] {
  const controls = controlsFor(scope);
  if (!baselines.has(base)) baselines.set(base, new Map(controls.map((control) => [control.id, new Set(findingsIn(control, base, scope))])));
  const before = baselines.get(base)!;
  const document = structuredClone(base);
  edit(document);
  return controls
    .filter((control) => findingsIn(control, document, scope).some((finding) => !before.get(control.id)!.has(finding)))
    .map((control) => control.id);
}

const alb = (document: any) => document.resource.aws_lb.load_balancer_alb;
const httpListener = (document: any) => document.resource.aws_lb_listener.load_balancer_http_listener;
const httpsListener = (document: any) => document.resource.aws_lb_listener.load_balancer_https_listener;
const targetGroup = (document: any) => document.resource.aws_lb_target_group.load_balancer_target_group;
const template = (document: any) => document.resource.aws_launch_template.app_tier_launch_template;
const group = (document: any) => document.resource.aws_autoscaling_group.app_tier_auto_scaling_group;
const db = (document: any) => document.resource.aws_db_instance.database_instance;
const parameters = (document: any) => document.resource.aws_db_parameter_group.database_parameter_group.parameter;
/** Edits a policy held as JSON text in `holder[attribute]`, as a hand edit of the synthesized file would. */
const editPolicy = (holder: any, attribute: string, change: (policy: any) => void) => {
  const policy = JSON.parse(holder[attribute]);
  change(policy);
  holder[attribute] = JSON.stringify(policy);
};
const editLogBucketPolicy = (document: any, change: (policy: any) => void) =>
  editPolicy(document.resource.aws_s3_bucket_policy.access_logs_policy, "policy", change);
/** Gives the log bucket a written name in place of its prefix, and returns the name. */
const nameLogBucket = (document: any) => {
  const bucket = document.resource.aws_s3_bucket.access_logs_bucket;
  delete bucket.bucket_prefix;
  return (bucket.bucket = "inventory-lb-logs");
};
const logBucketEncryption = (document: any) =>
  document.resource.aws_s3_bucket_server_side_encryption_configuration.access_logs_encryption.rule[0].apply_server_side_encryption_by_default;
/** Every object of the log bucket, the first statement's resource being one of its keys. */
const wholeBucket = (policy: any) => `${policy.Statement[0].Resource.split("/")[0]}/*`;
const editSecretPolicy = (document: any, change: (policy: any) => void) =>
  editPolicy(document.resource.aws_iam_role_policy.app_tier_read_database_secret, "policy", change);
/** The database exporting its audit log, with an option group of `options` (of the database's engine). */
const exportAuditWith = (document: any, options: string[]) => {
  document.resource.aws_db_option_group = {
    probe: { engine_name: "mysql", major_engine_version: "8.4", option: options.map((option_name) => ({ option_name })) },
  };
  db(document).option_group_name = "${aws_db_option_group.probe.name}";
  db(document).enabled_cloudwatch_logs_exports.push("audit");
};
const backupSelection = (document: any) => document.resource.aws_backup_selection.database_backups_selection;
const copyVault = (document: any) => document.resource.aws_backup_vault.database_backups_copy_vault;
/** An RDS instance that is not the stack's. */
const OTHER_DATABASE = "arn:aws:rds:us-west-2:123456789012:db:other";
/** A copy of the backup plan's rule, into a vault of another configuration. */
const otherVaultRule = (document: any) => ({ ...backupPlan(document).rule[0], rule_name: "probe", target_vault_name: "other-vault" });
/** A second plan of the database, with `rule`, through a selection of its own. */
const secondBackupPlan = (document: any, rule: Record<string, unknown>) => {
  document.resource.aws_backup_plan.probe = { name: "probe", rule: [{ rule_name: "probe", schedule: "cron(0 6 ? * * *)", ...rule }] };
  document.resource.aws_backup_selection.probe = { ...backupSelection(document), name: "probe", plan_id: "${aws_backup_plan.probe.id}" };
};
/** A second vault in the copy's region (aws.backup_copy), encrypted with `key`. */
const secondCopyVault = (document: any, key: string) =>
  (document.resource.aws_backup_vault.probe = { name: "probe", provider: "aws.backup_copy", kms_key_arn: key });
/** A KMS alias of the configuration for `key` (in the copy's region when `provider` says so). */
const keyAlias = (document: any, key: string, provider?: string) =>
  (document.resource.aws_kms_alias = { probe: { name: "alias/probe", target_key_id: `\${aws_kms_key.${key}.key_id}`, provider } });
/** The master user's secret of the stack's database, as a policy names it. */
const MASTER_SECRET = "${aws_db_instance.database_instance.master_user_secret[0].secret_arn}";
/** The log key's grant to CloudWatch Logs: the log groups it may encrypt for, by their ARNs. */
const editLogGroupsOfKey = (document: any, change: (arns: string[]) => string[] | void) =>
  editPolicy(logKeyPolicy(document), "policy", (policy) => {
    const condition = policy.Statement[1].Condition.ArnEquals;
    const arns = change(condition["kms:EncryptionContext:aws:logs:arn"]);
    if (arns) condition["kms:EncryptionContext:aws:logs:arn"] = arns;
  });
const rotation = (document: any) => document.resource.aws_secretsmanager_secret_rotation.database_app_user_rotation;
const rotationPermission = (document: any) => document.resource.aws_lambda_permission.database_app_user_secrets_manager_invokes;
const topic = (document: any) => document.resource.aws_sns_topic.monitoring_topic_topic;
const publicAccessBlock = (document: any) => document.resource.aws_s3_bucket_public_access_block.access_logs_public_access_block;
const role = (document: any, name: string) => document.resource.aws_iam_role[name];
const sessionManagerPolicy = (document: any) => document.resource.aws_iam_role_policy.session_manager_policy;
const logDeliveryPolicy = (document: any) => document.resource.aws_cloudwatch_log_resource_policy.web_acl_log_delivery_policy;
const webAcl = (document: any) => document.resource.aws_wafv2_web_acl.web_acl_web_acl;
const webAclAssociation = (document: any) => document.resource.aws_wafv2_web_acl_association.web_acl_association;
const webAclLogging = (document: any) => document.resource.aws_wafv2_web_acl_logging_configuration.web_acl_logging;
const managedRule = (document: any, name: string) => webAcl(document).rule.find((rule: any) => rule.name === name);
/** The web ACL's rate-based rules; fails when it has none, so an edit of them cannot pass by changing nothing. */
const rateRules = (document: any) => {
  const rules = webAcl(document).rule.filter((rule: any) => rule.statement.rate_based_statement);
  if (rules.length === 0) throw new Error("the web ACL has no rate-based rule");
  return rules;
};
/** A copy of the stack's load balancer, with `changes` (an undefined one left out). */
const albLike = (document: any, changes: Record<string, unknown>) =>
  Object.fromEntries(Object.entries({ ...alb(document), ...changes }).filter(([, value]) => value !== undefined));
/** A managed policy attached to the app servers' role, as an edit of the synthesized file would add one. */
const attachToAppRole = (document: any, policyArn: string) =>
  (document.resource.aws_iam_role_policy_attachment = { probe: { role: "${aws_iam_role.app_tier_role.name}", policy_arn: policyArn } });
const topicPolicy = (document: any) => document.resource.aws_sns_topic_policy.monitoring_topic_policy;
const keyPolicy = (document: any) => document.resource.aws_kms_key_policy.monitoring_topic_key_policy;
const logKeyPolicy = (document: any) => document.resource.aws_kms_key_policy.log_key_policy;
const logGroups = (document: any) => document.resource.aws_cloudwatch_log_group;
const alarms = (document: any) => document.resource.aws_cloudwatch_metric_alarm;
const backupPlan = (document: any) => document.resource.aws_backup_plan.database_backups_plan;
const backupVault = (document: any) => document.resource.aws_backup_vault.database_backups_vault;
const restoreTestingPlan = (document: any) => document.resource.aws_backup_restore_testing_plan.database_backups_restore_testing_plan;
const restoreTestingSelection = (document: any) => document.resource.aws_backup_restore_testing_selection.database_backups_restore_testing_selection;
const forward = [{ type: "forward", target_group_arn: "${aws_lb_target_group.load_balancer_target_group.arn}" }];
/** A rule CKV_AWS_23 and CKV_AWS_382 both accept, in the attributes of each rule resource type (HTTPS to the VPC). */
const DESCRIBED_HTTPS_RULE = { type: "egress", description: "x", protocol: "tcp", ip_protocol: "tcp", from_port: 443, to_port: 443, cidr_ipv4: "10.0.0.0/16" };

/**
 * For each control the hardened stack meets: edits that each break it, and the other controls an edit breaks too
 * (by their ids), where it breaks more than the one it is listed under.
 */
const violations: Record<string, [string, Edit, string[]?][]> = {
  CKV_AWS_131: [
    ["invalid headers kept", (d) => (alb(d).drop_invalid_header_fields = false)],
    ["the setting deleted (AWS's default keeps them)", (d) => delete alb(d).drop_invalid_header_fields],
  ],
  CKV_AWS_328: [["desync monitor mode", (d) => (alb(d).desync_mitigation_mode = "monitor")]],
  CKV_AWS_150: [["deletion protection off", (d) => (alb(d).enable_deletion_protection = false)]],
  CKV_AWS_91: [
    ["no access logs", (d) => delete alb(d).access_logs],
    ["access logs disabled", (d) => (alb(d).access_logs.enabled = false)],
    [
      "a principal that is not the us-west-2 ELB account",
      (d) => editLogBucketPolicy(d, (policy) => (policy.Statement[0].Principal = { AWS: "arn:aws:iam::127311923021:root" })),
    ],
    [
      "the load balancer not waiting for the bucket policy",
      (d) => (alb(d).depends_on = alb(d).depends_on.filter((address: string) => !address.startsWith("aws_s3_bucket_policy."))),
    ],
    ["a bucket name routed through the bucket policy", (d) => (alb(d).access_logs.bucket = "${aws_s3_bucket_policy.access_logs_policy.bucket}")],
    ["a bucket outside the configuration", (d) => (alb(d).access_logs.bucket = "someone-elses-bucket")],
    ["the ELB account denied, not allowed", (d) => editLogBucketPolicy(d, (policy) => (policy.Statement[0].Effect = "Deny"))],
    ["the ELB account allowed to read only", (d) => editLogBucketPolicy(d, (policy) => (policy.Statement[0].Action = "s3:GetObject"))],
    [
      "the ELB account allowed the bucket, not its objects",
      (d) => editLogBucketPolicy(d, (policy) => (policy.Statement[0].Resource = policy.Statement[0].Resource.split("/")[0])),
      ["INV-S3-1"],
    ],
  ],
  // The HTTP listener is the one way in without TLS: forwarding it breaks all three.
  CKV_AWS_2: [["HTTP forwarding instead of redirecting", (d) => (httpListener(d).default_action = forward), ["CKV2_AWS_20", "CKV_AWS_103"]]],
  CKV2_AWS_20: [
    ["HTTP forwarding instead of redirecting", (d) => (httpListener(d).default_action = forward), ["CKV_AWS_2", "CKV_AWS_103"]],
    ["no HTTPS listener", (d) => delete d.resource.aws_lb_listener.load_balancer_https_listener],
    ["HTTP redirected to HTTP", (d) => (httpListener(d).default_action[0].redirect.protocol = "HTTP"), ["CKV_AWS_2", "CKV_AWS_103"]],
  ],
  CKV_AWS_103: [
    ["a TLS 1.0 policy", (d) => (httpsListener(d).ssl_policy = "ELBSecurityPolicy-2016-08")],
    ["a TLS 1.2 policy with CBC suites", (d) => (httpsListener(d).ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06")],
    ["no policy named (AWS's default allows TLS 1.0)", (d) => delete httpsListener(d).ssl_policy],
  ],
  "ELB.13": [
    ["one subnet", (d) => (alb(d).subnets = alb(d).subnets.slice(0, 1))],
    ["a subnet of another configuration", (d) => (alb(d).subnets = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"])],
  ],
  CKV_AWS_261: [
    ["no health check path", (d) => delete targetGroup(d).health_check.path],
    ["a path that is not absolute", (d) => (targetGroup(d).health_check.path = "health")],
    ["the health check turned off", (d) => (targetGroup(d).health_check.enabled = false)],
    ["no health check block", (d) => delete targetGroup(d).health_check],
  ],
  "INV-ELB-1": [
    ["zonal shift off", (d) => (alb(d).enable_zonal_shift = false)],
    ["the setting deleted (AWS's default is off)", (d) => delete alb(d).enable_zonal_shift],
  ],
  "INV-TG-2": [
    ["cross-zone off", (d) => (targetGroup(d).load_balancing_cross_zone_enabled = "false")],
    ["left to the load balancer", (d) => delete targetGroup(d).load_balancing_cross_zone_enabled],
  ],
  "INV-TG-3": [
    ["no slow start", (d) => delete targetGroup(d).slow_start],
    ["slow start 0", (d) => (targetGroup(d).slow_start = 0)],
  ],
  "INV-TG-1": [
    ["AWS's 300 s default", (d) => delete targetGroup(d).deregistration_delay],
    ["120 s", (d) => (targetGroup(d).deregistration_delay = "120")],
  ],
  CKV_AWS_79: [
    ["IMDSv1 allowed", (d) => (template(d).metadata_options.http_tokens = "optional")],
    // Nor is a hop limit set then.
    ["no metadata options (AWS's default allows IMDSv1)", (d) => delete template(d).metadata_options, ["CKV_AWS_341"]],
  ],
  CKV_AWS_341: [
    ["hop limit 2", (d) => (template(d).metadata_options.http_put_response_hop_limit = 2)],
    ["the hop limit left to AWS's default", (d) => delete template(d).metadata_options.http_put_response_hop_limit],
  ],
  CKV_AWS_88: [
    ["a public IP on the interface", (d) => (template(d).network_interfaces = [{ associate_public_ip_address: "true" }])],
    ["a private subnet that maps public IPs", (d) => (d.resource.aws_subnet.network_private_subnet_1.map_public_ip_on_launch = true), ["CKV_AWS_130"]],
    ["an instance with a public IP", (d) => (d.resource.aws_instance = { probe: { ami: "ami-0", associate_public_ip_address: true } })],
  ],
  "EC2.181": [
    ["an unencrypted root volume", (d) => (template(d).block_device_mappings[0].ebs.encrypted = "false")],
    ["no volume named (the AMI's default)", (d) => delete template(d).block_device_mappings],
    ["a second, unencrypted volume", (d) => template(d).block_device_mappings.push({ device_name: "/dev/sdb", ebs: { volume_size: 8 } })],
    ["an instance store volume only", (d) => (template(d).block_device_mappings = [{ device_name: "/dev/sdb", virtual_name: "ephemeral0" }])],
  ],
  CKV_AWS_46: [
    ["an access key in user data", (d) => (template(d).user_data = `${template(d).user_data}\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE`)],
    ["a session key id in user data", (d) => (template(d).user_data = `${template(d).user_data}\nkey=ASIAIOSFODNN7EXAMPLE`)],
    ["a secret access key in user data", (d) => (template(d).user_data = `${template(d).user_data}\nexport AWS_SECRET_ACCESS_KEY=abc`)],
    ["a private key in user data", (d) => (template(d).user_data = `${template(d).user_data}\n-----BEGIN RSA PRIVATE KEY-----`)],
    ["a password in an instance's user data", (d) => (d.resource.aws_instance = { probe: { ami: "ami-0", user_data: "passwd: hunter22" } })],
    ["a password in user data", (d) => (template(d).user_data = `${template(d).user_data}\ndb_password = hunter22`)],
  ],
  CKV_AWS_315: [
    ["$Latest", (d) => (group(d).launch_template.version = "$Latest")],
    ["a launch configuration", (d) => (group(d).launch_configuration = "legacy")],
    ["$Default", (d) => (group(d).launch_template.version = "$Default")],
    ["no version", (d) => delete group(d).launch_template.version],
    // Nor can a release name the template's latest version then.
    ["no launch template", (d) => delete group(d).launch_template, ["INV-ASG-1"]],
  ],
  "AutoScaling.1": [
    ["EC2 health checks", (d) => (group(d).health_check_type = "EC2")],
    ["attached to no load balancer", (d) => delete group(d).target_group_arns],
  ],
  "AutoScaling.2": [
    ["one zone", (d) => (group(d).vpc_zone_identifier = group(d).vpc_zone_identifier.slice(0, 1))],
    ["two zones and a subnet of another configuration", (d) => group(d).vpc_zone_identifier.push("subnet-0123456789abcdef0")],
    [
      "both subnets in one zone",
      (d) => (d.resource.aws_subnet.network_private_subnet_2.availability_zone = d.resource.aws_subnet.network_private_subnet_1.availability_zone),
    ],
  ],
  CKV_AWS_153: [
    ["no tags", (d) => delete group(d).tag],
    ["a tag that does not propagate", (d) => (group(d).tag[0].propagate_at_launch = false)],
    ["no Name tag", (d) => (group(d).tag = group(d).tag.filter((tag: any) => tag.key !== "Name"))],
  ],
  "INV-ASG-1": [
    ["the version left to Terraform (the provider's refresh, which AWS cannot roll back)", (d) => delete group(d).lifecycle],
    ["no release invocation", (d) => delete d.resource.aws_lambda_invocation],
    ["other attributes left to releases", (d) => (group(d).lifecycle.ignore_changes = ["desired_capacity"])],
    [
      "a release of another group",
      (d) => {
        const [invocation] = Object.values<{ input: string }>(d.resource.aws_lambda_invocation);
        expect(invocation.input).toContain("${aws_autoscaling_group.app_tier_auto_scaling_group.name}");
        invocation.input = invocation.input.replace("${aws_autoscaling_group.app_tier_auto_scaling_group.name}", "other-group");
      },
    ],
    [
      "a release of another version than the template's latest",
      (d) => {
        const [invocation] = Object.values<{ input: string }>(d.resource.aws_lambda_invocation);
        invocation.input = invocation.input.replace(/\.latest_version\}/, ".default_version}");
      },
    ],
  ],
  "INV-ASG-2": [
    ["no instance maintenance policy", (d) => delete group(d).instance_maintenance_policy],
    ["terminating first (90 %)", (d) => (group(d).instance_maintenance_policy.min_healthy_percentage = 90)],
    ["no room to launch first (100 to 100 %)", (d) => (group(d).instance_maintenance_policy.max_healthy_percentage = 100)],
  ],
  CKV_AWS_16: [["unencrypted storage", (d) => (db(d).storage_encrypted = false)]],
  CKV_AWS_17: [
    ["public", (d) => (db(d).publicly_accessible = true)],
    ["left to the default", (d) => delete db(d).publicly_accessible],
  ],
  CKV_AWS_157: [["single-AZ", (d) => (db(d).multi_az = false)]],
  CKV_AWS_133: [["1 day of backups", (d) => (db(d).backup_retention_period = 1)]],
  CKV_AWS_293: [["deletion protection off", (d) => (db(d).deletion_protection = false)]],
  CKV_AWS_129: [
    ["no exports", (d) => delete db(d).enabled_cloudwatch_logs_exports, ["RDS.9"]],
    [
      "slowquery exported, slow log off",
      (d) => (d.resource.aws_db_parameter_group.database_parameter_group.parameter = parameters(d).filter((p: any) => p.name !== "slow_query_log")),
    ],
    ["audit exported without the plugin", (d) => db(d).enabled_cloudwatch_logs_exports.push("audit"), ["RDS.9"]],
    ["audit exported with an option group of other options", (d) => exportAuditWith(d, ["MEMCACHED"]), ["RDS.9"]],
    ["general exported, general log off", (d) => db(d).enabled_cloudwatch_logs_exports.push("general"), ["RDS.9"]],
  ],
  CKV_AWS_226: [["no minor upgrades", (d) => (db(d).auto_minor_version_upgrade = false)]],
  CKV2_AWS_60: [["no tags on snapshots", (d) => (db(d).copy_tags_to_snapshot = false)]],
  CKV2_AWS_69: [
    ["TLS optional", (d) => (parameters(d).find((p: any) => p.name === "require_secure_transport").value = "0")],
    // The default group has the slow query log off too.
    ["the default parameter group", (d) => (db(d).parameter_group_name = "default.mysql8.4"), ["CKV_AWS_129"]],
    [
      "the subnet group named as the parameter group",
      (d) => (db(d).parameter_group_name = "${aws_db_subnet_group.database_subnet_group.name}"),
      ["CKV_AWS_129"],
    ],
  ],
  CKV_AWS_118: [
    ["no Enhanced Monitoring", (d) => (db(d).monitoring_interval = 0)],
    ["no role to publish it", (d) => delete db(d).monitoring_role_arn],
  ],
  "RDS.26": [
    // Nor is anything copied then.
    ["the database in no backup selection", (d) => delete d.resource.aws_backup_selection, ["INV-BAK-3"]],
    ["the plan's rule into a vault of another configuration", (d) => (backupPlan(d).rule[0].target_vault_name = "other-vault")],
    ["the plan's rule into a resource that is not a vault", (d) => (backupPlan(d).rule[0].target_vault_name = "${aws_kms_key.database_backups_vault_key.id}")],
    ["the plan's rule with no schedule", (d) => delete backupPlan(d).rule[0].schedule],
    // Nor is anything copied then.
    ["the selection of another database only", (d) => (backupSelection(d).resources = [OTHER_DATABASE]), ["INV-BAK-3"]],
    ["the selection in a plan of another configuration", (d) => (backupSelection(d).plan_id = "plan-0123"), ["INV-BAK-3"]],
    ["the selection in a vault, not a plan", (d) => (backupSelection(d).plan_id = "${aws_backup_vault.database_backups_vault.id}"), ["INV-BAK-3"]],
  ],
  CKV_AWS_166: [
    ["the vault with AWS's own key", (d) => (backupVault(d).kms_key_arn = "arn:aws:kms:us-west-2:123456789012:alias/aws/backup")],
    ["the vault's key not rotated", (d) => (d.resource.aws_kms_key.database_backups_vault_key.enable_key_rotation = false)],
    [
      "the vault's key named by an alias",
      (d) => {
        keyAlias(d, "database_backups_vault_key");
        backupVault(d).kms_key_arn = "${aws_kms_alias.probe.arn}";
      },
    ],
  ],
  "INV-BAK-1": [
    ["no restore testing selection", (d) => delete d.resource.aws_backup_restore_testing_selection],
    ["a restore into the default VPC", (d) => delete restoreTestingSelection(d).restore_metadata_overrides.dbsubnetgroupname],
    ["restore tests of another configuration's vaults", (d) => (restoreTestingPlan(d).recovery_point_selection[0].include_vaults = ["*"])],
    ["restore tests of another database only", (d) => (restoreTestingSelection(d).protected_resource_arns = [OTHER_DATABASE])],
    ["restore tests on no schedule", (d) => delete restoreTestingPlan(d).schedule_expression],
    ["restore tests on a plan of another configuration", (d) => (restoreTestingSelection(d).restore_testing_plan_name = "other")],
    ["restore tests on a backup plan", (d) => (restoreTestingSelection(d).restore_testing_plan_name = "${aws_backup_plan.database_backups_plan.name}")],
    ["restore tests of no recovery points", (d) => delete restoreTestingPlan(d).recovery_point_selection],
    ["no security groups to restore into", (d) => delete restoreTestingSelection(d).restore_metadata_overrides.vpcsecuritygroupids],
  ],
  "INV-BAK-2": [
    ["no alarm on failed restore tests", (d) => delete alarms(d).database_backups_restore_failed],
    ["the backup alarm on another vault", (d) => (alarms(d).database_backups_backup_failed.dimensions.BackupVaultName = "other-vault")],
    ["the copy alarm without an action", (d) => delete alarms(d).database_backups_copy_failed.alarm_actions],
    ["the backup alarm in another namespace", (d) => (alarms(d).database_backups_backup_failed.namespace = "AWS/RDS")],
    ["the backup alarm on another metric", (d) => (alarms(d).database_backups_backup_failed.metric_name = "NumberOfBackupJobsCompleted")],
    ["the backup alarm over no vault", (d) => delete alarms(d).database_backups_backup_failed.dimensions],
    ["the backup alarm's actions off", (d) => (alarms(d).database_backups_backup_failed.actions_enabled = false)],
    ["the backup alarm notifying a key", (d) => (alarms(d).database_backups_backup_failed.alarm_actions = ["${aws_kms_key.log_key_key.arn}"])],
    [
      "the backup alarm notifying a topic of another configuration",
      (d) => (alarms(d).database_backups_backup_failed.alarm_actions = ["arn:aws:sns:us-west-2:123456789012:other"]),
    ],
    [
      "the copy alarm without an action, beside a second plan into the vault that copies nothing",
      (d) => {
        delete alarms(d).database_backups_copy_failed.alarm_actions;
        secondBackupPlan(d, { target_vault_name: backupPlan(d).rule[0].target_vault_name });
        backupPlan(d).rule.push({ rule_name: "probe", schedule: "cron(0 6 ? * * *)", target_vault_name: backupPlan(d).rule[0].target_vault_name });
      },
    ],
    [
      "the restore test alarm missing, with a second restore testing plan over no vault of the stack",
      (d) => {
        delete alarms(d).database_backups_restore_failed;
        d.resource.aws_backup_restore_testing_plan.probe = {
          ...restoreTestingPlan(d),
          name: "probe",
          recovery_point_selection: [
            { ...restoreTestingPlan(d).recovery_point_selection[0], include_vaults: ["arn:aws:backup:us-west-2:123456789012:backup-vault:other"] },
          ],
        };
        restoreTestingPlan(d).recovery_point_selection[0].include_vaults.push("arn:aws:backup:us-west-2:123456789012:backup-vault:other");
      },
    ],
    [
      "the backup alarm missing, with the plan's second rule into a vault of another configuration",
      (d) => {
        delete alarms(d).database_backups_backup_failed;
        backupPlan(d).rule.unshift(otherVaultRule(d));
      },
    ],
    [
      "a second vault, the target of a plan, with no alarm",
      (d) => {
        d.resource.aws_backup_vault.probe = { name: "probe", kms_key_arn: "${aws_kms_key.database_backups_vault_key.arn}" };
        secondBackupPlan(d, { target_vault_name: "${aws_backup_vault.probe.name}" });
      },
    ],
  ],
  "INV-BAK-3": [
    ["no copy", (d) => delete backupPlan(d).rule[0].copy_action],
    ["the copy vault in the database's own region", (d) => delete copyVault(d).provider],
    ["the copy vault encrypted with a key of the database's region", (d) => (copyVault(d).kms_key_arn = "${aws_kms_key.database_backups_vault_key.arn}")],
    [
      "the copy vault encrypted with a key of another configuration",
      (d) => (copyVault(d).kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/other"),
      ["CKV_AWS_166"],
    ],
    [
      "the copy vault's key named by an alias in its region",
      (d) => {
        keyAlias(d, "database_backups_copy_vault_key", "aws.backup_copy");
        copyVault(d).kms_key_arn = "${aws_kms_alias.probe.arn}";
      },
      ["CKV_AWS_166"],
    ],
    [
      "copies into a vault of another configuration",
      (d) => (backupPlan(d).rule[0].copy_action[0].destination_vault_arn = "arn:aws:backup:us-east-1:123456789012:backup-vault:other"),
    ],
    ["the copy vault on a provider that is not configured", (d) => (copyVault(d).provider = "aws.nowhere")],
    [
      "the copy vault's provider in the database's region",
      (d) => (d.provider.aws.find((provider: any) => provider.alias === "backup_copy").region = "us-west-2"),
    ],
    ["no provider configured", (d) => delete d.provider],
  ],
  CKV2_AWS_11: [
    ["no flow log", (d) => delete d.resource.aws_flow_log],
    ["a flow log of accepted traffic only", (d) => (d.resource.aws_flow_log.network_flow_log.traffic_type = "ACCEPT")],
    ["the flow log on another VPC", (d) => (d.resource.aws_flow_log.network_flow_log.vpc_id = "vpc-0other")],
  ],
  CKV2_AWS_12: [
    [
      "an allow rule in the default group",
      (d) => (d.resource.aws_default_security_group.network_default_security_group.ingress = [{ protocol: "-1", from_port: 0, to_port: 0, self: true }]),
    ],
    ["the default group unmanaged", (d) => delete d.resource.aws_default_security_group],
    [
      "an egress rule in the default group",
      (d) => (d.resource.aws_default_security_group.network_default_security_group.egress = [{ protocol: "-1", from_port: 0, to_port: 0, self: true }]),
    ],
    [
      "a second default group in the VPC",
      (d) => (d.resource.aws_default_security_group.probe = { ...d.resource.aws_default_security_group.network_default_security_group }),
    ],
    ...(["aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"] as const).map((type): [string, Edit] => [
      `an ${type} on the default group`,
      (d) =>
        (d.resource[type] = {
          ...d.resource[type],
          probe: { ...DESCRIBED_HTTPS_RULE, security_group_id: "${aws_default_security_group.network_default_security_group.id}" },
        }),
    ]),
  ],
  CKV_AWS_130: [["a subnet mapping public IPs", (d) => (d.resource.aws_subnet.network_public_subnet_1.map_public_ip_on_launch = true)]],
  CKV_AWS_23: [
    ["a rule without description", (d) => delete d.resource.aws_vpc_security_group_egress_rule.security_groups_app_to_https.description],
    ["Terraform's default group description", (d) => (d.resource.aws_security_group.security_groups_app.description = "Managed by Terraform")],
    ["a blank group description", (d) => (d.resource.aws_security_group.security_groups_app.description = "  ")],
    ["an inline rule without description", (d) => (d.resource.aws_security_group.security_groups_app.ingress = [{ description: "", protocol: "tcp" }])],
    [
      "an inline egress rule without description",
      (d) => (d.resource.aws_security_group.security_groups_app.egress = [{ protocol: "tcp", from_port: 443, to_port: 443 }]),
    ],
    ["an ingress rule without description", (d) => delete d.resource.aws_vpc_security_group_ingress_rule.security_groups_app_from_load_balancer.description],
    ["an aws_security_group_rule without description", (d) => (d.resource.aws_security_group_rule = { probe: { type: "ingress", security_group_id: "sg-0" } })],
  ],
  CKV_AWS_382: [
    ["all traffic out", (d) => (d.resource.aws_vpc_security_group_egress_rule.security_groups_app_to_https.ip_protocol = "-1")],
    ["a port range out", (d) => (d.resource.aws_vpc_security_group_egress_rule.security_groups_app_to_https.to_port = 65535)],
    ["all traffic out to the database's group", (d) => (d.resource.aws_vpc_security_group_egress_rule.security_groups_app_to_database.ip_protocol = "-1")],
    [
      "all traffic out to anywhere over IPv6",
      (d) => (d.resource.aws_vpc_security_group_egress_rule.probe = { security_group_id: "sg-0", description: "x", ip_protocol: "-1", cidr_ipv6: "::/0" }),
    ],
    ["ICMP out", (d) => (d.resource.aws_vpc_security_group_egress_rule.security_groups_app_to_https.ip_protocol = "icmp")],
    ["an egress rule without ports", (d) => delete d.resource.aws_vpc_security_group_egress_rule.security_groups_app_to_https.from_port],
    [
      "an aws_security_group_rule of every protocol out to anywhere",
      (d) =>
        (d.resource.aws_security_group_rule = {
          probe: { type: "egress", security_group_id: "sg-0", description: "x", protocol: "all", from_port: 0, to_port: 0, cidr_blocks: ["0.0.0.0/0"] },
          ingress: { type: "ingress", security_group_id: "sg-0", description: "x", protocol: "-1", from_port: 0, to_port: 0, cidr_blocks: ["10.0.0.0/16"] },
        }),
    ],
    [
      "an aws_security_group_rule of a UDP port range out over IPv6",
      (d) =>
        (d.resource.aws_security_group_rule = {
          probe: { type: "egress", security_group_id: "sg-0", description: "x", protocol: "17", from_port: 1000, to_port: 2000, ipv6_cidr_blocks: ["::/0"] },
        }),
    ],
    [
      "an inline egress rule of every protocol out to anywhere",
      (d) =>
        (d.resource.aws_security_group.security_groups_app.egress = [
          { description: "x", protocol: "-1", from_port: 0, to_port: 0, cidr_blocks: ["10.0.0.0/16"], ipv6_cidr_blocks: ["::/0"] },
        ]),
    ],
  ],
  CKV_AWS_62: [
    // The app role's secret policy: on * it reaches the master secret too.
    ["a * resource", (d) => editSecretPolicy(d, (policy) => (policy.Statement[0].Resource = "*")), ["INV-DB-1"]],
    [
      "Parameter Store read on * beside Session Manager's actions",
      (d) => editPolicy(sessionManagerPolicy(d), "policy", (policy) => (policy.Statement[0].Action = [policy.Statement[0].Action, "ssm:GetParameters"].flat())),
    ],
    ["ssm:GetDocument on *", (d) => editPolicy(sessionManagerPolicy(d), "policy", (policy) => (policy.Statement[1].Action = ["ssm:GetDocument"]))],
    ["a service-wide action", (d) => editSecretPolicy(d, (policy) => (policy.Statement[0].Action = ["secretsmanager:*"]))],
    [
      "an inline JSON policy allowing *",
      (d) =>
        (d.resource.aws_iam_role_policy.app_tier_read_database_secret.policy = JSON.stringify({
          Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
        })),
      ["INV-DB-1"],
    ],
    [
      "a policy computed at apply time",
      (d) => (d.resource.aws_iam_role_policy.app_tier_read_database_secret.policy = "${jsonencode(local.policy)}"),
      ["INV-DB-1"],
    ],
  ],
  CKV_AWS_274: [
    ["AdministratorAccess", (d) => attachToAppRole(d, "arn:aws:iam::aws:policy/AdministratorAccess")],
    // What the app servers had before: ssm:GetParameter(s) and ssm:GetDocument on every parameter and document of the account.
    ["AmazonSSMManagedInstanceCore, no longer reviewed", (d) => attachToAppRole(d, "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore")],
    ["an unreviewed managed policy", (d) => attachToAppRole(d, "arn:aws:iam::aws:policy/AmazonS3FullAccess")],
  ],
  CKV_AWS_21: [
    ["versioning suspended", (d) => (d.resource.aws_s3_bucket_versioning.access_logs_versioning.versioning_configuration.status = "Suspended")],
    ["versioning of no stated status", (d) => delete d.resource.aws_s3_bucket_versioning.access_logs_versioning.versioning_configuration],
    // The other bucket's versioning names its bucket by reference, not by this name.
    [
      "versioning suspended on a bucket of a written name",
      (d) => {
        nameLogBucket(d);
        d.resource.aws_s3_bucket_versioning.access_logs_versioning.versioning_configuration.status = "Suspended";
      },
    ],
  ],
  CKV_AWS_19: [
    ["no encryption configuration", (d) => delete d.resource.aws_s3_bucket_server_side_encryption_configuration, ["CKV_AWS_145"]],
    [
      "a rule of no default encryption",
      (d) => (d.resource.aws_s3_bucket_server_side_encryption_configuration.access_logs_encryption.rule = [{ bucket_key_enabled: true }]),
      ["CKV_AWS_145"],
    ],
  ],
  // Each of the four settings on its own: a check that stopped reading one of them passes on the others.
  CKV2_AWS_6: [
    ["public ACLs allowed", (d) => (publicAccessBlock(d).block_public_acls = false)],
    ["public policies allowed", (d) => (publicAccessBlock(d).block_public_policy = false)],
    ["public ACLs honoured", (d) => (publicAccessBlock(d).ignore_public_acls = false)],
    ["public buckets not restricted", (d) => (publicAccessBlock(d).restrict_public_buckets = false)],
  ],
  "S3.5": [
    ["no TLS-only statement", (d) => editLogBucketPolicy(d, (policy) => (policy.Statement = policy.Statement.slice(0, 1)))],
    ["the objects left out", (d) => editLogBucketPolicy(d, (policy) => (policy.Statement[1].Resource = policy.Statement[1].Resource.slice(0, 1)))],
    ["the bucket left out", (d) => editLogBucketPolicy(d, (policy) => (policy.Statement[1].Resource = policy.Statement[1].Resource.slice(1)))],
    [
      "another bucket and its objects",
      (d) => editLogBucketPolicy(d, (policy) => (policy.Statement[1].Resource = ["arn:aws:s3:::other", "arn:aws:s3:::other/*"])),
    ],
    [
      "one account denied, not everyone",
      (d) => editLogBucketPolicy(d, (policy) => (policy.Statement[1].Principal = { AWS: "arn:aws:iam::123456789012:root" })),
    ],
    ["one action denied", (d) => editLogBucketPolicy(d, (policy) => (policy.Statement[1].Action = "s3:GetObject"))],
    ["requests over TLS denied", (d) => editLogBucketPolicy(d, (policy) => (policy.Statement[1].Condition.Bool["aws:SecureTransport"] = "true"))],
    [
      "the denial on another condition key",
      (d) => editLogBucketPolicy(d, (policy) => (policy.Statement[1].Condition = { Bool: { "aws:ViaAWSService": "false" } })),
    ],
  ],
  CKV2_AWS_61: [["the rule disabled", (d) => (d.resource.aws_s3_bucket_lifecycle_configuration.access_logs_lifecycle.rule[0].status = "Disabled")]],
  CKV2_AWS_65: [
    ["ACLs enabled", (d) => (d.resource.aws_s3_bucket_ownership_controls.access_logs_ownership.rule.object_ownership = "ObjectWriter")],
    ["no ownership rule", (d) => delete d.resource.aws_s3_bucket_ownership_controls.access_logs_ownership.rule],
  ],
  "INV-IAM-1": [
    [
      "the flow log role without conditions",
      (d) => editPolicy(role(d, "network_flow_log_role"), "assume_role_policy", (policy) => delete policy.Statement[0].Condition),
    ],
    [
      "the monitoring role for any account",
      (d) => editPolicy(role(d, "database_monitoring_role"), "assume_role_policy", (policy) => delete policy.Statement[0].Condition),
    ],
    [
      "the rotation function's role with a * source",
      (d) =>
        editPolicy(
          role(d, "database_app_user_role"),
          "assume_role_policy",
          (policy) => (policy.Statement[0].Condition = { StringEquals: { "aws:SourceAccount": "*" } }),
        ),
    ],
    [
      "the flow log role for this account or any",
      (d) =>
        editPolicy(
          role(d, "network_flow_log_role"),
          "assume_role_policy",
          (policy) => (policy.Statement[0].Condition = { StringEquals: { "aws:SourceAccount": ["123456789012", "*"] } }),
        ),
    ],
    ["the flow log role's trust policy not JSON", (d) => (role(d, "network_flow_log_role").assume_role_policy = "{")],
  ],
  "INV-IAM-2": [
    ["Secrets Manager may invoke the function for any secret", (d) => delete rotationPermission(d).source_arn && delete rotationPermission(d).source_account],
    [
      "any account's log delivery may write the WAF's log",
      (d) => editPolicy(logDeliveryPolicy(d), "policy_document", (policy) => delete policy.Statement[0].Condition),
    ],
    [
      "CloudWatch may publish for any account's alarms",
      (d) => editPolicy(topicPolicy(d), "policy", (policy) => delete policy.Statement[0].Condition),
      ["INV-MON-2"],
    ],
    ["CloudWatch Logs may use the log key for any log group", (d) => editPolicy(logKeyPolicy(d), "policy", (policy) => delete policy.Statement[1].Condition)],
    [
      "CloudWatch Logs may use the log key for any account's log groups",
      (d) =>
        editPolicy(
          logKeyPolicy(d),
          "policy",
          (policy) => (policy.Statement[1].Condition.ArnEquals["kms:EncryptionContext:aws:logs:arn"] = "arn:aws:logs:us-west-2:*:log-group:*"),
        ),
    ],
    [
      "CloudWatch Logs may use the log key for every log group of the account",
      (d) =>
        editPolicy(
          logKeyPolicy(d),
          "policy",
          (policy) => (policy.Statement[1].Condition.ArnEquals["kms:EncryptionContext:aws:logs:arn"] = "arn:aws:logs:us-west-2:123456789012:log-group:*"),
        ),
    ],
    ["CloudWatch Logs may use the log key for a pattern of log groups too", (d) => editLogGroupsOfKey(d, (arns) => [...arns, arns[0].replace(/[^/]+$/, "*")])],
    ["CloudWatch Logs may use the log key for the log groups of no name", (d) => editLogGroupsOfKey(d, () => [])],
    [
      "CloudWatch Logs may use the log key with the log groups under another condition key",
      (d) =>
        editPolicy(logKeyPolicy(d), "policy", (policy) => {
          const condition = policy.Statement[1].Condition.ArnEquals;
          condition["kms:EncryptionContext:aws:logs:other"] = condition["kms:EncryptionContext:aws:logs:arn"];
          delete condition["kms:EncryptionContext:aws:logs:arn"];
        }),
    ],
  ],
  "INV-DB-1": [
    [
      "the app role reading the master secret",
      (d) => editSecretPolicy(d, (policy) => (policy.Statement[0].Resource = "${aws_db_instance.database_instance.master_user_secret[0].secret_arn}")),
    ],
    ["the app role reading every secret", (d) => editSecretPolicy(d, (policy) => (policy.Statement[0].Resource = "*")), ["CKV_AWS_62"]],
    [
      "the boot reading the master secret through a second statement",
      (d) =>
        editSecretPolicy(d, (policy) =>
          policy.Statement.push({
            Effect: "Allow",
            Action: "secretsmanager:*",
            Resource: "${aws_db_instance.database_instance.master_user_secret[0].secret_arn}",
          }),
        ),
      ["CKV_AWS_62"],
    ],
    [
      "the app role reading the master secret by a statement of two actions",
      (d) =>
        editSecretPolicy(d, (policy) => {
          policy.Statement[0].Action = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"];
          policy.Statement[0].Resource = MASTER_SECRET;
        }),
    ],
    [
      "the app role reading its own secret and the master secret",
      (d) => editSecretPolicy(d, (policy) => (policy.Statement[0].Resource = [policy.Statement[0].Resource, MASTER_SECRET])),
    ],
    [
      "the app role reading the master secret, a database's manage_master_user_password written as text",
      (d) => {
        db(d).manage_master_user_password = "true";
        editSecretPolicy(d, (policy) => (policy.Statement[0].Resource = MASTER_SECRET));
      },
    ],
    ["the app role's policy not JSON", (d) => (d.resource.aws_iam_role_policy.app_tier_read_database_secret.policy = "{"), ["CKV_AWS_62"]],
    [
      "the app role reading the master secret, beside a second instance profile of another role",
      (d) => {
        d.resource.aws_iam_instance_profile.probe = { role: "${aws_iam_role.database_monitoring_role.name}" };
        editSecretPolicy(d, (policy) => (policy.Statement[0].Resource = MASTER_SECRET));
      },
    ],
  ],
  CKV2_AWS_57: [
    ["no rotation", (d) => delete d.resource.aws_secretsmanager_secret_rotation],
    ["a rotation without a schedule", (d) => delete rotation(d).rotation_rules],
    ["a rotation by no function", (d) => delete rotation(d).rotation_lambda_arn],
  ],
  "INV-S3-1": [
    [
      "ELB allowed anywhere under AWSLogs/",
      (d) => editLogBucketPolicy(d, (policy) => (policy.Statement[0].Resource = policy.Statement[0].Resource.replace(/AWSLogs\/.*$/, "AWSLogs/*"))),
    ],
    ["ELB allowed in the whole bucket", (d) => editLogBucketPolicy(d, (policy) => (policy.Statement[0].Resource = wholeBucket(policy)))],
    [
      "ELB's log delivery service allowed in the whole bucket",
      (d) =>
        editLogBucketPolicy(d, (policy) => {
          policy.Statement[0].Principal = { Service: "logdelivery.elasticloadbalancing.amazonaws.com" };
          policy.Statement[0].Resource = wholeBucket(policy);
        }),
      ["CKV_AWS_91"],
    ],
    [
      "ELB and another account allowed every S3 action in the whole bucket",
      (d) =>
        editLogBucketPolicy(d, (policy) => {
          policy.Statement[0].Principal = { AWS: ["arn:aws:iam::123456789012:role/other", policy.Statement[0].Principal.AWS] };
          policy.Statement[0].Action = ["s3:GetObject", "s3:*"];
          policy.Statement[0].Resource = wholeBucket(policy);
        }),
    ],
    [
      "ELB allowed every action in the whole bucket",
      (d) =>
        editLogBucketPolicy(d, (policy) => {
          policy.Statement[0].Action = "*";
          policy.Statement[0].Resource = wholeBucket(policy);
        }),
      ["CKV_AWS_91"],
    ],
    [
      "ELB beside a service, one statement, allowed in the whole bucket",
      (d) =>
        editLogBucketPolicy(d, (policy) => {
          policy.Statement[0].Principal = { Service: "logging.s3.amazonaws.com", AWS: policy.Statement[0].Principal.AWS };
          policy.Statement[0].Resource = wholeBucket(policy);
        }),
      ["INV-IAM-2"],
    ],
    // Every control that reads the bucket policy finds it unreadable.
    ["the bucket policy not JSON", (d) => (d.resource.aws_s3_bucket_policy.access_logs_policy.policy = "{"), ["CKV_AWS_91", "INV-IAM-2", "S3.5"]],
    [
      "ELB allowed under a pattern of AWSLogs/",
      (d) => editLogBucketPolicy(d, (policy) => (policy.Statement[0].Resource = policy.Statement[0].Resource.replace(/AWSLogs\/.*$/, "AWSLogs/1*/*"))),
    ],
  ],
  CKV2_AWS_28: [
    ["no association", (d) => delete d.resource.aws_wafv2_web_acl_association],
    ["a web ACL of another configuration", (d) => (webAclAssociation(d).web_acl_arn = "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/other/0000")],
    // aws_alb is aws_lb's other name; a load balancer's type is application when left out. With no listener, it also
    // redirects no HTTP to HTTPS and serves no TLS.
    [
      "a second internet-facing ALB, as aws_alb and of no stated type, with no web ACL",
      (d) => (d.resource.aws_alb = { probe: albLike(d, { load_balancer_type: undefined }) }),
      ["CKV2_AWS_20", "CKV_AWS_103", "CKV_AWS_2"],
    ],
  ],
  CKV2_AWS_31: [
    ["no logging", (d) => delete d.resource.aws_wafv2_web_acl_logging_configuration],
    ["logs to no destination", (d) => (webAclLogging(d).log_destination_configs = [])],
    [
      "logs to a stream of another configuration",
      (d) => (webAclLogging(d).log_destination_configs = ["arn:aws:firehose:us-west-2:123456789012:deliverystream/aws-waf-logs-x"]),
    ],
    [
      "logs to its log group and to a stream of another configuration",
      (d) => webAclLogging(d).log_destination_configs.push("arn:aws:firehose:us-west-2:123456789012:deliverystream/aws-waf-logs-x"),
    ],
  ],
  CKV_AWS_192: [
    ["the known bad inputs rules only counting", (d) => (managedRule(d, "AWSManagedRulesKnownBadInputsRuleSet").override_action = { count: {} })],
    [
      "the known bad inputs rules left out",
      (d) => (webAcl(d).rule = webAcl(d).rule.filter((rule: any) => rule.name !== "AWSManagedRulesKnownBadInputsRuleSet")),
    ],
  ],
  "INV-WAF-1": [
    ["no SQL injection rules", (d) => (webAcl(d).rule = webAcl(d).rule.filter((rule: any) => rule.name !== "AWSManagedRulesSQLiRuleSet"))],
    ["the common rules only counting", (d) => (managedRule(d, "AWSManagedRulesCommonRuleSet").override_action = { count: {} })],
    ["no rate limit", (d) => (webAcl(d).rule = webAcl(d).rule.filter((rule: any) => !rule.statement.rate_based_statement))],
    ["rate limits that only count", (d) => rateRules(d).forEach((rule: any) => (rule.action = { count: {} }))],
    ["rate limits without an action", (d) => rateRules(d).forEach((rule: any) => delete rule.action)],
    [
      "rate limits per forwarded IP only",
      (d) => rateRules(d).forEach((rule: any) => (rule.statement.rate_based_statement.aggregate_key_type = "FORWARDED_IP")),
    ],
  ],
  CKV_AWS_26: [
    ["no key", (d) => delete topic(d).kms_master_key_id],
    ["an empty key", (d) => (topic(d).kms_master_key_id = ""), ["INV-MON-2"]],
  ],
  "INV-MON-1": [
    ["the second NAT gateway's dropped packets alarm left out", (d) => delete alarms(d).monitoring_alarms_nat_gateway_2_dropped_packets],
    ["the database CPU alarm left out", (d) => delete alarms(d).monitoring_alarms_database_cpu],
    // The backups' alarms go with them.
    ["no alarm at all", (d) => delete d.resource.aws_cloudwatch_metric_alarm, ["INV-BAK-2"]],
    ["an alarm with its actions disabled", (d) => (alarms(d).monitoring_alarms_rejected_connections.actions_enabled = false)],
    ["an alarm without alarm actions", (d) => delete alarms(d).monitoring_alarms_unhealthy_hosts.alarm_actions],
    [
      "an alarm on a NAT gateway of another configuration",
      (d) => (alarms(d).monitoring_alarms_nat_gateway_1_port_allocation_errors.dimensions.NatGatewayId = "nat-0123456789abcdef0"),
    ],
    [
      "the healthy hosts metric of another target group in the metric math",
      (d) => (alarms(d).monitoring_alarms_healthy_hosts.metric_query[2].metric.dimensions.TargetGroup = "targetgroup/other/0123456789abcdef"),
    ],
    ["group metrics not collected", (d) => (group(d).enabled_metrics = ["GroupTotalInstances"])],
    ["the database CPU alarm in another namespace", (d) => (alarms(d).monitoring_alarms_database_cpu.namespace = "AWS/EC2")],
    ["the database CPU alarm on another metric", (d) => (alarms(d).monitoring_alarms_database_cpu.metric_name = "ReadLatency")],
    [
      "the database CPU alarm naming the database by its id, not its identifier",
      (d) => (alarms(d).monitoring_alarms_database_cpu.dimensions.DBInstanceIdentifier = "${aws_db_instance.database_instance.id}"),
    ],
    [
      "the database CPU alarm rebooting something instead of notifying a topic",
      (d) => (alarms(d).monitoring_alarms_database_cpu.alarm_actions = ["arn:aws:automate:us-west-2:ec2:reboot"]),
    ],
  ],
  CKV_AWS_158: [
    ["the flow log group without a key", (d) => delete logGroups(d).network_flow_log_group.kms_key_id],
    ["the rotation function's log group with an empty key", (d) => (logGroups(d).database_app_user_log_group.kms_key_id = "")],
  ],
  "INV-MON-2": [
    ["the AWS managed key", (d) => (topic(d).kms_master_key_id = "alias/aws/sns")],
    ["a key whose policy does not let CloudWatch in", (d) => editPolicy(keyPolicy(d), "policy", (policy) => (policy.Statement = policy.Statement.slice(0, 1)))],
    ["a key of another configuration", (d) => (topic(d).kms_master_key_id = "arn:aws:kms:us-west-2:123456789012:key/00000000-0000-4000-8000-000000000000")],
    ["no topic policy", (d) => delete d.resource.aws_sns_topic_policy],
    ["publishing without TLS allowed", (d) => editPolicy(topicPolicy(d), "policy", (policy) => (policy.Statement = policy.Statement.slice(0, 1)))],
    ["CloudWatch without source conditions", (d) => editPolicy(topicPolicy(d), "policy", (policy) => delete policy.Statement[0].Condition), ["INV-IAM-2"]],
    [
      "anyone allowed to publish",
      (d) => editPolicy(topicPolicy(d), "policy", (policy) => policy.Statement.push({ Effect: "Allow", Principal: "*", Action: "sns:Publish", Resource: "*" })),
    ],
    ["CloudWatch allowed a pattern of other actions", (d) => editPolicy(topicPolicy(d), "policy", (policy) => (policy.Statement[0].Action = "sns:Subscri*"))],
    ["CloudWatch denied, not allowed, to publish", (d) => editPolicy(topicPolicy(d), "policy", (policy) => (policy.Statement[0].Effect = "Deny"))],
    ["the topic policy not JSON", (d) => (topicPolicy(d).policy = "{"), ["INV-IAM-2"]],
    [
      "publishing over TLS denied, not publishing without it",
      (d) => editPolicy(topicPolicy(d), "policy", (policy) => (policy.Statement[1].Condition.Bool["aws:SecureTransport"] = "true")),
    ],
    ["subscribing without TLS denied, not publishing", (d) => editPolicy(topicPolicy(d), "policy", (policy) => (policy.Statement[1].Action = "sns:Subscribe"))],
    ["the AWS managed key by its ARN", (d) => (topic(d).kms_master_key_id = "arn:aws:kms:us-west-2:123456789012:alias/aws/sns")],
    [
      "a key CloudWatch may decrypt with but not encrypt",
      (d) => editPolicy(keyPolicy(d), "policy", (policy) => (policy.Statement[1].Action = ["kms:Decrypt"])),
    ],
    [
      "a key another service may use, not CloudWatch",
      (d) => editPolicy(keyPolicy(d), "policy", (policy) => (policy.Statement[1].Principal = { Service: "events.amazonaws.com" })),
    ],
    [
      "alarms that notify no topic",
      (d) => Object.values<any>(alarms(d)).forEach((alarm) => (alarm.alarm_actions = alarm.ok_actions = [])),
      ["INV-MON-1", "INV-BAK-2"],
    ],
  ],
};

/** For some controls: edits it must not take for a violation, what it leaves alone or reads as AWS does. */
const stillMet: Record<string, [string, Edit][]> = {
  CKV_AWS_21: [
    ["a bucket of a written name, its versioning naming it so", (d) => (d.resource.aws_s3_bucket_versioning.access_logs_versioning.bucket = nameLogBucket(d))],
  ],
  CKV_AWS_19: [["DSSE-KMS", (d) => (logBucketEncryption(d).sse_algorithm = "aws:kms:dsse")]],
  CKV_AWS_145: [["DSSE-KMS on the log bucket (the other uses SSE-KMS)", (d) => (logBucketEncryption(d).sse_algorithm = "aws:kms:dsse")]],
  "S3.5": [
    ["everyone written as the AWS principal *", (d) => editLogBucketPolicy(d, (policy) => (policy.Statement[1].Principal = { AWS: "*" }))],
    ["every action written as *", (d) => editLogBucketPolicy(d, (policy) => (policy.Statement[1].Action = "*"))],
  ],
  CKV2_AWS_61: [
    [
      "a second rule, disabled, beside the enabled one",
      (d) => {
        const { rule } = d.resource.aws_s3_bucket_lifecycle_configuration.access_logs_lifecycle;
        rule.push({ ...rule[0], id: "probe", status: "Disabled" });
      },
    ],
  ],
  "INV-MON-1": [
    [
      "an alarm notifying a topic of another configuration",
      (d) => (alarms(d).monitoring_alarms_database_cpu.alarm_actions = ["arn:aws:sns:us-west-2:123456789012:ops"]),
    ],
    [
      "a second, silent alarm on the database's CPU beside the one that notifies",
      (d) => (alarms(d).probe = { ...alarms(d).monitoring_alarms_database_cpu, alarm_name: "probe", actions_enabled: false }),
    ],
    ["a network load balancer with no alarm", (d) => (d.resource.aws_lb.probe = albLike(d, { load_balancer_type: "network" }))],
    [
      "the CPU of every database, in an alarm and in the metric math of another (no dimensions)",
      (d) => {
        const notifying = { alarm_actions: ["${aws_sns_topic.monitoring_topic_topic.arn}"], comparison_operator: "GreaterThanThreshold", threshold: 1 };
        const everyDatabaseCpu = { namespace: "AWS/RDS", metric_name: "CPUUtilization" };
        alarms(d).probe_cpu = { ...notifying, ...everyDatabaseCpu, alarm_name: "probe cpu" };
        alarms(d).probe_math = { ...notifying, alarm_name: "probe math", metric_query: [{ id: "m", metric: everyDatabaseCpu, return_data: true }] };
      },
    ],
    [
      "an alarm on a group metric of a group of another configuration",
      (d) =>
        (alarms(d).probe = {
          alarm_name: "probe",
          alarm_actions: ["${aws_sns_topic.monitoring_topic_topic.arn}"],
          namespace: "AWS/AutoScaling",
          metric_name: "GroupPendingInstances",
          dimensions: { AutoScalingGroupName: "other-group" },
        }),
    ],
  ],
  "INV-MON-2": [
    ["CloudWatch allowed every SNS action", (d) => editPolicy(topicPolicy(d), "policy", (policy) => (policy.Statement[0].Action = "sns:*"))],
    ["CloudWatch allowed sns:Pub*", (d) => editPolicy(topicPolicy(d), "policy", (policy) => (policy.Statement[0].Action = ["sns:Subscribe", "sns:Pub*"]))],
    ["every action denied without TLS", (d) => editPolicy(topicPolicy(d), "policy", (policy) => (policy.Statement[1].Action = "*"))],
    [
      "CloudWatch conditioned on its source account alone, the key written in capitals",
      (d) =>
        editPolicy(topicPolicy(d), "policy", (policy) => {
          const condition = policy.Statement[0].Condition;
          policy.Statement[0].Condition = { StringEquals: { "AWS:SOURCEACCOUNT": condition.StringEquals["aws:SourceAccount"] } };
        }),
    ],
    [
      "the key's policy set on the key itself",
      (d) => {
        d.resource.aws_kms_key.monitoring_topic_key.policy = keyPolicy(d).policy;
        delete d.resource.aws_kms_key_policy.monitoring_topic_key_policy;
      },
    ],
    ["alarms that notify the topic when they recover only", (d) => Object.values<any>(alarms(d)).forEach((alarm) => (alarm.alarm_actions = []))],
  ],
  CKV_AWS_131: [
    [
      "a network load balancer beside the ALB, which has no such setting",
      (d) => (d.resource.aws_lb.probe = albLike(d, { load_balancer_type: "network", drop_invalid_header_fields: undefined })),
    ],
  ],
  CKV_AWS_91: [
    ["the ELB account written as its id", (d) => editLogBucketPolicy(d, (policy) => (policy.Statement[0].Principal = { AWS: "797873946194" }))],
    ["every S3 action for the ELB account", (d) => editLogBucketPolicy(d, (policy) => (policy.Statement[0].Action = ["s3:GetObject", "s3:*"]))],
    [
      "the objects named by the bucket's written ARN",
      (d) => {
        const bucket = d.resource.aws_s3_bucket.access_logs_bucket;
        delete bucket.bucket_prefix;
        bucket.bucket = "inventory.lb-logs";
        editLogBucketPolicy(d, (policy) => (policy.Statement[0].Resource = "arn:aws:s3:::inventory.lb-logs/AWSLogs/123456789012/*"));
      },
    ],
  ],
  CKV_AWS_2: [["HTTPS alone, no HTTP listener", (d) => delete d.resource.aws_lb_listener.load_balancer_http_listener]],
  CKV2_AWS_20: [["HTTPS alone, no HTTP listener", (d) => delete d.resource.aws_lb_listener.load_balancer_http_listener]],
  CKV_AWS_103: [
    ["a TLS 1.3 only policy", (d) => (httpsListener(d).ssl_policy = "ELBSecurityPolicy-TLS13-1-3-2021-06")],
    ["the forward secrecy policy without CBC", (d) => (httpsListener(d).ssl_policy = "ELBSecurityPolicy-FS-1-2-Res-2020-10")],
  ],
  "ELB.13": [
    [
      "its subnets given as subnet mappings",
      (d) => {
        alb(d).subnet_mapping = alb(d).subnets.map((subnet: string) => ({ subnet_id: subnet }));
        delete alb(d).subnets;
      },
    ],
  ],
  "INV-TG-1": [["60 s", (d) => (targetGroup(d).deregistration_delay = "60")]],
  "INV-TG-3": [["30 s", (d) => (targetGroup(d).slow_start = 30)]],
  "EC2.181": [
    [
      "an instance store volume beside the encrypted root",
      (d) => template(d).block_device_mappings.push({ device_name: "/dev/sdb", virtual_name: "ephemeral0" }),
    ],
  ],
  "AutoScaling.1": [
    [
      "attached through a classic load balancer list",
      (d) => {
        delete group(d).target_group_arns;
        group(d).load_balancers = ["classic"];
      },
    ],
  ],
  "INV-ASG-2": [["100 to 101 %", (d) => Object.assign(group(d).instance_maintenance_policy, { min_healthy_percentage: 100, max_healthy_percentage: 101 })]],
  CKV_AWS_88: [["an interface that asks for no public IP", (d) => (template(d).network_interfaces = [{ associate_public_ip_address: "false" }])]],
  CKV_AWS_79: [["the metadata service turned off", (d) => Object.assign(template(d).metadata_options, { http_endpoint: "disabled", http_tokens: "optional" })]],
  CKV_AWS_341: [["a hop limit of 1 written as text", (d) => (template(d).metadata_options.http_put_response_hop_limit = "1")]],
  CKV_AWS_46: [
    ["a password read at boot", (d) => (template(d).user_data = `${template(d).user_data}\npassword=$(cat /run/secret)`)],
    [
      "a password from a PowerShell command",
      (d) => (template(d).user_data = `${template(d).user_data}\n$password = (Get-SECSecretValue -SecretId db).SecretString`),
    ],
    ["a password from a variable", (d) => (template(d).user_data = `${template(d).user_data}\npassword="$DB_PASSWORD"`)],
  ],
  "INV-IAM-1": [
    [
      "the flow log role trusted for one source ARN",
      (d) =>
        editPolicy(
          role(d, "network_flow_log_role"),
          "assume_role_policy",
          (policy) => (policy.Statement[0].Condition = { ArnLike: { "aws:SourceArn": "arn:aws:ec2:us-west-2:123456789012:vpc-flow-log/*" } }),
        ),
    ],
    [
      "the flow log role trusted for one source owner",
      (d) =>
        editPolicy(
          role(d, "network_flow_log_role"),
          "assume_role_policy",
          (policy) => (policy.Statement[0].Condition = { StringEquals: { "aws:SourceOwner": "123456789012" } }),
        ),
    ],
    [
      "a Deny of the flow log service, with no conditions",
      (d) =>
        editPolicy(role(d, "network_flow_log_role"), "assume_role_policy", (policy) =>
          policy.Statement.push({ Effect: "Deny", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" }),
        ),
    ],
  ],
  "INV-IAM-2": [
    [
      "the log key for log groups named by the account's digits",
      (d) => editLogGroupsOfKey(d, (arns) => arns.map((arn) => arn.replace("${local.log_key_account}", "123456789012"))),
    ],
    ["the rotation function invoked for one secret, of no stated account", (d) => delete rotationPermission(d).source_account],
    [
      "an account, not a service, allowed to invoke the rotation function with no source",
      (d) =>
        (d.resource.aws_lambda_permission.probe = {
          action: "lambda:InvokeFunction",
          function_name: rotationPermission(d).function_name,
          principal: "123456789012",
        }),
    ],
    [
      "ELB's log delivery service allowed under AWSLogs/<account>/ with no source keys",
      (d) => editLogBucketPolicy(d, (policy) => (policy.Statement[0].Principal = { Service: "logdelivery.elasticloadbalancing.amazonaws.com" })),
    ],
  ],
  "INV-DB-1": [
    [
      "a Deny of the master secret to the app role",
      (d) => editSecretPolicy(d, (policy) => policy.Statement.push({ Effect: "Deny", Action: "secretsmanager:GetSecretValue", Resource: MASTER_SECRET })),
    ],
    [
      "the app role reading the secret of a second database, of a password of its own",
      (d) => {
        d.resource.aws_db_instance.probe = { manage_master_user_password: false };
        editSecretPolicy(d, (policy) => (policy.Statement[0].Resource = "${aws_db_instance.probe.master_user_secret[0].secret_arn}"));
      },
    ],
  ],
  CKV2_AWS_57: [["a rotation on a schedule expression", (d) => (rotation(d).rotation_rules = { schedule_expression: "rate(30 days)" })]],
  "INV-S3-1": [
    [
      "a Deny of PutObject to ELB in the whole bucket",
      (d) => editLogBucketPolicy(d, (policy) => policy.Statement.push({ ...policy.Statement[0], Effect: "Deny", Resource: wholeBucket(policy) })),
    ],
    [
      "another account's role allowed to write the whole bucket",
      (d) =>
        editLogBucketPolicy(d, (policy) =>
          policy.Statement.push({
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::123456789012:role/writer" },
            Action: "s3:PutObject",
            Resource: wholeBucket(policy),
          }),
        ),
    ],
    [
      "ELB allowed under AWSLogs/<the account's digits>/",
      (d) =>
        editLogBucketPolicy(d, (policy) => (policy.Statement[0].Resource = policy.Statement[0].Resource.replace(/AWSLogs\/.*$/, "AWSLogs/123456789012/*"))),
    ],
  ],
  "RDS.26": [
    ["the selection naming another database too", (d) => backupSelection(d).resources.unshift(OTHER_DATABASE)],
    ["a second plan of the database, into a vault of another configuration", (d) => secondBackupPlan(d, { target_vault_name: "other-vault" })],
    ["a second rule, into a vault of another configuration", (d) => backupPlan(d).rule.push(otherVaultRule(d))],
  ],
  "INV-BAK-1": [
    [
      "a second restore testing selection of the database, on a plan of another configuration",
      (d) => (d.resource.aws_backup_restore_testing_selection.probe = { ...restoreTestingSelection(d), name: "probe", restore_testing_plan_name: "other" }),
    ],
    [
      "restore tests of a vault of another configuration too",
      (d) => restoreTestingPlan(d).recovery_point_selection[0].include_vaults.unshift("arn:aws:backup:us-west-2:123456789012:backup-vault:other"),
    ],
  ],
  "INV-BAK-2": [
    ["the backup alarm naming its vault by name", (d) => (alarms(d).database_backups_backup_failed.dimensions.BackupVaultName = backupVault(d).name)],
    ["the backup alarm's actions on by default", (d) => delete alarms(d).database_backups_backup_failed.actions_enabled],
    ["a second rule, into a vault of another configuration", (d) => backupPlan(d).rule.unshift(otherVaultRule(d))],
    [
      "a vault in no plan, with no alarm",
      (d) => (d.resource.aws_backup_vault.probe = { name: "probe", kms_key_arn: "${aws_kms_key.database_backups_vault_key.arn}" }),
    ],
  ],
  "INV-BAK-3": [
    [
      "a second copy, into a vault of the copy's region with a key of the database's",
      (d) => {
        secondCopyVault(d, "${aws_kms_key.database_backups_vault_key.arn}");
        backupPlan(d).rule[0].copy_action.unshift({ destination_vault_arn: "${aws_backup_vault.probe.arn}" });
      },
    ],
  ],
  CKV2_AWS_11: [
    ["a flow log of rejected traffic only", (d) => (d.resource.aws_flow_log.network_flow_log.traffic_type = "REJECT")],
    [
      "a second flow log, of accepted traffic only",
      (d) => (d.resource.aws_flow_log.probe = { ...d.resource.aws_flow_log.network_flow_log, traffic_type: "ACCEPT" }),
    ],
  ],
  CKV2_AWS_12: [
    [
      "the default group of another VPC, with rules",
      (d) =>
        (d.resource.aws_default_security_group.probe = {
          vpc_id: "vpc-0other",
          ingress: [{ protocol: "-1", from_port: 0, to_port: 0, self: true }],
        }),
    ],
  ],
  CKV_AWS_382: [
    ["one UDP port out", (d) => (d.resource.aws_vpc_security_group_egress_rule.security_groups_app_to_https.ip_protocol = "udp")],
    ["one port out of protocol 6 (TCP by number)", (d) => (d.resource.aws_vpc_security_group_egress_rule.security_groups_app_to_https.ip_protocol = "6")],
  ],
  CKV_AWS_129: [["audit exported with an option group holding MARIADB_AUDIT_PLUGIN", (d) => exportAuditWith(d, ["MEMCACHED", "MARIADB_AUDIT_PLUGIN"])]],
  CKV2_AWS_69: [["TLS required as ON", (d) => (parameters(d).find((p: any) => p.name === "require_secure_transport").value = "ON")]],
  CKV2_AWS_28: [
    ["an internal ALB with no web ACL", (d) => (d.resource.aws_lb.probe = albLike(d, { internal: true }))],
    ["a network load balancer with no web ACL", (d) => (d.resource.aws_lb.probe = albLike(d, { load_balancer_type: "network" }))],
    ["a second web ACL in the configuration", (d) => (d.resource.aws_wafv2_web_acl.probe = webAcl(d))],
  ],
  "INV-WAF-1": [
    [
      "rate limits of no stated key (per IP, AWS's default)",
      (d) =>
        rateRules(d).forEach((rule: any) => {
          expect(rule.statement.rate_based_statement.aggregate_key_type).toBe("IP");
          delete rule.statement.rate_based_statement.aggregate_key_type;
        }),
    ],
  ],
};

/** One `type` block per bucket of the stack (the access logs' and the app artifact's), each pointing at its bucket. */
const forEveryBucket = (d: any, type: string, block: (bucket: string) => Record<string, unknown>) =>
  (d.resource[type] = Object.fromEntries(Object.keys(d.resource.aws_s3_bucket).map((name) => [`probe_${name}`, block(`\${aws_s3_bucket.${name}.id}`)])));

/** For each control the hardened stack cannot meet: an edit that meets it, so the check is not a constant failure. */
const remedies: Record<string, Edit> = {
  "RDS.9": (d) => (db(d).enabled_cloudwatch_logs_exports = ["audit", "error", "general", "slowquery"]),
  CKV_AWS_145: (d) =>
    (d.resource.aws_s3_bucket_server_side_encryption_configuration.access_logs_encryption.rule[0].apply_server_side_encryption_by_default.sse_algorithm =
      "aws:kms"),
  CKV_AWS_18: (d) => forEveryBucket(d, "aws_s3_bucket_logging", (bucket) => ({ bucket, target_bucket: "central-logs", target_prefix: "s3/" })),
  CKV_AWS_144: (d) =>
    forEveryBucket(d, "aws_s3_bucket_replication_configuration", (bucket) => ({ bucket, role: "arn:aws:iam::123456789012:role/replication", rule: [] })),
  CKV2_AWS_62: (d) => forEveryBucket(d, "aws_s3_bucket_notification", (bucket) => ({ bucket, eventbridge: true })),
};

describe("every inventory control notices when its protection is broken", () => {
  const inventory = controlsFor("inventory");

  it("names a control in its tests by every id, then its title", () => {
    expect(controlName(inventory.find((control) => control.id === "CKV_AWS_131")!)).toBe("CKV_AWS_131 / ELB.4 ALB drops invalid header fields");
    expect(controlName(inventory.find((control) => control.id === "CKV_AWS_341")!)).toBe("CKV_AWS_341 Launch template keeps the metadata hop limit at 1");
  });

  it("has a violation or, for the controls the hardened stack cannot meet, a remedy, for every control", () => {
    const unmet = inventory
      .filter((control) => control.check({ name: HARDENED, scope: "inventory", region: "us-west-2", document: hardened, settings }).length > 0)
      .map((control) => control.id);
    expect(Object.keys(remedies).sort()).toEqual(unmet.sort());
    expect(Object.keys(violations).sort()).toEqual(
      inventory
        .map((control) => control.id)
        .filter((id) => !unmet.includes(id))
        .sort(),
    );
  });

  describe.each(inventory.filter((control) => violations[control.id]).map((control) => [control.id, control] as const))("%s", (id, control) => {
    it("is met by the hardened stack", () => {
      expect(findingsAfter(control, hardened, () => undefined)).toStrictEqual([]);
    });
    it.each(violations[id])("fails with %s", (_what, edit, alsoBroken = []) => {
      expect(controlsBrokenBy(hardened, edit, "inventory").sort()).toStrictEqual([id, ...alsoBroken].sort());
    });
  });

  it.each(Object.entries(stillMet).flatMap(([id, edits]) => edits.map(([what, edit]) => [id, what, edit] as const)))(
    "%s is still met with %s",
    (id, _what, edit) => {
      expect(
        findingsAfter(
          inventory.find((control) => control.id === id)!,
          hardened,
          edit,
        ),
      ).toStrictEqual([]);
    },
  );

  it.each(Object.entries(remedies))("%s can be met", (id, remedy) => {
    const control = inventory.find((candidate) => candidate.id === id)!;
    expect(findingsAfter(control, hardened, () => undefined)).not.toStrictEqual([]);
    expect(findingsAfter(control, hardened, remedy)).toStrictEqual([]);
  });

  it("keeps in findings/inventory.txt what each violation's finding says, and each unmet control's, and each control's of no resources", () => {
    const withViolations = inventory.filter((control) => violations[control.id]);
    const unmet = inventory.filter((control) => remedies[control.id]);
    expect([withViolations.length + unmet.length, withViolations.length > 0, unmet.length > 0]).toEqual([inventory.length, true, true]);
    const lines = [
      ...withViolations.flatMap((control) =>
        violations[control.id].flatMap(([what, edit]) => findingLines(`${control.id} fails with ${what}`, newFindings(control, hardened, edit, "inventory"))),
      ),
      ...unmet.flatMap((control) => findingLines(`${control.id} is not met by the hardened stack`, findingsIn(control, hardened, "inventory"))),
      // What a control requires (a finding on the configuration) and what it only checks where it exists (none).
      ...inventory.flatMap((control) =>
        findingLines(
          `${control.id} of a configuration without resources`,
          findingsAfter(control, hardened, (document) => (document.resource = {})),
        ),
      ),
    ];
    expectKeptFindings("inventory.txt", `${lines.join("\n")}\n`);
  });
});

describe("the IAM controls, on policies added to the hardened stack", () => {
  const control = (id: string) => controlsFor("inventory").find((candidate) => candidate.id === id)!;
  /** Adds an inline policy of one statement to a role "probe". */
  const inline = (statement: Record<string, unknown>) => (document: any) =>
    (document.resource.aws_iam_role_policy.probe = { role: "probe", policy: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }) });
  /** Attaches the managed policy `arn` to a role "probe". */
  const attached = (arn: string) => (document: any) => (document.resource.aws_iam_role_policy_attachment = { probe: { role: "probe", policy_arn: arn } });

  it("CKV_AWS_62 finds an Allow of every action but a few, or on every resource but a few", () => {
    expect(
      newFindings(control("CKV_AWS_62"), hardened, inline({ Effect: "Allow", NotAction: "s3:DeleteBucket", Resource: "arn:aws:s3:::b" }), "inventory"),
    ).toStrictEqual(['aws_iam_role_policy.probe: inline policy of role "probe" allows NotAction, every action but a few']);
    expect(
      newFindings(control("CKV_AWS_62"), hardened, inline({ Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::b/*" }), "inventory"),
    ).toStrictEqual(['aws_iam_role_policy.probe: inline policy of role "probe" allows NotResource, every resource but a few']);
  });

  it("CKV_AWS_62 finds a whole service's actions, and takes a pattern within a service for what it is", () => {
    expect(
      newFindings(control("CKV_AWS_62"), hardened, inline({ Effect: "Allow", Action: ["s3:*", "s3:*Object"], Resource: "arn:aws:s3:::b/*" }), "inventory"),
    ).toStrictEqual(['aws_iam_role_policy.probe: inline policy of role "probe" allows action s3:*']);
  });

  it("CKV_AWS_62 reads Allow statements only: a Deny of every action on every resource is no finding", () => {
    expect(newFindings(control("CKV_AWS_62"), hardened, inline({ Effect: "Deny", Action: "*", Resource: "*" }), "inventory")).toStrictEqual([]);
  });

  it("CKV_AWS_274 finds AdministratorAccess of any partition, and has nothing to say of a customer managed policy", () => {
    expect(newFindings(control("CKV_AWS_274"), hardened, attached("arn:aws-us-gov:iam::aws:policy/AdministratorAccess"), "inventory")).toStrictEqual([
      'aws_iam_role_policy_attachment.probe: attaches AdministratorAccess to role "probe"',
    ]);
    expect(newFindings(control("CKV_AWS_274"), hardened, attached("arn:aws:iam::123456789012:policy/AdministratorAccess"), "inventory")).toStrictEqual([]);
  });

  it("CKV_AWS_274 reads a partition written as a reference, and finds a policy it cannot know before apply unless this configuration holds it", () => {
    const arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AdministratorAccess";
    expect(newFindings(control("CKV_AWS_274"), hardened, attached(arn), "inventory")).toStrictEqual([
      'aws_iam_role_policy_attachment.probe: attaches AdministratorAccess to role "probe"',
    ]);
    expect(newFindings(control("CKV_AWS_274"), hardened, attached("${data.aws_iam_policy.admin.arn}"), "inventory")).toStrictEqual([
      'aws_iam_role_policy_attachment.probe: attaches ${data.aws_iam_policy.admin.arn} to role "probe", a policy that cannot be known before apply',
    ]);
    const ownPolicy = (document: any) => {
      attached("${aws_iam_policy.probe.arn}")(document);
      document.resource.aws_iam_policy = { probe: { name: "probe", policy: JSON.stringify({ Version: "2012-10-17", Statement: [] }) } };
    };
    expect(newFindings(control("CKV_AWS_274"), hardened, ownPolicy, "inventory")).toStrictEqual([]);
  });
});

describe("the state controls, on a stand-in for the bootstrap stack", () => {
  /** The bucket and lock table as the bootstrap stack declares them (resource types from its design). */
  const standIn: TerraformDocument = JSON.parse(
    Testing.synthScope((scope) => {
      const bucket = new S3Bucket(scope, "state-bucket", { bucket: "inventory-ha-terraform-state" });
      new S3BucketVersioningA(scope, "state-versioning", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
      new S3BucketServerSideEncryptionConfigurationA(scope, "state-encryption", {
        bucket: bucket.id,
        rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
      });
      new S3BucketPublicAccessBlock(scope, "state-public-access", {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      const tlsOnly = JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucket.arn, `${bucket.arn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      });
      new S3BucketPolicy(scope, "state-policy", { bucket: bucket.id, policy: tlsOnly });
      new DynamodbTable(scope, "locks", {
        name: "inventory-ha-terraform-locks",
        hashKey: "LockID",
        billingMode: "PAY_PER_REQUEST",
        attribute: [{ name: "LockID", type: "S" }],
        pointInTimeRecovery: { enabled: true },
        deletionProtectionEnabled: true,
      });
    }),
  );
  const state = controlsFor("state");
  const first = (document: any, type: string) => Object.values<any>(document.resource[type])[0];

  it.each(state.map((control) => [control.id, control] as const))("%s is met by the stand-in", (_id, control) => {
    expect(findingsAfter(control, standIn, () => undefined, "state")).toStrictEqual([]);
  });

  /** Edits of the stand-in, each with the control it breaks and the others it breaks too. */
  const stateViolations: [string, string, Edit, string[]?][] = [
    ["CKV_AWS_21", "no versioning", (d) => delete d.resource.aws_s3_bucket_versioning],
    ["CKV_AWS_19", "no encryption configuration", (d) => delete d.resource.aws_s3_bucket_server_side_encryption_configuration],
    ["CKV2_AWS_6", "public ACLs allowed", (d) => (first(d, "aws_s3_bucket_public_access_block").block_public_acls = false)],
    ["CKV2_AWS_6", "public policies allowed", (d) => (first(d, "aws_s3_bucket_public_access_block").block_public_policy = false)],
    ["CKV2_AWS_6", "ACLs not ignored", (d) => (first(d, "aws_s3_bucket_public_access_block").ignore_public_acls = false)],
    ["CKV2_AWS_6", "public buckets not restricted", (d) => (first(d, "aws_s3_bucket_public_access_block").restrict_public_buckets = false)],
    ["S3.5", "no bucket policy", (d) => delete d.resource.aws_s3_bucket_policy],
    ["S3.5", "an Allow instead of a Deny", (d) => editPolicy(first(d, "aws_s3_bucket_policy"), "policy", (policy) => (policy.Statement[0].Effect = "Allow"))],
    ["S3.5", "the policy not JSON", (d) => (first(d, "aws_s3_bucket_policy").policy = "{")],
    [
      "S3.5",
      "another bucket and its objects, by their written ARNs",
      (d) =>
        editPolicy(first(d, "aws_s3_bucket_policy"), "policy", (policy) => (policy.Statement[0].Resource = ["arn:aws:s3:::other", "arn:aws:s3:::other/*"])),
    ],
    ["CKV_AWS_28", "no point-in-time recovery", (d) => delete first(d, "aws_dynamodb_table").point_in_time_recovery],
    ["DynamoDB.6", "no deletion protection", (d) => (first(d, "aws_dynamodb_table").deletion_protection_enabled = false)],
    // The state controls read whatever IAM the bootstrap stack would hold, though the stand-in holds none.
    [
      "CKV_AWS_62",
      "an inline policy allowing *",
      (d) =>
        (d.resource.aws_iam_role_policy = {
          probe: { role: "state-admin", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) },
        }),
    ],
    [
      "CKV_AWS_274",
      "AdministratorAccess attached",
      (d) => (d.resource.aws_iam_role_policy_attachment = { probe: { role: "state-admin", policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess" } }),
    ],
    // Every bucket control requires a bucket; both table controls a table.
    ["CKV_AWS_21", "no bucket at all", (d) => delete d.resource.aws_s3_bucket, ["CKV2_AWS_6", "CKV_AWS_19", "S3.5"]],
    ["DynamoDB.6", "no lock table at all", (d) => delete d.resource.aws_dynamodb_table, ["CKV_AWS_28"]],
  ];

  it("has an edit that breaks each state control", () => {
    expect([...new Set(stateViolations.map(([id]) => id))].sort()).toStrictEqual(state.map((control) => control.id).sort());
  });

  it.each(stateViolations)("%s fails with %s", (id, _what, edit, alsoBroken = []) => {
    expect(controlsBrokenBy(standIn, edit, "state").sort()).toStrictEqual([id, ...alsoBroken].sort());
  });

  it("keeps in findings/state.txt what each violation's finding says, and each control's of no resources", () => {
    const controlOf = (id: string) => state.find((control) => control.id === id)!;
    const lines = [
      ...stateViolations.flatMap(([id, what, edit]) => findingLines(`${id} fails with ${what}`, newFindings(controlOf(id), standIn, edit, "state"))),
      ...state.flatMap((control) =>
        findingLines(
          `${control.id} of a configuration without resources`,
          findingsAfter(control, standIn, (document) => (document.resource = {}), "state"),
        ),
      ),
    ];
    expect(stateViolations).toHaveLength(16);
    expectKeptFindings("state.txt", `${lines.join("\n")}\n`);
  });

  it("names a missing lock table in one finding on the configuration", () => {
    const control = state.find((candidate) => candidate.id === "DynamoDB.6")!;
    expect(findingsAfter(control, standIn, (d) => delete d.resource.aws_dynamodb_table, "state")).toStrictEqual(["(configuration): has no DynamoDB table"]);
  });

  it("S3.5 reads a literal JSON policy with literal ARNs too", () => {
    const control = state.find((candidate) => candidate.id === "S3.5")!;
    const literal = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: ["arn:aws:s3:::inventory-ha-terraform-state", "arn:aws:s3:::inventory-ha-terraform-state/*"],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
    expect(findingsAfter(control, standIn, (d) => (first(d, "aws_s3_bucket_policy").policy = literal), "state")).toStrictEqual([]);
  });
});
