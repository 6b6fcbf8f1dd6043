import { z } from "zod";
import { isKnownRegion } from "../aws/aws-regions";
import { cidrProblem, ipv6CidrProblem } from "../aws/cidr";
import { ACCESS_LOG_RETENTION_DAYS } from "../constructs/edge/access-log-bucket";
import {
  BACKUP_RETENTION_DAYS,
  DAILY_WINDOW,
  DATABASE_NAME,
  databaseProblems,
  MASTER_USERNAME,
  MONITORING_INTERVALS,
  type MonitoringInterval,
  MYSQL_LOG_EXPORTS,
  RDS_INSTANCE_CLASS,
  STORAGE_MINIMUM_GIB,
  type StorageType,
  WEEKLY_WINDOW,
} from "../constructs/data/database";
import { APP_USERNAME, ROTATION_DAYS, SECRET_RECOVERY_DAYS } from "../constructs/data/database-app-user";
import {
  AMAZON_LINUX_2023,
  capacityProblems,
  IMAGE_ID,
  INSTANCE_REFRESH_LIMITS,
  instanceRefreshProblems,
  instanceTypeProblems,
  ROOT_VOLUME_GIB,
} from "../constructs/compute/app-tier";
import { EC2_INSTANCE_TYPE, instanceTypeProblem } from "../aws/ec2-instance-types";
import { DOMAIN_NAME, HOSTED_ZONE_ID } from "../constructs/edge/app-domain";
import { APP_DEFAULTS, FORM_TOKEN_HOURS } from "../aws/boot-script";
import { s3BucketProblem } from "../constructs/data/private-bucket";
import {
  ACM_CERTIFICATE_ARN,
  DEFAULT_HEALTH_CHECK,
  HEALTH_CHECK_MATCHER,
  HEALTH_CHECK_PATH,
  healthCheckProblems,
  LOAD_BALANCER_LIMITS,
  DEFAULT_SSL_POLICY,
  NO_CBC_SSL_POLICY,
} from "../constructs/edge/load-balancer";
import { APP_TIER_ZONE_DEFAULTS } from "../constructs/compute/app-tier";
import { LOAD_BALANCER_ZONE_DEFAULTS, slowStartProblem } from "../constructs/edge/load-balancer";
import { ZONE_REHEARSAL_DEFAULTS, ZONE_REHEARSAL_LIMITS } from "../constructs/resilience/zone-rehearsal";
import { DATABASE_SOURCES } from "../constructs/network/security-groups";
import { DEFAULT_RATE_LIMITS, RATE_LIMIT, RATE_WINDOWS, type RateWindow } from "../constructs/edge/web-acl";
import { SESSION_TIMEOUT_SECONDS, signInProblems, type SignInProvider } from "../constructs/edge/sign-in";
import { CLOUD_WORKSPACE, CLOUD_WORKSPACE_TAG, DYNAMODB_TABLE, STATE_BACKENDS, STATE_KEY_PREFIX, stateBackendProblems } from "../terraform/state-backend";
import { LOG_RETENTION_DAYS, type LogRetentionDays, NAT_STRATEGIES } from "../constructs/network/network";
import { subnetLayout } from "../aws/subnet-layout";
import { ciProblems, ciSchema, hasCiAccess } from "./ci-settings";
import { administratorArnsProblems, IDENTITY_CENTER_ADMINISTRATORS } from "../constructs/data/state-key";
import { EMAIL_ADDRESS, HTTPS_ENDPOINT, topicKeyProblem } from "../constructs/monitoring/alarm-topic";
import { DEFAULT_TARGET_VALUES, SCALING_METRICS } from "../constructs/compute/app-scaling";
import { alarmThresholdProblem, GROUP_METRIC_SIGNALS, HA_SIGNAL_DESCRIPTIONS, HA_SIGNALS, type HaSignal } from "../constructs/monitoring/availability-alarms";
import { instanceClassProblem } from "../aws/database-instance-classes";
import { nameProblems, resourceNames } from "./names";
import { RESERVED_TAG_KEYS } from "./tags";

/**
 * The settings of one environment: every knob of the stack, with the lab's
 * values (docs/lab.md, the lab's final state) as defaults. An environment file in
 * `environments/` holds only what differs from these.
 */

const AVAILABILITY_ZONE = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]$/;

/** A region the project knows (src/aws/aws-regions.ts), so a typo stops synthesis instead of a deployment. */
const region = z.string().superRefine((value, ctx) => {
  if (!isKnownRegion(value)) {
    ctx.addIssue({ code: "custom", message: `"${value}" is not an AWS region this project knows (like us-west-2; the list is src/aws/aws-regions.ts)` });
  }
});

