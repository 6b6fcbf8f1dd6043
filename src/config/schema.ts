import { z } from "zod";
import { isKnownRegion } from "../aws/aws-regions";
import { cidrProblem, ipv6CidrProblem } from "../aws/cidr";
import { ACCESS_LOG_BUCKET_DEFAULTS, ACCESS_LOG_RETENTION_DAYS } from "../constructs/edge/access-log-bucket";
import {
  BACKUP_RETENTION_DAYS,
  DAILY_WINDOW,
  DATABASE_DEFAULTS,
  DATABASE_NAME,
  databaseProblems,
  LAB_DATABASE_NAMES,
  MASTER_USERNAME,
  MONITORING_INTERVALS,
  MYSQL_LOG_EXPORTS,
  RDS_INSTANCE_CLASS,
  STORAGE_MINIMUM_GIB,
  type StorageType,
  WEEKLY_WINDOW,
} from "../constructs/data/database";
import { APP_USERNAME, DATABASE_APP_USER_DEFAULTS, databaseAppUserProblems, ROTATION_DAYS, SECRET_RECOVERY_DAYS } from "../constructs/data/database-app-user";
import {
  BACKUP_RETENTION_LIMITS,
  BACKUP_SCHEDULE,
  DATABASE_BACKUPS_DEFAULTS,
  databaseBackupsProblems,
  VALIDATION_WINDOW_HOURS,
} from "../constructs/data/database-backups";
import {
  APP_TIER_DEFAULTS,
  capacityProblems,
  IMAGE_ID,
  INSTANCE_REFRESH_LIMITS,
  instanceRefreshProblems,
  instanceTypeProblems,
  LAB_APP_TIER_NAMES,
  ROOT_VOLUME_GIB,
} from "../constructs/compute/app-tier";
import { EC2_INSTANCE_TYPE, instanceTypeProblem } from "../aws/ec2-instance-types";
import { DOMAIN_NAME, HOSTED_ZONE_ID } from "../constructs/edge/app-domain";
import { APP_DEFAULTS, FORM_TOKEN_HOURS } from "../aws/boot-script";
import { bucketNameProblems } from "../constructs/data/private-bucket";
import {
  ACM_CERTIFICATE_ARN,
  DEFAULT_SSL_POLICY,
  HEALTH_CHECK_MATCHER,
  HEALTH_CHECK_PATH,
  healthCheckProblems,
  LOAD_BALANCER_DEFAULTS,
  LOAD_BALANCER_LIMITS,
  NO_CBC_SSL_POLICY,
} from "../constructs/edge/load-balancer";
import { SECURITY_GROUPS_DEFAULTS } from "../constructs/network/security-groups";
import { RATE_LIMIT, RATE_WINDOWS, type RateWindow, WEB_ACL_DEFAULTS } from "../constructs/edge/web-acl";
import { SESSION_TIMEOUT_SECONDS, SIGN_IN_DEFAULTS, signInProblems, type SignInProvider } from "../constructs/edge/sign-in";
import {
  CLOUD_WORKSPACE,
  CLOUD_WORKSPACE_TAG,
  DYNAMODB_TABLE,
  STATE_BACKEND_DEFAULTS,
  STATE_BACKENDS,
  STATE_KEY_PREFIX,
  stateBackendProblems,
} from "../terraform/state-backend";
import {
  AVAILABILITY_ZONE,
  availabilityZoneProblems,
  LOG_RETENTION_DAYS,
  labNetworkNames,
  NAT_STRATEGIES,
  NETWORK_DEFAULTS,
} from "../constructs/network/network";
import { APP_TIER_ZONE_DEFAULTS } from "../constructs/compute/app-tier";
import { LOAD_BALANCER_ZONE_DEFAULTS, slowStartProblem } from "../constructs/edge/load-balancer";
import { ZONE_REHEARSAL_DEFAULTS, ZONE_REHEARSAL_LIMITS } from "../constructs/resilience/zone-rehearsal";
import { type LogRetentionDays } from "../constructs/network/network";
import { subnetLayout } from "../aws/subnet-layout";
import { ciProblems, ciSchema, hasCiAccess } from "./ci-settings";
import { administratorArnsProblems, IDENTITY_CENTER_ADMINISTRATORS } from "../constructs/data/state-key";
import { ALARM_TOPIC_DEFAULTS, EMAIL_ADDRESS, HTTPS_ENDPOINT, topicKeyProblem } from "../constructs/monitoring/alarm-topic";
import { appScalingProblems, DEFAULT_TARGET_VALUES, SCALING_METRICS } from "../constructs/compute/app-scaling";
import { alarmThresholdProblem, GROUP_METRIC_SIGNALS, HA_SIGNAL_DESCRIPTIONS, HA_SIGNALS, type HaSignal } from "../constructs/monitoring/availability-alarms";
import { DATABASE_SOURCES, LAB_SETTINGS } from "./defaults";
import type { PropProblem } from "../props/prop-problems";
import { nameProblems, resourceNames } from "./names";
import { RESERVED_TAG_KEYS } from "./tags";

