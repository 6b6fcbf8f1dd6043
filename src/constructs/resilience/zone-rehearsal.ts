import { Construct } from "constructs";
import { Token } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogResourcePolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-resource-policy";
import { FisExperimentTemplate, type FisExperimentTemplateAction, type FisExperimentTemplateTarget } from "@cdktf/provider-aws/lib/fis-experiment-template";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { awsPartition, fromSource, policyDocument, servicePrincipalTrust } from "../../aws/iam-policy";
import { encryptedWith, type LogEncryption } from "../monitoring/log-key";
import { LOG_RETENTION_DAYS } from "../network/network";
import { choiceProblem, integerProblem, nameProblem, type PropProblem, refuseProblems } from "../../props/prop-problems";
import type { AlarmHandle } from "../../props/handles";

/** The rehearsals, as the drill names them: a zone's power interruption, one app server lost, a database failover. */
export const REHEARSAL_SCENARIOS = ["zone", "instance", "database"] as const;
export type RehearsalScenario = (typeof REHEARSAL_SCENARIOS)[number];

/** The tag each experiment template carries: the drill finds a scenario's template by it. */
export const SCENARIO_TAG = "Rehearsal";
/** The tag a zone's template carries: the zone whose power it interrupts. */
export const ZONE_TAG = "AvailabilityZone";

/** What AWS accepts: an experiment template takes at most 5 stop conditions; an action lasts up to 12 hours. */
export const ZONE_REHEARSAL_LIMITS = {
  stopAlarms: [1, 5],
  durationMinutes: [1, 720],
} as const;

/** The rehearsal's defaults: on, 10 minutes without the zone (AWS's own scenario takes 30), the log kept a year. */
export const ZONE_REHEARSAL_DEFAULTS = {
  enabled: true,
  durationMinutes: 10,
  logRetentionDays: 365,
} as const;

/** Names of the rehearsal's resources. */
export interface ZoneRehearsalNames {
  /** The role AWS FIS takes to run the experiments. */
  readonly role: string;
  /** The experiments' log group. */
  readonly logGroup: string;
  /** Put before each template's Name tag (`<prefix>zone us-west-2a`). */
  readonly templatePrefix: string;
}

/** The lab's names. */
export const LAB_ZONE_REHEARSAL_NAMES: ZoneRehearsalNames = {
  role: "Inventory-FIS-Rehearsal",
  logGroup: "/inventory-ha/fis-experiments",
  templatePrefix: "Inventory ",
};

/** A CloudWatch alarm that stops every experiment as soon as it is in ALARM. */
export interface ZoneRehearsalProps {
  /** The environment's `Environment` tag: the role acts only on resources carrying it. */
  readonly environment: string;
  /** Region (of the experiments, the role's resources and the log group). */
  readonly region: string;
  /** The account (a reference such as `Network.accountId`). */
  readonly accountId: string;
  /** The zones the app and database run in: a power interruption template each. */
  readonly availabilityZones: readonly string[];
  /** The VPC whose subnets lose their network (a reference such as `Network.vpcId`). */
  readonly vpcId: string;
  /** The app servers' Auto Scaling group: its servers are stopped or terminated, its launches in the zone fail. */
  readonly autoScalingGroup: { readonly name: string; readonly arn: string };
  /** The database: rebooted with failover when its primary is in the zone. */
  readonly database: { readonly arn: string; readonly multiAz: boolean };
  /** Alarms that stop an experiment (1 to 5): those that say the users are harmed, not those the rehearsal fires by design. */
  readonly stopAlarms: readonly AlarmHandle[];
  /** Minutes the zone stays lost (1 to 720). @default 10 */
  readonly durationMinutes?: number;
  /** Days CloudWatch Logs keeps the experiments' log (one of `LOG_RETENTION_DAYS`). @default 365 */
  readonly logRetentionDays?: number;
  /** The KMS key of the log group. @default none: CloudWatch Logs' own encryption */
  readonly logEncryption?: LogEncryption;
  /** Names. @default the lab's: Inventory-FIS-Rehearsal, /inventory-ha/fis-experiments, "Inventory " */
  readonly names?: Partial<ZoneRehearsalNames>;
}

