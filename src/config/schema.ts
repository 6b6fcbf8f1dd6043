import { z } from "zod";
import { EMAIL_ADDRESS, HTTPS_ENDPOINT, topicKeyProblem } from "../constructs/alarm-topic";
import { DEFAULT_TARGET_VALUES, SCALING_METRICS } from "../constructs/app-scaling";
import { alarmThresholdProblem, HA_SIGNAL_DESCRIPTIONS, HA_SIGNALS, type HaSignal } from "../constructs/availability-alarms";
import { instanceClassProblem } from "../constructs/database-instance-classes";
import { allocate, cidrProblem, contains, format, overlaps, parseCidr, size } from "./cidr";
import { nameProblems, resourceNames } from "./names";
import { RESERVED_TAG_KEYS } from "./tags";

/**
 * The settings of one environment: every knob of the stack, with the lab's
 * values (docs/lab.md, the lab's final state) as defaults. An environment file in
 * `environments/` holds only what differs from these.
 */

/** How the private subnets reach the internet. */
export const NAT_STRATEGIES = ["single", "per-az"] as const;
export type NatStrategy = (typeof NAT_STRATEGIES)[number];

/** Where the database accepts MySQL connections from. */
export const DATABASE_SOURCES = ["app-security-group", "vpc-cidr"] as const;
export type DatabaseSource = (typeof DATABASE_SOURCES)[number];

/** EBS volume types RDS for MySQL accepts, with their smallest size in GiB. */
export const STORAGE_MINIMUM_GIB = { gp3: 20, gp2: 20, io1: 100, io2: 100 } as const;
export type StorageType = keyof typeof STORAGE_MINIMUM_GIB;
const STORAGE_MAXIMUM_GIB = 65536;

/** Log types RDS for MySQL can export to CloudWatch Logs. */
export const MYSQL_LOG_EXPORTS = ["audit", "error", "general", "slowquery", "iam-db-auth-error"] as const;

/** Enhanced Monitoring intervals RDS accepts (0 turns it off). */
const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60] as const;
type MonitoringInterval = (typeof MONITORING_INTERVALS)[number];

/** Where Terraform keeps the state of an environment. */
export const STATE_BACKENDS = ["s3", "cloud", "local"] as const;
export type StateBackendType = (typeof STATE_BACKENDS)[number];

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const AVAILABILITY_ZONE = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]$/;
const EC2_INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const RDS_INSTANCE_CLASS = /^db\.[a-z][a-z0-9-]*\.[a-z0-9]+$/;
// ACM certificates live in the load balancer's own region; the check below compares them.
const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[0-9a-f-]{36}$/;
// S3 general purpose bucket naming rules, without the reserved prefixes/suffixes checked below.
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IMAGE_ID = /^(ami-[0-9a-f]{8,17}|resolve:ssm:\/[A-Za-z0-9_.\/-]+(:\d+)?)$/;
const WINDOW = /^(mon|tue|wed|thu|fri|sat|sun):[0-2]\d:[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):[0-2]\d:[0-5]\d$/;
const DAILY_WINDOW = /^[0-2]\d:[0-5]\d-[0-2]\d:[0-5]\d$/;