/**
 * The settings of one environment: every knob of the stack, with the lab's
 * values (docs/lab.md, the lab's final state) as defaults. An environment file in
 * `environments/` holds only what differs from these. The schema describes the
 * settings' shape; their defaults and checks are the constructs' own
 * (`DATABASE_DEFAULTS`, `databaseProblems`, ...) or, for the stack's own
 * choices, `LAB_SETTINGS`.
 */

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

/** One of a construct's allowed numbers (each list has two at least, as zod's union needs). */
const oneOf = <T extends number>(values: readonly T[]) => z.union(values.map((value) => z.literal(value)) as unknown as [z.ZodLiteral<T>, z.ZodLiteral<T>]);

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
  .default(LAB_SETTINGS.tags);

const namesSchema = z
  .strictObject({
    vpc: z
      .string()
      .min(1, "is empty; name the VPC (its Name tag), or leave the setting out for Lab VPC")
      .default(labNetworkNames().vpc)
      .describe("Name tag of the VPC."),
    loadBalancer: z.string().default(LOAD_BALANCER_DEFAULTS.name).describe("Application Load Balancer and its security group."),
    app: z.string().default(LAB_APP_TIER_NAMES.instance).describe("Target group, app security group and the Name tag of every app server."),
    autoScalingGroup: z.string().default(LAB_APP_TIER_NAMES.autoScalingGroup).describe("Auto Scaling group of the app servers."),
    database: z.string().default(LAB_DATABASE_NAMES.nameTag).describe("Database security group and Name tag; the RDS identifier is its lower-case form."),
    instanceRole: z.string().default(LAB_APP_TIER_NAMES.instanceRole).describe("IAM role and instance profile of the app servers."),
    launchTemplate: z.string().default(LAB_APP_TIER_NAMES.launchTemplatePrefix).describe("Name prefix of the launch template (AWS appends a unique suffix)."),
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
      .default(LOAD_BALANCER_DEFAULTS.healthCheck.path)
      .describe("Path the load balancer requests on each app server."),
    healthyThreshold: wholeNumberIn(LOAD_BALANCER_LIMITS.healthyThreshold)
      .default(LOAD_BALANCER_DEFAULTS.healthCheck.healthyThreshold)
      .describe("Consecutive successes before a target counts as healthy (lab: 2)."),
    unhealthyThreshold: wholeNumberIn(LOAD_BALANCER_LIMITS.unhealthyThreshold)
      .default(LOAD_BALANCER_DEFAULTS.healthCheck.unhealthyThreshold)
      .describe("Consecutive failures before a target counts as unhealthy."),
    intervalSeconds: wholeNumberIn(LOAD_BALANCER_LIMITS.intervalSeconds)
      .default(LOAD_BALANCER_DEFAULTS.healthCheck.intervalSeconds)
      .describe("Seconds between health checks (lab: 10)."),
    timeoutSeconds: wholeNumberIn(LOAD_BALANCER_LIMITS.timeoutSeconds)
      .default(LOAD_BALANCER_DEFAULTS.healthCheck.timeoutSeconds)
      .describe("Seconds without a response that fail a check; below the interval."),
    matcher: z
      .string()
      .regex(HEALTH_CHECK_MATCHER, "must be HTTP codes like 200 or 200-299")
      .default(LOAD_BALANCER_DEFAULTS.healthCheck.matcher)
      .describe("HTTP codes that count as healthy."),
  })
  .prefault({});

