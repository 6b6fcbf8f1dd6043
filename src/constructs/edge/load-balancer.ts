import { Construct } from "constructs";
import { type ITerraformDependable, Token } from "cdktf";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener, type LbListenerDefaultAction } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { choiceProblem, integerProblem, nameProblem, type PropProblem, refuseProblems } from "../../props/prop-problems";

/** The health check of the target group. Every field has the lab's or AWS's recommended value by default. */
export interface HealthCheckProps {
  /** Path requested on each target. @default "/health" */
  readonly path?: string;
  /** Successes before a target is healthy (2 to 10). @default 2 (the lab's) */
  readonly healthyThreshold?: number;
  /** Failures before a target is unhealthy (2 to 10). @default 2 */
  readonly unhealthyThreshold?: number;
  /** Seconds between checks (5 to 300). @default 10 (the lab's) */
  readonly intervalSeconds?: number;
  /** Seconds before a check fails (2 to 120), below the interval. @default 5 */
  readonly timeoutSeconds?: number;
  /** HTTP codes that pass, like `200` or `200-299`. @default "200" */
  readonly matcher?: string;
}

/** The health check's defaults: the lab's thresholds and interval. */
export const DEFAULT_HEALTH_CHECK: Required<HealthCheckProps> = {
  path: "/health",
  healthyThreshold: 2,
  unhealthyThreshold: 2,
  intervalSeconds: 10,
  timeoutSeconds: 5,
  matcher: "200",
};

/** The ranges AWS accepts for the numbers of a target group and its load balancer, as [min, max]. */
export const LOAD_BALANCER_LIMITS = {
  healthyThreshold: [2, 10],
  unhealthyThreshold: [2, 10],
  intervalSeconds: [5, 300],
  timeoutSeconds: [2, 120],
  deregistrationDelaySeconds: [0, 3600],
  idleTimeoutSeconds: [1, 4000],
  slowStartSeconds: [30, 900],
} as const;

/**
 * How traffic leaves a sick zone and comes back to new servers, by default. Zonal shift lets an operator (or
 * `aws arc-zonal-shift start-zonal-shift`) move the load balancer's traffic out of one zone in a minute; the target
 * group states cross-zone load balancing itself, so each node spreads over every zone's healthy servers whatever
 * zone a client's DNS answer lands in (an ALB's own setting is always on, but a target group can turn it off); and a
 * new server gets its share over a minute: its PHP opcache compiles the app on its first requests and it opens its
 * first TLS connections to the database, which made a server's first seconds the slowest (60 s is well inside the
 * instance refresh's 300 s warm-up, and a server joining a group with no other healthy server is not slowed).
 */
export const LOAD_BALANCER_ZONE_DEFAULTS = {
  zonalShift: true,
  crossZone: true,
  slowStartSeconds: 60,
} as const;

export const HEALTH_CHECK_PATH = /^\/[\x21-\x7e]{0,1023}$/;
export const HEALTH_CHECK_MATCHER = /^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/;
/**
 * ELB security policies that accept TLS 1.2 and newer (CKV_AWS_103) with AEAD suites only: the `Res` (restricted)
 * TLS 1.2+1.3 policies and the TLS 1.3-only ones. Not `TLS13-1-2-2021-06`, `-Ext`, or `FS-1-2-Res-2019-08`: they
 * offer CBC suites (ECDHE-*-AES*-SHA256/SHA384), whose padding has a history of oracles (Lucky13).
 */
export const NO_CBC_SSL_POLICY = /^ELBSecurityPolicy-(TLS13-1-2-Res-[A-Za-z0-9-]+|TLS13-1-3-[A-Za-z0-9-]+|FS-1-2-Res-2020-10)$/;
/** The HTTPS listener's policy unless `sslPolicy` says otherwise. */
export const DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06";
/** An ACM certificate ARN; its region is the first group. */
export const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[0-9a-f-]{36}$/;

/** What the target group registers: instances (an Auto Scaling group's), or IP addresses. */
export const TARGET_TYPES = ["instance", "ip"] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

/** The addresses clients reach the load balancer on: IPv4, or IPv4 and IPv6 (its subnets need IPv6 blocks). */
export const IP_ADDRESS_TYPES = ["ipv4", "dualstack"] as const;
export type IpAddressType = (typeof IP_ADDRESS_TYPES)[number];

/** An S3 bucket a load balancer writes its access logs to: an `AccessLogBucket`, or a bucket of your own. */
export interface AccessLogDestination {
  readonly bucketName: string;
  /** The bucket's policy, when this configuration creates it: the load balancer waits for it. @default none */
  readonly policy?: ITerraformDependable;
}