const cidr = z.string().superRefine((value, ctx) => {
  const problem = cidrProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const positiveInt = () => z.number().int().positive();

const tagMap = z
  .record(
    z
      .string()
      .min(1)
      .max(128)
      .regex(/^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, "tag keys use letters, digits, spaces and _.:/=+-@, and may not start with aws:"),
    z
      .string()
      .max(256)
      .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, "tag values use letters, digits, spaces and _.:/=+-@"),
  )
  .default({});

const namesSchema = z
  .strictObject({
    vpc: z.string().min(1).default("Lab VPC").describe("Name tag of the VPC."),
    loadBalancer: z.string().default("Inventory-LB").describe("Application Load Balancer and its security group."),
    app: z.string().default("Inventory-App").describe("Target group, app security group and the Name tag of every app server."),
    autoScalingGroup: z.string().default("Inventory-ASG").describe("Auto Scaling group of the app servers."),
    database: z.string().default("Inventory-DB").describe("Database security group and Name tag; the RDS identifier is its lower-case form."),
    instanceRole: z.string().default("Inventory-App-Role").describe("IAM role and instance profile of the app servers."),
    launchTemplate: z.string().default("Lab-template-").describe("Name prefix of the launch template (AWS appends a unique suffix)."),
  })
  .prefault({})
  .describe("The lab's resource names; `namePrefix` is put in front of each.");

const healthCheckSchema = z
  .strictObject({
    path: z
      .string()
      .regex(/^\/[\x21-\x7e]{0,1023}$/, "must be an absolute URL path like /health")
      .default("/health")
      .describe("Path the load balancer requests on each app server."),
    healthyThreshold: z.number().int().min(2).max(10).default(2).describe("Consecutive successes before a target counts as healthy (lab: 2)."),
    unhealthyThreshold: z.number().int().min(2).max(10).default(2).describe("Consecutive failures before a target counts as unhealthy."),
    intervalSeconds: z.number().int().min(5).max(300).default(10).describe("Seconds between health checks (lab: 10)."),
    timeoutSeconds: z.number().int().min(2).max(120).default(5).describe("Seconds without a response that fail a check; below the interval."),
    matcher: z
      .string()
      .regex(/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/, "must be HTTP codes like 200 or 200-299")
      .default("200")
      .describe("HTTP codes that count as healthy."),
  })
  .prefault({});

const networkSchema = z
  .strictObject({
    vpcCidr: cidr.default("10.0.0.0/20").describe("CIDR block of the VPC."),
    publicSubnetCidrs: z
      .array(cidr)
      .optional()
      .describe("One CIDR per availability zone for the public subnets. Default: /24s (VPC prefix + 4) from the start of the VPC: 10.0.0.0/24, 10.0.1.0/24."),
    privateSubnetCidrs: z
      .array(cidr)
      .optional()
      .describe("One CIDR per availability zone for the private subnets. Default: /23s (VPC prefix + 3) after the public ones: 10.0.2.0/23, 10.0.4.0/23."),
    natStrategy: z
      .enum(NAT_STRATEGIES)
      .default("per-az")
      .describe(
        "`per-az`: a NAT gateway and private route table per zone (the lab's challenge); `single`: one NAT gateway in the first public subnet (the lab's start).",
      ),
    flowLogs: z
      .strictObject({
        enabled: z.boolean().default(true).describe("Record VPC flow logs to CloudWatch Logs."),
        retentionDays: z
          .union([
            z.literal(1),
            z.literal(3),
            z.literal(5),
            z.literal(7),
            z.literal(14),
            z.literal(30),
            z.literal(60),
            z.literal(90),
            z.literal(120),
            z.literal(150),
            z.literal(180),
            z.literal(365),
            z.literal(400),
            z.literal(545),
            z.literal(731),
            z.literal(1096),
            z.literal(1827),
            z.literal(2192),
            z.literal(2557),
            z.literal(2922),
            z.literal(3288),
            z.literal(3653),
          ])
          .default(365)
          .describe("Days CloudWatch Logs keeps the flow logs (a value CloudWatch accepts)."),
      })
      .prefault({})
      .describe("VPC flow logs."),
  })
  .prefault({});

const loadBalancerSchema = z
  .strictObject({
    ingressCidrs: z.array(cidr).min(1).default(["0.0.0.0/0"]).describe("Client networks allowed to reach ports 80 and 443 (lab: anywhere)."),
    certificateArn: z
      .string()
      .regex(ACM_CERTIFICATE_ARN, "must be an ACM certificate ARN like arn:aws:acm:us-west-2:123456789012:certificate/<uuid>")
      .optional()
      .describe("ACM certificate for an HTTPS:443 listener; HTTP:80 then redirects to HTTPS. Unset: HTTP:80 forwards to the app."),
    sslPolicy: z
      .string()
      .regex(/^ELBSecurityPolicy-(TLS13-1-[23]|FS-1-2-Res)[A-Za-z0-9-]*$/, "must be a TLS 1.2+ ELB security policy")
      .default("ELBSecurityPolicy-TLS13-1-2-2021-06")
      .describe("TLS policy of the HTTPS listener (TLS 1.2 and 1.3 only)."),
    deletionProtection: z.boolean().default(true).describe("Refuse to delete the load balancer until this is turned off."),
    idleTimeoutSeconds: z.number().int().min(1).max(4000).default(60).describe("Seconds an idle client connection stays open."),
    deregistrationDelaySeconds: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .default(30)
      .describe("Seconds a deregistering target keeps serving in-flight requests (AWS default 300)."),
    healthCheck: healthCheckSchema.describe("Health check of the target group."),
    accessLogs: z
      .strictObject({
        enabled: z
          .boolean()
          .default(true)
          .describe("Log every request to an S3 bucket the project creates (versioned, SSE-S3, private, TLS only, writable by ELB log delivery only)."),
        bucketName: z.string().optional().describe("Name of the log bucket. Default: a unique name Terraform generates from `<namePrefix>inventory-lb-logs-`."),
        retentionDays: z.number().int().min(1).max(3650).default(90).describe("Days S3 keeps a log file (a replaced version 7 days more)."),
        forceDestroy: z
          .boolean()
          .default(false)
          .describe("Let `cdktf destroy` delete the log bucket with the logs in it (off: destroy stops at a bucket that still holds logs)."),
      })
      .prefault({})
      .describe("Access logs of the load balancer (CKV_AWS_91, ELB.5)."),
  })
  .prefault({});

const appTierSchema = z
  .strictObject({
    instanceType: z
      .string()
      .regex(EC2_INSTANCE_TYPE, "must be an EC2 instance type like t3.micro")
      .default("t3.micro")
      .describe("EC2 instance type of the app servers."),
    imageId: z
      .string()
      .regex(IMAGE_ID, "must be an AMI id (ami-...) or resolve:ssm:/parameter/name")
      .default("resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64")
      .describe("AMI of the app servers; the default resolves the latest Amazon Linux 2023 at launch, with no plan-time lookup."),
    minSize: z.number().int().min(0).max(100).default(2).describe("Fewest app servers."),
    desiredCapacity: z.number().int().min(0).max(100).default(2).describe("App servers to run."),
    maxSize: z.number().int().min(1).max(100).default(2).describe("Most app servers."),
    healthCheckGracePeriodSeconds: z
      .number()
      .int()
      .min(0)
      .max(7200)
      .default(300)
      .describe("Seconds after launch before failed load balancer checks replace a server."),
    rootVolumeSizeGiB: z.number().int().min(8).max(16384).default(8).describe("Size of the encrypted gp3 root volume."),
    instanceRefreshMinHealthyPercent: z
      .number()
      .int()
      .min(0)
      .max(100)
      .default(50)
      .describe("Share of the fleet kept in service while an instance refresh rolls a new launch template version."),
    scaling: z
      .strictObject({
        policy: z
          .enum(["none", ...SCALING_METRICS])
          .default("none")
          .describe(
            "`none`: the group keeps desiredCapacity (the lab's 2/2/2); `request-count-per-target`: target tracking of the load balancer's requests per server per minute; `average-cpu`: of the group's average CPU. With a policy the group starts at minSize and the policy sets the desired capacity between minSize and maxSize.",
          ),
        targetValue: z
          .number()
          .positive()
          .optional()
          .describe(
            `Value the policy keeps its metric at. Default: ${DEFAULT_TARGET_VALUES["request-count-per-target"]} requests per server per minute, or ${DEFAULT_TARGET_VALUES["average-cpu"]}% CPU.`,
          ),
      })
      .prefault({})
      .describe("Target tracking scaling of the app servers, off by default."),
  })
  .prefault({});

const databaseSchema = z
  .strictObject({
    engineVersion: z
      .string()
      .regex(/^8\.4(\.\d+)?$/, "must be MySQL 8.4 (the current LTS), like 8.4 or 8.4.7")
      .default("8.4")
      .describe("RDS for MySQL version; a major.minor pins the major and lets minor upgrades apply."),
    instanceClass: z
      .string()
      .regex(RDS_INSTANCE_CLASS, "must be an RDS instance class like db.t3.small")
      .default("db.t3.small")
      .describe("Instance class (the lab's challenge doubled db.t3.micro)."),
    storageType: z
      .enum(Object.keys(STORAGE_MINIMUM_GIB) as [StorageType, ...StorageType[]])
      .default("gp3")
      .describe("EBS volume type of the database."),
    allocatedStorageGiB: positiveInt().default(40).describe("Storage in GiB (the lab doubled its storage; gp3 starts at 20 GiB)."),
    maxAllocatedStorageGiB: positiveInt().optional().describe("Upper bound for storage autoscaling; unset turns it off."),
    multiAz: z.boolean().default(true).describe("Keep a synchronous standby in another zone (the lab's challenge)."),
    databaseName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, "must start with a letter and use letters, digits and _ (at most 64)")
      .default("inventory")
      .describe("Schema the app uses."),
    masterUsername: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]{0,31}$/, "must start with a letter and use letters, digits and _ (at most 32)")
      .default("admin")
      .describe("Master user; its password is generated and rotated by RDS in Secrets Manager."),
    backupRetentionDays: z.number().int().min(0).max(35).default(7).describe("Days of automated backups (0 turns them off)."),
    backupWindow: z.string().regex(DAILY_WINDOW, "must be hh:mm-hh:mm in UTC").optional().describe("Daily backup window in UTC; unset lets AWS choose."),
    maintenanceWindow: z
      .string()
      .regex(WINDOW, "must be ddd:hh:mm-ddd:hh:mm in UTC")
      .optional()
      .describe("Weekly maintenance window in UTC; unset lets AWS choose."),
    deletionProtection: z.boolean().default(true).describe("Refuse to delete the database until this is turned off."),
    skipFinalSnapshot: z.boolean().default(false).describe("Delete without a final snapshot."),
    applyImmediately: z.boolean().default(true).describe("Apply class and storage changes now, not in the maintenance window (the lab's challenge)."),
    ingressFrom: z
      .enum(DATABASE_SOURCES)
      .default("app-security-group")
      .describe("`app-security-group`: MySQL only from the app servers; `vpc-cidr`: from the whole VPC (the lab's start)."),
    logExports: z.array(z.enum(MYSQL_LOG_EXPORTS)).default(["error", "slowquery"]).describe("MySQL logs exported to CloudWatch Logs."),
    monitoringIntervalSeconds: z
      .union(MONITORING_INTERVALS.map((v) => z.literal(v)) as unknown as [z.ZodLiteral<MonitoringInterval>, z.ZodLiteral<MonitoringInterval>])
      .default(60)
      .describe("Seconds between Enhanced Monitoring samples of the database's OS (0 turns it off)."),
  })
  .prefault({});

