import { Construct } from "constructs";
import { Token } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogResourcePolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-resource-policy";
import { Wafv2WebAcl, type Wafv2WebAclRule } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { Wafv2WebAclLoggingConfiguration } from "@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration";
import { awsPartition, fromSource, policyDocument } from "../../aws/iam-policy";
import { LOG_RETENTION_DAYS } from "../network/network";
import { choiceProblem, integerProblem, nameProblem, type PropProblem, refuseProblems, regionPropProblem } from "../../props/prop-problems";
import { appPhrase } from "../../props/app-phrase";
import { encryptedWith, type LogEncryption } from "../monitoring/log-key";

/**
 * AWS managed rule groups the web ACL applies, in order, each with why. They
 * inspect every request before the load balancer forwards it; a match is
 * blocked with a 403.
 */
export const MANAGED_RULE_GROUPS = [
  {
    name: "AWSManagedRulesCommonRuleSet",
    why: "OWASP Top 10 kinds of request: oversized bodies, bad bots' user agents, local file inclusion, cross-site scripting in the query and body",
  },
  {
    name: "AWSManagedRulesKnownBadInputsRuleSet",
    why: "request patterns of known exploits (Log4j JNDI lookups, Java deserialization, localhost Host headers)",
  },
  { name: "AWSManagedRulesSQLiRuleSet", why: "SQL injection in the query, the body, the URI path and cookies" },
] as const;

/** Windows WAF counts a rate-based rule's requests over, in seconds. */
export const RATE_WINDOWS = [60, 120, 300, 600] as const;
export type RateWindow = (typeof RATE_WINDOWS)[number];
/** The requests a rate-based rule allows per client IP and window, as [min, max] (WAF's). */
export const RATE_LIMIT = [10, 2_000_000_000] as const;
/** WAF logs to CloudWatch Logs only into groups whose name starts so. */
export const WAF_LOG_GROUP_PREFIX = "aws-waf-logs-";

/** The log group of a web ACL unless one is named: `aws-waf-logs-<name in lower case>`. */
export function webAclLogGroupName(webAclName: string): string {
  return `${WAF_LOG_GROUP_PREFIX}${webAclName.toLowerCase()}`;
}

/** The rate-based rules' limits: requests one client IP may make in a window, before WAF answers it 429 until it slows down. */
export interface RateLimits {
  /** Every request (pages, the stylesheet, form posts). @default 1000 */
  readonly requests?: number;
  /** Form posts (POST): adds, edits and deletes. @default 100 */
  readonly writes?: number;
  /** Seconds each count covers (one of `RATE_WINDOWS`). @default 300 */
  readonly windowSeconds?: number;
}

export const DEFAULT_RATE_LIMITS: Required<RateLimits> = { requests: 1000, writes: 100, windowSeconds: 300 };

/** What each optional prop is when left out (the settings schema reads these). */
export const WEB_ACL_DEFAULTS = { rateLimits: DEFAULT_RATE_LIMITS, logRetentionDays: 365 } as const satisfies Partial<WebAclProps>;

export interface WebAclProps {
  /** Name of the web ACL and start of its metrics' names. */
  readonly name: string;
  /** The Application Load Balancer it protects. */
  readonly loadBalancerArn: string;
  /** Region of the load balancer (one of `AWS_REGIONS`). */
  readonly region: string;
  /** The account (a reference such as `Network.accountId`): only its log deliveries may write the log group. */
  readonly accountId: string;
  /** Limits of the rate-based rules. @default `DEFAULT_RATE_LIMITS`, field by field */
  readonly rateLimits?: RateLimits;
  /** CloudWatch Logs group of the WAF's log; must start with `aws-waf-logs-`. @default "aws-waf-logs-<name in lower case>" */
  readonly logGroupName?: string;
  /** Days CloudWatch Logs keeps the WAF's log (one of `LOG_RETENTION_DAYS`). @default 365 */
  readonly logRetentionDays?: number;
  /**
   * The app served, named in the resources' descriptions ("Inventory load balancer: rate limits ...").
   * @default none: "Load balancer: rate limits ..."
   */
  readonly appName?: string;
  /**
   * The KMS key that encrypts the WAF's log group, and what it must wait for.
   * @default none: CloudWatch Logs' own encryption
   */
  readonly logEncryption?: LogEncryption;
}

