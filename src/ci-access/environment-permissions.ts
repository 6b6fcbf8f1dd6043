import { ENHANCED_MONITORING_LOG_GROUP } from "../constructs/data/database";
import { type PolicyCondition, type PolicyStatementProps } from "../aws/iam-policy";
import { SESSION_MANAGER_ACTIONS } from "../constructs/compute/session-manager-policy";

/**
 * What a CI role may do to one environment: read it (a plan) or manage it (a
 * deploy), and nothing of another environment where AWS lets IAM tell them
 * apart. Resources are named by ARN where the stack names them (roles, the
 * log group, the load balancer, the target group, the Auto Scaling group, the
 * database and its groups, the log and app artifact buckets' name prefixes, the state object,
 * the alarm topic, the alarms, the dashboard); EC2 resources, whose ids come
 * from AWS, by the `Environment` tag the stack puts on every resource it
 * creates: created only with it, changed only while they carry it. Every CI
 * role carries the fence (Denies no Allow can open), and every role the
 * environment's stack creates the environment's permissions boundary. What
 * IAM cannot scope is in UNSCOPED_ACTIONS, with the reason, and
 * docs/ci-access.md lists it.
 */

/** The environment a role is for: every name and tag its stack gives its resources. */
export interface EnvironmentScope {
  readonly partition: string;
  readonly accountId: string;
  readonly region: string;
  /** The `Environment` tag value on every resource of the environment. */
  readonly environmentTag: string;
  /** The `Project` tag value on every resource. */
  readonly projectTag: string;
  /** IAM roles the stack creates, each with the service it is passed to. */
  readonly roles: readonly { readonly name: string; readonly passedTo: string }[];
  /** What the environment's workload roles do, which their permissions boundary allows and nothing more. */
  readonly workloads: WorkloadScope;
  /** This environment's CI roles: no CI role may change them or their policies. */
  readonly ciRoles: readonly string[];
  readonly instanceProfile: string;
  /** CloudWatch Logs groups the stack creates. */
  readonly logGroups: readonly string[];
  readonly loadBalancer: string;
  readonly targetGroup: string;
  readonly autoScalingGroup: string;
  readonly databaseIdentifier: string;
  readonly databaseSubnetGroup: string;
  readonly databaseParameterGroup: string;
  /** Lambda functions the stack creates (the database app user's rotation, the app's release). @default none */
  readonly functions?: readonly string[];
  /** Those of them Terraform itself invokes (the app's release, at each new launch template version). @default none */
  readonly invokedFunctions?: readonly string[];
  /** Secrets Manager secrets the stack creates by name (the app user's); Secrets Manager appends six characters to each. @default none */
  readonly secrets?: readonly string[];
  /** The load balancer's WAF web ACL, and the resource policy that lets log delivery write its log group. @default none: no WAF */
  readonly webAcl?: { readonly name: string; readonly logDeliveryPolicy: string };
  /** The access log bucket: its exact name, or the prefix Terraform generates it from. @default none: no log bucket */
  readonly logBucket?: { readonly name: string } | { readonly prefix: string };
  /** Whether a destroy empties the log bucket first (force_destroy). @default false */
  readonly logBucketForceDestroy?: boolean;
  /** The prefix Terraform generates the app artifact bucket's name from: the stack uploads the app there, and a destroy empties it. */
  readonly appArtifactBucketPrefix: string;
  /** The app's own name (`loadBalancer.domain`): its Route 53 zone, and whether the stack requests the certificate. @default none: no domain */
  readonly domain?: { readonly hostedZoneId: string };
  /** The S3 state of the environment, when a CI runner plans against it (not Terraform Cloud). @default none */
  readonly state?: { readonly bucket: string; readonly key: string; readonly lockTable?: string; readonly region: string };
  /** What the environment's monitoring creates. */
  readonly monitoring: MonitoringScope;
}

/**
 * The environment's workload roles, as their permissions boundary names them:
 * the app servers' role, the two functions (each role is named after its
 * function), the app user's secret, the flow log group, and the image
 * parameter the release function resolves.
 */
export interface WorkloadScope {
  /** Name of the customer managed policy every role of the environment carries as its permissions boundary. */
  readonly boundaryPolicy: string;
  readonly appServerRole: string;
  readonly rotationFunction: string;
  readonly releaseFunction: string;
  /** The app user's secret (Secrets Manager appends six characters to its ARN). */
  readonly appSecret: string;
  readonly flowLogGroup: string;
  /** ARN of the SSM parameter the app's image resolves from (`resolve:ssm:`). @default none: an AMI id */
  readonly imageParameterArn?: string;
}

/** The alarm topic, the alarms and the dashboard (the topic's key is the CI access stack's: no CI role manages a key). */
export interface MonitoringScope {
  readonly topic: string;
  /** The names the alarms begin with: each watched resource's (`Inventory-LB`, `NAT Gateway 1`), then a space. */
  readonly alarmSubjects: readonly string[];
  readonly dashboard: string;
}

/** A named group of statements: one customer managed policy each, so no policy nears IAM's 6,144-character limit. */
export interface PermissionSet {
  readonly name: string;
  readonly statements: PolicyStatementProps[];
}

/**
 * What a destroy of a subnet or a security group deletes: the network
 * interfaces a function in the VPC and the database leave behind.
 */
const LINGERING_INTERFACE_ACTIONS = ["ec2:DeleteNetworkInterface"];

/** What WAF's logging to CloudWatch Logs needs: none of these calls has a resource type. */
const LOG_DELIVERY_ACTIONS = ["logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:PutResourcePolicy", "logs:DeleteResourcePolicy"];

/** What adopting a VPC's default security group takes: its rules revoked, nothing added. */
const DEFAULT_SECURITY_GROUP_REVOKES = ["ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"];

/**
 * Actions whose only resource is `*`, each group with the reason IAM gives no narrower scope.
 * Reads go to every role; a group for deploy roles only is granted with conditions of its own.
 */