/** Problems with the props AWS would refuse. */
export function zoneRehearsalProblems(props: {
  readonly stopAlarms: readonly unknown[];
  readonly durationMinutes: number;
  readonly logRetentionDays: number;
  readonly availabilityZones: readonly string[];
}): PropProblem[] {
  const [fewest, most] = ZONE_REHEARSAL_LIMITS.stopAlarms;
  return [
    props.stopAlarms.length < fewest || props.stopAlarms.length > most
      ? {
          prop: "stopAlarms",
          message:
            `${props.stopAlarms.length} alarms; an experiment template takes ${fewest} to ${most} stop conditions ` +
            "(name the alarms that say users are harmed)",
        }
      : undefined,
    integerProblem("durationMinutes", props.durationMinutes, ...ZONE_REHEARSAL_LIMITS.durationMinutes),
    choiceProblem("logRetentionDays", props.logRetentionDays, LOG_RETENTION_DAYS as readonly number[]),
    Token.isUnresolved(props.availabilityZones) || props.availabilityZones.length > 0
      ? undefined
      : { prop: "availabilityZones", message: "needs at least one zone to rehearse losing" },
  ].filter((problem) => problem !== undefined);
}

/**
 * Losing a zone, rehearsed with AWS Fault Injection Service: per zone, the
 * actions of FIS's "AZ Availability: Power Interruption" scenario that apply
 * to this stack, all at t+0 for `durationMinutes` — the app servers in the
 * zone stopped (started again at the end), the zone's subnets cut off from
 * every network, the group's launches in the zone failing for lack of
 * capacity, and the database rebooted with failover when its primary is
 * there. Beside them the drill's two smaller rehearsals, one app server
 * terminated and the database failed over. Every experiment stops as soon as
 * one of `stopAlarms` is in ALARM and logs each step to an encrypted log
 * group. The role FIS takes acts only on this environment's resources.
 */
export class ZoneRehearsal extends Construct {
  /** Template ids by scenario: `zone:<zone>` for each zone, `instance`, `database`. */
  readonly templateIds: Record<string, string>;
  readonly roleArn: string;
  readonly logGroupName: string;