/** One alarm's threshold and timing, with its defaults and the reason for them from the alarm construct. */
function alarmSchema(signal: HaSignal) {
  const { defaults, threshold, why, percent, tier, title } = HA_SIGNAL_DESCRIPTIONS[signal];
  const value = z.number().min(0);
  return z
    .strictObject({
      threshold: (percent ? value.max(100) : value).default(defaults.threshold).describe(`${threshold[0].toUpperCase()}${threshold.slice(1)}. Why: ${why}`),
      periodSeconds: z
        .number()
        .int()
        .min(60)
        .max(86400)
        .multipleOf(60, "must be a multiple of 60 (AWS services publish these metrics per minute)")
        .default(defaults.periodSeconds)
        .describe("Seconds in one evaluated period (a multiple of 60)."),
      evaluationPeriods: z
        .number()
        .int()
        .min(1)
        .max(1440)
        .default(defaults.evaluationPeriods)
        .describe("Consecutive periods past the threshold before it fires."),
    })
    .prefault({})
    .describe(`${tier}: ${title}`);
}

const monitoringSchema = z
  .strictObject({
    notifications: z
      .strictObject({
        kmsKeyArn: z
          .string()
          .superRefine((arn, ctx) => {
            const problem = topicKeyProblem(arn);
            if (problem) ctx.addIssue({ code: "custom", message: problem });
          })
          .optional()
          .describe(
            "KMS key that encrypts the alarm topic; its key policy must let cloudwatch.amazonaws.com use kms:Decrypt and kms:GenerateDataKey*. Default: a customer managed key created for the topic, with rotation. The AWS managed alias/aws/sns is refused: CloudWatch alarms cannot publish to a topic it encrypts.",
          ),
        emailAddresses: z
          .array(z.string().regex(EMAIL_ADDRESS, "must be an email address"))
          .default([])
          .describe("Addresses notified when an alarm fires and when it recovers; each confirms its subscription from the mail AWS sends."),
        httpsEndpoints: z
          .array(z.string().regex(HTTPS_ENDPOINT, "must be an https:// URL"))
          .default([])
          .describe("HTTPS endpoints (a chat or paging webhook) notified like the addresses; each must confirm SNS's subscription request."),
      })
      .prefault({})
      .describe("The SNS topic the alarms notify."),
    alarms: z
      .strictObject(Object.fromEntries(HA_SIGNALS.map((signal) => [signal, alarmSchema(signal)])) as Record<HaSignal, ReturnType<typeof alarmSchema>>)
      .prefault({})
      .describe("Threshold and timing of each HA signal's alarm."),
  })
  .prefault({});