export const UNSCOPED_ACTIONS: readonly { readonly actions: readonly string[]; readonly reason: string; readonly deployOnly?: boolean }[] = [
  {
    actions: ["ec2:Describe*", "elasticloadbalancing:Describe*", "autoscaling:Describe*"],
    reason:
      "EC2, Elastic Load Balancing and Auto Scaling Describe calls support no resource-level permissions " +
      "(the Service Authorization Reference lists no resource type for them); they return metadata, never data.",
  },
  {
    actions: ["logs:DescribeLogGroups"],
    reason: "DescribeLogGroups lists the account's log groups; IAM scopes it to a region and account at most.",
  },
  {
    actions: ["logs:DescribeResourcePolicies", "wafv2:GetWebACLForResource"],
    reason: "CloudWatch Logs' resource policies and WAF's look-up of the web ACL a resource has have no resource type.",
  },
  {
    actions: LOG_DELIVERY_ACTIONS,
    reason:
      "WAF's logging to CloudWatch Logs is a log delivery, and the stack writes the resource policy that lets it into the WAF's log group; " +
      "neither call has a resource type. Deploy role only.",
    deployOnly: true,
  },
  {
    actions: DEFAULT_SECURITY_GROUP_REVOKES,
    reason:
      "AWS creates a VPC's default security group with the VPC, untagged, and takes no tag for it at creation; IAM has no " +
      "condition naming a group's VPC by its tag. Granted on untagged groups and rules only, to remove rules: a deploy role " +
      "can neither tag such a group nor add a rule to it. Deploy role only.",
    deployOnly: true,
  },
  {
    actions: LINGERING_INTERFACE_ACTIONS,
    reason:
      "Lambda and RDS create a function's and a database's network interfaces themselves, untagged, with ids AWS makes up, and may " +
      "leave them detached in the environment's subnets and groups after the function or database is gone; the provider deletes " +
      "them when it destroys a subnet or a group. IAM names such an interface only by its id or by the ARN of its subnet or VPC " +
      "(ec2:Subnet, ec2:Vpc), which AWS assigns after the CI access stack is applied. Granted on the account's and region's " +
      "interfaces that carry no Environment tag; EC2 refuses to delete an attached one, and no CI role may detach one. Deploy role only.",
    deployOnly: true,
  },
];

/** The statements of a role that plans the environment: read everything the stack manages, and its state (never its lock: plans run with -lock=false). */
export function planPermissions(scope: EnvironmentScope): PermissionSet[] {
  return [
    { name: "read", statements: [...unscopedReads(), ...scopedReads(scope)] },
    ...(scope.state ? [{ name: "state", statements: stateAccess(scope, "read") }] : []),
    { name: "fence", statements: fence(scope) },
  ];
}

/** The statements of a role that deploys the environment: create, change and destroy what the stack manages. */
export function deployPermissions(scope: EnvironmentScope): PermissionSet[] {
  return [
    { name: "read", statements: [...unscopedReads(), ...scopedReads(scope)] },
    { name: "network", statements: [...ec2Management(scope), ...lingeringInterfaceCleanup(scope)] },
    {
      name: "compute",
      statements: [...loadBalancerManagement(scope), ...autoScalingManagement(scope), ...iamManagement(scope), ...domainManagement(scope)],
    },
    { name: "data", statements: [...databaseManagement(scope), ...logManagement(scope), ...logBucketManagement(scope), ...appArtifactManagement(scope)] },
    { name: "monitoring", statements: monitoringManagement(scope) },
    { name: "protection", statements: [...functionManagement(scope), ...secretManagement(scope), ...webAclManagement(scope), ...unscopedWrites(scope)] },
    ...(scope.state ? [{ name: "state", statements: stateAccess(scope, "write") }] : []),
    { name: "fence", statements: fence(scope) },
  ];
}

/** The ARN of the permissions boundary every role of the environment carries. */
function boundaryPolicyArn(scope: EnvironmentScope): string {
  return iamArn(scope, `policy/${scope.workloads.boundaryPolicy}`);
}

/** IAM calls that write a role's permissions and that IAM checks against the boundary the role has or gets (iam:PermissionsBoundary). */
const BOUNDED_ROLE_WRITES = [
  "iam:CreateRole",
  "iam:PutRolePolicy",
  "iam:DeleteRolePolicy",
  "iam:AttachRolePolicy",
  "iam:DetachRolePolicy",
  "iam:PutRolePermissionsBoundary",
];

/**
 * The IAM calls that turn a principal into more than it is (Rhino Security Labs' escalation methods and pacu's
 * iam__privesc_scan): credentials or policies for users and groups, new policy versions, role hops. No CI role
 * needs any of them; denied outright, so no Allow added later can open them.
 */
export const ESCALATION_ACTIONS = [
  "iam:CreateUser",
  "iam:CreateAccessKey",
  "iam:CreateLoginProfile",
  "iam:UpdateLoginProfile",
  "iam:AttachUserPolicy",
  "iam:PutUserPolicy",
  "iam:AttachGroupPolicy",
  "iam:PutGroupPolicy",
  "iam:AddUserToGroup",
  "iam:CreatePolicy",
  "iam:CreatePolicyVersion",
  "iam:SetDefaultPolicyVersion",
  "iam:DeletePolicyVersion",
  "iam:UpdateAssumeRolePolicy",
  "iam:DeleteRolePermissionsBoundary",
  "iam:DeleteUserPermissionsBoundary",
  "iam:PutUserPermissionsBoundary",
  // A role in this account whose trust names a CI role by ARN needs no Allow in the CI role's own policy to be
  // assumed; only an explicit Deny here stops the hop.
  "sts:AssumeRole",
];

/**
 * The fence every CI role carries, as explicit Denies that win over any Allow:
 * a role's permissions change only under the environment's boundary (and a
 * role is created only with it); no boundary is removed; no trust policy is
 * changed after creation (IAM has no condition key for a trust policy's
 * content, so the trust is Terraform's at creation, and the boundary makes a
 * role worth nothing to anyone but its service); no escalation call; and
 * nothing of the CI roles, their policies or the boundary is changed.
 */
function fence(scope: EnvironmentScope): PolicyStatementProps[] {
  const boundary = boundaryPolicyArn(scope);
  const ciRoles = scope.ciRoles.map((name) => iamArn(scope, `role/${name}`));
  return [
    {
      sid: "DenyRoleWritesOutsideTheBoundary",
      effect: "Deny",
      actions: BOUNDED_ROLE_WRITES,
      resources: ["*"],
      conditions: [{ test: "StringNotEquals", variable: "iam:PermissionsBoundary", values: [boundary] }],
    },
    { sid: "DenyEscalation", effect: "Deny", actions: ESCALATION_ACTIONS, resources: ["*"] },
    {
      sid: "DenyChangesToTheFence",
      effect: "Deny",
      actions: ["iam:*"],
      resources: [boundary, ...ciRoles, ...scope.ciRoles.map((name) => iamArn(scope, `policy/${name}-*`))],
    },
  ];
}

