import { Construct } from "constructs";
import { Fn, Token } from "cdktf";
import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { INSTANCE_REFRESH_LIMITS } from "../../functions/app-release/release";
import { AppRelease } from "./app-release";
import { type BootScriptProps, renderBootScript } from "../../aws/boot-script";
import { instanceArchitecture, instanceTypeProblem } from "../../aws/ec2-instance-types";
import { isKnownRegion } from "../../aws/aws-regions";
import { policyDocument, servicePrincipalTrust } from "../../aws/iam-policy";
import { LOG_RETENTION_DAYS } from "../network/network";
import { choiceProblem, integerProblem, nameProblem, type PropProblem, refuseProblems } from "../../props/prop-problems";
import { appPhrase } from "../../props/app-phrase";
import type { LogEncryption } from "../monitoring/log-key";
import type { AlarmHandle, AutoScalingGroupHandle } from "../../props/handles";

/**
 * `base64encode("<script>")` as a Terraform expression, with the script's
 * Terraform references (the database's address, the app's object version)
 * left live: Terraform encodes at apply time, when they are known. Plain
 * text, not gzip: the script is a few KB (the app is downloaded, not
 * embedded), and the console and `describe-launch-template-versions` then
 * show it as it runs. Inside the expression the script is a string literal:
 * cdktf escapes its line breaks but refuses double quotes and leaves
 * backslashes alone, so both are escaped here. This renders the same in
 * cdktf's JSON and HCL output, where a local holding the script would come
 * out broken in HCL.
 */
