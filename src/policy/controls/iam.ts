import { type Finding, type Control } from "../control";
import { identityPolicies, managedPolicyAttachments, referencedBlock, type TerraformDocument } from "../../terraform/document";

/**
 * IAM controls: no `*` action or resource, no AdministratorAccess, AWS managed policies only from a reviewed list.
 */

/**
 * AWS managed policies the project attaches, reviewed by hand: their text
 * is AWS's and not in the synthesized JSON, so the `*` checks cannot read it.
 * Any other AWS managed policy fails CKV_AWS_274 until it is reviewed here.
 */
export const REVIEWED_MANAGED_POLICIES: Readonly<Record<string, string>> = {
  "service-role/AWSBackupServiceRolePolicyForBackup":
    "AWS Backup's role backs the database up with it: snapshots AWS Backup names (awsbackup:job-...), their tags, copies and expiry, and grants on " +
    "the database's key. AWS keeps it in step with the calls Backup makes; a hand-scoped policy could not be proven here, where no Backup job runs, " +
    "and a wrong one fails the backups silently until the alarm fires. The role is assumed by backup.amazonaws.com for this account only.",
  "service-role/AWSBackupServiceRolePolicyForRestores":
    "AWS Backup's role restores with it: the restore tests create an instance from the latest snapshot, under an identifier AWS Backup chooses, and " +
    "delete it after the validation window. Reviewed as the backup policy, for the same reasons.",
};

/**
 * Actions the Service Authorization Reference gives no resource type: their
 * only resource is `*`. A statement may name `*` only for these (checkov's
 * CKV_AWS_355: no `*` resource for actions that can be restricted), each
 * with why the project needs it.
 */
export const UNSCOPABLE_ACTIONS: Readonly<Record<string, string>> = {
  "ssm:UpdateInstanceInformation": "the SSM agent registers the instance with Systems Manager and sends its heartbeat (Session Manager)",
  "ssmmessages:CreateControlChannel": "the SSM agent opens a session's control channel (Session Manager)",
  "ssmmessages:CreateDataChannel": "the SSM agent opens a session's data channel (Session Manager)",
  "ssmmessages:OpenControlChannel": "the SSM agent connects a session's control channel (Session Manager)",
  "ssmmessages:OpenDataChannel": "the SSM agent connects a session's data channel (Session Manager)",
  "secretsmanager:GetRandomPassword": "the rotation function has Secrets Manager generate the app user's password; the call concerns no secret",
  "ec2:DescribeNetworkInterfaces": "Lambda looks up the rotation function's network interfaces in the VPC",
  "ec2:DescribeSubnets": "Lambda looks up the rotation function's subnets",
  "autoscaling:DescribeAutoScalingGroups": "the release function reads the launch template version the app servers' group runs",
  "autoscaling:DescribeInstanceRefreshes": "the release function finds a refresh of the group that has not ended, before it starts one",
  "ec2:DescribeLaunchTemplateVersions": "the release function reads a template version's image, and the AMI its SSM parameter names",
  "ec2:DescribeInstances": "AWS FIS resolves the app servers an experiment stops or terminates by their tags and zone",
  "ec2:DescribeNetworkAcls": "AWS FIS reads the zone's subnets' network ACLs, to put them back after cutting the subnets off",
  "ec2:DescribeVpcs": "AWS FIS reads the VPC of the subnets it cuts off",
  "tag:GetResources": "AWS FIS resolves an experiment's targets by their tags",
  "ec2:InjectApiError": "AWS FIS fails the group's launches in a zone; its conditions (ec2:FisActionId, ec2:FisTargetArns) name the action and the group",
};

/**
 * An AWS managed policy's ARN, its name after `policy/` (`service-role/AWSBackupServiceRolePolicyForBackup`). The
 * partition may be written as a reference (`arn:${data.aws_partition.current.partition}:iam::aws:policy/...`).
 */
export const MANAGED_POLICY = /^arn:(?:aws[a-z-]*|\$\{[^{}]+\}):iam::aws:policy\/(.+)$/;

/**
 * Whether an attached policy's ARN, not an AWS managed policy's, names a policy known before apply: a customer managed
 * policy's literal ARN, or a reference to a policy of this configuration (whose statements CKV_AWS_62 reads). Any other
 * reference, such as a data source's ARN, could be any policy.
 */
export function knownBeforeApply(document: TerraformDocument, policyArn: string): boolean {
  return !policyArn.includes("${") || referencedBlock(document, policyArn)?.type === "aws_iam_policy";
}

const wildcardAction = (action: string) => action === "*" || /^[a-z0-9-]+:\*$/i.test(action);

export const iamControls: Control[] = [
  {
    id: "CKV_AWS_62",
    aliases: ["CKV_AWS_63", "CKV_AWS_355", "CKV_AWS_290"],
    title: "IAM policies allow no `*` action, and a `*` resource only for actions that have no resource type",
    scopes: ["inventory", "state"],
    check: ({ document }) =>
      identityPolicies(document).flatMap(({ address, description, reading }): Finding[] => {
        if ("problem" in reading) return [{ address, problem: `${description}: ${reading.problem}` }];
        return reading.statements
          .filter((statement) => statement.effect === "Allow")
          .flatMap((statement) => [
            ...statement.actions.filter(wildcardAction).map((action) => `allows action ${action}`),
            ...(statement.notActions.length > 0 ? ["allows NotAction, every action but a few"] : []),
            ...(statement.resources.includes("*")
              ? statement.actions
                  .filter((action) => !UNSCOPABLE_ACTIONS[action])
                  .map((action) => `allows ${action} on resource *, which AWS lets a policy scope`)
              : []),
            ...(statement.notResources.length > 0 ? ["allows NotResource, every resource but a few"] : []),
          ])
          .map((problem) => ({ address, problem: `${description} ${problem}` }));
      }),
  },
  {
    id: "CKV_AWS_274",
    aliases: [],
    title: "No AdministratorAccess, and AWS managed policies only from the reviewed list",
    scopes: ["inventory", "state"],
    check: ({ document }) =>
      managedPolicyAttachments(document).flatMap(({ address, policyArn, attachedTo }): Finding[] => {
        const managed = MANAGED_POLICY.exec(policyArn)?.[1];
        if (managed === undefined) {
          return knownBeforeApply(document, policyArn)
            ? []
            : [{ address, problem: `attaches ${policyArn} to ${attachedTo}, a policy that cannot be known before apply` }];
        }
        if (managed === "AdministratorAccess") return [{ address, problem: `attaches AdministratorAccess to ${attachedTo}` }];
        return REVIEWED_MANAGED_POLICIES[managed]
          ? []
          : [{ address, problem: `attaches AWS managed policy ${managed} to ${attachedTo}, which is not on the reviewed list` }];
      }),
  },
];