/**
 * The permissions boundary of every role the environment's stack creates: the
 * most its workloads may do, each part held to the caller it is for. What
 * the app servers and the functions call from their code is allowed only
 * from the environment's instances (ec2:SourceInstanceARN) and from the
 * function itself (lambda:SourceFunctionArn), keys AWS sets only on the
 * credentials it delivers there; so a role given another trust is worth
 * nothing to whoever assumes it. What AWS does with a role itself (Lambda's
 * network interfaces and log, Auto Scaling's launch check, VPC Flow Logs and
 * Enhanced Monitoring writing their log groups) is held to the environment's
 * resources.
 */
export function workloadBoundary(scope: EnvironmentScope): PolicyStatementProps[] {
  const w = scope.workloads;
  const fn = (name: string) => arn(scope, "lambda", `function:${name}`);
  const secret = (name: string) => arn(scope, "secretsmanager", `secret:${name}-??????`);
  const ec2 = (type: string) => arn(scope, "ec2", `${type}/*`);
  const fromInstances = [{ test: "ArnLike", variable: "ec2:SourceInstanceARN", values: [ec2("instance")] }];
  const fromFunction = (name: string) => [{ test: "ArnEquals", variable: "lambda:SourceFunctionArn", values: [fn(name)] }];
  const appServerRole = iamArn(scope, `role/${w.appServerRole}`);
  const autoScalingGroup = arn(scope, "autoscaling", `autoScalingGroup:*:autoScalingGroupName/${scope.autoScalingGroup}`);
  return [
    {
      sid: "AppServersReadTheirSecretAndArchive",
      actions: ["secretsmanager:GetSecretValue", "s3:GetObject", "s3:GetObjectVersion"],
      resources: [secret(w.appSecret), s3Arn(scope, `${scope.appArtifactBucketPrefix}*/*`)],
      conditions: fromInstances,
    },
    {
      sid: "AppServersSessionManager",
      actions: [...SESSION_MANAGER_ACTIONS.registration, ...SESSION_MANAGER_ACTIONS.channels],
      resources: ["*"],
      conditions: fromInstances,
    },
    {
      sid: "RotationFunctionRotatesTheAppSecret",
      actions: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
      resources: [secret(w.appSecret)],
      conditions: fromFunction(w.rotationFunction),
    },
    {
      // RDS tags the master secret it keeps with its instance's ARN (aws: tags, which no caller can set).
      sid: "RotationFunctionReadsTheMasterSecret",
      actions: ["secretsmanager:GetSecretValue"],
      resources: [arn(scope, "secretsmanager", "secret:rds!db-*")],
      conditions: [...fromFunction(w.rotationFunction), ...masterSecretOfTheDatabase(scope)],
    },
    {
      sid: "RotationFunctionGeneratesPasswords",
      actions: ["secretsmanager:GetRandomPassword"],
      resources: ["*"],
      conditions: fromFunction(w.rotationFunction),
    },
    {
      sid: "ReleaseFunctionReads",
      actions: ["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeInstanceRefreshes", "ec2:DescribeLaunchTemplateVersions"],
      resources: ["*"],
      conditions: fromFunction(w.releaseFunction),
    },
    {
      sid: "ReleaseFunctionRollsTheGroup",
      actions: ["autoscaling:StartInstanceRefresh", "autoscaling:UpdateAutoScalingGroup"],
      resources: [autoScalingGroup],
      conditions: fromFunction(w.releaseFunction),
    },
    {
      sid: "ReleaseFunctionPinsTheImage",
      actions: ["ec2:CreateLaunchTemplateVersion"],
      resources: [ec2("launch-template")],
      conditions: [...fromFunction(w.releaseFunction), ...taggedForEnvironment(scope)],
    },
    ...(w.imageParameterArn
      ? [
          {
            sid: "ReleaseFunctionResolvesTheImage",
            actions: ["ssm:GetParameters"],
            resources: [w.imageParameterArn],
            conditions: fromFunction(w.releaseFunction),
          },
        ]
      : []),
    // Auto Scaling checks that whoever gives the group a template may launch from it and pass its role.
    { sid: "LaunchFromTheTemplate", actions: ["ec2:RunInstances"], resources: [ec2("launch-template")], conditions: taggedForEnvironment(scope) },
    // Lambda's network interfaces too: in the environment's own subnets and groups.
    ...launchThroughTheTemplate(scope, ["ec2:RunInstances", "ec2:CreateTags"], "TheTemplate", ["ec2:CreateNetworkInterface"]),
    {
      sid: "PassTheAppServersRole",
      actions: ["iam:PassRole"],
      resources: [appServerRole],
      conditions: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["ec2.amazonaws.com"] }],
    },
    {
      // Lambda makes a function's network interfaces with its role.
      sid: "FunctionNetworkInterfaces",
      actions: ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
      resources: [ec2("network-interface")],
    },
    { sid: "FunctionNetworkReads", actions: ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"], resources: ["*"] },
    {
      sid: "WriteTheEnvironmentsLogs",
      actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
      resources: [w.flowLogGroup, `/aws/lambda/${w.rotationFunction}`, `/aws/lambda/${w.releaseFunction}`].map((group) =>
        arn(scope, "logs", `log-group:${group}:*`),
      ),
    },
    {
      // Enhanced Monitoring's one group (AmazonRDSEnhancedMonitoringRole's RDS* narrowed to it).
      sid: "EnhancedMonitoringWritesItsGroup",
      actions: ["logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:GetLogEvents"],
      resources: [arn(scope, "logs", `log-group:${ENHANCED_MONITORING_LOG_GROUP}`), arn(scope, "logs", `log-group:${ENHANCED_MONITORING_LOG_GROUP}:*`)],
    },
  ];
}

/**
 * What a launch through the environment's templates touches besides the
 * template: the instance, its volumes and interfaces (only through a
 * template), the environment's own subnets and security groups (where
 * `alsoInOwnSubnets` is allowed too), and Amazon's or the account's own images.
 */
