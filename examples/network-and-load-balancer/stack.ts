import type { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { LbTargetGroupAttachment } from "@cdktf/provider-aws/lib/lb-target-group-attachment";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AccessLogBucket } from "../../src/constructs/edge/access-log-bucket";
import { LoadBalancer } from "../../src/constructs/edge/load-balancer";
import { Network } from "../../src/constructs/network/network";
import { SecurityGroups } from "../../src/constructs/network/security-groups";
import { addStateBackend } from "../../src/terraform/state-backend";

export interface NetworkAndLoadBalancerProps {
  /** Region of everything. @default "eu-central-1" */
  readonly region?: string;
  /** The fixed address the load balancer sends every request to, inside the VPC. @default "10.0.2.10" */
  readonly targetIp?: string;
}

/**
 * A VPC over two zones with a single NAT gateway, and an internet-facing
 * Application Load Balancer with access logs that forwards HTTP to one fixed
 * address in a private subnet (a server you run yourself, not an Auto Scaling
 * group). Everything else is the constructs' defaults.
 */
export class NetworkAndLoadBalancerExample extends TerraformStack {
  constructor(scope: Construct, id: string, props: NetworkAndLoadBalancerProps = {}) {
    super(scope, id);
    const region = props.region ?? "eu-central-1";
    new AwsProvider(this, "aws", { region, defaultTags: [{ tags: { Example: id } }] });
    // State in a file beside cdktf.json; addStateBackend takes S3 or Terraform Cloud settings as well.
    addStateBackend(this, { backend: "local", environment: id });

    const network = new Network(this, "network", {
      availabilityZones: [`${region}a`, `${region}b`],
      natStrategy: "single",
      names: { vpc: "Example VPC" },
    });
    const groups = new SecurityGroups(this, "security-groups", {
      vpcId: network.vpcId,
      names: { loadBalancer: "example-lb", app: "example-app", database: "example-db" },
    });
    // The database tier's group, ready for a database: MySQL from the app servers only.
    groups.database.allowFrom(groups.app, groups.databasePort, "Traffic from App servers");
    const logs = new AccessLogBucket(this, "access-logs", {
      region,
      // Only this account's load balancers may log into the bucket (under AWSLogs/<account>/).
      accountId: network.accountId,
      bucketPrefix: "example-lb-logs-",
      forceDestroy: true,
    });
    const loadBalancer = new LoadBalancer(this, "load-balancer", {
      vpcId: network.vpcId,
      subnetIds: network.publicSubnetIds,
      internetConnectivity: network.internetConnectivityEstablished,
      securityGroupId: groups.loadBalancer.securityGroupId,
      name: "example-lb",
      targetGroupName: "example-fixed-target",
      targetType: "ip",
      // An example is there to be destroyed again.
      deletionProtection: false,
      accessLogBucket: logs,
    });
    new LbTargetGroupAttachment(this, "fixed-target", { targetGroupArn: loadBalancer.targetGroupArn, targetId: props.targetIp ?? "10.0.2.10", port: 80 });

    new TerraformOutput(this, "url", { value: loadBalancer.url, description: "Where the load balancer answers" });
    new TerraformOutput(this, "private_subnet_ids", { value: network.privateSubnetIds, description: "Where the fixed target may live" });
  }
}