/** What each optional prop is when left out: the lab's load balancer (the settings schema reads these). */
export const LOAD_BALANCER_DEFAULTS = {
  name: "Inventory-LB",
  targetGroupName: "Inventory-App",
  targetType: "instance",
  targetPort: 80,
  healthCheck: DEFAULT_HEALTH_CHECK,
  /** AWS's default is 300. */
  deregistrationDelaySeconds: 30,
  sslPolicy: DEFAULT_SSL_POLICY,
  deletionProtection: true,
  idleTimeoutSeconds: 60,
  ipAddressType: "ipv4",
} as const satisfies Partial<LoadBalancerProps>;

export interface LoadBalancerProps {
  /** VPC of the target group. */
  readonly vpcId: string;
  /** Public subnets, one per zone: AWS wants two zones or more (ELB.13). */
  readonly subnetIds: readonly string[];
  /**
   * What must exist before an internet-facing load balancer in those subnets:
   * the subnets' route to an attached internet gateway (`Network.internetConnectivityEstablished`).
   * @default none: the subnets reach the internet already
   */
  readonly internetConnectivity?: readonly ITerraformDependable[];
  /** The load balancer's security group. */
  readonly securityGroupId: string;
  /** `dualstack`: clients reach it on IPv6 too; its subnets must have IPv6 blocks (`Network` with `ipv6`). @default "ipv4" */
  readonly ipAddressType?: IpAddressType;
  /** Name of the load balancer (at most 32 letters, digits and hyphens). @default "Inventory-LB" */
  readonly name?: string;
  /** Name of the target group (at most 32 letters, digits and hyphens). @default "Inventory-App" */
  readonly targetGroupName?: string;
  /** What the target group registers. @default "instance" */
  readonly targetType?: TargetType;
  /** Port the targets listen on. @default 80 */
  readonly targetPort?: number;
  /** Health check of the target group. @default `DEFAULT_HEALTH_CHECK`, field by field */
  readonly healthCheck?: HealthCheckProps;
  /** Seconds a deregistering target keeps serving in-flight requests. @default 30 (AWS's default is 300) */
  readonly deregistrationDelaySeconds?: number;
  /** ACM certificate: adds HTTPS:443 and turns HTTP:80 into a redirect. @default none (HTTP:80 forwards) */
  readonly certificateArn?: string;
  /** TLS policy of the HTTPS listener: TLS 1.2 and newer, no CBC suites (`NO_CBC_SSL_POLICY`). @default "ELBSecurityPolicy-TLS13-1-2-Res-2021-06" */
  readonly sslPolicy?: string;
  /** Refuse deletion until turned off. @default true */
  readonly deletionProtection?: boolean;
  /** Seconds an idle connection stays open. @default 60 */
  readonly idleTimeoutSeconds?: number;
  /** A step that signs people in before the HTTPS listener forwards (`SignIn.action`); needs `certificateArn`. @default none: no sign-in */
  readonly signIn?: LbListenerDefaultAction;
  /** Where access logs go (its policy must let ELB write under `AWSLogs/<account>/`). @default none: no access logs */
  readonly accessLogBucket?: AccessLogDestination;
  /** Let ARC zonal shift move traffic out of one zone (`enable_zonal_shift`); off leaves the attribute unset. @default true */
  readonly zonalShift?: boolean;
  /** State cross-zone load balancing on at the target group; off leaves it to the load balancer's (on for an ALB). @default true */
  readonly crossZone?: boolean;
  /** Seconds a new target takes to reach its full share (30 to 900; 0: at once, the attribute unset). @default 60 */
  readonly slowStartSeconds?: number;
}

/** Problems with a health check: a number out of AWS's range, a timeout not below the interval, a malformed path or matcher. */
export function healthCheckProblems(healthCheck: Required<HealthCheckProps>): PropProblem[] {
  const limit = (key: "healthyThreshold" | "unhealthyThreshold" | "intervalSeconds" | "timeoutSeconds") => {
    const [min, max] = LOAD_BALANCER_LIMITS[key];
    return integerProblem(`healthCheck.${key}`, healthCheck[key], min, max);
  };
  const problems = [
    Token.isUnresolved(healthCheck.path) || HEALTH_CHECK_PATH.test(healthCheck.path)
      ? undefined
      : { prop: "healthCheck.path", message: `"${healthCheck.path}" must be an absolute URL path like /health` },
    limit("healthyThreshold"),
    limit("unhealthyThreshold"),
    limit("intervalSeconds"),
    limit("timeoutSeconds"),
    Token.isUnresolved(healthCheck.matcher) || HEALTH_CHECK_MATCHER.test(healthCheck.matcher)
      ? undefined
      : { prop: "healthCheck.matcher", message: `"${healthCheck.matcher}" must be HTTP codes like 200 or 200-299` },
  ].filter((problem) => problem !== undefined);
  if (problems.length === 0 && healthCheck.timeoutSeconds >= healthCheck.intervalSeconds) {
    problems.push({
      prop: "healthCheck.timeoutSeconds",
      message: `${healthCheck.timeoutSeconds} must be below intervalSeconds ${healthCheck.intervalSeconds}`,
    });
  }
  return problems;
}

