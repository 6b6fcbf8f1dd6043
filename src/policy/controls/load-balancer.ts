import { ELB_LOG_DELIVERY_SERVICE } from "../../constructs/edge/access-log-bucket";
import { ELB_LOG_DELIVERY_ACCOUNTS } from "../../aws/aws-regions";
import { type Control, everyBlock, type Finding } from "../control";
import {
  type Block,
  blockList,
  firstBlock,
  isFalse,
  isTrue,
  type PolicyStatement,
  pointsAt,
  readPolicy,
  referencedBlock,
  resources,
  show,
  subnetZones,
  type TerraformDocument,
} from "../../terraform/document";
import { isBucketArn } from "./storage";

/**
 * Controls of the load balancer: invalid headers dropped, desync mitigation, deletion protection, access logs, HTTPS with TLS 1.2+ and
 * the redirect to it, two zones or more, zonal shift, and the target group's health check, drain time, cross-zone spread and slow start.
 */

const applicationLoadBalancers = (document: TerraformDocument) =>
  [...resources(document, "aws_lb"), ...resources(document, "aws_alb")].filter((block) => (block.config.load_balancer_type ?? "application") === "application");

const targetGroups = (document: TerraformDocument) => [...resources(document, "aws_lb_target_group"), ...resources(document, "aws_alb_target_group")];

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
// Of those, the ones without CBC suites: the restricted TLS 1.2+1.3 policies and TLS 1.3 only.
const NO_CBC_POLICY = /^ELBSecurityPolicy-(TLS13-1-2-Res-|TLS13-1-3-|FS-1-2-Res-2020-10$)/;

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

export const loadBalancerControls: Control[] = [
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
        const bucket = referencedBlock(document, logs.bucket);
        if (bucket?.type !== "aws_s3_bucket") {
          return `access_logs.bucket ${show(logs.bucket)} is not a bucket of this configuration, so its policy cannot be checked`;
        }
        const policies = resources(document, "aws_s3_bucket_policy").filter((policy) => pointsAt(document, policy.config.bucket, bucket));
        const writable = policies.some((policy) => {
          const reading = readPolicy(policy.config.policy);
          return "statements" in reading && reading.statements.some((statement) => elbCanWrite(statement, region, bucket));
        });
        const problems: string[] = [];
        if (!writable) problems.push(`no policy of ${bucket.address} lets the ${region} ELB log delivery principal put objects in it`);
        const dependsOn = blockList(alb.config.depends_on).map(String);
        if (!policies.some((policy) => dependsOn.includes(policy.address))) {
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
    turnOn: "set `loadBalancer.domain` (a name in a Route 53 zone; the stack makes its certificate) or `loadBalancer.certificateArn`",
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
    turnOn: "set `loadBalancer.domain` or `loadBalancer.certificateArn`: HTTP:80 then answers 301 to HTTPS:443",
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
    title: "ALB HTTPS listeners accept TLS 1.2 and newer only, without CBC suites",
    scopes: ["inventory"],
    turnOn: "set `loadBalancer.domain` or `loadBalancer.certificateArn`; `loadBalancer.sslPolicy` picks the TLS 1.2+/1.3 policy",
    check: ({ document }) =>
      everyListener(document, (listener) => {
        if (listener.config.protocol === "HTTPS")
          return !TLS12_POLICY.test(listener.config.ssl_policy ?? "")
            ? `uses ssl_policy ${show(listener.config.ssl_policy)}, which allows TLS below 1.2`
            : NO_CBC_POLICY.test(listener.config.ssl_policy ?? "")
              ? undefined
              : `uses ssl_policy ${show(listener.config.ssl_policy)}, which offers CBC suites`;
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
      everyBlock(targetGroups(document), "target group", true, (group) => {
        const health = firstBlock(group.config.health_check);
        if (!health || isFalse(health.enabled)) return "has no enabled health_check";
        return typeof health.path === "string" && health.path.startsWith("/") ? undefined : `health_check.path is ${show(health.path)}`;
      }),
  },
  {
    id: "INV-ELB-1",
    aliases: [],
    title: "ALB lets ARC zonal shift move its traffic out of a sick zone",
    scopes: ["inventory"],
    turnOn: "on by default; `zoneResilience.zonalShift`",
    check: ({ document }) =>
      everyBlock(applicationLoadBalancers(document), "application load balancer", true, (alb) =>
        isTrue(alb.config.enable_zonal_shift) ? undefined : `enable_zonal_shift is ${show(alb.config.enable_zonal_shift)}, not true`,
      ),
  },
  {
    id: "INV-TG-2",
    aliases: [],
    title: "Target group states cross-zone load balancing on itself",
    scopes: ["inventory"],
    turnOn: "on by default; `zoneResilience.crossZone`",
    check: ({ document }) =>
      everyBlock(targetGroups(document), "target group", true, (group) =>
        group.config.load_balancing_cross_zone_enabled === "true"
          ? undefined
          : `load_balancing_cross_zone_enabled is ${show(group.config.load_balancing_cross_zone_enabled)}, not "true"`,
      ),
  },
  {
    id: "INV-TG-3",
    aliases: [],
    title: "Target group warms new targets up with a slow start of 30 s or more",
    scopes: ["inventory"],
    turnOn: "on by default (60 s); `zoneResilience.slowStartSeconds`",
    check: ({ document }) =>
      everyBlock(targetGroups(document), "target group", true, (group) =>
        Number(group.config.slow_start) >= 30 ? undefined : `slow_start is ${show(group.config.slow_start)}`,
      ),
  },
  {
    id: "INV-TG-1",
    aliases: [],
    title: "Target group drains deregistering targets in 60 s or less (AWS default 300 s)",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(targetGroups(document), "target group", true, (group) => {
        const delay = Number(group.config.deregistration_delay);
        return group.config.deregistration_delay !== undefined && delay <= 60
          ? undefined
          : `deregistration_delay is ${show(group.config.deregistration_delay)}`;
      }),
  },
];