function launchThroughTheTemplate(scope: EnvironmentScope, actions: string[], sidSuffix: string, alsoInOwnSubnets: string[] = []): PolicyStatementProps[] {
  const ec2 = (type: string) => arn(scope, "ec2", `${type}/*`);
  const throughTemplate = { test: "ArnLike", variable: "ec2:LaunchTemplate", values: [ec2("launch-template")] };
  return [
    { sid: `LaunchOnlyThrough${sidSuffix}`, actions, resources: ["instance", "volume", "network-interface"].map(ec2), conditions: [throughTemplate] },
    {
      // The instance is held to the template above; its subnet and groups to the environment.
      sid: "LaunchIntoOwnSubnetsAndGroups",
      actions: ["ec2:RunInstances", ...alsoInOwnSubnets],
      resources: [ec2("subnet"), ec2("security-group")],
      conditions: taggedForEnvironment(scope),
    },
    {
      // Amazon's images (the default resolves Amazon Linux 2023) or the account's own.
      sid: "LaunchAmazonOrOwnImages",
      actions: ["ec2:RunInstances"],
      resources: [`arn:${scope.partition}:ec2:${scope.region}::image/*`],
      conditions: [throughTemplate, { test: "StringEquals", variable: "ec2:Owner", values: ["amazon", scope.accountId] }],
    },
  ];
}

/** The condition that names this environment's database's master secret: RDS tags it with the instance's ARN. */
function masterSecretOfTheDatabase(scope: EnvironmentScope): PolicyCondition[] {
  return [
    {
      test: "StringEquals",
      variable: "secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn",
      values: [arn(scope, "rds", `db:${scope.databaseIdentifier}`)],
    },
  ];
}

const arn = (scope: EnvironmentScope, service: string, resource: string, region = scope.region) =>
  `arn:${scope.partition}:${service}:${region}:${scope.accountId}:${resource}`;
const iamArn = (scope: EnvironmentScope, resource: string) => `arn:${scope.partition}:iam::${scope.accountId}:${resource}`;
const s3Arn = (scope: EnvironmentScope, resource: string) => `arn:${scope.partition}:s3:::${resource}`;
/** The condition of a create call: the new resource gets the environment's and the project's tags. */
const createdWithTags = (scope: EnvironmentScope) => [
  { test: "StringEquals", variable: "aws:RequestTag/Environment", values: [scope.environmentTag] },
  { test: "StringEquals", variable: "aws:RequestTag/Project", values: [scope.projectTag] },
];
/** The condition of a call on an existing resource: it carries the environment's tag. */
const taggedForEnvironment = (scope: EnvironmentScope) => [{ test: "StringEquals", variable: "aws:ResourceTag/Environment", values: [scope.environmentTag] }];

function unscopedReads(): PolicyStatementProps[] {
  return UNSCOPED_ACTIONS.filter((group) => !group.deployOnly).map((group, index) => ({
    sid: `ReadUnscoped${index + 1}`,
    actions: group.actions,
    resources: ["*"],
  }));
}

/** Writes without a resource type, for what the environment has that needs them (the WAF's log delivery). */
function unscopedWrites(scope: EnvironmentScope): PolicyStatementProps[] {
  if (!scope.webAcl) return [];
  // Only the log delivery: the other deploy-only actions (kms:CreateKey) are granted with conditions of their own.
  return [{ sid: "WriteLogDelivery", actions: LOG_DELIVERY_ACTIONS, resources: ["*"] }];
}

function logBucketArn(scope: EnvironmentScope): string | undefined {
  if (!scope.logBucket) return undefined;
  return s3Arn(scope, "name" in scope.logBucket ? scope.logBucket.name : `${scope.logBucket.prefix}*`);
}

function scopedReads(scope: EnvironmentScope): PolicyStatementProps[] {
  const statements: PolicyStatementProps[] = [
    {
      sid: "ReadRoles",
      actions: ["iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole"],
      resources: scope.roles.map((role) => iamArn(scope, `role/${role.name}`)),
    },
    { sid: "ReadInstanceProfile", actions: ["iam:GetInstanceProfile"], resources: [iamArn(scope, `instance-profile/${scope.instanceProfile}`)] },
    {
      sid: "ReadDatabase",
      actions: [
        "rds:DescribeDBInstances",
        "rds:DescribeDBSubnetGroups",
        "rds:DescribeDBParameterGroups",
        "rds:DescribeDBParameters",
        "rds:ListTagsForResource",
      ],
      resources: databaseArns(scope),
    },
    {
      sid: "ReadLogGroups",
      actions: ["logs:ListTagsForResource"],
      resources: scope.logGroups.flatMap((group) => logGroupArns(scope, group)),
    },
    { sid: "ListLogGroups", actions: ["logs:DescribeLogGroups"], resources: [arn(scope, "logs", "log-group:*")] },
    {
      sid: "ReadAlarmTopic",
      actions: ["sns:GetTopicAttributes", "sns:ListTagsForResource", "sns:GetSubscriptionAttributes"],
      resources: topicArns(scope),
    },
    { sid: "ReadAlarms", actions: ["cloudwatch:ListTagsForResource"], resources: alarmArns(scope) },
    // Whether CloudWatch checks a DescribeAlarms call that names its alarms against those names is not documented: region and account.
    { sid: "DescribeAlarms", actions: ["cloudwatch:DescribeAlarms"], resources: [arn(scope, "cloudwatch", "alarm:*")] },
    { sid: "ReadDashboard", actions: ["cloudwatch:GetDashboard"], resources: [dashboardArn(scope)] },
  ];
  if (scope.domain)
    statements.push({
      sid: "ReadDomainRecords",
      actions: ["route53:GetHostedZone", "route53:ListResourceRecordSets"],
      resources: [`arn:${scope.partition}:route53:::hostedzone/${scope.domain.hostedZoneId}`],
    });
  if (scope.functions?.length)
    statements.push({
      sid: "ReadFunctions",
      actions: [
        "lambda:GetFunction",
        "lambda:GetFunctionConfiguration",
        "lambda:GetFunctionCodeSigningConfig",
        "lambda:GetPolicy",
        "lambda:ListVersionsByFunction",
        "lambda:ListTags",
      ],
      resources: scope.functions.map((name) => arn(scope, "lambda", `function:${name}`)),
    });
  if (scope.secrets?.length)
    statements.push({
      sid: "ReadSecrets",
      actions: ["secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy"],
      resources: scope.secrets.map((name) => arn(scope, "secretsmanager", `secret:${name}-??????`)),
    });
  if (scope.webAcl)
    statements.push({
      sid: "ReadWebAcl",
      actions: ["wafv2:GetWebACL", "wafv2:GetLoggingConfiguration", "wafv2:ListTagsForResource"],
      resources: [arn(scope, "wafv2", `regional/webacl/${scope.webAcl.name}/*`)],
    });
  const bucket = logBucketArn(scope);
  if (bucket) statements.push(bucketReads("ReadLogBucket", bucket));
  const artifacts = appArtifactBucketArn(scope);
  statements.push(bucketReads("ReadAppArtifactBucket", artifacts), {
    sid: "ReadAppArtifacts",
    actions: ["s3:GetObject", "s3:GetObjectTagging"],
    resources: [`${artifacts}/*`],
  });
  return statements;
}