const stateSchema = z
  .strictObject({
    backend: z
      .enum(STATE_BACKENDS)
      .default("s3")
      .describe("`s3`: an S3 bucket (see the bootstrap stack); `cloud`: Terraform Cloud; `local`: a file, for trying things out."),
    bucket: z.string().optional().describe("S3 bucket of the state (env INVENTORY_STATE_BUCKET overrides)."),
    region: z
      .string()
      .regex(REGION, "must be an AWS region like us-west-2")
      .optional()
      .describe("Region of the state bucket (env INVENTORY_STATE_REGION overrides). Default: the environment's region."),
    keyPrefix: z
      .string()
      .regex(/^([A-Za-z0-9!_.*'()-]+\/)*$/, "must be empty or end with / and use S3-safe characters")
      .default("")
      .describe("Prefix before `<environment>/inventory-ha.tfstate`."),
    lockTable: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{3,255}$/, "must be a DynamoDB table name")
      .optional()
      .describe("DynamoDB lock table (env INVENTORY_STATE_LOCK_TABLE overrides); unset uses S3 lock files only."),
    useLockfile: z.boolean().default(true).describe("Lock with an S3 lock file (Terraform 1.10+)."),
    organization: z.string().optional().describe("Terraform Cloud organization (backend `cloud`; env TF_CLOUD_ORGANIZATION overrides)."),
    workspace: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,90}$/, "must be 1-90 letters, digits, - and _")
      .optional()
      .describe("Terraform Cloud workspace (backend `cloud`). Default: inventory-ha-<environment>, unless workspaceTags is set."),
    workspaceTags: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9:_-]*$/, "must be lower-case letters, digits, : _ and -"))
      .min(1)
      .optional()
      .describe("Terraform Cloud workspace tags (backend `cloud`), instead of one named workspace."),
    hostname: z.string().default("app.terraform.io").describe("Terraform Cloud or Enterprise host (backend `cloud`)."),
  })
  .prefault({});