/** A problem with a slow start AWS would refuse: 0 (off), or 30 to 900 seconds. */
export function slowStartProblem(seconds: number): PropProblem | undefined {
  const [min, max] = LOAD_BALANCER_LIMITS.slowStartSeconds;
  if (Token.isUnresolved(seconds) || seconds === 0 || (Number.isInteger(seconds) && seconds >= min && seconds <= max)) return undefined;
  return { prop: "slowStartSeconds", message: `${seconds} is not 0 (off) or a whole number of seconds from ${min} to ${max}` };
}

const ELB_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const ELB_NAME_ALLOWED = "letters, digits and hyphens, not starting or ending with a hyphen";

/** Problems with the names AWS would refuse: a load balancer name may also not start with internal- (AWS's DNS names do). */
export function loadBalancerNameProblems(names: { readonly name: string; readonly targetGroupName: string }): PropProblem[] {
  return [
    nameProblem("name", "load balancer name", names.name, 32, new RegExp(`(?!internal-)${ELB_NAME.source}`), `${ELB_NAME_ALLOWED}, nor with internal-`),
    nameProblem("targetGroupName", "target group name", names.targetGroupName, 32, ELB_NAME, ELB_NAME_ALLOWED),
  ].filter((problem) => problem !== undefined);
}

/**
 * The lab's internet-facing Application Load Balancer Inventory-LB and its
 * target group Inventory-App. Invalid headers are dropped and request
 * smuggling is blocked (desync mitigation `defensive`); with a bucket, every
 * request is logged to S3.
 */