  constructor(scope: Construct, id: string, props: ZoneRehearsalProps) {
    super(scope, id);
    const names: ZoneRehearsalNames = { ...LAB_ZONE_REHEARSAL_NAMES, ...props.names };
    const durationMinutes = props.durationMinutes ?? ZONE_REHEARSAL_DEFAULTS.durationMinutes;
    const logRetentionDays = props.logRetentionDays ?? ZONE_REHEARSAL_DEFAULTS.logRetentionDays;
    refuseProblems(this, [
      ...zoneRehearsalProblems({ stopAlarms: props.stopAlarms, durationMinutes, logRetentionDays, availabilityZones: props.availabilityZones }),
      nameProblem("names.role", "IAM role name", names.role, 64, /^[\w+=,.@-]+$/, "letters, digits and +=,.@_-"),
      nameProblem("names.logGroup", "log group name", names.logGroup, 512, /^[\w\-/.#]+$/, "letters, digits and _-/.#"),
    ]);
    const partition = awsPartition(props.region);
    const arn = (service: string, resource: string) => `arn:${partition}:${service}:${props.region}:${props.accountId}:${resource}`;
    const vpcArn = arn("ec2", `vpc/${props.vpcId}`);
    const ofThisEnvironment = { test: "StringEquals", variable: "aws:ResourceTag/Environment", values: [props.environment] };

    const role = new IamRole(this, "role", {
      name: names.role,
      description: "AWS FIS: rehearse losing a zone, an app server or the database primary of this environment",
      assumeRolePolicy: servicePrincipalTrust("fis.amazonaws.com", fromSource(props.accountId, arn("fis", "experiment/*"))),
    });
    const rolePolicy = new IamRolePolicy(this, "role-policy", {
      name: "rehearse-losing-a-zone",
      role: role.id,
      policy: policyDocument([
        {
          sid: "StopStartAndTerminateTheGroupsServers",
          actions: ["ec2:StopInstances", "ec2:StartInstances", "ec2:TerminateInstances"],
          resources: [arn("ec2", "instance/*")],
          conditions: [
            ofThisEnvironment,
            { test: "StringEquals", variable: "aws:ResourceTag/aws:autoscaling:groupName", values: [props.autoScalingGroup.name] },
          ],
        },
        {
          // FIS finds its targets by tag and filter: these reads have no resource type.
          sid: "FindTheTargets",
          actions: [
            "ec2:DescribeInstances",
            "ec2:DescribeSubnets",
            "ec2:DescribeNetworkAcls",
            "ec2:DescribeVpcs",
            "autoscaling:DescribeAutoScalingGroups",
            "tag:GetResources",
          ],
          resources: ["*"],
        },
        {
          sid: "CreateTheBlockingNetworkAclInTheVpc",
          actions: ["ec2:CreateNetworkAcl"],
          resources: [vpcArn],
        },
        {
          sid: "CreateOnlyNetworkAclsTaggedAsFis",
          actions: ["ec2:CreateNetworkAcl"],
          resources: [arn("ec2", "network-acl/*")],
          conditions: [{ test: "StringEquals", variable: "aws:RequestTag/managedByFIS", values: ["true"] }],
        },
        {
          sid: "TagTheNetworkAclAsItIsCreated",
          actions: ["ec2:CreateTags"],
          resources: [arn("ec2", "network-acl/*")],
          conditions: [
            { test: "StringEquals", variable: "ec2:CreateAction", values: ["CreateNetworkAcl"] },
            { test: "StringEquals", variable: "aws:RequestTag/managedByFIS", values: ["true"] },
          ],
        },
        {
          sid: "FillAndDeleteOnlyFisNetworkAcls",
          actions: ["ec2:CreateNetworkAclEntry", "ec2:DeleteNetworkAcl"],
          resources: [arn("ec2", "network-acl/*")],
          conditions: [{ test: "StringEquals", variable: "ec2:ResourceTag/managedByFIS", values: ["true"] }],
        },
        {
          // The swap names the subnet and the network ACL it gets: FIS's, then the subnet's own again.
          sid: "SwapTheNetworkAclOfTheEnvironmentsSubnets",
          actions: ["ec2:ReplaceNetworkAclAssociation"],
          resources: [arn("ec2", "subnet/*")],
          conditions: [ofThisEnvironment],
        },
        {
          sid: "SwapInNetworkAclsOfTheVpc",
          actions: ["ec2:ReplaceNetworkAclAssociation"],
          resources: [arn("ec2", "network-acl/*")],
          conditions: [{ test: "ArnEquals", variable: "ec2:Vpc", values: [vpcArn] }],
        },
        {
          sid: "RebootTheDatabaseWithFailover",
          actions: ["rds:RebootDBInstance", "rds:DescribeDBInstances"],
          resources: [props.database.arn],
        },
        {
          // InjectApiError has no resource type: the action and the target group are the conditions.
          sid: "FailTheGroupsLaunchesInTheZone",
          actions: ["ec2:InjectApiError"],
          resources: ["*"],
          conditions: [
            { test: "StringEquals", variable: "ec2:FisActionId", values: ["aws:ec2:asg-insufficient-instance-capacity-error"] },
            { test: "ForAllValues:ArnEquals", variable: "ec2:FisTargetArns", values: [props.autoScalingGroup.arn] },
          ],
        },
      ]),
    });

    const logGroup = new CloudwatchLogGroup(this, "log-group", {
      name: names.logGroup,
      retentionInDays: logRetentionDays,
      ...encryptedWith(props.logEncryption),
    });
    // FIS delivers its log as the log delivery service; without this policy it would add an account-wide one itself.
    const deliveryPolicy = new CloudwatchLogResourcePolicy(this, "log-delivery-policy", {
      policyName: `${names.logGroup}-delivery`,
      policyDocument: policyDocument([
        {
          sid: "FisLogDeliveryOfThisAccount",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
          principals: [{ type: "Service", identifiers: ["delivery.logs.amazonaws.com"] }],
          resources: [`${logGroup.arn}:*`],
          conditions: fromSource(props.accountId, arn("logs", "*")),
        },
      ]),
    });

    const duration = `PT${durationMinutes}M`;
    const groupServers = (zone: string | undefined, selectionMode: string): FisExperimentTemplateTarget => ({
      name: "AppServers",
      resourceType: "aws:ec2:instance",
      resourceTag: [{ key: "aws:autoscaling:groupName", value: props.autoScalingGroup.name }],
      filter: [...(zone ? [{ path: "Placement.AvailabilityZone", values: [zone] }] : []), { path: "State.Name", values: ["running"] }],
      selectionMode,
    });
    const database = (zone: string | undefined): FisExperimentTemplateTarget => ({
      name: "Database",
      resourceType: "aws:rds:db",
      resourceArns: [props.database.arn],
      filter: zone ? [{ path: "AvailabilityZone", values: [zone] }] : undefined,
      selectionMode: "ALL",
    });
    const failOver: FisExperimentTemplateAction = {
      name: "fail-over-database",
      actionId: "aws:rds:reboot-db-instances",
      description: "Reboot the database with failover: the standby in another zone becomes the primary",
      parameter: [{ key: "forceFailover", value: "true" }],
      target: { key: "DBInstances", value: "Database" },
    };
    const template = (key: string, scenario: RehearsalScenario, description: string, parts: TemplateParts, zone?: string) =>
      new FisExperimentTemplate(this, key, {
        description,
        roleArn: role.arn,
        action: parts.actions,
        target: parts.targets,
        stopCondition: props.stopAlarms.map((alarm) => ({ source: "aws:cloudwatch:alarm", value: alarm.arn })),
        logConfiguration: { logSchemaVersion: 2, cloudwatchLogsConfiguration: { logGroupArn: `${logGroup.arn}:*` } },
        // A target with nothing in it (the database's primary in another zone) is skipped, not a failed experiment.
        experimentOptions: { accountTargeting: "single-account", emptyTargetResolutionMode: "skip" },
        tags: { Name: `${names.templatePrefix}${scenario}${zone ? ` ${zone}` : ""}`, [SCENARIO_TAG]: scenario, ...(zone ? { [ZONE_TAG]: zone } : {}) },
        // FIS refuses a role that may not act yet, and a log group its delivery cannot write to.
        dependsOn: [rolePolicy, deliveryPolicy],
      });

    const templateIds: Record<string, string> = {};
    props.availabilityZones.forEach((zone, index) => {
      const actions: FisExperimentTemplateAction[] = [
        {
          name: "stop-app-servers",
          actionId: "aws:ec2:stop-instances",
          description: `Stop the app servers in ${zone}, as a power loss would; start them again at the end`,
          parameter: [{ key: "startInstancesAfterDuration", value: duration }],
          target: { key: "Instances", value: "AppServers" },
        },
        {
          name: "cut-off-zone-subnets",
          actionId: "aws:network:disrupt-connectivity",
          description: `Cut the environment's subnets in ${zone} off from every network`,
          parameter: [
            { key: "duration", value: duration },
            { key: "scope", value: "all" },
          ],
          target: { key: "Subnets", value: "ZoneSubnets" },
        },
        {
          name: "fail-launches-in-zone",
          actionId: "aws:ec2:asg-insufficient-instance-capacity-error",
          description: `Fail the group's launches in ${zone} for lack of capacity, so replacements go to the other zones`,
          parameter: [
            { key: "availabilityZoneIdentifiers", value: zone },
            { key: "duration", value: duration },
            { key: "percentage", value: "100" },
          ],
          target: { key: "AutoScalingGroups", value: "AppGroup" },
        },
        ...(props.database.multiAz ? [failOver] : []),
      ];
      const targets: FisExperimentTemplateTarget[] = [
        groupServers(zone, "ALL"),
        {
          name: "ZoneSubnets",
          resourceType: "aws:ec2:subnet",
          resourceTag: [{ key: "Environment", value: props.environment }],
          filter: [
            { path: "AvailabilityZone", values: [zone] },
            { path: "VpcId", values: [props.vpcId] },
          ],
          selectionMode: "ALL",
        },
        { name: "AppGroup", resourceType: "aws:ec2:autoscaling-group", resourceArns: [props.autoScalingGroup.arn], selectionMode: "ALL" },
        ...(props.database.multiAz ? [database(zone)] : []),
      ];
      const experiment = template(
        `zone-${index + 1}`,
        "zone",
        `Power interruption in ${zone}: app servers, subnets, launches and database primary`,
        { actions, targets },
        zone,
      );
      templateIds[`zone:${zone}`] = experiment.id;
    });
    templateIds.instance = template("instance", "instance", "One app server terminated: the group replaces it", {
      actions: [
        {
          name: "terminate-app-server",
          actionId: "aws:ec2:terminate-instances",
          description: "Terminate one running app server of the group",
          target: { key: "Instances", value: "AppServers" },
        },
      ],
      targets: [groupServers(undefined, "COUNT(1)")],
    }).id;
    if (props.database.multiAz)
      templateIds.database = template("database", "database", "Database failover to the standby", { actions: [failOver], targets: [database(undefined)] }).id;

    this.templateIds = templateIds;
    this.roleArn = role.arn;
    this.logGroupName = logGroup.name;
  }
}

interface TemplateParts {
  readonly actions: FisExperimentTemplateAction[];
  readonly targets: FisExperimentTemplateTarget[];
}
