import { Construct } from "constructs";
import { Fn, Token } from "cdktf";
import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { type BootScriptProps, renderBootScript } from "./boot-script";
import { awsPartition, policyDocument, servicePrincipalTrust } from "./iam-policy";

/**
 * `base64gzip("<script>")` as a Terraform expression, with the script's
 * Terraform references (the database's address, port, secret) left live.
 * Gzip: the script embeds the app, and EC2 caps user data at 16 KB before
 * base64; cloud-init unpacks gzip'd user data before it runs it. Terraform
 * compresses at apply time because the references are only known then.
 * Inside the expression the script is a string literal: cdktf escapes its
 * line breaks but refuses double quotes and leaves backslashes alone, so
 * both are escaped here. This renders the same in cdktf's JSON and HCL
 * output, where a local holding the script would come out broken in HCL.
 */
export function base64UserData(script: string): string {
  return Fn.base64gzip(script.replace(/\\/g, "\\\\").replace(/"/g, '\\"'));
}

export interface AppTierProps {
  /** Private subnets the servers run in, one per zone. */
  readonly subnetIds: readonly string[];
  /** The app servers' security group. */
  readonly securityGroupId: string;
  /** Target group the Auto Scaling group registers its servers with. */
  readonly targetGroupArn: string;
  /** Region, for the AWS partition of managed policy ARNs. */
  readonly region: string;
  /** EC2 instance type. @default "t3.micro" */
  readonly instanceType: string;
  /** AMI id or `resolve:ssm:` parameter. @default latest Amazon Linux 2023 */
  readonly imageId: string;
  /** Fewest servers. @default 2 */
  readonly minSize: number;
  /** Servers to run; unset leaves it to a scaling policy. @default unset: the group starts at minSize and a scaling policy resizes it */
  readonly desiredCapacity?: number;
  /** Most servers. @default 2 */
  readonly maxSize: number;
  /** Seconds after launch before failed ELB checks count. @default 300 */
  readonly healthCheckGracePeriodSeconds: number;
  /** Root volume size in GiB (gp3, encrypted). @default 8 */
  readonly rootVolumeSizeGiB: number;
  /** Share of the fleet kept in service during an instance refresh. @default 50 */
  readonly instanceRefreshMinHealthyPercent: number;
  /** Database settings the boot script writes for the app, and the folder of the app. */
  readonly boot: Omit<BootScriptProps, "region">;
  /** Tags the Auto Scaling group puts on the servers it launches (provider default_tags do not reach them). */
  readonly instanceTags: Readonly<Record<string, string>>;
  /** Names (the lab's: Inventory-App-Role, Lab-template-, Inventory-ASG, Inventory-App). */
  readonly names: {
    readonly instanceRole: string;
    readonly launchTemplatePrefix: string;
    readonly autoScalingGroup: string;
    readonly instance: string;
  };
}

/**
 * The lab's app servers: the Inventory-App-Role instance profile, a launch
 * template of Amazon Linux 2023 with the app's boot script, and the
 * Inventory-ASG Auto Scaling group in the private subnets behind the load
 * balancer's target group. Every launch template change rolls the fleet
 * through an instance refresh.
 */
export class AppTier extends Construct {
  readonly autoScalingGroupName: string;
  readonly autoScalingGroupArn: string;
  readonly launchTemplateId: string;
  readonly roleName: string;
  readonly roleArn: string;
  /** The rendered user data, before base64 (may hold Terraform references). */
  readonly userData: string;

  constructor(scope: Construct, id: string, props: AppTierProps) {
    super(scope, id);
    const { names } = props;
    const partition = awsPartition(props.region);

    const role = new IamRole(this, "role", {
      name: names.instanceRole,
      description: "Inventory app servers: read the database secret, be reachable by SSM Session Manager",
      assumeRolePolicy: servicePrincipalTrust("ec2.amazonaws.com"),
    });
    // Session Manager replaces SSH: no key pair, no port 22.
    new IamRolePolicyAttachment(this, "session-manager", {
      role: role.name,
      policyArn: `arn:${partition}:iam::aws:policy/AmazonSSMManagedInstanceCore`,
    });
    new IamRolePolicy(this, "read-database-secret", {
      name: "read-database-secret",
      role: role.id,
      policy: policyDocument([
        {
          sid: "ReadDatabaseMasterSecret",
          actions: ["secretsmanager:GetSecretValue"],
          resources: [props.boot.databaseSecretArn],
        },
      ]),
    });
    const profile = new IamInstanceProfile(this, "instance-profile", {
      name: names.instanceRole,
      role: role.name,
    });

    this.userData = renderBootScript({ ...props.boot, region: props.region });
    const instanceTags = { ...props.instanceTags, Name: names.instance };
    const launchTemplate = new LaunchTemplate(this, "launch-template", {
      namePrefix: names.launchTemplatePrefix,
      description: "Inventory app server: Amazon Linux 2023, httpd + PHP, the Inventory app",
      imageId: props.imageId,
      instanceType: props.instanceType,
      updateDefaultVersion: true,
      iamInstanceProfile: { arn: profile.arn },
      vpcSecurityGroupIds: [props.securityGroupId],
      metadataOptions: {
        httpEndpoint: "enabled",
        httpTokens: "required",
        // 1 keeps the role's credentials away from anything a hop further, such as containers.
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: "disabled",
      },
      blockDeviceMappings: [
        {
          deviceName: "/dev/xvda",
          ebs: { volumeType: "gp3", volumeSize: props.rootVolumeSizeGiB, encrypted: "true", deleteOnTermination: "true" },
        },
      ],
      userData: base64UserData(this.userData),
      tagSpecifications: [
        { resourceType: "instance", tags: instanceTags },
        { resourceType: "volume", tags: instanceTags },
      ],
      tags: { Name: names.launchTemplatePrefix },
    });

    const group = new AutoscalingGroup(this, "auto-scaling-group", {
      name: names.autoScalingGroup,
      vpcZoneIdentifier: [...props.subnetIds],
      targetGroupArns: [props.targetGroupArn],
      minSize: props.minSize,
      desiredCapacity: props.desiredCapacity,
      maxSize: props.maxSize,
      healthCheckType: "ELB",
      healthCheckGracePeriod: props.healthCheckGracePeriodSeconds,
      // A pinned version: with $Latest an instance refresh would never start.
      launchTemplate: { id: launchTemplate.id, version: Token.asString(launchTemplate.latestVersion) },
      instanceRefresh: {
        strategy: "Rolling",
        preferences: { minHealthyPercentage: props.instanceRefreshMinHealthyPercent },
      },
      enabledMetrics: ["GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances", "GroupTerminatingInstances", "GroupTotalInstances"],
      tag: Object.entries(instanceTags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
    });

    this.autoScalingGroupName = group.name;
    this.autoScalingGroupArn = group.arn;
    this.launchTemplateId = launchTemplate.id;
    this.roleName = role.name;
    this.roleArn = role.arn;
  }
}