export const settingsSchema = z
  .strictObject({
    $schema: z.string().optional().describe("Path of the JSON schema, for editors; ignored."),
    namePrefix: z
      .string()
      .regex(/^([A-Za-z][A-Za-z0-9-]*-)?$/, "must be empty or letters, digits and hyphens ending in a hyphen, like staging-")
      .max(12)
      .default("")
      .describe("Put in front of every resource name so two environments can share an account (empty keeps the lab's names)."),
    region: z.string().regex(REGION, "must be an AWS region like us-west-2").default("us-west-2").describe("AWS region of the environment."),
    availabilityZones: z
      .array(z.string().regex(AVAILABILITY_ZONE, "must be an availability zone name like us-west-2a"))
      .min(2, "needs at least 2 zones for high availability")
      .default(["us-west-2a", "us-west-2b"])
      .describe("Zones to spread over: one public and one private subnet each."),
    tags: tagMap.describe("Extra tags on every resource, beside Project, Environment and ManagedBy."),
    names: namesSchema,
    network: networkSchema.describe("The VPC, its subnets, NAT gateways and flow logs."),
    loadBalancer: loadBalancerSchema.describe("The Application Load Balancer and its target group."),
    appTier: appTierSchema.describe("The app servers: launch template and Auto Scaling group."),
    database: databaseSchema.describe("The RDS for MySQL database."),
    monitoring: monitoringSchema.describe("Alarms, who they notify, and the dashboard."),
    state: stateSchema.describe("Where Terraform keeps this environment's state."),
  })
  .transform((input, ctx) => {
    const report = (path: (string | number)[], message: string) => ctx.issues.push({ code: "custom", message, path, input });
    const zoneCount = input.availabilityZones.length;

    for (const key of RESERVED_TAG_KEYS) {
      if (key in input.tags) report(["tags", key], `is set by the project itself (Project, Environment, ManagedBy); choose another key`);
    }

    input.availabilityZones.forEach((zone, index) => {
      if (!zone.startsWith(input.region)) report(["availabilityZones", index], `"${zone}" is not in region ${input.region}`);
      if (input.availabilityZones.indexOf(zone) !== index) report(["availabilityZones", index], `"${zone}" is listed twice`);
    });

    const subnets = subnetLayout(input.network, zoneCount, report);

    const { minSize, desiredCapacity, maxSize } = input.appTier;
    if (minSize > maxSize) report(["appTier", "minSize"], `${minSize} is above maxSize ${maxSize}`);
    else if (desiredCapacity < minSize) report(["appTier", "desiredCapacity"], `${desiredCapacity} is below minSize ${minSize}`);
    else if (desiredCapacity > maxSize) report(["appTier", "desiredCapacity"], `${desiredCapacity} is above maxSize ${maxSize}`);

    const scaling = input.appTier.scaling;
    if (scaling.policy !== "none") {
      if (maxSize <= minSize)
        report(["appTier", "scaling", "policy"], `${scaling.policy} needs room to scale: maxSize ${maxSize} must be above minSize ${minSize}`);
      if (scaling.policy === "average-cpu" && scaling.targetValue !== undefined && scaling.targetValue > 100)
        report(["appTier", "scaling", "targetValue"], `${scaling.targetValue} is a CPU percentage, at most 100`);
    } else if (scaling.targetValue !== undefined) {
      report(["appTier", "scaling", "targetValue"], "has no effect without a scaling policy; set appTier.scaling.policy");
    }

    for (const signal of HA_SIGNALS) {
      const problem = alarmThresholdProblem(signal, input.monitoring.alarms[signal]);
      if (problem) report(["monitoring", "alarms", signal, problem.field], problem.message);
    }

    const health = input.loadBalancer.healthCheck;
    if (health.timeoutSeconds >= health.intervalSeconds) {
      report(["loadBalancer", "healthCheck", "timeoutSeconds"], `${health.timeoutSeconds} must be below intervalSeconds ${health.intervalSeconds}`);
    }

    const logBucket = input.loadBalancer.accessLogs.bucketName;
    const logBucketProblem = logBucket === undefined ? undefined : s3BucketProblem(logBucket);
    if (logBucketProblem) report(["loadBalancer", "accessLogs", "bucketName"], logBucketProblem);

    const certificateRegion = input.loadBalancer.certificateArn && ACM_CERTIFICATE_ARN.exec(input.loadBalancer.certificateArn)?.[1];
    if (certificateRegion && certificateRegion !== input.region) {
      report(["loadBalancer", "certificateArn"], `the certificate is in ${certificateRegion}, but the load balancer is in ${input.region}`);
    }

    const db = input.database;
    const classProblem = instanceClassProblem(db.instanceClass);
    if (classProblem) report(["database", "instanceClass"], classProblem);
    const minimum = STORAGE_MINIMUM_GIB[db.storageType];
    if (db.allocatedStorageGiB < minimum) {
      report(["database", "allocatedStorageGiB"], `${db.allocatedStorageGiB} GiB is below the ${minimum} GiB minimum of ${db.storageType} storage for MySQL`);
    } else if (db.allocatedStorageGiB > STORAGE_MAXIMUM_GIB) {
      report(["database", "allocatedStorageGiB"], `${db.allocatedStorageGiB} GiB is above the ${STORAGE_MAXIMUM_GIB} GiB maximum for MySQL`);
    }
    if (db.maxAllocatedStorageGiB !== undefined && db.maxAllocatedStorageGiB <= db.allocatedStorageGiB) {
      report(["database", "maxAllocatedStorageGiB"], `${db.maxAllocatedStorageGiB} GiB must be above allocatedStorageGiB ${db.allocatedStorageGiB}`);
    }
    if (db.multiAz && db.backupRetentionDays === 0) {
      // RDS needs automated backups for a Multi-AZ standby to be created from.
      report(["database", "backupRetentionDays"], "must be at least 1 when multiAz is on");
    }

    for (const problem of nameProblems(resourceNames(input.namePrefix, input.names))) report(problem.path, problem.message);

    const state = input.state;
    if (state.backend === "s3" && state.bucket === undefined) {
      report(["state", "bucket"], "missing: name the S3 bucket of the state here or in INVENTORY_STATE_BUCKET (the bootstrap stack creates it)");
    } else if (state.bucket !== undefined) {
      const bucketProblem = s3BucketProblem(state.bucket);
      if (bucketProblem) report(["state", "bucket"], bucketProblem);
    }
    if (state.backend === "cloud" && state.organization === undefined) {
      report(["state", "organization"], "missing: name the Terraform Cloud organization here or in TF_CLOUD_ORGANIZATION");
    }
    if (state.workspace !== undefined && state.workspaceTags !== undefined) {
      report(["state", "workspaceTags"], "choose either workspace or workspaceTags, not both");
    }

    return {
      ...input,
      network: { ...input.network, publicSubnetCidrs: subnets.public, privateSubnetCidrs: subnets.private },
      state: { ...state, region: state.region ?? input.region },
    };
  });

