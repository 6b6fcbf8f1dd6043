import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient, DescribeAlarmsCommand, ListDashboardsCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, DescribeLogGroupsCommand, DescribeResourcePoliciesCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  DescribeAddressesCommand,
  DescribeFlowLogsCommand,
  DescribeInternetGatewaysCommand,
  DescribeLaunchTemplatesCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { IAMClient, ListInstanceProfilesCommand, ListRolesCommand } from "@aws-sdk/client-iam";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { ListWebACLsCommand, WAFV2Client } from "@aws-sdk/client-wafv2";
import { DescribeKeyCommand, KMSClient, ListAliasesCommand, ListKeysCommand, ListResourceTagsCommand } from "@aws-sdk/client-kms";
import { DescribeDBInstancesCommand, DescribeDBParameterGroupsCommand, DescribeDBSubnetGroupsCommand, RDSClient } from "@aws-sdk/client-rds";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { ListSecretsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import type { AwsEmulator } from "../support/aws-emulator";

export interface LeftoverQuery {
  /** The environment's name, as its resources' Environment tag (the provider's default tags) holds it. */
  readonly environment: string;
  /** The environment's name prefix, which every name it gives starts with. */
  readonly namePrefix: string;
  /** Buckets that stay (the state bucket belongs to the bootstrap stack). */
  readonly keepBuckets: readonly string[];
}

/**
 * Everything of an environment the emulator still holds, asked of each
 * service the stack uses through the AWS SDK, as "<kind> <id>" lines: by the
 * Environment tag where the API filters on tags, else by the names the
 * environment gives.
 */
export async function leftovers(emulator: AwsEmulator, query: LeftoverQuery): Promise<string[]> {
  const config = emulator.clientConfig();
  const ec2 = new EC2Client(config);
  const tagged = [{ Name: "tag:Environment", Values: [query.environment] }];
  const named = (name: string | undefined) => name !== undefined && name.toLowerCase().startsWith(query.namePrefix.toLowerCase());
  const found: string[] = [];
  const add = (kind: string, ids: (string | undefined)[]) => found.push(...ids.map((id) => `${kind} ${id}`));

  add(
    "vpc",
    (await ec2.send(new DescribeVpcsCommand({ Filters: tagged }))).Vpcs!.map((vpc) => vpc.VpcId),
  );
  add(
    "subnet",
    (await ec2.send(new DescribeSubnetsCommand({ Filters: tagged }))).Subnets!.map((subnet) => subnet.SubnetId),
  );
  add(
    "route table",
    (await ec2.send(new DescribeRouteTablesCommand({ Filters: tagged }))).RouteTables!.map((table) => table.RouteTableId),
  );
  add(
    "internet gateway",
    (await ec2.send(new DescribeInternetGatewaysCommand({ Filters: tagged }))).InternetGateways!.map((gateway) => gateway.InternetGatewayId),
  );
  const natGateways = (await ec2.send(new DescribeNatGatewaysCommand({ Filter: tagged }))).NatGateways!;
  add(
    "NAT gateway",
    natGateways.filter((gateway) => !["deleted", "deleting"].includes(gateway.State!)).map((gateway) => gateway.NatGatewayId),
  );
  add(
    "elastic IP",
    (await ec2.send(new DescribeAddressesCommand({ Filters: tagged }))).Addresses!.map((address) => address.AllocationId),
  );
  add(
    "security group",
    (await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups!.filter((group) => named(group.GroupName)).map((group) => group.GroupId),
  );
  add(
    "launch template",
    (await ec2.send(new DescribeLaunchTemplatesCommand({})))
      .LaunchTemplates!.filter((template) => named(template.LaunchTemplateName))
      .map((template) => template.LaunchTemplateName),
  );
  add(
    "flow log",
    (await ec2.send(new DescribeFlowLogsCommand({ Filter: tagged }))).FlowLogs!.map((log) => log.FlowLogId),
  );

  const elb = new ElasticLoadBalancingV2Client(config);
  add(
    "load balancer",
    (await elb.send(new DescribeLoadBalancersCommand({})))
      .LoadBalancers!.filter((balancer) => named(balancer.LoadBalancerName))
      .map((balancer) => balancer.LoadBalancerName),
  );
  add(
    "target group",
    (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups!.filter((group) => named(group.TargetGroupName)).map((group) => group.TargetGroupName),
  );

  const autoscaling = new AutoScalingClient(config);
  add(
    "Auto Scaling group",
    (await autoscaling.send(new DescribeAutoScalingGroupsCommand({})))
      .AutoScalingGroups!.filter((group) => named(group.AutoScalingGroupName))
      .map((group) => group.AutoScalingGroupName),
  );

  const rds = new RDSClient(config);
  add(
    "DB instance",
    (await rds.send(new DescribeDBInstancesCommand({})))
      .DBInstances!.filter((instance) => named(instance.DBInstanceIdentifier))
      .map((instance) => instance.DBInstanceIdentifier),
  );
  add(
    "DB subnet group",
    (await rds.send(new DescribeDBSubnetGroupsCommand({})))
      .DBSubnetGroups!.filter((group) => named(group.DBSubnetGroupName))
      .map((group) => group.DBSubnetGroupName),
  );
  add(
    "DB parameter group",
    (await rds.send(new DescribeDBParameterGroupsCommand({})))
      .DBParameterGroups!.filter((group) => named(group.DBParameterGroupName))
      .map((group) => group.DBParameterGroupName),
  );

  const iam = new IAMClient(config);
  add(
    "IAM role",
    (await iam.send(new ListRolesCommand({}))).Roles!.filter((role) => named(role.RoleName)).map((role) => role.RoleName),
  );
  add(
    "instance profile",
    (await iam.send(new ListInstanceProfilesCommand({})))
      .InstanceProfiles!.filter((profile) => named(profile.InstanceProfileName))
      .map((profile) => profile.InstanceProfileName),
  );

  const logs = new CloudWatchLogsClient(config);
  add(
    "log group",
    (await logs.send(new DescribeLogGroupsCommand({})))
      // The environment's groups hold its prefix after a path or a fixed start: /inventory-ha/<prefix>..., aws-waf-logs-<prefix>...
      .logGroups!.filter((group) => group.logGroupName!.includes(query.namePrefix.toLowerCase()))
      .map((group) => group.logGroupName),
  );
  add(
    "log resource policy",
    ((await logs.send(new DescribeResourcePoliciesCommand({}))).resourcePolicies ?? [])
      .filter((policy) => policy.policyName!.includes(query.namePrefix.toLowerCase()))
      .map((policy) => policy.policyName),
  );

  add(
    "Lambda function",
    ((await new LambdaClient(config).send(new ListFunctionsCommand({}))).Functions ?? []).filter((fn) => named(fn.FunctionName)).map((fn) => fn.FunctionName),
  );
  add(
    "WAF web ACL",
    ((await new WAFV2Client(config).send(new ListWebACLsCommand({ Scope: "REGIONAL" }))).WebACLs ?? []).filter((acl) => named(acl.Name)).map((acl) => acl.Name),
  );

  const s3 = new S3Client(config);
  add(
    "bucket",
    (await s3.send(new ListBucketsCommand({})))
      .Buckets!.filter((bucket) => named(bucket.Name) && !query.keepBuckets.includes(bucket.Name!))
      .map((bucket) => bucket.Name),
  );

  const secrets = new SecretsManagerClient(config);
  add(
    "secret",
    (await secrets.send(new ListSecretsCommand({})))
      .SecretList!.filter((secret) => secret.Tags?.some((tag) => tag.Key === "Environment" && tag.Value === query.environment) || named(secret.Name))
      .map((secret) => secret.Name),
  );

  const sns = new SNSClient(config);
  add(
    "SNS topic",
    (await sns.send(new ListTopicsCommand({}))).Topics!.map((topic) => topic.TopicArn!).filter((arn) => named(arn.split(":").pop())),
  );

  const cloudwatch = new CloudWatchClient(config);
  add(
    "alarm",
    (await cloudwatch.send(new DescribeAlarmsCommand({}))).MetricAlarms!.filter((alarm) => named(alarm.AlarmName)).map((alarm) => alarm.AlarmName),
  );
  add(
    "dashboard",
    (await cloudwatch.send(new ListDashboardsCommand({}))).DashboardEntries!.filter((entry) => named(entry.DashboardName)).map((entry) => entry.DashboardName),
  );

  // A destroyed KMS key waits out its deletion window (PendingDeletion); one in any other state is left over.
  const kms = new KMSClient(config);
  add(
    "KMS alias",
    (await kms.send(new ListAliasesCommand({}))).Aliases!.filter((alias) => named(alias.AliasName!.replace(/^alias\//, ""))).map((alias) => alias.AliasName),
  );
  for (const { KeyId } of (await kms.send(new ListKeysCommand({}))).Keys!) {
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId }));
    if (KeyMetadata!.KeyState === "PendingDeletion") continue;
    const { Tags } = await kms.send(new ListResourceTagsCommand({ KeyId }));
    if (Tags?.some((tag) => tag.TagKey === "Environment" && tag.TagValue === query.environment)) add("KMS key", [KeyId]);
  }

  // AWS Backup has no SDK client here: its REST API, by the names the environment gives.
  const vaults = (await emulator.serviceRequest("backup", "GET", "/backup-vaults/")).json?.BackupVaultList as { BackupVaultName: string }[] | undefined;
  add("backup vault", (vaults ?? []).map((vault) => vault.BackupVaultName).filter(named));
  const plans = (await emulator.serviceRequest("backup", "GET", "/backup/plans/")).json?.BackupPlansList as { BackupPlanName: string }[] | undefined;
  add("backup plan", (plans ?? []).map((plan) => plan.BackupPlanName).filter(named));

  return found;
}