/** What Terraform reads of a bucket it manages: the bucket and each part of its configuration. */
function bucketReads(sid: string, bucket: string): PolicyStatementProps {
  return {
    sid,
    actions: [
      "s3:ListBucket",
      "s3:GetBucket*",
      "s3:GetAccelerateConfiguration",
      "s3:GetEncryptionConfiguration",
      "s3:GetLifecycleConfiguration",
      "s3:GetReplicationConfiguration",
    ],
    resources: [bucket],
  };
}

/** What Terraform does to a bucket it creates: the bucket and each part of its configuration, as the project sets them. */
function bucketManagement(sid: string, bucket: string): PolicyStatementProps {
  return {
    sid,
    actions: [
      "s3:CreateBucket",
      "s3:DeleteBucket",
      "s3:PutBucketPolicy",
      "s3:DeleteBucketPolicy",
      "s3:PutBucketVersioning",
      "s3:PutBucketPublicAccessBlock",
      "s3:PutBucketOwnershipControls",
      "s3:PutBucketTagging",
      "s3:PutEncryptionConfiguration",
      "s3:PutLifecycleConfiguration",
      "s3:ListBucketVersions",
    ],
    resources: [bucket],
  };
}

function appArtifactBucketArn(scope: EnvironmentScope): string {
  return s3Arn(scope, `${scope.appArtifactBucketPrefix}*`);
}

/** The topic, and its subscriptions (`<topic ARN>:<id>`). */
function topicArns(scope: EnvironmentScope): string[] {
  const topic = arn(scope, "sns", scope.monitoring.topic);
  return [topic, `${topic}:*`];
}

/** Every alarm named after a resource of the environment: `<its name> <what is watched>`. */
function alarmArns(scope: EnvironmentScope): string[] {
  return scope.monitoring.alarmSubjects.map((subject) => arn(scope, "cloudwatch", `alarm:${subject} *`));
}

/** Dashboards are global: no region in their ARN. */
function dashboardArn(scope: EnvironmentScope): string {
  return arn(scope, "cloudwatch", `dashboard/${scope.monitoring.dashboard}`, "");
}

function databaseArns(scope: EnvironmentScope): string[] {
  return [
    arn(scope, "rds", `db:${scope.databaseIdentifier}`),
    arn(scope, "rds", `subgrp:${scope.databaseSubnetGroup}`),
    arn(scope, "rds", `pg:${scope.databaseParameterGroup}`),
  ];
}

function logGroupArns(scope: EnvironmentScope, group: string): string[] {
  return [arn(scope, "logs", `log-group:${group}`), arn(scope, "logs", `log-group:${group}:*`)];
}

/** EC2 resources a create call makes, by the action and the ARN resource type it creates. */
const EC2_CREATIONS: readonly (readonly [action: string, createdType: string])[] = [
  ["ec2:CreateVpc", "vpc"],
  ["ec2:CreateSubnet", "subnet"],
  ["ec2:CreateInternetGateway", "internet-gateway"],
  ["ec2:AllocateAddress", "elastic-ip"],
  ["ec2:CreateNatGateway", "natgateway"],
  ["ec2:CreateRouteTable", "route-table"],
  ["ec2:CreateSecurityGroup", "security-group"],
  ["ec2:AuthorizeSecurityGroupIngress", "security-group-rule"],
  ["ec2:AuthorizeSecurityGroupEgress", "security-group-rule"],
  ["ec2:CreateFlowLogs", "vpc-flow-log"],
  ["ec2:CreateLaunchTemplate", "launch-template"],
];

/** Calls on EC2 resources that exist, allowed while the resource carries the environment's tag. */
const EC2_TAGGED_ACTIONS = [
  "ec2:ModifyVpcAttribute",
  "ec2:DeleteVpc",
  // network.ipv6 turned on or off for a VPC that exists: its Amazon-provided range, and the public subnets' /64s.
  "ec2:AssociateVpcCidrBlock",
  "ec2:DisassociateVpcCidrBlock",
  "ec2:CreateSubnet",
  "ec2:ModifySubnetAttribute",
  "ec2:AssociateSubnetCidrBlock",
  "ec2:DisassociateSubnetCidrBlock",
  "ec2:DeleteSubnet",
  "ec2:AttachInternetGateway",
  "ec2:DetachInternetGateway",
  "ec2:DeleteInternetGateway",
  "ec2:CreateNatGateway",
  "ec2:DeleteNatGateway",
  "ec2:DisassociateAddress",
  "ec2:ReleaseAddress",
  "ec2:CreateRouteTable",
  "ec2:CreateRoute",
  "ec2:ReplaceRoute",
  "ec2:DeleteRoute",
  "ec2:AssociateRouteTable",
  "ec2:ReplaceRouteTableAssociation",
  "ec2:DisassociateRouteTable",
  "ec2:DeleteRouteTable",
  "ec2:CreateSecurityGroup",
  "ec2:AuthorizeSecurityGroupIngress",
  "ec2:AuthorizeSecurityGroupEgress",
  "ec2:RevokeSecurityGroupIngress",
  "ec2:RevokeSecurityGroupEgress",
  "ec2:ModifySecurityGroupRules",
  "ec2:DeleteSecurityGroup",
  "ec2:CreateFlowLogs",
  "ec2:DeleteFlowLogs",
  "ec2:CreateLaunchTemplateVersion",
  "ec2:ModifyLaunchTemplate",
  "ec2:DeleteLaunchTemplate",
  "ec2:CreateTags",
  "ec2:DeleteTags",
];

