import * as path from "node:path";
import { Construct } from "constructs";
import { AssetType, Lazy, TerraformAsset, Token } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaInvocation } from "@cdktf/provider-aws/lib/lambda-invocation";
import { INSTANCE_REFRESH_LIMITS, type ReleaseEvent } from "../../functions/app-release/release";
import { functionBundle } from "../../aws/function-bundle";
import { awsPartition, fromSource, launchedResources, type PolicyStatementProps, policyDocument, servicePrincipalTrust } from "../../aws/iam-policy";
import { LOG_RETENTION_DAYS } from "../network/network";
import { choiceProblem, nameProblem, type PropProblem, refuseProblems, regionPropProblem } from "../../props/prop-problems";
import { appPhrase } from "../../props/app-phrase";
import { encryptedWith, functionLogGroupName, type LogEncryption } from "../monitoring/log-key";
import type { AlarmHandle, AutoScalingGroupHandle } from "../../props/handles";

/** The release function's runtime: Node.js 22, which provides the AWS SDK for JavaScript v3 the function uses. */
export const RELEASE_RUNTIME = { name: "nodejs22.x", nodeMajor: 22 } as const;

/** The bundled release function of this project (src/functions/app-release). */
function releaseFunctionCode(codeRoot: string) {
  return functionBundle({
    root: codeRoot,
    entry: path.join("src", "functions", "app-release", "handler.ts"),
    name: "app-release",
    nodeMajor: RELEASE_RUNTIME.nodeMajor,
    // The runtime provides the AWS SDK v3, the function's only dependency.
    external: ["@aws-sdk/*"],
  });
}

export interface AppReleaseProps {
  /** The group each new version of its launch template is released to; a release starts once the group exists. */
  readonly autoScalingGroup: AutoScalingGroupHandle;
  /** The template's image: an SSM parameter (`resolve:ssm:`) lets the function read that parameter, to pin its AMI. */
  readonly imageId: string;
  /** ARN of the servers' role, which the group passes to EC2 for the servers it launches. */
  readonly instanceRoleArn: string;
  /** The instance refresh's preferences. */
  readonly refresh: { readonly minHealthyPercent: number; readonly maxHealthyPercent: number; readonly instanceWarmupSeconds: number };
  /** Region (one of `AWS_REGIONS`). */
  readonly region: string;
  /** The account (a reference such as `Network.accountId`): the function acts on its resources only. */
  readonly accountId: string;
  /** The function's name, also its role's and (after `/aws/lambda/`) its log group's. */
  readonly functionName: string;
  /**
   * The app served, named in the resources' descriptions ("The Inventory app's release function: ...").
   * @default none: "The app's release function: ..."
   */
  readonly appName?: string;
  /**
   * The folder the function is bundled from: it holds `src/functions/app-release/` and the `node_modules/` with
   * esbuild, and the bundle is cached under its `.cache/functions/` (this project's root; the stack passes it).
   */
  readonly codeRoot: string;
  /** Days CloudWatch Logs keeps the function's log (one of `LOG_RETENTION_DAYS`). @default 365 */
  readonly logRetentionDays?: number;
  /**
   * The KMS key that encrypts the function's log group, and what it must wait for.
   * @default none: CloudWatch Logs' own encryption
   */
  readonly logEncryption?: LogEncryption;
}

/** Problems with the props AWS would refuse. */
export function appReleaseProblems(props: { readonly functionName: string; readonly logRetentionDays: number }): PropProblem[] {
  return [
    nameProblem("functionName", "function name", props.functionName, 64, /^[A-Za-z0-9_-]+$/, "letters, digits, - and _"),
    choiceProblem("logRetentionDays", props.logRetentionDays, LOG_RETENTION_DAYS as readonly number[]),
  ].filter((problem) => problem !== undefined);
}

/**
 * Releases of the app servers: each launch template version Terraform makes
 * is rolled out by a function Terraform invokes (`aws_lambda_invocation`),
 * which starts an instance refresh with that version as its desired
 * configuration and automatic rollback (src/functions/app-release). AWS then
 * returns the group to the version it ran when the refresh fails or one of
 * the alarms (`failOnAlarms`) goes into ALARM. The provider's own refresh
 * cannot: it sets the group's version first (so a rollback would return to
 * the new one) and gives no desired configuration, which AWS's rollback
 * needs. The group's version is therefore the function's to set: the Auto
 * Scaling group ignores changes of its launch template.
 */
export class AppRelease extends Construct {
  readonly functionName: string;
  readonly roleName: string;
  /** The invocation of the latest release. */
  readonly invocation: LambdaInvocation;
  private readonly alarms: AlarmHandle[] = [];