/** A string the construct's own check accepts, its problem (if any) as the setting's message. */
const checkedBy = (problemOf: (value: string) => string | undefined) =>
  z.string().superRefine((value, ctx) => {
    const problem = problemOf(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const cidr = checkedBy(cidrProblem);
const ipv6Cidr = checkedBy(ipv6CidrProblem);

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
    vpc: z.string().min(1, "is empty; name the VPC (its Name tag), or leave the setting out for Lab VPC").default("Lab VPC").describe("Name tag of the VPC."),
    loadBalancer: z.string().default("Inventory-LB").describe("Application Load Balancer and its security group."),
    app: z.string().default("Inventory-App").describe("Target group, app security group and the Name tag of every app server."),
    autoScalingGroup: z.string().default("Inventory-ASG").describe("Auto Scaling group of the app servers."),
    database: z.string().default("Inventory-DB").describe("Database security group and Name tag; the RDS identifier is its lower-case form."),
    instanceRole: z.string().default("Inventory-App-Role").describe("IAM role and instance profile of the app servers."),
    launchTemplate: z.string().default("Lab-template-").describe("Name prefix of the launch template (AWS appends a unique suffix)."),
  })
  .prefault({})
  .describe("The lab's resource names; `namePrefix` is put in front of each.");

/** A whole number in a construct's [min, max] range. */
const wholeNumberIn = ([min, max]: readonly [number, number]) => z.number().int().min(min).max(max);

const healthCheckSchema = z
  .strictObject({
    path: z
      .string()
      .regex(HEALTH_CHECK_PATH, "must be an absolute URL path like /health")
      .default(DEFAULT_HEALTH_CHECK.path)
      .describe("Path the load balancer requests on each app server."),
    healthyThreshold: wholeNumberIn(LOAD_BALANCER_LIMITS.healthyThreshold)
      .default(DEFAULT_HEALTH_CHECK.healthyThreshold)
      .describe("Consecutive successes before a target counts as healthy (lab: 2)."),
    unhealthyThreshold: wholeNumberIn(LOAD_BALANCER_LIMITS.unhealthyThreshold)
      .default(DEFAULT_HEALTH_CHECK.unhealthyThreshold)
      .describe("Consecutive failures before a target counts as unhealthy."),
    intervalSeconds: wholeNumberIn(LOAD_BALANCER_LIMITS.intervalSeconds)
      .default(DEFAULT_HEALTH_CHECK.intervalSeconds)
      .describe("Seconds between health checks (lab: 10)."),
    timeoutSeconds: wholeNumberIn(LOAD_BALANCER_LIMITS.timeoutSeconds)
      .default(DEFAULT_HEALTH_CHECK.timeoutSeconds)
      .describe("Seconds without a response that fail a check; below the interval."),
    matcher: z
      .string()
      .regex(HEALTH_CHECK_MATCHER, "must be HTTP codes like 200 or 200-299")
      .default(DEFAULT_HEALTH_CHECK.matcher)
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
        "`per-az`: a NAT gateway and private route table per zone (the lab's challenge); " +
          "`single`: one NAT gateway in the first public subnet (the lab's start).",
      ),
    ipv6: z
      .boolean()
      .default(false)
      .describe(
        "IPv6 beside IPv4 for clients: an Amazon-provided /56 for the VPC, a /64 per public subnet, an IPv6 default route to the internet gateway, " +
          "a dual-stack load balancer open to `loadBalancer.ingressIpv6Cidrs`, and with a domain an AAAA record. The private tier stays IPv4.",
      ),
    flowLogs: z
      .strictObject({
        enabled: z.boolean().default(true).describe("Record VPC flow logs to CloudWatch Logs."),
        retentionDays: z
          .union(LOG_RETENTION_DAYS.map((days) => z.literal(days)) as unknown as [z.ZodLiteral<LogRetentionDays>, z.ZodLiteral<LogRetentionDays>])
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
    ingressIpv6Cidrs: z
      .array(ipv6Cidr)
      .min(1)
      .default(["::/0"])
      .describe("IPv6 client networks allowed to reach ports 80 and 443 when `network.ipv6` is on (anywhere by default)."),
    certificateArn: z
      .string()
      .regex(ACM_CERTIFICATE_ARN, "must be an ACM certificate ARN like arn:aws:acm:us-west-2:123456789012:certificate/<uuid>")
      .optional()
      .describe(
        "ACM certificate for an HTTPS:443 listener, made elsewhere; HTTP:80 then redirects to HTTPS. " +
          "Unset: the domain's certificate, or with no domain HTTP:80 forwards to the app.",
      ),
    domain: z
      .strictObject({
        name: z
          .string()
          .regex(DOMAIN_NAME, "must be a DNS name like inventory.example.com (lower-case letters, digits, hyphens and dots; no wildcard)")
          .describe("The name users reach the app by."),
        hostedZoneId: z
          .string()
          .regex(HOSTED_ZONE_ID, "must be a Route 53 hosted zone id like Z0123456789ABCDEFGHIJ")
          .describe("The public Route 53 hosted zone that holds the name."),
      })
      .optional()
      .describe(
        "The app on your own name: an ACM certificate for it validated by DNS in the hosted zone (unless certificateArn is set), " +
          "HTTPS:443 with HTTP:80 redirected, an alias A record to the load balancer, and app_url https://<name>. Unset: the load balancer's DNS name.",
      ),
    sslPolicy: z
      .string()
      .regex(NO_CBC_SSL_POLICY, `must be a TLS 1.2+ ELB security policy without CBC suites, like ${DEFAULT_SSL_POLICY}`)
      .default(DEFAULT_SSL_POLICY)
      .describe("TLS policy of the HTTPS listener (TLS 1.2 and 1.3, AEAD suites only: a `TLS13-1-2-Res-*` or `TLS13-1-3-*` policy)."),
    deletionProtection: z.boolean().default(true).describe("Refuse to delete the load balancer until this is turned off."),
    idleTimeoutSeconds: wholeNumberIn(LOAD_BALANCER_LIMITS.idleTimeoutSeconds).default(60).describe("Seconds an idle client connection stays open."),
    deregistrationDelaySeconds: wholeNumberIn(LOAD_BALANCER_LIMITS.deregistrationDelaySeconds)
      .default(30)
      .describe("Seconds a deregistering target keeps serving in-flight requests (AWS default 300)."),
    healthCheck: healthCheckSchema.describe("Health check of the target group."),
    authentication: z
      .strictObject({
        provider: z
          .enum(["none", "oidc", "cognito"])
          .default("none")
          .describe(
            "Sign-in at the load balancer before any request reaches the app (HTTPS only): `oidc`, an OpenID Connect provider of your own " +
              "(its client secret in TF_VAR_oidc_client_secret); `cognito`, a Cognito user pool the stack creates, whose users an administrator adds.",
          ),
        sessionTimeoutSeconds: wholeNumberIn(SESSION_TIMEOUT_SECONDS).default(43200).describe("Seconds a sign-in lasts before the load balancer asks again."),
        oidc: z
          .strictObject({
            issuer: z.string().describe("The provider's issuer (https://)."),
            authorizationEndpoint: z.string().describe("Its authorization endpoint (https://)."),
            tokenEndpoint: z.string().describe("Its token endpoint (https://)."),
            userInfoEndpoint: z.string().describe("Its user info endpoint (https://)."),
            clientId: z.string().min(1).describe("The load balancer's client id at the provider."),
          })
          .optional()
          .describe("The OIDC provider, with provider `oidc`."),
        cognito: z
          .strictObject({
            domainPrefix: z.string().describe("Start of the hosted sign-in domain, <prefix>.auth.<region>.amazoncognito.com (unique in the region)."),
            callbackHosts: z
              .array(z.string())
              .describe("Host names people reach the app by over HTTPS (the certificate's): the pool returns them to https://<host>/oauth2/idpresponse."),
          })
          .optional()
          .describe("The user pool's domain and hosts, with provider `cognito`."),
      })
      .prefault({})
      .describe("Optional sign-in at the load balancer, off by default."),
    waf: z
      .strictObject({
        enabled: z
          .boolean()
          .default(true)
          .describe(
            "An AWS WAF web ACL in front of the load balancer: rate limits per client IP and AWS's managed rules for common attacks, " +
              "known bad inputs and SQL injection (CKV2_AWS_28).",
          ),
        rateLimits: z
          .strictObject({
            requests: wholeNumberIn(RATE_LIMIT)
              .default(DEFAULT_RATE_LIMITS.requests)
              .describe("Requests one client IP may make per window; beyond, WAF answers 429 until its rate falls."),
            writes: wholeNumberIn(RATE_LIMIT)
              .default(DEFAULT_RATE_LIMITS.writes)
              .describe("Form posts (adds, edits, deletes) one client IP may make per window; beyond, 429."),
            windowSeconds: z
              .union(RATE_WINDOWS.map((seconds) => z.literal(seconds)) as unknown as [z.ZodLiteral<RateWindow>, z.ZodLiteral<RateWindow>])
              .default(DEFAULT_RATE_LIMITS.windowSeconds as RateWindow)
              .describe("Seconds each rate is counted over (60, 120, 300 or 600)."),
          })
          .prefault({})
          .describe("The rate-based rules' limits; clients behind one NAT share an address, and its limit."),
        logRetentionDays: z
          .union(LOG_RETENTION_DAYS.map((days) => z.literal(days)) as unknown as [z.ZodLiteral<LogRetentionDays>, z.ZodLiteral<LogRetentionDays>])
          .default(365)
          .describe("Days CloudWatch Logs keeps the WAF's log (group aws-waf-logs-<web ACL name>; the cookie header left out)."),
      })
      .prefault({})
      .describe("The web application firewall of the load balancer."),
    accessLogs: z
      .strictObject({
        enabled: z
          .boolean()
          .default(true)
          .describe("Log every request to an S3 bucket the project creates (versioned, SSE-S3, private, TLS only, writable by ELB log delivery only)."),
        bucketName: z.string().optional().describe("Name of the log bucket. Default: a unique name Terraform generates from `<namePrefix>inventory-lb-logs-`."),
        retentionDays: wholeNumberIn(ACCESS_LOG_RETENTION_DAYS).default(90).describe("Days S3 keeps a log file (a replaced version 7 days more)."),
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
      // The sizes of a family are checked beside its form, so a file's every mistake shows at once.
      .superRefine((value, ctx) => {
        const problem = EC2_INSTANCE_TYPE.test(value) ? instanceTypeProblem(value) : undefined;
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .default("t3.micro")
      .describe("EC2 instance type of the app servers."),
    imageId: z
      .string()
      .regex(IMAGE_ID, "must be an AMI id (ami-...) or resolve:ssm:/parameter/name")
      .default(AMAZON_LINUX_2023)
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
    rootVolumeSizeGiB: wholeNumberIn(ROOT_VOLUME_GIB).default(8).describe("Size of the encrypted gp3 root volume."),
    instanceRefresh: z
      .strictObject({
        minHealthyPercent: wholeNumberIn(INSTANCE_REFRESH_LIMITS.minHealthyPercent)
          .default(100)
          .describe(
            "Share of the desired capacity kept healthy and in service while a release rolls (100: never fewer servers than desired). " +
              `At least ${INSTANCE_REFRESH_LIMITS.minHealthyPercent[0]}: the release function refuses less, which could replace every server at once.`,
          ),
        maxHealthyPercent: wholeNumberIn(INSTANCE_REFRESH_LIMITS.maxHealthyPercent)
          .default(200)
          .describe(
            "Share of the desired capacity that may run at once, old and new, at most 100 above the minimum " +
              "(200: all replacements start before the old servers stop).",
          ),
        instanceWarmupSeconds: wholeNumberIn(INSTANCE_REFRESH_LIMITS.instanceWarmupSeconds)
          .default(300)
          .describe("Seconds a new server serves beside the old ones, once healthy, before they are stopped (300: one window of the 5xx alarms)."),
        alarms: z
          .array(z.enum(HA_SIGNALS.filter((signal) => !GROUP_METRIC_SIGNALS.includes(signal)) as [HaSignal, ...HaSignal[]]))
          .min(INSTANCE_REFRESH_LIMITS.alarms[0], "names no alarm: the release function refuses a release no alarm can stop and roll back")
          .default(["elb5xxPercent", "target5xxPercent"])
          .describe(
            "Alarms (monitoring.alarms signals) that fail a release as soon as one is in ALARM: no more servers are replaced, and AWS rolls it back. " +
              `Not ${GROUP_METRIC_SIGNALS.join(" or ")}: they read the group's own metrics.`,
          ),
      })
      .prefault({})
      .describe("How a release (a new launch template version) rolls through the servers: an instance refresh AWS rolls back when it fails."),
    scaling: z
      .strictObject({
        policy: z
          .enum(["none", ...SCALING_METRICS])
          .default("none")
          .describe(
            "`none`: the group keeps desiredCapacity (the lab's 2/2/2); `request-count-per-target`: target tracking of the load balancer's " +
              "requests per server per minute; `average-cpu`: of the group's average CPU. With a policy the group starts at minSize and the policy " +
              "sets the desired capacity between minSize and maxSize.",
          ),
        targetValue: z
          .number()
          .positive()
          .optional()
          .describe(
            `Value the policy keeps its metric at. Default: ${DEFAULT_TARGET_VALUES["request-count-per-target"]} requests per server per minute, ` +
              `or ${DEFAULT_TARGET_VALUES["average-cpu"]}% CPU.`,
          ),
      })
      .prefault({})
      .describe("Target tracking scaling of the app servers, off by default."),
    app: z
      .strictObject({
        formTokenHours: z
          .number("must be a number of hours")
          .int("must be a whole number of hours")
          .min(FORM_TOKEN_HOURS[0], `must be at least ${FORM_TOKEN_HOURS[0]} hour`)
          .max(FORM_TOKEN_HOURS[1], `must be at most ${FORM_TOKEN_HOURS[1]} hours (a week): the app refuses more`)
          .default(APP_DEFAULTS.formTokenHours)
          .describe(
            `Hours a form's token holds before the app refuses the form (403), ${FORM_TOKEN_HOURS[0]} to ${FORM_TOKEN_HOURS[1]}: ` +
              "a form left open longer is loaded again.",
          ),
        instanceHeaders: z
          .boolean("must be true or false")
          .default(APP_DEFAULTS.instanceHeaders)
          .describe(
            "Add the X-Inventory-Instance-Id and X-Inventory-Availability-Zone headers to every answer, which tell every client the fleet's ids " +
              "(the page shows which server answered either way).",
          ),
      })
      .prefault({})
      .describe("The Inventory app's own settings, which the boot script writes into its settings file (app/README.md)."),
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
      .regex(DATABASE_NAME, "must start with a letter and use letters, digits and _ (at most 64)")
      .default("inventory")
      .describe("Schema the app uses."),
    masterUsername: z
      .string()
      .regex(MASTER_USERNAME, "must start with a letter and use letters, digits and _ (at most 32)")
      .default("admin")
      .describe("Master user; its password is generated and rotated by RDS in Secrets Manager."),
    backupRetentionDays: wholeNumberIn(BACKUP_RETENTION_DAYS).default(7).describe("Days of automated backups (0 turns them off)."),
    backupWindow: z.string().regex(DAILY_WINDOW, "must be hh:mm-hh:mm in UTC").optional().describe("Daily backup window in UTC; unset lets AWS choose."),
    maintenanceWindow: z
      .string()
      .regex(WEEKLY_WINDOW, "must be ddd:hh:mm-ddd:hh:mm in UTC")
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
    appUser: z
      .strictObject({
        username: z
          .string()
          .regex(APP_USERNAME, "must start with a letter and use letters, digits and _ (at most 26, leaving room for _clone)")
          .default("inventory_app")
          .describe(
            "The app's MySQL user, made by the rotation function with only the app's privileges on its schema; rotations alternate it with <username>_clone.",
          ),
        rotationDays: wholeNumberIn(ROTATION_DAYS)
          .default(30)
          .describe("Days between rotations of the app user's password (Secrets Manager generates each one)."),
        secretRecoveryDays: z
          .number()
          .int()
          .refine((days) => days === 0 || (days >= SECRET_RECOVERY_DAYS[0] && days <= SECRET_RECOVERY_DAYS[1]), {
            message: `must be ${SECRET_RECOVERY_DAYS[0]} to ${SECRET_RECOVERY_DAYS[1]} (or 0 with allowImmediateSecretDeletion)`,
          })
          .default(7)
          .describe(
            `Days the app user's secret stays recoverable after a destroy (${SECRET_RECOVERY_DAYS[0]} to ${SECRET_RECOVERY_DAYS[1]}; ` +
              "its name stays taken meanwhile). 0 deletes it at once, only with allowImmediateSecretDeletion.",
          ),
        allowImmediateSecretDeletion: z
          .boolean()
          .default(false)
          .describe("A lab setting: lets secretRecoveryDays be 0, for an environment destroyed and made again within a week."),
      })
      .prefault({})
      .describe("The app's own database user: its secret is the only one the app servers can read."),
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
            "KMS key that encrypts the alarm topic; its key policy must let cloudwatch.amazonaws.com use kms:Decrypt and kms:GenerateDataKey*. " +
              "Default: a customer managed key created for the topic, with rotation. The AWS managed alias/aws/sns is refused: CloudWatch alarms " +
              "cannot publish to a topic it encrypts.",
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

const zoneResilienceSchema = z
  .strictObject({
    zonalShift: z
      .boolean()
      .default(LOAD_BALANCER_ZONE_DEFAULTS.zonalShift)
      .describe(
        "Let ARC zonal shift move the load balancer's traffic out of a sick zone (`aws arc-zonal-shift start-zonal-shift`, docs/operations.md); " +
          "off leaves the attribute unset (the lab's).",
      ),
    crossZone: z
      .boolean()
      .default(LOAD_BALANCER_ZONE_DEFAULTS.crossZone)
      .describe(
        "The target group states cross-zone load balancing on, so each load balancer node spreads over every zone's healthy servers; " +
          "off leaves it to the load balancer's (on for an ALB, but not pinned).",
      ),
    slowStartSeconds: z
      .number()
      .superRefine((seconds, ctx) => {
        const problem = slowStartProblem(seconds);
        if (problem) ctx.addIssue({ code: "custom", message: problem.message });
      })
      .default(LOAD_BALANCER_ZONE_DEFAULTS.slowStartSeconds)
      .describe(
        "Seconds a new server takes to reach its full share of requests (30 to 900; 0 at once): its PHP opcache and first database connections warm up.",
      ),
    launchBeforeTerminate: z
      .boolean()
      .default(APP_TIER_ZONE_DEFAULTS.launchBeforeTerminate)
      .describe("Replace an unhealthy server by launching first (instance maintenance policy 100-200 %): the group never drops below desired capacity."),
    rehearsal: z
      .strictObject({
        enabled: z
          .boolean()
          .optional()
          .describe(
            "AWS FIS experiment templates that rehearse losing a zone (`npm run drill -- zone`), an app server and the database primary, " +
              "with a role that acts on this environment's resources only. Default: on, but off with CI access, which cannot deploy them " +
              "(the CI roles hold no FIS permission).",
          ),
        durationMinutes: wholeNumberIn(ZONE_REHEARSAL_LIMITS.durationMinutes)
          .default(ZONE_REHEARSAL_DEFAULTS.durationMinutes)
          .describe("Minutes a zone stays lost: its servers stopped, its subnets cut off, the group's launches there failing."),
        stopAlarms: z
          .array(z.enum(HA_SIGNALS.filter((signal) => !GROUP_METRIC_SIGNALS.includes(signal)) as [HaSignal, ...HaSignal[]]))
          .min(ZONE_REHEARSAL_LIMITS.stopAlarms[0])
          .default(["elb5xxPercent", "target5xxPercent"])
          .describe(
            `Alarms (monitoring.alarms signals, ${ZONE_REHEARSAL_LIMITS.stopAlarms[1]} alarms at most) that stop an experiment: those that say users ` +
              `are harmed. Not ${GROUP_METRIC_SIGNALS.join(" or ")}: losing a zone's servers fires them by design.`,
          ),
        logRetentionDays: z
          .union(LOG_RETENTION_DAYS.map((days) => z.literal(days)) as unknown as [z.ZodLiteral<LogRetentionDays>, z.ZodLiteral<LogRetentionDays>])
          .default(ZONE_REHEARSAL_DEFAULTS.logRetentionDays)
          .describe("Days CloudWatch Logs keeps the experiments' log (encrypted with the environment's log key)."),
      })
      .prefault({})
      .describe("Rehearsing the loss of a zone with AWS Fault Injection Service."),
  })
  .prefault({});

const stateSchema = z
  .strictObject({
    backend: z
      .enum(STATE_BACKENDS)
      .default("s3")
      .describe("`s3`: an S3 bucket (see the bootstrap stack); `cloud`: Terraform Cloud; `local`: a file, for trying things out."),
    bucket: z.string().optional().describe("S3 bucket of the state (env INVENTORY_STATE_BUCKET overrides)."),
    region: region.optional().describe("Region of the state bucket (env INVENTORY_STATE_REGION overrides). Default: the environment's region."),
    keyPrefix: z
      .string()
      .regex(STATE_KEY_PREFIX, "must be empty or end with / and use S3-safe characters")
      .default("")
      .describe("Prefix before `<environment>/inventory-ha.tfstate`."),
    lockTable: z
      .string()
      .regex(DYNAMODB_TABLE, "must be a DynamoDB table name")
      .optional()
      .describe("DynamoDB lock table (env INVENTORY_STATE_LOCK_TABLE overrides); unset uses S3 lock files only."),
    useLockfile: z.boolean().default(true).describe("Lock with an S3 lock file (Terraform 1.10+)."),
    organization: z.string().optional().describe("Terraform Cloud organization (backend `cloud`; env TF_CLOUD_ORGANIZATION overrides)."),
    workspace: z
      .string()
      .regex(CLOUD_WORKSPACE, "must be 1-90 letters, digits, - and _")
      .optional()
      .describe("Terraform Cloud workspace (backend `cloud`). Default: inventory-ha-<environment>, unless workspaceTags is set."),
    workspaceTags: z
      .array(z.string().regex(CLOUD_WORKSPACE_TAG, "must be lower-case letters, digits, : _ and -"))
      .min(1)
      .optional()
      .describe("Terraform Cloud workspace tags (backend `cloud`), instead of one named workspace."),
    hostname: z.string().default("app.terraform.io").describe("Terraform Cloud or Enterprise host (backend `cloud`)."),
    administratorArns: z
      .array(z.string())
      .optional()
      .describe(
        "Backend `s3`: ARN patterns (ArnLike, `*` in the name) of the IAM roles and users of the state's account that administer the state's KMS key " +
          "and may decrypt any state; beside them only the CI roles may decrypt it, through S3. Whoever deploys the inventory-state stack must match one. " +
          `Default: IAM Identity Center's AdministratorAccess roles, arn:aws:iam::<account>:${IDENTITY_CENTER_ADMINISTRATORS}.`,
      ),
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
    region: region.default("us-west-2").describe("AWS region of the environment."),
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
    zoneResilience: zoneResilienceSchema.describe("Losing a zone: how traffic leaves a sick zone and reaches new servers, and the rehearsal of it."),
    state: stateSchema.describe("Where Terraform keeps this environment's state."),
    ci: ciSchema.describe("Short-lived credentials for CI: the Terraform Cloud workspace and GitHub repository that may plan and deploy this environment."),
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

    const subnets = subnetLayout(input.network, zoneCount);
    for (const problem of subnets.problems) report(["network", ...problem.prop.split(".").map(pathPart)], problem.message);

    for (const problem of capacityProblems(input.appTier)) report(["appTier", problem.prop], problem.message);
    for (const problem of instanceTypeProblems(input.appTier)) report(["appTier", problem.prop], problem.message);
    for (const problem of instanceRefreshProblems(input.appTier.instanceRefresh)) report(["appTier", ...problem.prop.split(".")], problem.message);
    const refreshAlarms = input.appTier.instanceRefresh.alarms;
    refreshAlarms.forEach((signal, index) => {
      if (refreshAlarms.indexOf(signal) !== index) report(["appTier", "instanceRefresh", "alarms", index], `"${signal}" is listed twice`);
    });
    // A NAT signal has an alarm per NAT gateway.
    const natGateways = input.network.natStrategy === "per-az" ? zoneCount : 1;
    const refreshAlarmCount = refreshAlarms.reduce((count, signal) => count + (HA_SIGNAL_DESCRIPTIONS[signal].tier === "NAT gateway" ? natGateways : 1), 0);
    if (refreshAlarmCount > INSTANCE_REFRESH_LIMITS.alarms[1])
      report(
        ["appTier", "instanceRefresh", "alarms"],
        `name ${refreshAlarmCount} alarms; an instance refresh takes at most ${INSTANCE_REFRESH_LIMITS.alarms[1]}`,
      );

    const { secretRecoveryDays, allowImmediateSecretDeletion } = input.database.appUser;
    if (secretRecoveryDays === 0 && !allowImmediateSecretDeletion)
      report(
        ["database", "appUser", "secretRecoveryDays"],
        "0 deletes the secret with no recovery window; use 7 to 30, or set database.appUser.allowImmediateSecretDeletion (a lab setting)",
      );
    for (const problem of healthCheckProblems(input.loadBalancer.healthCheck)) report(["loadBalancer", ...problem.prop.split(".")], problem.message);

    const { minSize, maxSize, scaling } = input.appTier;
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

    const logBucket = input.loadBalancer.accessLogs.bucketName;
    const logBucketProblem = logBucket === undefined ? undefined : s3BucketProblem(logBucket);
    if (logBucketProblem) report(["loadBalancer", "accessLogs", "bucketName"], logBucketProblem);

    const signIn = input.loadBalancer.authentication;
    if (signIn.provider !== "none") {
      const provider: SignInProvider | undefined =
        signIn.provider === "oidc"
          ? signIn.oidc
            ? { type: "oidc", ...signIn.oidc }
            : undefined
          : signIn.cognito
            ? { type: "cognito", ...signIn.cognito }
            : undefined;
      if (!input.loadBalancer.certificateArn && !input.loadBalancer.domain)
        report(
          ["loadBalancer", "authentication", "provider"],
          `${signIn.provider} needs HTTPS: set loadBalancer.domain or loadBalancer.certificateArn ` +
            "(the load balancer signs people in on its HTTPS listener only)",
        );
      else if (!provider) report(["loadBalancer", "authentication", signIn.provider], `missing: provider ${signIn.provider} needs its settings here`);
      else
        for (const problem of signInProblems(provider, signIn.sessionTimeoutSeconds))
          report(
            [
              "loadBalancer",
              "authentication",
              ...problem.prop
                .replace(/^provider\./, `${signIn.provider}.`)
                .split(".")
                .map(pathPart),
            ],
            problem.message,
          );
    }

    const certificateRegion = input.loadBalancer.certificateArn && ACM_CERTIFICATE_ARN.exec(input.loadBalancer.certificateArn)?.[1];
    if (certificateRegion && certificateRegion !== input.region) {
      report(["loadBalancer", "certificateArn"], `the certificate is in ${certificateRegion}, but the load balancer is in ${input.region}`);
    }

    const classProblem = instanceClassProblem(input.database.instanceClass);
    if (classProblem) report(["database", "instanceClass"], classProblem);
    for (const problem of databaseProblems(input.database)) report(["database", ...problem.prop.split(".").map(pathPart)], problem.message);

    for (const problem of nameProblems(resourceNames(input.namePrefix, input.names))) report(problem.path, problem.message);

    // The state bucket's region defaults to the environment's.
    const state = { ...input.state, region: input.state.region ?? input.region };
    const whereElse: Record<string, string> = {
      bucket: " here or in INVENTORY_STATE_BUCKET (the bootstrap stack creates it)",
      organization: " here or in TF_CLOUD_ORGANIZATION",
    };
    for (const problem of stateBackendProblems(state)) {
      const hint = problem.message.startsWith("missing:") ? (whereElse[problem.prop] ?? "") : "";
      report(["state", ...problem.prop.split(".").map(pathPart)], `${problem.message}${hint}`);
    }

    const administrators = input.state.administratorArns;
    if (administrators) {
      for (const problem of administratorArnsProblems(administrators)) report(["state", ...problem.prop.split(".").map(pathPart)], problem.message);
      const foreign = administrators.findIndex((arn) => input.ci.accountId && /^arn:[^:]+:iam::\d{12}:/.test(arn) && arn.split(":")[4] !== input.ci.accountId);
      if (foreign >= 0)
        report(["state", "administratorArns", foreign], `is in account ${administrators[foreign].split(":")[4]}, but ci.accountId is ${input.ci.accountId}`);
    }

    const ciAccess = hasCiAccess(input.ci);
    const rehearsal = { ...input.zoneResilience.rehearsal, enabled: input.zoneResilience.rehearsal.enabled ?? (ZONE_REHEARSAL_DEFAULTS.enabled && !ciAccess) };
    const stopAlarmCount = rehearsal.stopAlarms.reduce((count, signal) => count + (HA_SIGNAL_DESCRIPTIONS[signal].tier === "NAT gateway" ? natGateways : 1), 0);
    if (rehearsal.enabled && stopAlarmCount > ZONE_REHEARSAL_LIMITS.stopAlarms[1])
      report(
        ["zoneResilience", "rehearsal", "stopAlarms"],
        `name ${stopAlarmCount} alarms; an experiment takes at most ${ZONE_REHEARSAL_LIMITS.stopAlarms[1]}`,
      );

    for (const problem of ciProblems(input)) report(problem.path, problem.message);
    if (ciAccess && input.loadBalancer.authentication.provider === "cognito")
      report(
        ["loadBalancer", "authentication", "provider"],
        "cognito cannot be deployed by the CI roles: they hold no Cognito permission (a user pool's id comes from AWS and only its tags could scope it); " +
          "use oidc, or deploy this environment as an administrator without a ci section",
      );
    if (ciAccess && rehearsal.enabled)
      report(
        ["zoneResilience", "rehearsal", "enabled"],
        "cannot be deployed by the CI roles: they hold no AWS FIS permission; set it to false, " +
          "or deploy this environment as an administrator without a ci section",
      );
    if (ciAccess && input.loadBalancer.domain && !input.loadBalancer.certificateArn)
      report(
        ["loadBalancer", "certificateArn"],
        "missing: with CI access, request the domain's certificate as an administrator and give its ARN here " +
          "(a CI role that may request a tagged certificate could tag, and then manage, every certificate of the account)",
      );

    return {
      ...input,
      network: { ...input.network, publicSubnetCidrs: subnets.publicSubnetCidrs, privateSubnetCidrs: subnets.privateSubnetCidrs },
      zoneResilience: { ...input.zoneResilience, rehearsal },
      state,
    };
  });

/** A path part of a construct's dotted prop: array indices as numbers, as zod writes them. */
function pathPart(part: string): string | number {
  return /^\d+$/.test(part) ? Number(part) : part;
}

/** Validated settings with every default filled in and the subnet CIDRs resolved. */
export type Settings = z.output<typeof settingsSchema>;

/** Settings of a named environment, as the stacks get them. */
export interface EnvironmentSettings extends Settings {
  /** The environment's name: the file name in `environments/`, and part of its stack name and state key. */
  readonly environment: string;
}