export function base64UserData(script: string): string {
  return Fn.base64encode(script.replace(/\\/g, "\\\\").replace(/"/g, '\\"'));
}

/** An AMI id, or an SSM parameter EC2 resolves to one at launch. */
export const IMAGE_ID = /^(ami-[0-9a-f]{8,17}|resolve:ssm:\/[A-Za-z0-9_./-]+(:\d+)?)$/;
/** The latest Amazon Linux 2023, resolved by EC2 at launch: no lookup at plan time. */
export const AMAZON_LINUX_2023 = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
/** Sizes AWS accepts for the encrypted gp3 root volume, in GiB, as [min, max]: Amazon Linux 2023's snapshot is 8 GiB. */
export const ROOT_VOLUME_GIB = [8, 16384] as const;
/** What AWS accepts for an instance refresh, as [min, max] (the release function checks its event against the same). */
export { INSTANCE_REFRESH_LIMITS };

/** What each optional prop is when left out: the lab's app servers (the settings schema reads these). */
export const APP_TIER_DEFAULTS = {
  instanceType: "t3.micro",
  imageId: AMAZON_LINUX_2023,
  /** The lab's 2/2/2: desiredCapacity defaults to minSize, maxSize to the larger of minSize and this. */
  minSize: 2,
  healthCheckGracePeriodSeconds: 300,
  rootVolumeSizeGiB: ROOT_VOLUME_GIB[0],
  instanceRefresh: { minHealthyPercent: 100, maxHealthyPercent: 200, instanceWarmupSeconds: 300 },
  releaseLogRetentionDays: 365,
} as const satisfies Partial<AppTierProps>;

/** How a new launch template version rolls through the fleet. */
export interface InstanceRefreshProps {
  /**
   * Share of the desired capacity kept healthy and in service throughout (`MIN_HEALTHY_PERCENT_FLOOR`, 50, to 100: AWS
   * takes 0, which replaces every server at once). @default 100: never fewer servers than desired
   */
  readonly minHealthyPercent?: number;
  /**
   * Share of the desired capacity that may run at once, old and new (100 to 200, at most 100 above the minimum).
   * @default 200: replacements start before the old servers stop
   */
  readonly maxHealthyPercent?: number;
  /**
   * Seconds a new server serves, once healthy and in service, before the next servers are replaced (0 to 3600).
   * @default 300: a full window of the 5xx alarms
   */
  readonly instanceWarmupSeconds?: number;
}

/**
 * Problems with the instance type: one of a family and size the app servers
 * run on (src/aws/ec2-instance-types.ts), and of the processor
 * architecture of an image whose name gives it (Amazon Linux's parameters do):
 * EC2 refuses to launch an arm64 type from an x86_64 image, and the Auto
 * Scaling group would retry for ever.
 */
export function instanceTypeProblems(props: { readonly instanceType: string; readonly imageId: string }): PropProblem[] {
  const { instanceType, imageId } = props;
  if (Token.isUnresolved(instanceType)) return [];
  const problem = instanceTypeProblem(instanceType);
  if (problem) return [{ prop: "instanceType", message: problem }];
  const imageArchitecture = Token.isUnresolved(imageId) ? undefined : /(arm64|x86_64)/.exec(imageId)?.[1];
  const architecture = instanceArchitecture(instanceType);
  if (imageArchitecture === undefined || imageArchitecture === architecture) return [];
  return [
    {
      prop: "instanceType",
      message:
        `${instanceType} is an ${architecture} type, but imageId ${imageId} is an ${imageArchitecture} image; ` +
        `choose an ${imageArchitecture} type or set imageId to an ${architecture} image (${imageId.replace(imageArchitecture, architecture)})`,
    },
  ];
}

/** Problems with the refresh's percentages and warm-up: AWS's ranges, and at most 100 between the two percentages. */
export function instanceRefreshProblems(refresh: Required<InstanceRefreshProps>): PropProblem[] {
  const { minHealthyPercent, maxHealthyPercent, instanceWarmupSeconds } = refresh;
  const problems = [
    integerProblem("instanceRefresh.minHealthyPercent", minHealthyPercent, ...INSTANCE_REFRESH_LIMITS.minHealthyPercent),
    integerProblem("instanceRefresh.maxHealthyPercent", maxHealthyPercent, ...INSTANCE_REFRESH_LIMITS.maxHealthyPercent),
    integerProblem("instanceRefresh.instanceWarmupSeconds", instanceWarmupSeconds, ...INSTANCE_REFRESH_LIMITS.instanceWarmupSeconds),
  ].filter((problem) => problem !== undefined);
  if (problems.length === 0 && maxHealthyPercent - minHealthyPercent > 100) {
    problems.push({
      prop: "instanceRefresh.maxHealthyPercent",
      message: `${maxHealthyPercent} is more than 100 above minHealthyPercent ${minHealthyPercent}, which AWS refuses`,
    });
  }
  return problems;
}

/**
 * The group's instance maintenance policy by default: a server found unhealthy (or rebalanced out of a zone) is
 * replaced by launching first and terminating once the new one is in service, so the group never drops below its
 * desired capacity while a zone's servers are being replaced (100 to 200 %, the same as a release's refresh, whose
 * own preferences take precedence for its duration).
 */
export const APP_TIER_ZONE_DEFAULTS = {
  launchBeforeTerminate: true,
} as const;

/** Names of the app tier's resources. */
export interface AppTierNames {
  /** IAM role and instance profile. */
  readonly instanceRole: string;
  /** Start of the launch template's name (AWS appends a unique suffix). */
  readonly launchTemplatePrefix: string;
  readonly autoScalingGroup: string;
  /** Name tag of every app server. */
  readonly instance: string;
  /** The release function, its role and (after `/aws/lambda/`) its log group. */
  readonly releaseFunction: string;
}

/** The lab's names. */
export const LAB_APP_TIER_NAMES: AppTierNames = {
  instanceRole: "Inventory-App-Role",
  launchTemplatePrefix: "Lab-template-",
  autoScalingGroup: "Inventory-ASG",
  instance: "Inventory-App",
  releaseFunction: "Inventory-App-Release",
};

export interface AppTierProps {
  /** Private subnets the servers run in, one per zone. */
  readonly subnetIds: readonly string[];
  /** The app servers' security group. */
  readonly securityGroupId: string;
  /** Target group the Auto Scaling group registers its servers with. */
  readonly targetGroupArn: string;
  /** Region (one of `AWS_REGIONS`): where the servers find Secrets Manager. */
  readonly region: string;
  /** The account (a reference such as `Network.accountId`): the release function acts on its resources only. */
  readonly accountId: string;
  /** EC2 instance type. @default "t3.micro" */
  readonly instanceType?: string;
  /** AMI id or `resolve:ssm:` parameter. @default the latest Amazon Linux 2023 (`AMAZON_LINUX_2023`) */
  readonly imageId?: string;
  /** Fewest servers. @default 2 (the lab's) */
  readonly minSize?: number;
  /** Servers to run, from minSize to maxSize. @default minSize */
  readonly desiredCapacity?: number;
  /** Most servers. @default the larger of minSize and 2 */
  readonly maxSize?: number;
  /**
   * A scaling policy sets the group's desired capacity: Terraform then leaves it alone (setting it would undo
   * the policy's work at every apply) and AWS starts the group at `minSize`, then follows the policy. @default false
   */
  readonly desiredCapacityFromScalingPolicy?: boolean;
  /** Seconds after launch before failed ELB checks count. @default 300 */
  readonly healthCheckGracePeriodSeconds?: number;
  /** Root volume size in GiB (gp3, encrypted, 8 to 16384). @default 8 */
  readonly rootVolumeSizeGiB?: number;
  /**
   * Replace unhealthy servers by launching before terminating (instance maintenance policy 100 to 200 %); off leaves
   * the group without a policy (AWS terminates first). @default true
   */
  readonly launchBeforeTerminate?: boolean;
  /** How a release rolls a new launch template version through the fleet. @default `InstanceRefreshProps`' defaults, field by field */
  readonly instanceRefresh?: InstanceRefreshProps;
  /** Database settings the boot script writes for the app, the folder of the app (its boot script), and where its archive is. */
  readonly boot: Omit<BootScriptProps, "region">;
  /** ARN pattern of the S3 objects the servers may read: the app archive's prefix (`AppArtifact.readableObjectsArn`). */
  readonly artifactObjectsArn: string;
  /** Tags the Auto Scaling group puts on the servers it launches (provider default_tags do not reach them). @default none */
  readonly instanceTags?: Readonly<Record<string, string>>;
  /**
   * The folder the release function (`AppRelease`) is bundled from: it holds `src/functions/app-release/` and the `node_modules/` with
   * esbuild, and the bundle is cached under its `.cache/functions/` (this project's root; the stack passes it).
   */
  readonly releaseCodeRoot: string;
  /** Days CloudWatch Logs keeps the release function's log (one of `LOG_RETENTION_DAYS`). @default 365 */
  readonly releaseLogRetentionDays?: number;
  /**
   * The KMS key that encrypts the release function's log group, and what it must wait for.
   * @default none: CloudWatch Logs' own encryption
   */
  readonly releaseLogEncryption?: LogEncryption;
  /**
   * The app served, named in the resources' descriptions ("Inventory app server: Amazon Linux 2023, httpd + PHP, the Inventory app").
   * @default none: "App server: Amazon Linux 2023, httpd + PHP, the app"
   */
  readonly appName?: string;
  /** Names. @default the lab's: Inventory-App-Role, Lab-template-, Inventory-ASG, Inventory-App, Inventory-App-Release */
  readonly names?: Partial<AppTierNames>;
}

/**
 * Problems with the Auto Scaling group's sizes: each a whole number, minSize <= desiredCapacity <= maxSize, and
 * room between minSize and maxSize when a scaling policy sets the desired capacity.
 */
export function capacityProblems(sizes: {
  readonly minSize: number;
  readonly desiredCapacity: number;
  readonly maxSize: number;
  readonly desiredCapacityFromScalingPolicy?: boolean;
}): PropProblem[] {
  const { minSize, desiredCapacity, maxSize } = sizes;
  const wholeNumbers = [integerProblem("minSize", minSize, 0), integerProblem("desiredCapacity", desiredCapacity, 0), integerProblem("maxSize", maxSize, 0)];
  const problems = wholeNumbers.filter((problem) => problem !== undefined);
  if (problems.length > 0) return problems;
  if (minSize > maxSize) return [{ prop: "minSize", message: `${minSize} is above maxSize ${maxSize}` }];
  if (desiredCapacity < minSize) return [{ prop: "desiredCapacity", message: `${desiredCapacity} is below minSize ${minSize}` }];
  if (desiredCapacity > maxSize) return [{ prop: "desiredCapacity", message: `${desiredCapacity} is above maxSize ${maxSize}` }];
  if (sizes.desiredCapacityFromScalingPolicy && maxSize <= minSize)
    return [{ prop: "desiredCapacityFromScalingPolicy", message: `needs room to scale: maxSize ${maxSize} must be above minSize ${minSize}` }];
  return [];
}

/** Problems with names AWS would refuse. */
export function appTierNameProblems(names: AppTierNames): PropProblem[] {
  return [
    nameProblem("names.instanceRole", "IAM role name", names.instanceRole, 64, /^[\w+=,.@-]+$/, "letters, digits and +=,.@_-"),
    nameProblem(
      "names.launchTemplatePrefix",
      "launch template name prefix",
      names.launchTemplatePrefix,
      102,
      /^[A-Za-z0-9().\-/_]+$/,
      "letters, digits and ().-/_",
    ),
    nameProblem("names.autoScalingGroup", "Auto Scaling group name", names.autoScalingGroup, 255, /^[^:]+$/, "any characters but a colon"),
    nameProblem("names.releaseFunction", "function name", names.releaseFunction, 64, /^[A-Za-z0-9_-]+$/, "letters, digits, - and _"),
  ].filter((problem) => problem !== undefined);
}

/**
 * The lab's app servers: the Inventory-App-Role instance profile, a launch
 * template of Amazon Linux 2023 with the app's boot script, and the
 * Inventory-ASG Auto Scaling group in the private subnets behind the load
 * balancer's target group. Every launch template change is a release: an
 * instance refresh that AWS rolls back when it fails (`AppRelease`).
 */
export class AppTier extends Construct {
  /** The app servers' group and its launch template. */
  readonly autoScalingGroup: AutoScalingGroupHandle;
  readonly autoScalingGroupName: string;
  readonly autoScalingGroupArn: string;
  readonly launchTemplateId: string;
  readonly roleName: string;
  readonly roleArn: string;
  /** The rendered user data, before base64 (may hold Terraform references). */
  readonly userData: string;
  /** The releases of new launch template versions. */
  readonly release: AppRelease;

  constructor(scope: Construct, id: string, props: AppTierProps) {
    super(scope, id);
    const names: AppTierNames = { ...LAB_APP_TIER_NAMES, ...props.names };
    const instanceType = props.instanceType ?? APP_TIER_DEFAULTS.instanceType;
    const imageId = props.imageId ?? APP_TIER_DEFAULTS.imageId;
    const minSize = props.minSize ?? APP_TIER_DEFAULTS.minSize;
    const desiredCapacity = props.desiredCapacity ?? minSize;
    const maxSize = props.maxSize ?? Math.max(minSize, APP_TIER_DEFAULTS.minSize);
    const healthCheckGracePeriodSeconds = props.healthCheckGracePeriodSeconds ?? APP_TIER_DEFAULTS.healthCheckGracePeriodSeconds;
    const rootVolumeSizeGiB = props.rootVolumeSizeGiB ?? APP_TIER_DEFAULTS.rootVolumeSizeGiB;
    const releaseLogRetentionDays = props.releaseLogRetentionDays ?? APP_TIER_DEFAULTS.releaseLogRetentionDays;
    const refresh: Required<InstanceRefreshProps> = { ...APP_TIER_DEFAULTS.instanceRefresh, ...props.instanceRefresh };
    refuseProblems(this, [
      Token.isUnresolved(props.subnetIds) || props.subnetIds.length > 0 ? undefined : { prop: "subnetIds", message: "needs at least one subnet" },
      Token.isUnresolved(props.region) || isKnownRegion(props.region)
        ? undefined
        : { prop: "region", message: `"${props.region}" is not an AWS region this project knows (src/aws/aws-regions.ts)` },
      Token.isUnresolved(imageId) || IMAGE_ID.test(imageId)
        ? undefined
        : { prop: "imageId", message: `"${imageId}" is not an AMI id (ami-...) or resolve:ssm:/parameter/name` },
      ...instanceTypeProblems({ instanceType, imageId }),
      ...capacityProblems({ minSize, desiredCapacity, maxSize, desiredCapacityFromScalingPolicy: props.desiredCapacityFromScalingPolicy }),
      integerProblem("healthCheckGracePeriodSeconds", healthCheckGracePeriodSeconds, 0),
      integerProblem("rootVolumeSizeGiB", rootVolumeSizeGiB, ...ROOT_VOLUME_GIB),
      ...instanceRefreshProblems(refresh),
      choiceProblem("releaseLogRetentionDays", releaseLogRetentionDays, LOG_RETENTION_DAYS as readonly number[]),
      ...appTierNameProblems(names),
    ]);
    const role = new IamRole(this, "role", {
      name: names.instanceRole,
      description: `${appPhrase(props.appName, "app servers", true)}: read the database secret, be reachable by SSM Session Manager`,
      assumeRolePolicy: servicePrincipalTrust("ec2.amazonaws.com"),
    });
    new IamRolePolicy(this, "read-database-secret", {
      name: "read-database-secret",
      role: role.id,
      policy: policyDocument([
        {
          sid: "ReadTheDatabaseSecret",
          actions: ["secretsmanager:GetSecretValue"],
          resources: [props.boot.databaseSecretArn],
        },
      ]),
    });
    // The boot script downloads the app's archive: its object versions under the artifact's prefix, nothing else of the bucket.
    const readAppArtifact = new IamRolePolicy(this, "read-app-artifact", {
      name: "read-app-artifact",
      role: role.id,
      policy: policyDocument([
        {
          sid: "ReadAppArchiveVersions",
          actions: ["s3:GetObject", "s3:GetObjectVersion"],
          resources: [props.artifactObjectsArn],
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
      description: `${appPhrase(props.appName, "app server", true)}: Amazon Linux 2023, httpd + PHP, the ${appPhrase(props.appName, "app")}`,
      imageId,
      instanceType,
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
          ebs: { volumeType: "gp3", volumeSize: rootVolumeSizeGiB, encrypted: "true", deleteOnTermination: "true" },
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
      minSize,
      // Left to the scaling policy when there is one; AWS starts the group at minSize then.
      desiredCapacity: props.desiredCapacityFromScalingPolicy ? undefined : desiredCapacity,
      maxSize,
      healthCheckType: "ELB",
      healthCheckGracePeriod: healthCheckGracePeriodSeconds,
      instanceMaintenancePolicy:
        (props.launchBeforeTerminate ?? APP_TIER_ZONE_DEFAULTS.launchBeforeTerminate) ? { minHealthyPercentage: 100, maxHealthyPercentage: 200 } : undefined,
      // A numbered version, as AWS's rollback needs. Terraform gives the group its first; each later one is the release
      // function's to give, through an instance refresh AWS can roll back (the provider's own refresh cannot).
      launchTemplate: { id: launchTemplate.id, version: Token.asString(launchTemplate.latestVersion) },
      lifecycle: { ignoreChanges: ["launch_template"] },
      enabledMetrics: ["GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances", "GroupTerminatingInstances", "GroupTotalInstances"],
      tag: Object.entries(instanceTags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
      // A server downloads the app as it boots: AccessDenied until the role may read the archive.
      dependsOn: [readAppArtifact],
    });
    this.autoScalingGroup = {
      name: group.name,
      arn: group.arn,
      fqn: group.fqn,
      launchTemplate: { id: launchTemplate.id, arn: launchTemplate.arn, latestVersion: Token.asString(launchTemplate.latestVersion) },
    };
    this.release = new AppRelease(this, "release", {
      autoScalingGroup: this.autoScalingGroup,
      imageId,
      instanceRoleArn: role.arn,
      refresh,
      region: props.region,
      accountId: props.accountId,
      functionName: names.releaseFunction,
      appName: props.appName,
      codeRoot: props.releaseCodeRoot,
      logRetentionDays: releaseLogRetentionDays,
      logEncryption: props.releaseLogEncryption,
    });

    this.autoScalingGroupName = group.name;
    this.autoScalingGroupArn = group.arn;
    this.launchTemplateId = launchTemplate.id;
    this.roleName = role.name;
    this.roleArn = role.arn;
  }

  /**
   * Fails a release's instance refresh, and so rolls it back, as soon as one
   * of these CloudWatch alarms is in ALARM: no more servers are replaced and
   * the replaced ones are replaced again with the previous version. A release
   * names the alarms by their Terraform references, so they exist before it
   * names them.
   */
  failRefreshOnAlarms(alarms: readonly AlarmHandle[]): void {
    const [min, max] = INSTANCE_REFRESH_LIMITS.alarms;
    if (alarms.length < min || alarms.length > max) {
      refuseProblems(this, [
        {
          prop: "failRefreshOnAlarms",
          message: `${alarms.length} alarms; a release takes at least ${min} (the release function refuses none) and at most ${max}`,
        },
      ]);
    }
    this.release.failOnAlarms(alarms);
  }
}