/** Problems with the props WAF or CloudWatch Logs would refuse. */
export function webAclProblems(props: {
  readonly name: string;
  readonly rateLimits: Required<RateLimits>;
  readonly logGroupName: string;
  readonly logRetentionDays: number;
}): PropProblem[] {
  return [
    nameProblem("name", "web ACL name", props.name, 128, /^[\w-]+$/, "letters, digits, - and _"),
    integerProblem("rateLimits.requests", props.rateLimits.requests, ...RATE_LIMIT),
    integerProblem("rateLimits.writes", props.rateLimits.writes, ...RATE_LIMIT),
    choiceProblem("rateLimits.windowSeconds", props.rateLimits.windowSeconds, RATE_WINDOWS as readonly number[]),
    Token.isUnresolved(props.logGroupName) || props.logGroupName.startsWith(WAF_LOG_GROUP_PREFIX)
      ? nameProblem("logGroupName", "log group name", props.logGroupName, 512, /^[\w#/.-]+$/, "letters, digits and #/._-")
      : { prop: "logGroupName", message: `"${props.logGroupName}" must start with ${WAF_LOG_GROUP_PREFIX} (WAF logs to no other group)` },
    choiceProblem("logRetentionDays", props.logRetentionDays, LOG_RETENTION_DAYS as readonly number[]),
  ].filter((problem) => problem !== undefined);
}

/** A rule's CloudWatch metrics and sampled requests, under the ACL's name. */
const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

/**
 * An AWS WAF web ACL in front of an Application Load Balancer (CKV2_AWS_28):
 * per client IP, at most `rateLimits.requests` requests and
 * `rateLimits.writes` form posts a window, answered 429 beyond; then AWS's
 * managed rule groups for common attacks, known bad inputs and SQL injection.
 * Everything else is allowed. Its log goes to a log group of its own, with
 * the session cookie left out, writable by this account's log deliveries only.
 */
export class WebAcl extends Construct {
  readonly webAclArn: string;
  readonly logGroupName: string;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    const rateLimits: Required<RateLimits> = { ...WEB_ACL_DEFAULTS.rateLimits, ...props.rateLimits };
    const logGroupName = props.logGroupName ?? webAclLogGroupName(props.name);
    const logRetentionDays = props.logRetentionDays ?? WEB_ACL_DEFAULTS.logRetentionDays;
    refuseProblems(this, [regionPropProblem("region", props.region), ...webAclProblems({ name: props.name, rateLimits, logGroupName, logRetentionDays })]);

    const tooManyRequests = { block: { customResponse: { responseCode: 429 } } };
    const rateBased = (limit: number, scopeDownStatement?: Record<string, unknown>) => ({
      rate_based_statement: {
        limit,
        aggregate_key_type: "IP",
        evaluation_window_sec: rateLimits.windowSeconds,
        ...(scopeDownStatement ? { scope_down_statement: scopeDownStatement } : {}),
      },
    });
    const rules: Wafv2WebAclRule[] = [
      {
        name: "requests-per-client-ip",
        priority: 0,
        action: tooManyRequests,
        statement: rateBased(rateLimits.requests),
        visibilityConfig: visibility(`${props.name}-requests-per-client-ip`),
      },
      {
        name: "writes-per-client-ip",
        priority: 1,
        action: tooManyRequests,
        statement: rateBased(rateLimits.writes, {
          byte_match_statement: {
            field_to_match: { method: {} },
            positional_constraint: "EXACTLY",
            search_string: "POST",
            text_transformation: { priority: 0, type: "NONE" },
          },
        }),
        visibilityConfig: visibility(`${props.name}-writes-per-client-ip`),
      },
      ...MANAGED_RULE_GROUPS.map((group, index) => ({
        name: group.name,
        priority: 2 + index,
        // The group's own actions (block) stand.
        overrideAction: { none: {} },
        statement: { managed_rule_group_statement: { name: group.name, vendor_name: "AWS" } },
        visibilityConfig: visibility(`${props.name}-${group.name}`),
      })),
    ];
    const webAcl = new Wafv2WebAcl(this, "web-acl", {
      name: props.name,
      description:
        `${appPhrase(props.appName, "load balancer", true)}: ` +
        "rate limits per client IP, AWS managed rules for common attacks, known bad inputs and SQL injection",
      scope: "REGIONAL",
      defaultAction: { allow: {} },
      rule: rules,
      visibilityConfig: visibility(props.name),
      tags: { Name: props.name },
    });
    new Wafv2WebAclAssociation(this, "association", { resourceArn: props.loadBalancerArn, webAclArn: webAcl.arn });

    const logGroup = new CloudwatchLogGroup(this, "log-group", {
      name: logGroupName,
      retentionInDays: logRetentionDays,
      ...encryptedWith(props.logEncryption),
    });
    const partition = awsPartition(props.region);
    // WAF delivers its log as the log delivery service; without this policy WAF would add an account-wide one itself.
    const deliveryPolicy = new CloudwatchLogResourcePolicy(this, "log-delivery-policy", {
      policyName: `${logGroupName}-delivery`,
      policyDocument: policyDocument([
        {
          sid: "WafLogDeliveryOfThisAccount",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
          principals: [{ type: "Service", identifiers: ["delivery.logs.amazonaws.com"] }],
          resources: [`${logGroup.arn}:*`],
          conditions: fromSource(props.accountId, `arn:${partition}:logs:${props.region}:${props.accountId}:*`),
        },
      ]),
    });
    new Wafv2WebAclLoggingConfiguration(this, "logging", {
      resourceArn: webAcl.arn,
      logDestinationConfigs: [logGroup.arn],
      // The session cookie (and the load balancer's sign-in cookie) would let whoever reads the log act as the person.
      redactedFields: [{ singleHeader: { name: "cookie" } }],
      // AWS refuses a log group its delivery cannot write to yet (WAFLogDestinationPermissionIssueException).
      dependsOn: [deliveryPolicy],
    });

    this.webAclArn = webAcl.arn;
    this.logGroupName = logGroup.name;
  }
}
