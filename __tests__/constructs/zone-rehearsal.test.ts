import { Testing } from "cdktf";
import { ZoneRehearsal, zoneRehearsalProblems, type ZoneRehearsalProps } from "../../src/constructs/resilience/zone-rehearsal";
import { expectRefused, resourcesOf } from "../support/stacks";

const GROUP_ARN = "arn:aws:autoscaling:us-west-2:123456789012:autoScalingGroup:uuid:autoScalingGroupName/Inventory-ASG";
const DB_ARN = "arn:aws:rds:us-west-2:123456789012:db:inventory-db";
const ALARMS = [
  { name: "Inventory-LB load balancer 5xx rate", arn: "arn:aws:cloudwatch:us-west-2:123456789012:alarm:elb-5xx" },
  { name: "Inventory-LB app 5xx rate", arn: "arn:aws:cloudwatch:us-west-2:123456789012:alarm:target-5xx" },
];

function props(overrides: Partial<ZoneRehearsalProps> = {}): ZoneRehearsalProps {
  return {
    environment: "default",
    region: "us-west-2",
    accountId: "123456789012",
    availabilityZones: ["us-west-2a", "us-west-2b"],
    vpcId: "vpc-0123456789abcdef0",
    autoScalingGroup: { name: "Inventory-ASG", arn: GROUP_ARN },
    database: { arn: DB_ARN, multiAz: true },
    stopAlarms: ALARMS,
    logEncryption: { kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/log-key" },
    ...overrides,
  };
}

function synth(overrides: Partial<ZoneRehearsalProps> = {}) {
  return JSON.parse(Testing.synthScope((scope) => new ZoneRehearsal(scope, "zone-rehearsal", props(overrides))));
}

const templatesBy = (document: any) =>
  Object.fromEntries(resourcesOf(document, "aws_fis_experiment_template").map(([, template]) => [template.tags.Name, template]));
const actionIds = (template: any) => template.action.map((action: any) => action.action_id);

describe("ZoneRehearsal", () => {
  const document = synth();
  const templates = templatesBy(document);
  const [, role] = resourcesOf(document, "aws_iam_role")[0];
  const [, rolePolicy] = resourcesOf(document, "aws_iam_role_policy")[0];
  const statements = JSON.parse(rolePolicy.policy).Statement;
  const statement = (sid: string) => statements.find((candidate: any) => candidate.Sid === sid);

  it("makes a power interruption per zone, and the instance and database rehearsals", () => {
    expect(Object.keys(templates).sort()).toEqual(["Inventory database", "Inventory instance", "Inventory zone us-west-2a", "Inventory zone us-west-2b"]);
    expect(templates["Inventory zone us-west-2b"].tags).toEqual({ Name: "Inventory zone us-west-2b", Rehearsal: "zone", AvailabilityZone: "us-west-2b" });
  });

  it("a zone's power interruption stops its servers, cuts off its subnets, fails launches there and fails the database over, for 10 minutes", () => {
    const zone = templates["Inventory zone us-west-2a"];
    expect(actionIds(zone)).toEqual([
      "aws:ec2:stop-instances",
      "aws:network:disrupt-connectivity",
      "aws:ec2:asg-insufficient-instance-capacity-error",
      "aws:rds:reboot-db-instances",
    ]);
    expect(zone.action[0].parameter).toEqual([{ key: "startInstancesAfterDuration", value: "PT10M" }]);
    expect(zone.action[1].parameter).toEqual([
      { key: "duration", value: "PT10M" },
      { key: "scope", value: "all" },
    ]);
    expect(zone.action[2].parameter).toContainEqual({ key: "availabilityZoneIdentifiers", value: "us-west-2a" });
    expect(zone.action[3].parameter).toEqual([{ key: "forceFailover", value: "true" }]);
    const target = (name: string) => zone.target.find((candidate: any) => candidate.name === name);
    expect(target("AppServers")).toMatchObject({
      resource_type: "aws:ec2:instance",
      resource_tag: [{ key: "aws:autoscaling:groupName", value: "Inventory-ASG" }],
      filter: [
        { path: "Placement.AvailabilityZone", values: ["us-west-2a"] },
        { path: "State.Name", values: ["running"] },
      ],
    });
    expect(target("ZoneSubnets")).toMatchObject({
      resource_tag: [{ key: "Environment", value: "default" }],
      filter: [
        { path: "AvailabilityZone", values: ["us-west-2a"] },
        { path: "VpcId", values: ["vpc-0123456789abcdef0"] },
      ],
    });
    // The failover only when the primary is in the zone: otherwise the target is empty and skipped.
    expect(target("Database")).toMatchObject({ resource_arns: [DB_ARN], filter: [{ path: "AvailabilityZone", values: ["us-west-2a"] }] });
    expect(zone.experiment_options).toEqual({ account_targeting: "single-account", empty_target_resolution_mode: "skip" });
  });

  it("stops every experiment on the alarms it is given and logs it to the encrypted log group", () => {
    expect(Object.values(templates)).toHaveLength(4);
    for (const template of Object.values<any>(templates)) {
      expect(template.stop_condition).toEqual(ALARMS.map((alarm) => ({ source: "aws:cloudwatch:alarm", value: alarm.arn })));
      expect(template.log_configuration).toEqual({
        log_schema_version: 2,
        cloudwatch_logs_configuration: { log_group_arn: expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.[^}]+\.arn\}:\*$/) },
      });
    }
    const [[, logGroup]] = resourcesOf(document, "aws_cloudwatch_log_group");
    expect(logGroup).toMatchObject({
      name: "/inventory-ha/fis-experiments",
      retention_in_days: 365,
      kms_key_id: "arn:aws:kms:us-west-2:123456789012:key/log-key",
    });
  });

  it("the instance rehearsal terminates one running server of the group", () => {
    expect(templates["Inventory instance"].action).toEqual([expect.objectContaining({ action_id: "aws:ec2:terminate-instances" })]);
    expect(templates["Inventory instance"].target[0]).toMatchObject({ selection_mode: "COUNT(1)", filter: [{ path: "State.Name", values: ["running"] }] });
  });

  it("FIS takes the role for this account's experiments only", () => {
    const trust = JSON.parse(role.assume_role_policy).Statement[0];
    expect(trust.Principal).toEqual({ Service: "fis.amazonaws.com" });
    expect(trust.Condition).toEqual({
      StringEquals: { "aws:SourceAccount": "123456789012" },
      ArnLike: { "aws:SourceArn": "arn:aws:fis:us-west-2:123456789012:experiment/*" },
    });
  });

  it("the role acts on this environment's servers, subnets, VPC, database and group only", () => {
    expect(statement("StopStartAndTerminateTheGroupsServers").Condition).toEqual({
      StringEquals: { "aws:ResourceTag/Environment": "default", "aws:ResourceTag/aws:autoscaling:groupName": "Inventory-ASG" },
    });
    expect(statement("SwapTheNetworkAclOfTheEnvironmentsSubnets").Condition).toEqual({ StringEquals: { "aws:ResourceTag/Environment": "default" } });
    expect(statement("CreateTheBlockingNetworkAclInTheVpc").Resource).toBe("arn:aws:ec2:us-west-2:123456789012:vpc/vpc-0123456789abcdef0");
    expect(statement("RebootTheDatabaseWithFailover").Resource).toBe(DB_ARN);
    expect(statement("FailTheGroupsLaunchesInTheZone").Condition).toEqual({
      StringEquals: { "ec2:FisActionId": "aws:ec2:asg-insufficient-instance-capacity-error" },
      "ForAllValues:ArnEquals": { "ec2:FisTargetArns": GROUP_ARN },
    });
    // `*` only for the reads FIS resolves its targets with, and the error injection its conditions scope.
    const everywhere = statements.filter((candidate: any) => candidate.Resource === "*").map((candidate: any) => candidate.Sid);
    expect(everywhere).toEqual(["FindTheTargets", "FailTheGroupsLaunchesInTheZone"]);
  });

  it("without a standby, no failover: the zone templates skip the database and there is no database rehearsal", () => {
    const single = templatesBy(synth({ database: { arn: DB_ARN, multiAz: false } }));
    expect(Object.keys(single).sort()).toEqual(["Inventory instance", "Inventory zone us-west-2a", "Inventory zone us-west-2b"]);
    expect(actionIds(single["Inventory zone us-west-2a"])).not.toContain("aws:rds:reboot-db-instances");
  });

  it("lasts as long as it is told", () => {
    expect(templatesBy(synth({ durationMinutes: 30 }))["Inventory zone us-west-2a"].action[0].parameter).toEqual([
      { key: "startInstancesAfterDuration", value: "PT30M" },
    ]);
  });

  describe("each resource whole", () => {
    const logGroupArn = "${aws_cloudwatch_log_group.zone-rehearsal_log-group_2CDC1DCC.arn}";
    const common = {
      role_arn: "${aws_iam_role.zone-rehearsal_role_183C6D41.arn}",
      stop_condition: ALARMS.map((alarm) => ({ source: "aws:cloudwatch:alarm", value: alarm.arn })),
      log_configuration: { log_schema_version: 2, cloudwatch_logs_configuration: { log_group_arn: `${logGroupArn}:*` } },
      experiment_options: { account_targeting: "single-account", empty_target_resolution_mode: "skip" },
      depends_on: ["aws_iam_role_policy.zone-rehearsal_role-policy_5D461C80", "aws_cloudwatch_log_resource_policy.zone-rehearsal_log-delivery-policy_853D5BD6"],
    };
    const failOver = {
      name: "fail-over-database",
      action_id: "aws:rds:reboot-db-instances",
      description: "Reboot the database with failover: the standby in another zone becomes the primary",
      parameter: [{ key: "forceFailover", value: "true" }],
      target: { key: "DBInstances", value: "Database" },
    };

    it("a zone's power interruption: its four actions and four targets, all for the zone", () => {
      expect(templates["Inventory zone us-west-2b"]).toEqual({
        ...common,
        description: "Power interruption in us-west-2b: app servers, subnets, launches and database primary",
        action: [
          {
            name: "stop-app-servers",
            action_id: "aws:ec2:stop-instances",
            description: "Stop the app servers in us-west-2b, as a power loss would; start them again at the end",
            parameter: [{ key: "startInstancesAfterDuration", value: "PT10M" }],
            target: { key: "Instances", value: "AppServers" },
          },
          {
            name: "cut-off-zone-subnets",
            action_id: "aws:network:disrupt-connectivity",
            description: "Cut the environment's subnets in us-west-2b off from every network",
            parameter: [
              { key: "duration", value: "PT10M" },
              { key: "scope", value: "all" },
            ],
            target: { key: "Subnets", value: "ZoneSubnets" },
          },
          {
            name: "fail-launches-in-zone",
            action_id: "aws:ec2:asg-insufficient-instance-capacity-error",
            description: "Fail the group's launches in us-west-2b for lack of capacity, so replacements go to the other zones",
            parameter: [
              { key: "availabilityZoneIdentifiers", value: "us-west-2b" },
              { key: "duration", value: "PT10M" },
              { key: "percentage", value: "100" },
            ],
            target: { key: "AutoScalingGroups", value: "AppGroup" },
          },
          failOver,
        ],
        target: [
          {
            name: "AppServers",
            resource_type: "aws:ec2:instance",
            resource_tag: [{ key: "aws:autoscaling:groupName", value: "Inventory-ASG" }],
            filter: [
              { path: "Placement.AvailabilityZone", values: ["us-west-2b"] },
              { path: "State.Name", values: ["running"] },
            ],
            selection_mode: "ALL",
          },
          {
            name: "ZoneSubnets",
            resource_type: "aws:ec2:subnet",
            resource_tag: [{ key: "Environment", value: "default" }],
            filter: [
              { path: "AvailabilityZone", values: ["us-west-2b"] },
              { path: "VpcId", values: ["vpc-0123456789abcdef0"] },
            ],
            selection_mode: "ALL",
          },
          { name: "AppGroup", resource_type: "aws:ec2:autoscaling-group", resource_arns: [GROUP_ARN], selection_mode: "ALL" },
          {
            name: "Database",
            resource_type: "aws:rds:db",
            resource_arns: [DB_ARN],
            filter: [{ path: "AvailabilityZone", values: ["us-west-2b"] }],
            selection_mode: "ALL",
          },
        ],
        tags: { Name: "Inventory zone us-west-2b", Rehearsal: "zone", AvailabilityZone: "us-west-2b" },
      });
    });

    it("the instance and database rehearsals: one running server of the group, the database wherever its primary is", () => {
      expect(templates["Inventory instance"]).toEqual({
        ...common,
        description: "One app server terminated: the group replaces it",
        action: [
          {
            name: "terminate-app-server",
            action_id: "aws:ec2:terminate-instances",
            description: "Terminate one running app server of the group",
            target: { key: "Instances", value: "AppServers" },
          },
        ],
        target: [
          {
            name: "AppServers",
            resource_type: "aws:ec2:instance",
            resource_tag: [{ key: "aws:autoscaling:groupName", value: "Inventory-ASG" }],
            filter: [{ path: "State.Name", values: ["running"] }],
            selection_mode: "COUNT(1)",
          },
        ],
        tags: { Name: "Inventory instance", Rehearsal: "instance" },
      });
      expect(templates["Inventory database"]).toEqual({
        ...common,
        description: "Database failover to the standby",
        action: [failOver],
        target: [{ name: "Database", resource_type: "aws:rds:db", resource_arns: [DB_ARN], selection_mode: "ALL" }],
        tags: { Name: "Inventory database", Rehearsal: "database" },
      });
    });

    it("the role, its policy statement by statement, the log group and its delivery policy", () => {
      expect(role.name).toBe("Inventory-FIS-Rehearsal");
      expect(role.description).toBe("AWS FIS: rehearse losing a zone, an app server or the database primary of this environment");
      expect(rolePolicy.name).toBe("rehearse-losing-a-zone");
      const ec2 = "arn:aws:ec2:us-west-2:123456789012";
      const fisTagged = { "aws:RequestTag/managedByFIS": "true" };
      expect(statements).toEqual([
        {
          Sid: "StopStartAndTerminateTheGroupsServers",
          Effect: "Allow",
          Action: ["ec2:StopInstances", "ec2:StartInstances", "ec2:TerminateInstances"],
          Resource: `${ec2}:instance/*`,
          Condition: { StringEquals: { "aws:ResourceTag/Environment": "default", "aws:ResourceTag/aws:autoscaling:groupName": "Inventory-ASG" } },
        },
        {
          Sid: "FindTheTargets",
          Effect: "Allow",
          Action: [
            "ec2:DescribeInstances",
            "ec2:DescribeSubnets",
            "ec2:DescribeNetworkAcls",
            "ec2:DescribeVpcs",
            "autoscaling:DescribeAutoScalingGroups",
            "tag:GetResources",
          ],
          Resource: "*",
        },
        { Sid: "CreateTheBlockingNetworkAclInTheVpc", Effect: "Allow", Action: "ec2:CreateNetworkAcl", Resource: `${ec2}:vpc/vpc-0123456789abcdef0` },
        {
          Sid: "CreateOnlyNetworkAclsTaggedAsFis",
          Effect: "Allow",
          Action: "ec2:CreateNetworkAcl",
          Resource: `${ec2}:network-acl/*`,
          Condition: { StringEquals: fisTagged },
        },
        {
          Sid: "TagTheNetworkAclAsItIsCreated",
          Effect: "Allow",
          Action: "ec2:CreateTags",
          Resource: `${ec2}:network-acl/*`,
          Condition: { StringEquals: { "ec2:CreateAction": "CreateNetworkAcl", ...fisTagged } },
        },
        {
          Sid: "FillAndDeleteOnlyFisNetworkAcls",
          Effect: "Allow",
          Action: ["ec2:CreateNetworkAclEntry", "ec2:DeleteNetworkAcl"],
          Resource: `${ec2}:network-acl/*`,
          Condition: { StringEquals: { "ec2:ResourceTag/managedByFIS": "true" } },
        },
        {
          Sid: "SwapTheNetworkAclOfTheEnvironmentsSubnets",
          Effect: "Allow",
          Action: "ec2:ReplaceNetworkAclAssociation",
          Resource: `${ec2}:subnet/*`,
          Condition: { StringEquals: { "aws:ResourceTag/Environment": "default" } },
        },
        {
          Sid: "SwapInNetworkAclsOfTheVpc",
          Effect: "Allow",
          Action: "ec2:ReplaceNetworkAclAssociation",
          Resource: `${ec2}:network-acl/*`,
          Condition: { ArnEquals: { "ec2:Vpc": `${ec2}:vpc/vpc-0123456789abcdef0` } },
        },
        { Sid: "RebootTheDatabaseWithFailover", Effect: "Allow", Action: ["rds:RebootDBInstance", "rds:DescribeDBInstances"], Resource: DB_ARN },
        {
          Sid: "FailTheGroupsLaunchesInTheZone",
          Effect: "Allow",
          Action: "ec2:InjectApiError",
          Resource: "*",
          Condition: {
            StringEquals: { "ec2:FisActionId": "aws:ec2:asg-insufficient-instance-capacity-error" },
            "ForAllValues:ArnEquals": { "ec2:FisTargetArns": GROUP_ARN },
          },
        },
      ]);
      const [[, delivery]] = resourcesOf(document, "aws_cloudwatch_log_resource_policy");
      expect(delivery.policy_name).toBe("/inventory-ha/fis-experiments-delivery");
      expect(JSON.parse(delivery.policy_document).Statement).toEqual([
        {
          Sid: "FisLogDeliveryOfThisAccount",
          Effect: "Allow",
          Principal: { Service: "delivery.logs.amazonaws.com" },
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `${logGroupArn}:*`,
          Condition: { StringEquals: { "aws:SourceAccount": "123456789012" }, ArnLike: { "aws:SourceArn": "arn:aws:logs:us-west-2:123456789012:*" } },
        },
      ]);
    });

    it("numbers the zone templates from 1, and names its resources as told", () => {
      expect(resourcesOf(document, "aws_fis_experiment_template").map(([address]) => address.replace(/_[0-9A-F]{8}$/, ""))).toEqual([
        "zone-rehearsal_database",
        "zone-rehearsal_instance",
        "zone-rehearsal_zone-1",
        "zone-rehearsal_zone-2",
      ]);
      const named = synth({ names: { role: "Other-FIS", logGroup: "/other/fis", templatePrefix: "Other " } });
      expect(Object.keys(templatesBy(named)).sort()).toEqual(["Other database", "Other instance", "Other zone us-west-2a", "Other zone us-west-2b"]);
      expect(resourcesOf(named, "aws_iam_role").map(([, namedRole]) => namedRole.name)).toEqual(["Other-FIS"]);
      expect(resourcesOf(named, "aws_cloudwatch_log_group").map(([, group]) => group.name)).toEqual(["/other/fis"]);
    });
  });

  it("zoneRehearsalProblems takes 1 to 5 alarms, and finds every problem at once", () => {
    const ok = { stopAlarms: [1], durationMinutes: 1, logRetentionDays: 365, availabilityZones: ["us-west-2a"] };
    expect([zoneRehearsalProblems(ok), zoneRehearsalProblems({ ...ok, stopAlarms: [1, 2, 3, 4, 5], durationMinutes: 720 })]).toEqual([[], []]);
    expect(zoneRehearsalProblems({ stopAlarms: [], durationMinutes: 0, logRetentionDays: 2, availabilityZones: [] }).map((problem) => problem.prop)).toEqual([
      "stopAlarms",
      "durationMinutes",
      "logRetentionDays",
      "availabilityZones",
    ]);
  });

  describe("refuses what AWS would, naming the prop", () => {
    it.each<[string, Partial<ZoneRehearsalProps>, string]>([
      ["no stop alarm", { stopAlarms: [] }, "stopAlarms: 0 alarms; an experiment template takes 1 to 5 stop conditions"],
      ["six stop alarms", { stopAlarms: Array(6).fill(ALARMS[0]) }, "stopAlarms: 6 alarms; an experiment template takes 1 to 5 stop conditions"],
      ["a duration over 12 hours", { durationMinutes: 721 }, "durationMinutes: 721 is not a whole number from 1 to 720"],
      ["a retention CloudWatch refuses", { logRetentionDays: 10 }, "logRetentionDays: 10 is not one of"],
      ["no zone", { availabilityZones: [] }, "availabilityZones: needs at least one zone to rehearse losing"],
      ["a role name IAM refuses", { names: { role: "FIS role" } }, 'names.role: the IAM role name "FIS role" must use letters, digits and +=,.@_-'],
      [
        "a log group name CloudWatch refuses",
        { names: { logGroup: "fis experiments" } },
        'names.logGroup: the log group name "fis experiments" must use letters, digits and _-/.#',
      ],
    ])("%s", (_, overrides, message) => {
      expectRefused(() => synth(overrides), "ZoneRehearsal stack/zone-rehearsal", message);
    });
  });
});