  constructor(scope: Construct, id: string, props: AppReleaseProps) {
    super(scope, id);
    const logRetentionDays = props.logRetentionDays ?? 365;
    refuseProblems(this, [regionPropProblem("region", props.region), ...appReleaseProblems({ functionName: props.functionName, logRetentionDays })]);
    const partition = awsPartition(props.region);
    const group = props.autoScalingGroup;
    const template = group.launchTemplate;

    const logGroup = new CloudwatchLogGroup(this, "log-group", {
      name: functionLogGroupName(props.functionName),
      retentionInDays: logRetentionDays,
      ...encryptedWith(props.logEncryption),
    });
    const role = new IamRole(this, "role", {
      name: props.functionName,
      description:
        `The ${appPhrase(props.appName, "app")}'s release function: ` + "instance refreshes of its Auto Scaling group, pinned versions of its launch template",
      // Lambda assumes it only for functions of this account (aws:SourceAccount).
      assumeRolePolicy: servicePrincipalTrust("lambda.amazonaws.com", fromSource(props.accountId)),
    });
    const statements: PolicyStatementProps[] = [
      // Describe calls of Auto Scaling and EC2 have no resource type: their resource can only be `*`.
      {
        sid: "ReadTheGroupAndTemplate",
        actions: ["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeInstanceRefreshes", "ec2:DescribeLaunchTemplateVersions"],
        resources: ["*"],
      },
      { sid: "RollTheGroup", actions: ["autoscaling:StartInstanceRefresh", "autoscaling:UpdateAutoScalingGroup"], resources: [group.arn] },
      { sid: "PinTheImage", actions: ["ec2:CreateLaunchTemplateVersion"], resources: [template.arn] },
      // Auto Scaling checks that whoever gives the group a template may launch from it, and pass its role.
      { sid: "LaunchFromTheTemplate", actions: ["ec2:RunInstances"], resources: [template.arn] },
      {
        sid: "LaunchOnlyThroughTheTemplate",
        actions: ["ec2:RunInstances", "ec2:CreateTags"],
        resources: launchedResources(partition, props.region, props.accountId),
        conditions: [{ test: "ArnLike", variable: "ec2:LaunchTemplate", values: [template.arn] }],
      },
      {
        sid: "PassTheServersRole",
        actions: ["iam:PassRole"],
        resources: [props.instanceRoleArn],
        conditions: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["ec2.amazonaws.com"] }],
      },
      ...imageParameterStatements(props),
      { sid: "WriteItsLog", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${logGroup.arn}:*`] },
    ];
    const policy = new IamRolePolicy(this, "policy", { name: "release-app", role: role.id, policy: policyDocument(statements) });

    const code = releaseFunctionCode(props.codeRoot);
    const asset = new TerraformAsset(this, "code", { path: code.zipFile, type: AssetType.FILE });
    const releaseFunction = new LambdaFunction(this, "function", {
      functionName: props.functionName,
      description: `Releases each new launch template version to ${group.name}: an instance refresh AWS rolls back when it fails`,
      role: role.arn,
      runtime: RELEASE_RUNTIME.name,
      architectures: ["arm64"],
      handler: "index.handler",
      filename: asset.path,
      sourceCodeHash: code.sha256,
      // A few API calls; the refresh itself goes on in Auto Scaling.
      timeout: 60,
      memorySize: 256,
      tags: { Name: props.functionName },
      // The log group with its retention, before Lambda would make one that keeps logs forever.
      dependsOn: [logGroup],
    });

    const event = (): ReleaseEvent => ({
      autoScalingGroupName: group.name,
      launchTemplateId: template.id,
      launchTemplateVersion: template.latestVersion,
      minHealthyPercentage: props.refresh.minHealthyPercent,
      maxHealthyPercentage: props.refresh.maxHealthyPercent,
      instanceWarmupSeconds: props.refresh.instanceWarmupSeconds,
      alarmNames: this.alarms.map((alarm) => alarm.name),
    });
    // A new template version (or other alarms or preferences) changes the input, and Terraform invokes the function again.
    this.invocation = new LambdaInvocation(this, "invocation", {
      functionName: releaseFunction.functionName,
      // Indented: cdktf writes a multi-line string as a heredoc in its HCL output, where the JSON quotes need no escaping.
      input: Lazy.stringValue({ produce: () => JSON.stringify(event(), null, 2) }),
      // The function calls AWS with its role's permissions from the start.
      dependsOn: [group, policy],
    });

    this.functionName = releaseFunction.functionName;
    this.roleName = role.name;
  }

  /**
   * Fails a release's instance refresh, and so rolls it back, as soon as one
   * of these CloudWatch alarms is in ALARM. The release names them by their
   * Terraform references, so they exist before it names them.
   */
  failOnAlarms(alarms: readonly AlarmHandle[]): void {
    const max = INSTANCE_REFRESH_LIMITS.alarms[1];
    if (this.alarms.length + alarms.length > max) {
      refuseProblems(this, [{ prop: "failOnAlarms", message: `${this.alarms.length + alarms.length} alarms; an instance refresh takes at most ${max}` }]);
    }
    this.alarms.push(...alarms);
  }
}

/** Reading the SSM parameter the template's image names, to pin the AMI it names at the release. */
function imageParameterStatements(props: AppReleaseProps): PolicyStatementProps[] {
  const parameter = Token.isUnresolved(props.imageId) ? undefined : imageParameterArn(props.imageId, props.region, props.accountId);
  return parameter ? [{ sid: "ResolveTheImage", actions: ["ssm:GetParameters"], resources: [parameter] }] : [];
}

/** The SSM parameter an image id names (`resolve:ssm:/name[:version]`), as an ARN; undefined for an AMI id. */
export function imageParameterArn(imageId: string, region: string, accountId: string): string | undefined {
  const match = /^resolve:ssm:(\/[^:]+)(:\d+)?$/.exec(imageId);
  if (!match) return undefined;
  const parameter = match[1];
  // AWS's public parameters (the Amazon Linux AMIs) belong to no account.
  const account = parameter.startsWith("/aws/service/") ? "" : accountId;
  return `arn:${awsPartition(region)}:ssm:${region}:${account}:parameter${parameter}`;
}