function ec2Management(scope: EnvironmentScope): PolicyStatementProps[] {
  const ec2 = (type: string) => arn(scope, "ec2", `${type}/*`);
  const requestTags = createdWithTags(scope);
  // One statement per create call, naming only the type it creates: a statement granting CreateSubnet on
  // vpc/* under a request tag condition would let the role add subnets to any VPC.
  const creations: PolicyStatementProps[] = EC2_CREATIONS.map(([action, type]) => ({
    sid: `Create${pascalCase(type)}${action.includes("Egress") ? "Egress" : action.includes("Ingress") ? "Ingress" : ""}Tagged`,
    actions: [action],
    resources: [ec2(type)],
    conditions: requestTags,
  }));
  return [
    ...creations,
    {
      sid: "TagOnCreate",
      actions: ["ec2:CreateTags"],
      resources: [arn(scope, "ec2", "*/*")],
      conditions: [{ test: "StringEquals", variable: "ec2:CreateAction", values: [...new Set(EC2_CREATIONS.map(([action]) => action.slice(4)))] }],
    },
    {
      sid: "ManageTagged",
      actions: EC2_TAGGED_ACTIONS,
      resources: [arn(scope, "ec2", "*/*")],
      conditions: taggedForEnvironment(scope),
    },
    {
      // The VPC's default security group is created by AWS with the VPC; no tag can be given at its creation and
      // IAM has no condition naming a group's VPC by tag, so the stack adopts it untagged and only revokes its
      // rules: untagged groups (and their untagged rules) may lose rules, never gain one or a tag (UNSCOPED_ACTIONS).
      sid: "RevokeDefaultSecurityGroupRules",
      actions: DEFAULT_SECURITY_GROUP_REVOKES,
      resources: [ec2("security-group"), ec2("security-group-rule")],
      conditions: [{ test: "Null", variable: "aws:ResourceTag/Environment", values: ["true"] }],
    },
    {
      // An Auto Scaling group checks that its creator may launch from its template.
      sid: "LaunchFromOwnTemplate",
      actions: ["ec2:RunInstances"],
      resources: [ec2("launch-template")],
      conditions: taggedForEnvironment(scope),
    },
    ...launchThroughTheTemplate(scope, ["ec2:RunInstances"], "Template"),
  ];
}

/** The interfaces a function in the VPC and the database leave behind, deleted with the subnets and groups (UNSCOPED_ACTIONS says why so wide). */
function lingeringInterfaceCleanup(scope: EnvironmentScope): PolicyStatementProps[] {
  return [
    {
      sid: "DeleteLingeringInterfaces",
      actions: LINGERING_INTERFACE_ACTIONS,
      resources: [arn(scope, "ec2", "network-interface/*")],
      conditions: [{ test: "Null", variable: "aws:ResourceTag/Environment", values: ["true"] }],
    },
  ];
}

function loadBalancerManagement(scope: EnvironmentScope): PolicyStatementProps[] {
  const elb = (resource: string) => arn(scope, "elasticloadbalancing", resource);
  return [
    {
      sid: "ManageLoadBalancer",
      actions: [
        "elasticloadbalancing:CreateLoadBalancer",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:SetSecurityGroups",
        "elasticloadbalancing:SetSubnets",
        "elasticloadbalancing:SetIpAddressType",
        "elasticloadbalancing:CreateTargetGroup",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        "elasticloadbalancing:CreateListener",
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:ModifyListenerAttributes",
        "elasticloadbalancing:AddTags",
        "elasticloadbalancing:RemoveTags",
      ],
      resources: [
        elb(`loadbalancer/app/${scope.loadBalancer}/*`),
        elb(`targetgroup/${scope.targetGroup}/*`),
        elb(`listener/app/${scope.loadBalancer}/*`),
        elb(`listener-rule/app/${scope.loadBalancer}/*`),
      ],
    },
  ];
}

function autoScalingManagement(scope: EnvironmentScope): PolicyStatementProps[] {
  return [
    {
      sid: "ManageAutoScalingGroup",
      actions: [
        "autoscaling:CreateAutoScalingGroup",
        "autoscaling:UpdateAutoScalingGroup",
        "autoscaling:DeleteAutoScalingGroup",
        "autoscaling:CreateOrUpdateTags",
        "autoscaling:DeleteTags",
        "autoscaling:AttachLoadBalancerTargetGroups",
        "autoscaling:DetachLoadBalancerTargetGroups",
        "autoscaling:EnableMetricsCollection",
        "autoscaling:DisableMetricsCollection",
        // The opt-in target tracking policy; its alarms are created by Auto Scaling's service-linked role.
        "autoscaling:PutScalingPolicy",
        "autoscaling:DeletePolicy",
      ],
      resources: [arn(scope, "autoscaling", `autoScalingGroup:*:autoScalingGroupName/${scope.autoScalingGroup}`)],
    },
  ];
}

/** Services whose service-linked role the environment's resources need on first use in an account. */
const SERVICE_LINKED_ROLES = ["elasticloadbalancing.amazonaws.com", "autoscaling.amazonaws.com", "rds.amazonaws.com"];

function iamManagement(scope: EnvironmentScope): PolicyStatementProps[] {
  const roleArns = scope.roles.map((role) => iamArn(scope, `role/${role.name}`));
  return [
    { sid: "ManageRoles", actions: ["iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:TagRole", "iam:UntagRole"], resources: roleArns },
    {
      // Created, given policies and changed only with the environment's boundary (the fence denies anything else).
      // The stack attaches no AWS managed policy; a deploy may take off one an older version attached.
      sid: "ManageRolePermissionsWithinTheBoundary",
      actions: BOUNDED_ROLE_WRITES.filter((action) => action !== "iam:AttachRolePolicy"),
      resources: roleArns,
      conditions: [{ test: "StringEquals", variable: "iam:PermissionsBoundary", values: [boundaryPolicyArn(scope)] }],
    },
    ...scope.roles.map((role, index) => ({
      sid: `PassRole${index + 1}`,
      actions: ["iam:PassRole"],
      resources: [iamArn(scope, `role/${role.name}`)],
      conditions: [{ test: "StringEquals", variable: "iam:PassedToService", values: [role.passedTo] }],
    })),
    {
      sid: "ManageInstanceProfile",
      actions: [
        "iam:CreateInstanceProfile",
        "iam:DeleteInstanceProfile",
        "iam:AddRoleToInstanceProfile",
        "iam:RemoveRoleFromInstanceProfile",
        "iam:TagInstanceProfile",
        "iam:UntagInstanceProfile",
      ],
      resources: [iamArn(scope, `instance-profile/${scope.instanceProfile}`)],
    },
    {
      sid: "CreateServiceLinkedRoles",
      actions: ["iam:CreateServiceLinkedRole"],
      resources: [iamArn(scope, "role/aws-service-role/*")],
      conditions: [{ test: "StringEquals", variable: "iam:AWSServiceName", values: SERVICE_LINKED_ROLES }],
    },
  ];
}