const networkSchema = z
  .strictObject({
    vpcCidr: cidr.default(NETWORK_DEFAULTS.vpcCidr).describe("CIDR block of the VPC."),
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
      .default(NETWORK_DEFAULTS.natStrategy)
      .describe(
        "`per-az`: a NAT gateway and private route table per zone (the lab's challenge); " +
          "`single`: one NAT gateway in the first public subnet (the lab's start).",
      ),
    ipv6: z
      .boolean()
      .default(NETWORK_DEFAULTS.ipv6)
      .describe(
        "IPv6 beside IPv4 for clients: an Amazon-provided /56 for the VPC, a /64 per public subnet, an IPv6 default route to the internet gateway, " +
          "a dual-stack load balancer open to `loadBalancer.ingressIpv6Cidrs`, and with a domain an AAAA record. The private tier stays IPv4.",
      ),
    flowLogs: z
      .strictObject({
        enabled: z.boolean().default(NETWORK_DEFAULTS.flowLogs).describe("Record VPC flow logs to CloudWatch Logs."),
        retentionDays: oneOf(LOG_RETENTION_DAYS)
          .default(NETWORK_DEFAULTS.flowLogRetentionDays)
          .describe("Days CloudWatch Logs keeps the flow logs (a value CloudWatch accepts)."),
      })
      .prefault({})
      .describe("VPC flow logs."),
  })
  .prefault({});

