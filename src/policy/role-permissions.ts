import { GRANTS_WITHOUT_SOURCE_KEYS, SERVICES_WITHOUT_SOURCE_KEYS } from "./controls/least-privilege";
import { MANAGED_POLICY, REVIEWED_MANAGED_POLICIES, UNSCOPABLE_ACTIONS } from "./controls/iam";
import { type PolicyStatement, readPolicy, referencedBlock, resources, type TerraformDocument } from "../terraform/document";

/**
 * Every IAM role of an environment as its synthesized JSON defines it: who
 * may assume it and on what condition, and each action it allows, on what,
 * under what condition, and why. docs/security.md shows it (`npm run docs`);
 * a statement without a reason here fails the docs test, so no permission
 * arrives unexplained.
 */

/** Why each statement exists, by its Sid. */
export const STATEMENT_REASONS: Readonly<Record<string, string>> = {
  StopStartAndTerminateTheGroupsServers:
    "AWS FIS stops the zone's app servers and starts them again at the end (zone rehearsal), or terminates one (instance rehearsal); " +
    "only servers of this environment's Auto Scaling group",
  FindTheTargets: "AWS FIS resolves each experiment's targets (servers, subnets, network ACLs, the group) by their tags and filters",
  CreateTheBlockingNetworkAclInTheVpc: "AWS FIS creates the network ACL that cuts the zone's subnets off, in this environment's VPC only",
  CreateOnlyNetworkAclsTaggedAsFis: "the network ACL AWS FIS creates carries its managedByFIS tag, so it can delete its own and no other",
  TagTheNetworkAclAsItIsCreated: "AWS FIS tags its network ACL as it creates it, and tags nothing else",
  FillAndDeleteOnlyFisNetworkAcls: "AWS FIS writes its deny-all entries into its own network ACL and deletes it at the end",
  SwapTheNetworkAclOfTheEnvironmentsSubnets: "AWS FIS swaps the zone's subnets (this environment's only) to its ACL and back at the end",
  SwapInNetworkAclsOfTheVpc: "the swap names the network ACL a subnet gets: FIS's, then the subnet's own again, both of this VPC",
  RebootTheDatabaseWithFailover: "AWS FIS reboots this environment's database with failover when its primary is in the lost zone",
  FailTheGroupsLaunchesInTheZone:
    "AWS FIS makes the group's launches in the lost zone fail for lack of capacity, so replacements go to the other zones; " +
    "only that action, only this group",
  ReadTheDatabaseSecret:
    "the app reads its database user's name and password at run time (app/src/SecretsManager.php); only the app user's secret, never the master's",
  ReadAppArchiveVersions:
    "the boot script downloads the app's archive, the exact object version its launch template names (app/boot/user-data.sh); " +
    "objects under the app/ prefix only, no listing",
  SessionManagerRegistersTheInstance:
    "the SSM agent registers the server with Systems Manager and keeps it online, so Session Manager can reach it instead of SSH",
  SessionManagerOpensSessionChannels: "the SSM agent opens the channels of a Session Manager session",
  CreateTheMetricsLogGroup: "RDS Enhanced Monitoring creates its log group on first use and sets its retention",
  WriteTheMetrics: "RDS Enhanced Monitoring writes each instance's OS metrics",
  WriteFlowLogs: "VPC Flow Logs writes the VPC's flows to its log group",
  RotateTheAppSecret: "the rotation function reads and writes the versions of the app user's secret, and moves its AWSCURRENT label",
  ReadTheMasterSecret: "the rotation function logs in as the master user to create the app user and set its password and privileges",
  GeneratePasswords: "Secrets Manager generates each new password (GetRandomPassword), so none is ever in code or Terraform state",
  WriteItsLog: "the function writes its log (its log group is created by the stack, with its retention)",
  CreateItsNetworkInterfaces: "Lambda creates the function's network interfaces in the private subnets, in its security group",
  ManageItsNetworkInterfaces: "Lambda assigns addresses to the function's network interfaces and deletes them",
  DescribeNetworkInterfaces: "Lambda looks up the function's network interfaces and subnets",
  ReadTheGroupAndTemplate: "the release function reads the group's version, its refreshes and the template's versions",
  RollTheGroup: "the release function starts the instance refresh of a release, or moves a new group to the pinned copy of its version",
  PinTheImage: "the release function copies Terraform's template version with the AMI its SSM parameter names, so AWS can roll back to it",
  LaunchFromTheTemplate: "Auto Scaling checks that whoever gives the group a template version may launch from it",
  LaunchOnlyThroughTheTemplate: "Auto Scaling checks that whoever gives the group a template version may launch and tag what it launches, only through it",
  PassTheServersRole: "Auto Scaling checks that whoever gives the group a template version may pass its servers' role to EC2",
  ResolveTheImage: "EC2 reads the image's SSM parameter for the release function, to pin the AMI it names",
};

export interface RolePermission {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions: readonly string[];
  readonly why: string;
}

