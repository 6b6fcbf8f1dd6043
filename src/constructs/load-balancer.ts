import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";

export interface HealthCheckProps {
  /** Path requested on each target. @default "/health" */
  readonly path: string;
  /** Successes before a target is healthy. @default 2 (lab) */
  readonly healthyThreshold: number;
  /** Failures before a target is unhealthy. @default 2 */
  readonly unhealthyThreshold: number;
  /** Seconds between checks. @default 10 (lab) */
  readonly intervalSeconds: number;
  /** Seconds before a check fails. @default 5 */
  readonly timeoutSeconds: number;
  /** HTTP codes that pass. @default "200" */
  readonly matcher: string;
}

/** An S3 bucket a load balancer writes its access logs to: an `AccessLogBucket`, or a bucket of your own. */
export interface AccessLogDestination {
  readonly bucketName: string;
  /** The bucket's policy, when this configuration creates it: the load balancer waits for it. @default none */
  readonly policy?: ITerraformDependable;
}

export interface LoadBalancerProps {
  /** VPC of the target group. */
  readonly vpcId: string;
  /** Public subnets, one per zone (ELB.13: two zones or more). */
  readonly subnetIds: readonly string[];
  /**
   * What must exist before an internet-facing load balancer in those subnets:
   * the subnets' route to an attached internet gateway (`Network.internetConnectivityEstablished`).
   * @default none: the subnets reach the internet already
   */
  readonly internetConnectivity?: readonly ITerraformDependable[];
  /** The load balancer's security group. */
  readonly securityGroupId: string;
  /** Name of the load balancer. @default "Inventory-LB" */
  readonly name: string;
  /** Name of the target group. @default "Inventory-App" */
  readonly targetGroupName: string;
  /** Port the app servers listen on. @default 80 */
  readonly targetPort?: number;
  /** Health check of the target group. */
  readonly healthCheck: HealthCheckProps;
  /** Seconds a deregistering target drains. @default 30 */
  readonly deregistrationDelaySeconds: number;
  /** ACM certificate: adds HTTPS:443 and turns HTTP:80 into a redirect. @default none (HTTP:80 forwards) */
  readonly certificateArn?: string;
  /** TLS policy of the HTTPS listener. @default "ELBSecurityPolicy-TLS13-1-2-2021-06" */
  readonly sslPolicy: string;
  /** Refuse deletion until turned off. @default true */
  readonly deletionProtection: boolean;
  /** Seconds an idle connection stays open. @default 60 */
  readonly idleTimeoutSeconds: number;
  /** Where access logs go (its policy must let ELB write under `AWSLogs/`). @default none: no access logs */
  readonly accessLogBucket?: AccessLogDestination;
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
  readonly targetGroupArn: string;
  /** `arn_suffix` values CloudWatch metrics and the drill use. */
  readonly arnSuffix: string;
  readonly targetGroupArnSuffix: string;
  /** URL of the app: https when a certificate is configured. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    const targetPort = props.targetPort ?? 80;

    const targetGroup = new LbTargetGroup(this, "target-group", {
      name: props.targetGroupName,
      targetType: "instance",
      protocol: "HTTP",
      port: targetPort,
      vpcId: props.vpcId,
      deregistrationDelay: String(props.deregistrationDelaySeconds),
      healthCheck: {
        enabled: true,
        protocol: "HTTP",
        port: "traffic-port",
        path: props.healthCheck.path,
        healthyThreshold: props.healthCheck.healthyThreshold,
        unhealthyThreshold: props.healthCheck.unhealthyThreshold,
        interval: props.healthCheck.intervalSeconds,
        timeout: props.healthCheck.timeoutSeconds,
        matcher: props.healthCheck.matcher,
      },
      tags: { Name: props.targetGroupName },
    });

    const waitFor = [
      // AWS refuses an internet-facing load balancer in a VPC without an attached internet gateway (InvalidSubnet).
      ...(props.internetConnectivity ?? []),
      // AWS refuses access logs to a bucket whose policy does not yet let ELB write (InvalidConfigurationRequest: Access Denied).
      ...(props.accessLogBucket?.policy ? [props.accessLogBucket.policy] : []),
    ];
    const loadBalancer = new Lb(this, "alb", {
      name: props.name,
      loadBalancerType: "application",
      internal: false,
      ipAddressType: "ipv4",
      subnets: [...props.subnetIds],
      securityGroups: [props.securityGroupId],
      dropInvalidHeaderFields: true,
      desyncMitigationMode: "defensive",
      enableDeletionProtection: props.deletionProtection,
      idleTimeout: props.idleTimeoutSeconds,
      accessLogs: props.accessLogBucket ? { bucket: props.accessLogBucket.bucketName, enabled: true } : undefined,
      tags: { Name: props.name },
      dependsOn: waitFor.length > 0 ? waitFor : undefined,
    });

    if (props.certificateArn) {
      new LbListener(this, "https-listener", {
        loadBalancerArn: loadBalancer.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: props.sslPolicy,
        certificateArn: props.certificateArn,
        defaultAction: [{ type: "forward", targetGroupArn: targetGroup.arn }],
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
    this.arnSuffix = loadBalancer.arnSuffix;
    this.targetGroupArn = targetGroup.arn;
    this.targetGroupArnSuffix = targetGroup.arnSuffix;
    this.url = `${props.certificateArn ? "https" : "http"}://${loadBalancer.dnsName}`;
  }
}
