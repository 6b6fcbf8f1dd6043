import * as path from "node:path";
import type { Construct } from "constructs";
import { TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AppArtifact } from "../../src/constructs/compute/app-artifact";
import { AppTier } from "../../src/constructs/compute/app-tier";
import { LoadBalancer } from "../../src/constructs/edge/load-balancer";
import { Network } from "../../src/constructs/network/network";
import { SecurityGroups } from "../../src/constructs/network/security-groups";
import { addStateBackend } from "../../src/terraform/state-backend";

/** This repository's root: the Inventory app in app/, and the release function's sources and esbuild. */
const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

export interface AppTierBehindALoadBalancerProps {
  /** Region of everything. @default "eu-central-1" */
  readonly region?: string;
}

/**
 * The app tier behind an internet-facing load balancer: a VPC over two zones
 * with one NAT gateway, the chained security groups (HTTP from the internet
 * to the load balancer, from the load balancer to the servers), the app's
 * archive in S3, and an Auto Scaling group of two servers in the private
 * subnets, registered with the load balancer's target group. The database the
 * app uses is one that already exists: its address and the secret holding
 * the app's credentials are Terraform variables.
 */
export class AppTierBehindALoadBalancerExample extends TerraformStack {
  constructor(scope: Construct, id: string, props: AppTierBehindALoadBalancerProps = {}) {
    super(scope, id);
    const region = props.region ?? "eu-central-1";
    new AwsProvider(this, "aws", { region, defaultTags: [{ tags: { Example: id } }] });
    // State in a file beside cdktf.json; addStateBackend takes S3 or Terraform Cloud settings as well.
    addStateBackend(this, { backend: "local", environment: id });

    const databaseHost = new TerraformVariable(this, "database_host", { type: "string", description: "Address of the MySQL database the app uses" });
    const databaseSecretArn = new TerraformVariable(this, "database_secret_arn", {
      type: "string",
      description: "Secrets Manager secret holding the app's database user and password (username, password)",
    });

    const network = new Network(this, "network", {
      availabilityZones: [`${region}a`, `${region}b`],
      natStrategy: "single",
      names: { vpc: "Example VPC" },
    });
    const groups = new SecurityGroups(this, "security-groups", {
      vpcId: network.vpcId,
      names: { loadBalancer: "example-lb", app: "example-app", database: "example-db" },
    });
    // The chain's last link, for the database the app servers reach in this VPC.
    groups.database.allowFrom(groups.app, groups.databasePort, "Traffic from App servers");
    const loadBalancer = new LoadBalancer(this, "load-balancer", {
      vpcId: network.vpcId,
      subnetIds: network.publicSubnetIds,
      internetConnectivity: network.internetConnectivityEstablished,
      securityGroupId: groups.loadBalancer.securityGroupId,
      name: "example-lb",
      targetGroupName: "example-app",
      // An example is there to be destroyed again.
      deletionProtection: false,
    });
    const artifact = new AppArtifact(this, "app-artifact", {
      appDirectory: path.join(PROJECT_ROOT, "app"),
      bucketPrefix: "example-app-",
      nameTag: "example-app",
    });
    const appTier = new AppTier(this, "app-tier", {
      subnetIds: network.privateSubnetIds,
      securityGroupId: groups.app.securityGroupId,
      targetGroupArn: loadBalancer.targetGroupArn,
      region,
      accountId: network.accountId,
      boot: {
        appDirectory: path.join(PROJECT_ROOT, "app"),
        vpcCidr: network.vpcCidr,
        databaseHost: databaseHost.stringValue,
        databasePort: "3306",
        databaseName: "inventory",
        databaseSecretArn: databaseSecretArn.stringValue,
        artifact: { bucket: artifact.bucketName, key: artifact.objectKey, versionId: artifact.versionId, sha256: artifact.sha256 },
      },
      artifactObjectsArn: artifact.readableObjectsArn,
      releaseCodeRoot: PROJECT_ROOT,
      names: {
        instanceRole: "example-app-role",
        launchTemplatePrefix: "example-app-",
        autoScalingGroup: "example-asg",
        instance: "example-app",
        releaseFunction: "example-app-release",
      },
    });

    new TerraformOutput(this, "url", { value: loadBalancer.url, description: "Where the app answers, through the load balancer" });
    new TerraformOutput(this, "auto_scaling_group_name", { value: appTier.autoScalingGroupName, description: "The app servers' group" });
  }
}