const loadBalancerSchema = z
  .strictObject({
    ingressCidrs: z
      .array(cidr)
      .min(1)
      .default([...SECURITY_GROUPS_DEFAULTS.clientCidrs])
      .describe("Client networks allowed to reach ports 80 and 443 (lab: anywhere)."),
    ingressIpv6Cidrs: z
      .array(ipv6Cidr)
      .min(1)
      .default([...LAB_SETTINGS.ingressIpv6Cidrs])
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
      .default(LOAD_BALANCER_DEFAULTS.sslPolicy)
      .describe("TLS policy of the HTTPS listener (TLS 1.2 and 1.3, AEAD suites only: a `TLS13-1-2-Res-*` or `TLS13-1-3-*` policy)."),
    deletionProtection: z.boolean().default(LOAD_BALANCER_DEFAULTS.deletionProtection).describe("Refuse to delete the load balancer until this is turned off."),
    idleTimeoutSeconds: wholeNumberIn(LOAD_BALANCER_LIMITS.idleTimeoutSeconds)
      .default(LOAD_BALANCER_DEFAULTS.idleTimeoutSeconds)
      .describe("Seconds an idle client connection stays open."),
    deregistrationDelaySeconds: wholeNumberIn(LOAD_BALANCER_LIMITS.deregistrationDelaySeconds)
      .default(LOAD_BALANCER_DEFAULTS.deregistrationDelaySeconds)
      .describe("Seconds a deregistering target keeps serving in-flight requests (AWS default 300)."),
    healthCheck: healthCheckSchema.describe("Health check of the target group."),
    authentication: z
      .strictObject({
        provider: z
          .enum(["none", "oidc", "cognito"])
          .default(LAB_SETTINGS.signInProvider)
          .describe(
            "Sign-in at the load balancer before any request reaches the app (HTTPS only): `oidc`, an OpenID Connect provider of your own " +
              "(its client secret in TF_VAR_oidc_client_secret); `cognito`, a Cognito user pool the stack creates, whose users an administrator adds.",
          ),
        sessionTimeoutSeconds: wholeNumberIn(SESSION_TIMEOUT_SECONDS)
          .default(SIGN_IN_DEFAULTS.sessionTimeoutSeconds)
          .describe("Seconds a sign-in lasts before the load balancer asks again."),
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
          .default(LAB_SETTINGS.webAcl)
          .describe(
            "An AWS WAF web ACL in front of the load balancer: rate limits per client IP and AWS's managed rules for common attacks, " +
              "known bad inputs and SQL injection (CKV2_AWS_28).",
          ),
        rateLimits: z
          .strictObject({
            requests: wholeNumberIn(RATE_LIMIT)
              .default(WEB_ACL_DEFAULTS.rateLimits.requests)
              .describe("Requests one client IP may make per window; beyond, WAF answers 429 until its rate falls."),
            writes: wholeNumberIn(RATE_LIMIT)
              .default(WEB_ACL_DEFAULTS.rateLimits.writes)
              .describe("Form posts (adds, edits, deletes) one client IP may make per window; beyond, 429."),
            windowSeconds: oneOf(RATE_WINDOWS)
              .default(WEB_ACL_DEFAULTS.rateLimits.windowSeconds as RateWindow)
              .describe("Seconds each rate is counted over (60, 120, 300 or 600)."),
          })
          .prefault({})
          .describe("The rate-based rules' limits; clients behind one NAT share an address, and its limit."),
        logRetentionDays: oneOf(LOG_RETENTION_DAYS)
          .default(WEB_ACL_DEFAULTS.logRetentionDays)
          .describe("Days CloudWatch Logs keeps the WAF's log (group aws-waf-logs-<web ACL name>; the cookie header left out)."),
      })
      .prefault({})
      .describe("The web application firewall of the load balancer."),
    accessLogs: z
      .strictObject({
        enabled: z
          .boolean()
          .default(LAB_SETTINGS.accessLogs)
          .describe("Log every request to an S3 bucket the project creates (versioned, SSE-S3, private, TLS only, writable by ELB log delivery only)."),
        bucketName: z.string().optional().describe("Name of the log bucket. Default: a unique name Terraform generates from `<namePrefix>inventory-lb-logs-`."),
        retentionDays: wholeNumberIn(ACCESS_LOG_RETENTION_DAYS)
          .default(ACCESS_LOG_BUCKET_DEFAULTS.retentionDays)
          .describe("Days S3 keeps a log file (a replaced version 7 days more)."),
        forceDestroy: z
          .boolean()
          .default(ACCESS_LOG_BUCKET_DEFAULTS.forceDestroy)
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
      .default(APP_TIER_DEFAULTS.instanceType)
      .describe("EC2 instance type of the app servers."),
    imageId: z
      .string()
      .regex(IMAGE_ID, "must be an AMI id (ami-...) or resolve:ssm:/parameter/name")
      .default(APP_TIER_DEFAULTS.imageId)
      .describe("AMI of the app servers; the default resolves the latest Amazon Linux 2023 at launch, with no plan-time lookup."),
    minSize: z.number().int().min(0).max(100).default(APP_TIER_DEFAULTS.minSize).describe("Fewest app servers."),
    // The construct's defaults follow minSize: at the lab's minSize, the lab's 2/2/2.
    desiredCapacity: z.number().int().min(0).max(100).default(APP_TIER_DEFAULTS.minSize).describe("App servers to run."),
    maxSize: z.number().int().min(1).max(100).default(APP_TIER_DEFAULTS.minSize).describe("Most app servers."),
    healthCheckGracePeriodSeconds: z
      .number()
      .int()
      .min(0)
      .max(7200)
      .default(APP_TIER_DEFAULTS.healthCheckGracePeriodSeconds)
      .describe("Seconds after launch before failed load balancer checks replace a server."),
    rootVolumeSizeGiB: wholeNumberIn(ROOT_VOLUME_GIB).default(APP_TIER_DEFAULTS.rootVolumeSizeGiB).describe("Size of the encrypted gp3 root volume."),
    instanceRefresh: z
      .strictObject({
        minHealthyPercent: wholeNumberIn(INSTANCE_REFRESH_LIMITS.minHealthyPercent)
          .default(APP_TIER_DEFAULTS.instanceRefresh.minHealthyPercent)
          .describe(
            "Share of the desired capacity kept healthy and in service while a release rolls (100: never fewer servers than desired). " +
              `At least ${INSTANCE_REFRESH_LIMITS.minHealthyPercent[0]}: the release function refuses less, which could replace every server at once.`,
          ),
        maxHealthyPercent: wholeNumberIn(INSTANCE_REFRESH_LIMITS.maxHealthyPercent)
          .default(APP_TIER_DEFAULTS.instanceRefresh.maxHealthyPercent)
          .describe(
            "Share of the desired capacity that may run at once, old and new, at most 100 above the minimum " +
              "(200: all replacements start before the old servers stop).",
          ),
        instanceWarmupSeconds: wholeNumberIn(INSTANCE_REFRESH_LIMITS.instanceWarmupSeconds)
          .default(APP_TIER_DEFAULTS.instanceRefresh.instanceWarmupSeconds)
          .describe("Seconds a new server serves beside the old ones, once healthy, before they are stopped (300: one window of the 5xx alarms)."),
        alarms: z
          .array(z.enum(HA_SIGNALS.filter((signal) => !GROUP_METRIC_SIGNALS.includes(signal)) as [HaSignal, ...HaSignal[]]))
          .min(INSTANCE_REFRESH_LIMITS.alarms[0], "names no alarm: the release function refuses a release no alarm can stop and roll back")
          .default([...LAB_SETTINGS.refreshAlarms])
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
          .default(LAB_SETTINGS.scalingPolicy)
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
      .default(DATABASE_DEFAULTS.engineVersion)
      .describe("RDS for MySQL version; a major.minor pins the major and lets minor upgrades apply."),
    instanceClass: z
      .string()
      .regex(RDS_INSTANCE_CLASS, "must be an RDS instance class like db.t3.small")
      .default(DATABASE_DEFAULTS.instanceClass)
      .describe("Instance class (the lab's challenge doubled db.t3.micro)."),
    storageType: z
      .enum(Object.keys(STORAGE_MINIMUM_GIB) as [StorageType, ...StorageType[]])
      .default(DATABASE_DEFAULTS.storageType)
      .describe("EBS volume type of the database."),
    allocatedStorageGiB: positiveInt()
      .default(DATABASE_DEFAULTS.allocatedStorageGiB)
      .describe("Storage in GiB (the lab doubled its storage; gp3 starts at 20 GiB)."),
    maxAllocatedStorageGiB: positiveInt().optional().describe("Upper bound for storage autoscaling; unset turns it off."),
    multiAz: z.boolean().default(DATABASE_DEFAULTS.multiAz).describe("Keep a synchronous standby in another zone (the lab's challenge)."),
    databaseName: z
      .string()
      .regex(DATABASE_NAME, "must start with a letter and use letters, digits and _ (at most 64)")
      .default(DATABASE_DEFAULTS.databaseName)
      .describe("Schema the app uses."),
    masterUsername: z
      .string()
      .regex(MASTER_USERNAME, "must start with a letter and use letters, digits and _ (at most 32)")
      .default(DATABASE_DEFAULTS.masterUsername)
      .describe("Master user; its password is generated and rotated by RDS in Secrets Manager."),
    backupRetentionDays: wholeNumberIn(BACKUP_RETENTION_DAYS)
      .default(DATABASE_DEFAULTS.backupRetentionDays)
      .describe("Days of automated backups (0 turns them off)."),
    backupWindow: z.string().regex(DAILY_WINDOW, "must be hh:mm-hh:mm in UTC").optional().describe("Daily backup window in UTC; unset lets AWS choose."),
    maintenanceWindow: z
      .string()
      .regex(WEEKLY_WINDOW, "must be ddd:hh:mm-ddd:hh:mm in UTC")
      .optional()
      .describe("Weekly maintenance window in UTC; unset lets AWS choose."),
    deletionProtection: z.boolean().default(DATABASE_DEFAULTS.deletionProtection).describe("Refuse to delete the database until this is turned off."),
    skipFinalSnapshot: z.boolean().default(DATABASE_DEFAULTS.skipFinalSnapshot).describe("Delete without a final snapshot."),
    applyImmediately: z
      .boolean()
      .default(DATABASE_DEFAULTS.applyImmediately)
      .describe("Apply class and storage changes now, not in the maintenance window (the lab's challenge)."),
    ingressFrom: z
      .enum(DATABASE_SOURCES)
      .default(LAB_SETTINGS.databaseIngressFrom)
      .describe("`app-security-group`: MySQL only from the app servers; `vpc-cidr`: from the whole VPC (the lab's start)."),
    logExports: z
      .array(z.enum(MYSQL_LOG_EXPORTS))
      .default([...DATABASE_DEFAULTS.logExports])
      .describe("MySQL logs exported to CloudWatch Logs."),
    appUser: z
      .strictObject({
        username: z
          .string()
          .regex(APP_USERNAME, "must start with a letter and use letters, digits and _ (at most 26, leaving room for _clone)")
          .default(DATABASE_APP_USER_DEFAULTS.username)
          .describe(
            "The app's MySQL user, made by the rotation function with only the app's privileges on its schema; rotations alternate it with <username>_clone.",
          ),
        rotationDays: wholeNumberIn(ROTATION_DAYS)
          .default(DATABASE_APP_USER_DEFAULTS.rotationDays)
          .describe("Days between rotations of the app user's password (Secrets Manager generates each one)."),
        secretRecoveryDays: z
          .number()
          .int()
          .refine((days) => days === 0 || (days >= SECRET_RECOVERY_DAYS[0] && days <= SECRET_RECOVERY_DAYS[1]), {
            message: `must be ${SECRET_RECOVERY_DAYS[0]} to ${SECRET_RECOVERY_DAYS[1]} (or 0 with allowImmediateSecretDeletion)`,
          })
          .default(DATABASE_APP_USER_DEFAULTS.secretRecoveryDays)
          .describe(
            `Days the app user's secret stays recoverable after a destroy (${SECRET_RECOVERY_DAYS[0]} to ${SECRET_RECOVERY_DAYS[1]}; ` +
              "its name stays taken meanwhile). 0 deletes it at once, only with allowImmediateSecretDeletion.",
          ),
        allowImmediateSecretDeletion: z
          .boolean()
          .default(DATABASE_APP_USER_DEFAULTS.allowImmediateSecretDeletion)
          .describe("A lab setting: lets secretRecoveryDays be 0, for an environment destroyed and made again within a week."),
      })
      .prefault({})
      .describe("The app's own database user: its secret is the only one the app servers can read."),
    monitoringIntervalSeconds: oneOf(MONITORING_INTERVALS)
      .default(DATABASE_DEFAULTS.monitoringIntervalSeconds)
      .describe("Seconds between Enhanced Monitoring samples of the database's OS (0 turns it off)."),
    backups: databaseBackupsSchema(),
  })
  .prefault({});

/** database.backups: AWS Backup of the database, its copy to a second region and its restore tests (src/constructs/data/database-backups.ts). */
function databaseBackupsSchema() {
  const defaults = DATABASE_BACKUPS_DEFAULTS;
  const schedule = z.string().regex(BACKUP_SCHEDULE, "must be a cron expression like cron(0 5 ? * * *) (UTC)");
  return z
    .strictObject({
      enabled: z
        .boolean()
        .optional()
        .describe(
          "Back the database up with AWS Backup, into a vault with a key of the environment. Unset: on, except with CI access " +
            "(the CI roles cannot deploy it yet, so it is off there and turning it on is refused).",
        ),
      schedule: schedule.default(defaults.schedule).describe("When the daily backup starts, as an AWS Backup cron expression in UTC."),
      retentionDays: wholeNumberIn(BACKUP_RETENTION_LIMITS).default(defaults.retentionDays).describe("Days each recovery point is kept."),
      vaultLock: z
        .boolean()
        .default(defaults.vaultLock)
        .describe("Lock the vault (governance mode): no recovery point can be deleted before retentionDays, until the lock is removed."),
      copyRegion: region
        .optional()
        .describe("A second region to copy each recovery point to, into a vault with its own key there; unset makes no copy (off by default)."),
      copyRetentionDays: wholeNumberIn(BACKUP_RETENTION_LIMITS).optional().describe("Days each copy is kept; unset keeps it retentionDays."),
      restoreTesting: z
        .strictObject({
          enabled: z.boolean().default(defaults.restoreTesting.enabled).describe("Restore the latest recovery point on a schedule (REL09-BP04)."),
          schedule: schedule.default(defaults.restoreTesting.schedule).describe("When a restore test starts, as an AWS Backup cron expression in UTC."),
          validationWindowHours: wholeNumberIn(VALIDATION_WINDOW_HOURS)
            .default(defaults.restoreTesting.validationWindowHours)
            .describe("Hours the restored instance is kept for checks before AWS Backup deletes it."),
        })
        .prefault({})
        .describe("Restore tests of the latest recovery point into the database's subnets and security group."),
    })
    .prefault({})
    .describe("AWS Backup of the database: a daily plan, an optional copy to a second region, restore tests, and alarms on failed jobs.");
}

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
          .default([...ALARM_TOPIC_DEFAULTS.emailAddresses])
          .describe("Addresses notified when an alarm fires and when it recovers; each confirms its subscription from the mail AWS sends."),
        httpsEndpoints: z
          .array(z.string().regex(HTTPS_ENDPOINT, "must be an https:// URL"))
          .default([...ALARM_TOPIC_DEFAULTS.httpsEndpoints])
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
          .default([...LAB_SETTINGS.rehearsalStopAlarms])
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
      .default(STATE_BACKEND_DEFAULTS.backend)
      .describe("`s3`: an S3 bucket (see the bootstrap stack); `cloud`: Terraform Cloud; `local`: a file, for trying things out."),
    bucket: z.string().optional().describe("S3 bucket of the state (env INVENTORY_STATE_BUCKET overrides)."),
    region: region.optional().describe("Region of the state bucket (env INVENTORY_STATE_REGION overrides). Default: the environment's region."),
    keyPrefix: z
      .string()
      .regex(STATE_KEY_PREFIX, "must be empty or end with / and use S3-safe characters")
      .default(STATE_BACKEND_DEFAULTS.keyPrefix)
      .describe("Prefix before `<environment>/inventory-ha.tfstate`."),
    lockTable: z
      .string()
      .regex(DYNAMODB_TABLE, "must be a DynamoDB table name")
      .optional()
      .describe("DynamoDB lock table (env INVENTORY_STATE_LOCK_TABLE overrides); unset uses S3 lock files only."),
    useLockfile: z.boolean().default(STATE_BACKEND_DEFAULTS.useLockfile).describe("Lock with an S3 lock file (Terraform 1.10+)."),
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
    hostname: z.string().default(STATE_BACKEND_DEFAULTS.hostname).describe("Terraform Cloud or Enterprise host (backend `cloud`)."),
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
      .default(LAB_SETTINGS.namePrefix)
      .describe("Put in front of every resource name so two environments can share an account (empty keeps the lab's names)."),
    region: region.default(LAB_SETTINGS.region).describe("AWS region of the environment."),
    availabilityZones: z
      .array(z.string().regex(AVAILABILITY_ZONE, "must be an availability zone name like us-west-2a"))
      .min(2, "needs at least 2 zones for high availability")
      .default([...LAB_SETTINGS.availabilityZones])
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
    /** A construct's problems, each against its setting: the prop's dotted path below `settingPath`. */
    const reportProps = (settingPath: (string | number)[], problems: readonly PropProblem[]) => {
      for (const problem of problems) report([...settingPath, ...problem.prop.split(".").map(pathPart)], problem.message);
    };
    const zoneCount = input.availabilityZones.length;
    const names = resourceNames(input.namePrefix, input.names);

    for (const key of RESERVED_TAG_KEYS) {
      if (key in input.tags) report(["tags", key], `is set by the project itself (Project, Environment, ManagedBy); choose another key`);
    }

    input.availabilityZones.forEach((zone, index) => {
      if (!zone.startsWith(input.region)) report(["availabilityZones", index], `"${zone}" is not in region ${input.region}`);
    });
    reportProps([], availabilityZoneProblems(input.availabilityZones));

    const subnets = subnetLayout(input.network, zoneCount);
    reportProps(["network"], subnets.problems);

    const { scaling } = input.appTier;
    for (const problem of capacityProblems({ ...input.appTier, desiredCapacityFromScalingPolicy: scaling.policy !== "none" })) {
      if (problem.prop === "desiredCapacityFromScalingPolicy") report(["appTier", "scaling", "policy"], `${scaling.policy} ${problem.message}`);
      else report(["appTier", problem.prop], problem.message);
    }
    reportProps(["appTier"], instanceTypeProblems(input.appTier));
    reportProps(["appTier"], instanceRefreshProblems(input.appTier.instanceRefresh));
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

    // The app user's names come from names.database.
    for (const problem of databaseAppUserProblems({
      ...input.database.appUser,
      logRetentionDays: DATABASE_APP_USER_DEFAULTS.logRetentionDays,
      names: names.databaseAppUser,
    }))
      report(problem.prop.startsWith("names.") ? ["names", "database"] : ["database", "appUser", problem.prop], problem.message);
    reportProps(["loadBalancer"], healthCheckProblems(input.loadBalancer.healthCheck));

    if (scaling.policy !== "none") reportProps(["appTier", "scaling"], appScalingProblems({ metric: scaling.policy, targetValue: scaling.targetValue }));
    else if (scaling.targetValue !== undefined)
      report(["appTier", "scaling", "targetValue"], "has no effect without a scaling policy; set appTier.scaling.policy");

    for (const signal of HA_SIGNALS) {
      const problem = alarmThresholdProblem(signal, input.monitoring.alarms[signal]);
      if (problem) report(["monitoring", "alarms", signal, problem.field], problem.message);
    }

    reportProps(["loadBalancer", "accessLogs"], bucketNameProblems(input.loadBalancer.accessLogs));

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

    reportProps(["database"], databaseProblems(input.database));
    const ciAccess = hasCiAccess(input.ci);
    const backups = { ...input.database.backups, enabled: input.database.backups.enabled ?? (DATABASE_BACKUPS_DEFAULTS.enabled && !ciAccess) };
    if (backups.enabled)
      for (const problem of databaseBackupsProblems({ region: input.region, copy: backups.copyRegion ? { region: backups.copyRegion } : undefined }))
        report(["database", "backups", problem.prop === "copy.region" ? "copyRegion" : problem.prop], problem.message);

    for (const problem of nameProblems(names)) report(problem.path, problem.message);

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
      reportProps(["state"], administratorArnsProblems(administrators));
      const foreign = administrators.findIndex((arn) => input.ci.accountId && /^arn:[^:]+:iam::\d{12}:/.test(arn) && arn.split(":")[4] !== input.ci.accountId);
      if (foreign >= 0)
        report(["state", "administratorArns", foreign], `is in account ${administrators[foreign].split(":")[4]}, but ci.accountId is ${input.ci.accountId}`);
    }

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
    if (ciAccess && backups.enabled)
      report(
        ["database", "backups", "enabled"],
        "AWS Backup cannot be deployed by the CI roles yet: its vault keys and the role AWS Backup assumes are not in the CI access stack; " +
          "set database.backups.enabled to false, or deploy this environment as an administrator without a ci section",
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
      database: { ...input.database, backups },
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