/** Validated settings with every default filled in and the subnet CIDRs resolved. */
export type Settings = z.output<typeof settingsSchema>;

/** Settings of a named environment, as the stacks get them. */
export interface EnvironmentSettings extends Settings {
  /** The environment's name: the file name in `environments/`, and part of its stack name and state key. */
  readonly environment: string;
}

type Report = (path: (string | number)[], message: string) => void;

/**
 * The subnet CIDRs: as given, or carved from the VPC CIDR (public blocks
 * first, then private, each aligned to its size). Checks that each lies in the
 * VPC and that none overlaps another.
 */
function subnetLayout(network: { vpcCidr: string; publicSubnetCidrs?: string[]; privateSubnetCidrs?: string[] }, zoneCount: number, report: Report) {
  const vpc = parseCidr(network.vpcCidr);
  const result = { public: [] as string[], private: [] as string[] };
  if (vpc.prefixLength < 16 || vpc.prefixLength > 28) {
    report(["network", "vpcCidr"], `${network.vpcCidr} is a /${vpc.prefixLength}; AWS VPCs are /16 to /28`);
    return result;
  }
  const givenPublic = network.publicSubnetCidrs;
  const givenPrivate = network.privateSubnetCidrs;
  for (const [key, given] of [
    ["publicSubnetCidrs", givenPublic],
    ["privateSubnetCidrs", givenPrivate],
  ] as const) {
    if (given && given.length !== zoneCount) {
      report(["network", key], `has ${given.length} CIDRs for ${zoneCount} availability zones; give one per zone`);
      return result;
    }
  }

  const computedLengths = [
    ...(givenPublic ? [] : Array(zoneCount).fill(vpc.prefixLength + 4)),
    ...(givenPrivate ? [] : Array(zoneCount).fill(vpc.prefixLength + 3)),
  ];
  let computed: string[] = [];
  if (computedLengths.some((length) => length > 28)) {
    report(
      ["network", "vpcCidr"],
      `${network.vpcCidr} is too small to compute subnets from (they would be /${Math.max(...computedLengths)}, AWS subnets are /16 to /28); give publicSubnetCidrs and privateSubnetCidrs`,
    );
    return result;
  }
  if (computedLengths.length > 0) {
    // Computed blocks start after the highest given one so they never collide with it.
    const givenInside = [...(givenPublic ?? []), ...(givenPrivate ?? [])].map(parseCidr).filter((block) => contains(vpc, block));
    const startAt = givenInside.reduce((end, block) => Math.max(end, block.base + size(block)), vpc.base);
    try {
      computed = allocate(vpc, computedLengths, startAt).map(format);
    } catch (error) {
      report(
        ["network", "vpcCidr"],
        `${network.vpcCidr} has no room for the computed subnets (${(error as Error).message}); give publicSubnetCidrs and privateSubnetCidrs`,
      );
      return result;
    }
  }
  result.public = givenPublic ?? computed.splice(0, zoneCount);
  result.private = givenPrivate ?? computed.splice(0, zoneCount);

  const all = [
    ...result.public.map((block, index) => ({ block, path: ["network", "publicSubnetCidrs", index] })),
    ...result.private.map((block, index) => ({ block, path: ["network", "privateSubnetCidrs", index] })),
  ];
  all.forEach((subnet, index) => {
    const block = parseCidr(subnet.block);
    if (block.prefixLength < 16 || block.prefixLength > 28) {
      report(subnet.path, `${subnet.block} is a /${block.prefixLength}; AWS subnets are /16 to /28`);
      return;
    }
    if (!contains(vpc, block)) {
      report(subnet.path, `${subnet.block} is not inside the VPC CIDR ${network.vpcCidr}`);
      return;
    }
    const clash = all.slice(0, index).find((other) => overlaps(parseCidr(other.block), block));
    if (clash) report(subnet.path, `${subnet.block} overlaps ${clash.block} (${clash.path.slice(1).join(".")})`);
  });
  return result;
}

/** Why a name is not a valid S3 general purpose bucket name, or undefined. */
export function s3BucketProblem(name: string): string | undefined {
  if (!S3_BUCKET.test(name))
    return `"${name}" is not a valid S3 bucket name (3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit)`;
  if (name.includes("..")) return `"${name}" has two adjacent dots`;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return `"${name}" is formatted as an IP address`;
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name) || /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name))
    return `"${name}" uses a prefix or suffix AWS reserves`;
  return undefined;
}