function databaseManagement(scope: EnvironmentScope): PolicyStatementProps[] {
  return [
    {
      sid: "ManageDatabase",
      actions: [
        "rds:CreateDBInstance",
        "rds:ModifyDBInstance",
        "rds:DeleteDBInstance",
        "rds:CreateDBSubnetGroup",
        "rds:ModifyDBSubnetGroup",
        "rds:DeleteDBSubnetGroup",
        "rds:CreateDBParameterGroup",
        "rds:ModifyDBParameterGroup",
        "rds:ResetDBParameterGroup",
        "rds:DeleteDBParameterGroup",
        "rds:AddTagsToResource",
        "rds:RemoveTagsFromResource",
      ],
      resources: databaseArns(scope),
    },
    {
      // CreateDBInstance names the engine's default option group, and a delete writes the final snapshot.
      sid: "DatabaseDefaultsAndFinalSnapshot",
      actions: ["rds:CreateDBInstance", "rds:DeleteDBInstance", "rds:CreateDBSnapshot", "rds:AddTagsToResource"],
      resources: [arn(scope, "rds", "og:default:mysql-*"), arn(scope, "rds", `snapshot:${scope.databaseIdentifier}-final*`)],
    },
    {
      // RDS keeps the master password in a secret it creates and deletes with the caller's permissions. Its name
      // (rds!db-<uuid>) is RDS's; a new one is RDS's to name, an existing one is this database's by its aws: tag.
      sid: "DatabaseManagedSecretCreated",
      actions: ["secretsmanager:CreateSecret"],
      resources: [arn(scope, "secretsmanager", "secret:rds!db-*")],
    },
    {
      // Tagged as it is created, before RDS's own tag is on it; every secret RDS keeps carries that tag.
      sid: "DatabaseManagedSecretTaggedOnCreate",
      actions: ["secretsmanager:TagResource"],
      resources: [arn(scope, "secretsmanager", "secret:rds!db-*")],
      conditions: [{ test: "Null", variable: "secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn", values: ["true"] }],
    },
    {
      sid: "DatabaseManagedSecretOfThisDatabase",
      actions: ["secretsmanager:DescribeSecret", "secretsmanager:DeleteSecret", "secretsmanager:RotateSecret", "secretsmanager:TagResource"],
      resources: [arn(scope, "secretsmanager", "secret:rds!db-*")],
      conditions: masterSecretOfTheDatabase(scope),
    },
  ];
}

function logManagement(scope: EnvironmentScope): PolicyStatementProps[] {
  return [
    {
      sid: "ManageLogGroups",
      actions: [
        "logs:CreateLogGroup",
        "logs:DeleteLogGroup",
        "logs:PutRetentionPolicy",
        "logs:DeleteRetentionPolicy",
        "logs:TagResource",
        "logs:UntagResource",
        // The environment's log key (the CI access stack's) on a group created before it had one.
        "logs:AssociateKmsKey",
        "logs:DisassociateKmsKey",
      ],
      resources: scope.logGroups.flatMap((group) => logGroupArns(scope, group)),
    },
  ];
}

/** The stack's Lambda functions (the app user's rotation), by name. */
function functionManagement(scope: EnvironmentScope): PolicyStatementProps[] {
  if (!scope.functions?.length) return [];
  return [
    {
      sid: "ManageFunctions",
      actions: [
        "lambda:CreateFunction",
        "lambda:DeleteFunction",
        "lambda:GetFunction",
        "lambda:GetFunctionConfiguration",
        "lambda:GetFunctionCodeSigningConfig",
        "lambda:GetPolicy",
        "lambda:ListVersionsByFunction",
        "lambda:UpdateFunctionCode",
        "lambda:UpdateFunctionConfiguration",
        "lambda:AddPermission",
        "lambda:RemovePermission",
        "lambda:TagResource",
        "lambda:UntagResource",
        "lambda:ListTags",
      ],
      resources: scope.functions.map((name) => arn(scope, "lambda", `function:${name}`)),
    },
    ...(scope.invokedFunctions?.length
      ? [
          {
            // aws_lambda_invocation: a release of each new launch template version.
            sid: "InvokeReleaseFunctions",
            actions: ["lambda:InvokeFunction"],
            resources: scope.invokedFunctions.map((name) => arn(scope, "lambda", `function:${name}`)),
          },
        ]
      : []),
  ];
}

/** The stack's own secrets (the app user's), by name: Secrets Manager appends six characters to each ARN. */
function secretManagement(scope: EnvironmentScope): PolicyStatementProps[] {
  if (!scope.secrets?.length) return [];
  return [
    {
      sid: "ManageSecrets",
      actions: [
        "secretsmanager:CreateSecret",
        "secretsmanager:DeleteSecret",
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetResourcePolicy",
        "secretsmanager:UpdateSecret",
        "secretsmanager:TagResource",
        "secretsmanager:UntagResource",
        "secretsmanager:RotateSecret",
        "secretsmanager:CancelRotateSecret",
      ],
      resources: scope.secrets.map((name) => arn(scope, "secretsmanager", `secret:${name}-??????`)),
    },
  ];
}

/** The WAF web ACL, its association with the load balancer and its logging. */
function webAclManagement(scope: EnvironmentScope): PolicyStatementProps[] {
  if (!scope.webAcl) return [];
  const webAcl = arn(scope, "wafv2", `regional/webacl/${scope.webAcl.name}/*`);
  return [
    {
      sid: "ManageWebAcl",
      actions: [
        "wafv2:CreateWebACL",
        "wafv2:UpdateWebACL",
        "wafv2:DeleteWebACL",
        "wafv2:GetWebACL",
        "wafv2:AssociateWebACL",
        "wafv2:DisassociateWebACL",
        "wafv2:PutLoggingConfiguration",
        "wafv2:GetLoggingConfiguration",
        "wafv2:DeleteLoggingConfiguration",
        "wafv2:TagResource",
        "wafv2:UntagResource",
        "wafv2:ListTagsForResource",
      ],
      resources: [webAcl, arn(scope, "wafv2", "regional/managedruleset/*/*"), arn(scope, "elasticloadbalancing", `loadbalancer/app/${scope.loadBalancer}/*`)],
    },
    {
      // AssociateWebACL checks that the caller may set the load balancer's web ACL.
      sid: "SetWebAclOfLoadBalancer",
      actions: ["elasticloadbalancing:SetWebAcl"],
      resources: [arn(scope, "elasticloadbalancing", `loadbalancer/app/${scope.loadBalancer}/*`)],
    },
  ];
}