export class LoadBalancer extends Construct {
  readonly arn: string;
  /** DNS name users reach the app by. */
  readonly dnsName: string;
  readonly zoneId: string;
  /** Whether clients reach it on IPv4 only or on IPv6 too: a name pointed at it gets an AAAA record with `dualstack`. */
  readonly ipAddressType: IpAddressType;
  readonly targetGroupArn: string;
  /** `arn_suffix` values CloudWatch metrics and the drill use. */
  readonly arnSuffix: string;
  readonly targetGroupArnSuffix: string;
  /** URL of the app: https when a certificate is configured. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    const name = props.name ?? LOAD_BALANCER_DEFAULTS.name;
    const targetGroupName = props.targetGroupName ?? LOAD_BALANCER_DEFAULTS.targetGroupName;
    const targetType = props.targetType ?? LOAD_BALANCER_DEFAULTS.targetType;
    const targetPort = props.targetPort ?? LOAD_BALANCER_DEFAULTS.targetPort;
    const healthCheck: Required<HealthCheckProps> = { ...LOAD_BALANCER_DEFAULTS.healthCheck, ...props.healthCheck };
    const deregistrationDelaySeconds = props.deregistrationDelaySeconds ?? LOAD_BALANCER_DEFAULTS.deregistrationDelaySeconds;
    const sslPolicy = props.sslPolicy ?? LOAD_BALANCER_DEFAULTS.sslPolicy;
    const idleTimeoutSeconds = props.idleTimeoutSeconds ?? LOAD_BALANCER_DEFAULTS.idleTimeoutSeconds;
    const ipAddressType = props.ipAddressType ?? LOAD_BALANCER_DEFAULTS.ipAddressType;
    const slowStartSeconds = props.slowStartSeconds ?? LOAD_BALANCER_ZONE_DEFAULTS.slowStartSeconds;
    refuseProblems(this, [
      choiceProblem("ipAddressType", ipAddressType, IP_ADDRESS_TYPES),
      !Token.isUnresolved(props.subnetIds) && props.subnetIds.length < 2
        ? { prop: "subnetIds", message: `has ${props.subnetIds.length}; an Application Load Balancer needs subnets in two zones or more` }
        : undefined,
      ...loadBalancerNameProblems({ name, targetGroupName }),
      choiceProblem("targetType", targetType, TARGET_TYPES),
      integerProblem("targetPort", targetPort, 1, 65535),
      ...healthCheckProblems(healthCheck),
      integerProblem("deregistrationDelaySeconds", deregistrationDelaySeconds, ...LOAD_BALANCER_LIMITS.deregistrationDelaySeconds),
      integerProblem("idleTimeoutSeconds", idleTimeoutSeconds, ...LOAD_BALANCER_LIMITS.idleTimeoutSeconds),
      slowStartProblem(slowStartSeconds),
      props.certificateArn === undefined || Token.isUnresolved(props.certificateArn) || ACM_CERTIFICATE_ARN.test(props.certificateArn)
        ? undefined
        : {
            prop: "certificateArn",
            message: `"${props.certificateArn}" is not an ACM certificate ARN like arn:aws:acm:us-west-2:123456789012:certificate/<uuid>`,
          },
      props.signIn && !props.certificateArn
        ? { prop: "signIn", message: "needs certificateArn: the load balancer signs people in on its HTTPS listener only" }
        : undefined,
      Token.isUnresolved(sslPolicy) || NO_CBC_SSL_POLICY.test(sslPolicy)
        ? undefined
        : {
            prop: "sslPolicy",
            message: `"${sslPolicy}" is not an ELB security policy with TLS 1.2 and newer and no CBC suites, like ${DEFAULT_SSL_POLICY}`,
          },
    ]);

    const targetGroup = new LbTargetGroup(this, "target-group", {
      name: targetGroupName,
      targetType,
      protocol: "HTTP",
      port: targetPort,
      vpcId: props.vpcId,
      deregistrationDelay: String(deregistrationDelaySeconds),
      slowStart: slowStartSeconds === 0 ? undefined : slowStartSeconds,
      loadBalancingCrossZoneEnabled: (props.crossZone ?? LOAD_BALANCER_ZONE_DEFAULTS.crossZone) ? "true" : undefined,
      healthCheck: {
        enabled: true,
        protocol: "HTTP",
        port: "traffic-port",
        path: healthCheck.path,
        healthyThreshold: healthCheck.healthyThreshold,
        unhealthyThreshold: healthCheck.unhealthyThreshold,
        interval: healthCheck.intervalSeconds,
        timeout: healthCheck.timeoutSeconds,
        matcher: healthCheck.matcher,
      },
      tags: { Name: targetGroupName },
    });

    const waitFor = [
      // AWS refuses an internet-facing load balancer in a VPC without an attached internet gateway (InvalidSubnet).
      ...(props.internetConnectivity ?? []),
      // AWS refuses access logs to a bucket whose policy does not yet let ELB write (InvalidConfigurationRequest: Access Denied).
      ...(props.accessLogBucket?.policy ? [props.accessLogBucket.policy] : []),
    ];
    const loadBalancer = new Lb(this, "alb", {
      name,
      loadBalancerType: "application",
      internal: false,
      ipAddressType,
      subnets: [...props.subnetIds],
      securityGroups: [props.securityGroupId],
      dropInvalidHeaderFields: true,
      desyncMitigationMode: "defensive",
      enableDeletionProtection: props.deletionProtection ?? LOAD_BALANCER_DEFAULTS.deletionProtection,
      idleTimeout: idleTimeoutSeconds,
      enableZonalShift: (props.zonalShift ?? LOAD_BALANCER_ZONE_DEFAULTS.zonalShift) ? true : undefined,
      accessLogs: props.accessLogBucket ? { bucket: props.accessLogBucket.bucketName, enabled: true } : undefined,
      tags: { Name: name },
      dependsOn: waitFor.length > 0 ? waitFor : undefined,
    });

    if (props.certificateArn) {
      new LbListener(this, "https-listener", {
        loadBalancerArn: loadBalancer.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy,
        certificateArn: props.certificateArn,
        defaultAction: props.signIn
          ? [props.signIn, { type: "forward", order: 2, targetGroupArn: targetGroup.arn }]
          : [{ type: "forward", targetGroupArn: targetGroup.arn }],
      });
      new LbListener(this, "http-listener", {
        loadBalancerArn: loadBalancer.arn,
        port: 80,
        protocol: "HTTP",
        defaultAction: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
      });
    } else {
      new LbListener(this, "http-listener", {
        loadBalancerArn: loadBalancer.arn,
        port: 80,
        protocol: "HTTP",
        defaultAction: [{ type: "forward", targetGroupArn: targetGroup.arn }],
      });
    }

    this.arn = loadBalancer.arn;
    this.dnsName = loadBalancer.dnsName;
    this.zoneId = loadBalancer.zoneId;
    this.ipAddressType = ipAddressType;
    this.arnSuffix = loadBalancer.arnSuffix;
    this.targetGroupArn = targetGroup.arn;
    this.targetGroupArnSuffix = targetGroup.arnSuffix;
    this.url = `${props.certificateArn ? "https" : "http"}://${loadBalancer.dnsName}`;
  }
}