export interface RoleDescription {
  readonly address: string;
  readonly name: string;
  readonly trustedBy: readonly string[];
  readonly trustConditions: readonly string[];
  /** Why the trust has no source condition, when it has none. */
  readonly trustNote?: string;
  readonly permissions: readonly RolePermission[];
}

const describeConditions = (statement: PolicyStatement) =>
  statement.conditions.map((condition) => `${condition.test} ${condition.variable} ${condition.values.join(", ")}`);

function reasonOf(statement: PolicyStatement, sid: string | undefined, where: string): string {
  const reason = sid ? STATEMENT_REASONS[sid] : undefined;
  if (!reason) throw new Error(`${where}: statement ${sid ?? "(no Sid)"} has no reason in src/policy/role-permissions.ts (STATEMENT_REASONS)`);
  const unscoped = statement.resources.includes("*") ? statement.actions.filter((action) => UNSCOPABLE_ACTIONS[action]) : [];
  return unscoped.length > 0 ? `${reason}; \`*\`: AWS gives ${unscoped.join(", ")} no resource type` : reason;
}

/** Every role of the document with its trust and permissions. */
export function describeRoles(document: TerraformDocument): RoleDescription[] {
  return resources(document, "aws_iam_role").map((role) => {
    const trust = readPolicy(role.config.assume_role_policy);
    if ("problem" in trust) throw new Error(`${role.address}: ${trust.problem}`);
    const trustedBy = trust.statements.flatMap((statement) => statement.principals.flatMap((principal) => principal.identifiers));
    const trustConditions = trust.statements.flatMap(describeConditions);
    const excused = trustedBy.map((service) => SERVICES_WITHOUT_SOURCE_KEYS[service] ?? GRANTS_WITHOUT_SOURCE_KEYS[service]).find(Boolean);
    const permissions = resources(document, "aws_iam_role_policy")
      .filter((policy) => referencedBlock(document, policy.config.role)?.address === role.address)
      .flatMap((policy) => {
        const reading = readPolicy(policy.config.policy);
        if ("problem" in reading) throw new Error(`${policy.address}: ${reading.problem}`);
        return reading.statements.map((statement): RolePermission => ({
          actions: statement.actions,
          resources: statement.resources,
          conditions: describeConditions(statement),
          why: reasonOf(statement, statement.sid, policy.address),
        }));
      });
    const attached = resources(document, "aws_iam_role_policy_attachment").filter(
      (attachment) => referencedBlock(document, attachment.config.role)?.address === role.address,
    );
    // An AWS managed policy's text is AWS's, not in the configuration: a reviewed one is shown by name with its review.
    const unreviewed = attached.filter((block) => !REVIEWED_MANAGED_POLICIES[managedPolicyName(block.config.policy_arn)]);
    if (unreviewed.length > 0)
      throw new Error(
        `${role.address}: managed policies are attached (${unreviewed.map((block) => block.config.policy_arn).join(", ")}): ` +
          "their actions are not in the configuration, and they are not on the reviewed list (src/policy/controls/iam.ts)",
      );
    permissions.push(
      ...attached.map((block): RolePermission => {
        const name = managedPolicyName(block.config.policy_arn);
        return { actions: [`(AWS managed policy ${name})`], resources: ["(as AWS writes it)"], conditions: [], why: REVIEWED_MANAGED_POLICIES[name] };
      }),
    );
    return {
      address: role.address,
      name: String(role.config.name),
      trustedBy,
      trustConditions,
      trustNote: trustConditions.length === 0 ? excused : undefined,
      permissions,
    };
  });
}

/** The name of an AWS managed policy after `policy/` in its ARN (`service-role/AWSBackupServiceRolePolicyForBackup`), else the ARN. */
function managedPolicyName(arn: unknown): string {
  return MANAGED_POLICY.exec(String(arn))?.[1] ?? String(arn);
}

const code = (value: string) => `\`${value.replace(/\|/g, "\\|")}\``;

/** The roles as Markdown: a heading and a table per role. */
export function rolesMarkdown(roles: readonly RoleDescription[]): string {
  return roles
    .map((role) => {
      const trust =
        role.trustConditions.length > 0
          ? `, when ${role.trustConditions.map(code).join(" and ")}`
          : role.trustNote
            ? ` (no condition: ${role.trustNote.replace(/\.$/, "")})`
            : "";
      const rows = role.permissions.map(
        (permission) =>
          `| ${permission.actions.map(code).join("<br>")} | ${permission.resources.map(code).join("<br>")} ` +
          `| ${permission.conditions.map(code).join("<br>") || "-"} | ${permission.why} |`,
      );
      return [
        `#### ${code(role.name)} (${code(role.address)})`,
        "",
        `Assumed by ${role.trustedBy.map(code).join(", ")}${trust}.`,
        "",
        "| action | resource | condition | why |",
        "| --- | --- | --- | --- |",
        ...rows,
      ].join("\n");
    })
    .join("\n\n");
}