function logBucketManagement(scope: EnvironmentScope): PolicyStatementProps[] {
  const bucket = logBucketArn(scope);
  if (!bucket) return [];
  const statements: PolicyStatementProps[] = [bucketManagement("ManageLogBucket", bucket)];
  if (scope.logBucketForceDestroy) {
    statements.push({ sid: "EmptyLogBucket", actions: ["s3:DeleteObject", "s3:DeleteObjectVersion"], resources: [`${bucket}/*`] });
  }
  return statements;
}

/** The app artifact's bucket, and its object: each release uploads a new version, a destroy deletes them all (force_destroy). */
function appArtifactManagement(scope: EnvironmentScope): PolicyStatementProps[] {
  const bucket = appArtifactBucketArn(scope);
  return [
    bucketManagement("ManageAppArtifactBucket", bucket),
    {
      sid: "UploadAppArtifacts",
      actions: ["s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:DeleteObjectTagging"],
      resources: [`${bucket}/*`],
    },
  ];
}

/**
 * The app's name: the records in its zone (validation, alias). The
 * certificate is never requested by a CI role: ACM checks a request's tags
 * as acm:AddTagsToCertificate on every certificate of the account, so a role
 * that may request one tagged could tag, and then manage, any of them. An
 * environment with CI access names a certificate an administrator requested
 * (loadBalancer.certificateArn; the settings refuse a domain without one).
 */
function domainManagement(scope: EnvironmentScope): PolicyStatementProps[] {
  const domain = scope.domain;
  if (!domain) return [];
  return [
    {
      sid: "ManageDomainRecords",
      actions: ["route53:GetHostedZone", "route53:ListResourceRecordSets", "route53:ChangeResourceRecordSets"],
      resources: [`arn:${scope.partition}:route53:::hostedzone/${domain.hostedZoneId}`],
    },
    // A record change is followed by its change id, which Route 53 makes up.
    { sid: "WatchDomainRecordChanges", actions: ["route53:GetChange"], resources: [`arn:${scope.partition}:route53:::change/*`] },
  ];
}

function monitoringManagement(scope: EnvironmentScope): PolicyStatementProps[] {
  const statements: PolicyStatementProps[] = [
    {
      sid: "ManageAlarmTopic",
      actions: [
        "sns:CreateTopic",
        "sns:DeleteTopic",
        "sns:SetTopicAttributes",
        "sns:TagResource",
        "sns:UntagResource",
        "sns:Subscribe",
        "sns:Unsubscribe",
        "sns:SetSubscriptionAttributes",
      ],
      resources: topicArns(scope),
    },
    {
      sid: "ManageAlarms",
      actions: ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource"],
      resources: alarmArns(scope),
    },
    { sid: "ManageDashboard", actions: ["cloudwatch:PutDashboard", "cloudwatch:DeleteDashboards"], resources: [dashboardArn(scope)] },
  ];
  return statements;
}

/**
 * Terraform's S3 backend, as Terraform 1.11 calls it. Every command lists the
 * workspaces (ListObjectsV2, prefix `env:/`: a refusal stops it with "Unable
 * to list objects in S3 bucket") and reads the state (HeadObject, GetObject)
 * and, with a lock table, its digest item (`<bucket>/<key>-md5`, GetItem),
 * also under -lock=false. "read" is that and nothing more: a plan run with
 * -lock=false takes no lock, so the role cannot write or delete the `.tflock`
 * object or the table's items, and a locked plan is refused. "write" (deploy)
 * writes the state and its digest and takes and releases the locks: the
 * `.tflock` object beside the state, and the table's item keyed by the
 * state's path. The state objects are encrypted with the state bucket's KMS
 * key, which S3 uses on the caller's behalf (kms:ViaService); without an S3
 * Bucket Key each object's encryption context is its own ARN, so the role may
 * use the key for its environment's objects and no other environment's.
 */
function stateAccess(scope: EnvironmentScope, level: "read" | "write"): PolicyStatementProps[] {
  const state = scope.state!;
  const stateArn = s3Arn(scope, `${state.bucket}/${state.key}`);
  const lockFileArn = s3Arn(scope, `${state.bucket}/${state.key}.tflock`);
  const statements: PolicyStatementProps[] = [
    {
      sid: "ListStateWorkspaces",
      actions: ["s3:ListBucket"],
      resources: [s3Arn(scope, state.bucket)],
      conditions: [{ test: "StringEquals", variable: "s3:prefix", values: ["env:/"] }],
    },
    level === "write"
      ? { sid: "ReadWriteState", actions: ["s3:GetObject", "s3:PutObject"], resources: [stateArn] }
      : { sid: "ReadState", actions: ["s3:GetObject"], resources: [stateArn] },
    ...(level === "write" ? [{ sid: "StateLockFile", actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: [lockFileArn] }] : []),
    {
      sid: level === "write" ? "EncryptDecryptStateThroughS3" : "DecryptStateThroughS3",
      actions: level === "write" ? ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"] : ["kms:Decrypt"],
      resources: [arn(scope, "kms", "key/*", state.region)],
      conditions: [
        { test: "StringEquals", variable: "kms:ViaService", values: [`s3.${state.region}.amazonaws.com`] },
        { test: "StringEquals", variable: "kms:EncryptionContext:aws:s3:arn", values: level === "write" ? [stateArn, lockFileArn] : [stateArn] },
      ],
    },
  ];
  if (state.lockTable) {
    const table = arn(scope, "dynamodb", `table/${state.lockTable}`, state.region);
    const digest = `${state.bucket}/${state.key}-md5`;
    statements.push(
      level === "write"
        ? {
            sid: "StateLockTable",
            actions: ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
            resources: [table],
            conditions: [{ test: "ForAllValues:StringEquals", variable: "dynamodb:LeadingKeys", values: [`${state.bucket}/${state.key}`, digest] }],
          }
        : {
            sid: "ReadStateDigest",
            actions: ["dynamodb:GetItem"],
            resources: [table],
            conditions: [{ test: "ForAllValues:StringEquals", variable: "dynamodb:LeadingKeys", values: [digest] }],
          },
    );
  }
  return statements;
}

/** `security-group` as `SecurityGroup`, for statement ids. */
function pascalCase(kebab: string): string {
  return kebab.replace(/(^|-)([a-z])/g, (_, __, letter: string) => letter.toUpperCase());
}
