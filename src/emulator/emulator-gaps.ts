import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  type CreateAutoScalingGroupCommandInput,
  DescribeAutoScalingGroupsCommand,
  StartInstanceRefreshCommand,
} from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { AssociateKmsKeyCommand, CloudWatchLogsClient, CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateLaunchTemplateCommand,
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import {
  CreateDBInstanceCommand,
  CreateDBParameterGroupCommand,
  DescribeDBInstancesCommand,
  DescribeDBParametersCommand,
  ModifyDBParameterGroupCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import {
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  ListRolesCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import {
  CreateBucketCommand,
  GetBucketLifecycleConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { CreateFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateExperimentTemplateCommand, FisClient, GetExperimentTemplateCommand } from "@aws-sdk/client-fis";
import { CreateSecretCommand, RotateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { storedZip } from "../system/zip-archive";
import type { AttributeChange } from "../terraform/plan-changes";
import { EMULATOR_ACCOUNT, EMULATOR_REGION, type EmulatorEndpoint } from "./aws-emulator";

/**
 * Where moto 5.2 does not behave as AWS does, for the resources this project
 * creates. Each gap names the resource type and attributes it touches and
 * why, and has a probe: a direct API call to the emulator that shows the gap
 * is still there. The lifecycle suite fails when a probe no longer finds its
 * gap, so the list cannot outlive the emulator's behaviour and hide a real
 * drift of the project's own. `npm run local` applies the same overrides.
 *
 * A gap is handled in one of two ways, and only for what it names:
 * - `allows`: a re-plan may show exactly these attribute changes (what moto
 *   failed to store or return), and nothing else;
 * - `override`: the emulator's copy of the configuration is changed before
 *   apply, where moto would refuse or hang on the real one.
 */
export interface EmulatorGap {
  readonly id: string;
  /** Resource types and attributes the gap touches. */
  readonly resourceTypes: readonly string[];
  readonly attributes: readonly string[];
  /** What moto does, and what AWS does instead. */
  readonly why: string;
  /** How the lifecycle suite and `npm run local` cope with it. */
  readonly handling: string;
  /** True while the emulator still behaves this way. */
  probe(emulator: EmulatorEndpoint, unique: string): Promise<boolean>;
  /** The plan changes this gap explains (re-plans may show these and no others). */
  allows?(change: AttributeChange): boolean;
  /** Override-file content for the emulator's copy of a stack, from its synthesized configuration. */
  override?(configuration: StackConfiguration): Record<string, Record<string, unknown>>;
}

/** The `resource` and `output` parts of a synthesized cdk.tf.json. */
export interface StackConfiguration {
  readonly resource?: Record<string, Record<string, any>>;
  readonly output?: Record<string, { readonly value?: unknown }>;
}

const vpcRuleTypes = ["aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"];

async function twoSecurityGroups(ec2: EC2Client, unique: string): Promise<[string, string]> {
  const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.99.0.0/16" }));
  const group = async (name: string) =>
    (await ec2.send(new CreateSecurityGroupCommand({ GroupName: `${unique}-${name}`, Description: name, VpcId: Vpc!.VpcId }))).GroupId!;
  return [await group("probe-a"), await group("probe-b")];
}

/** A user of the emulator with one inline policy (and a permissions boundary, when given), as an IAM client of its own keys. */
async function iamCaller(emulator: EmulatorEndpoint, userName: string, statements: object[], permissionsBoundary?: string): Promise<IAMClient> {
  const iam = new IAMClient(emulator.clientConfig({ maxAttempts: 1 }));
  await iam.send(new CreateUserCommand({ UserName: userName, PermissionsBoundary: permissionsBoundary }));
  const policy = { Version: "2012-10-17", Statement: statements };
  await iam.send(new PutUserPolicyCommand({ UserName: userName, PolicyName: "probe", PolicyDocument: JSON.stringify(policy) }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  const config = emulator.clientConfig({ maxAttempts: 1 });
  return new IAMClient({ ...config, credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! } });
}

/** The HTTP status of a caller's ListRoles under IAM enforcement. */
async function listRolesStatus(emulator: EmulatorEndpoint, caller: IAMClient): Promise<number | undefined> {
  await emulator.setIamEnforcement(true);
  try {
    return await caller.send(new ListRolesCommand({})).then(
      () => 200,
      (error: { $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode,
    );
  } finally {
    await emulator.setIamEnforcement(false);
  }
}

export const EMULATOR_GAPS: readonly EmulatorGap[] = [
  {
    id: "security-group-rule-description",
    resourceTypes: vpcRuleTypes,
    attributes: ["description"],
    why: "moto drops the description of a security group rule whose source is another group (AWS keeps it)",
    handling: "a re-plan may add back the description of a rule that references a group",
    async probe(emulator, unique) {
      const ec2 = new EC2Client(emulator.clientConfig());
      const [target, source] = await twoSecurityGroups(ec2, unique);
      await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: target,
          IpPermissions: [{ IpProtocol: "tcp", FromPort: 80, ToPort: 80, UserIdGroupPairs: [{ GroupId: source, Description: "from the probe" }] }],
        }),
      );
      const { SecurityGroupRules } = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [target] }] }));
      const rule = SecurityGroupRules!.find((candidate) => !candidate.IsEgress && candidate.ReferencedGroupInfo?.GroupId === source);
      return rule !== undefined && rule.Description !== "from the probe";
    },
    allows: (change) =>
      vpcRuleTypes.includes(change.type) &&
      change.path === "description" &&
      change.before === null &&
      typeof change.resourceAfter?.referenced_security_group_id === "string",
  },
  {
    id: "db-instance-monitoring-interval",
    resourceTypes: ["aws_db_instance"],
    attributes: ["monitoring_interval", "monitoring_role_arn"],
    why: "moto returns no MonitoringInterval (and no MonitoringRoleArn) for an instance created with Enhanced Monitoring (AWS returns both)",
    handling: "a re-plan may set monitoring_interval and monitoring_role_arn again",
    async probe(emulator, unique) {
      const rds = new RDSClient(emulator.clientConfig());
      const identifier = `${unique}-monitoring`;
      await rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: identifier,
          Engine: "mysql",
          DBInstanceClass: "db.t3.micro",
          AllocatedStorage: 20,
          MasterUsername: "probe",
          ManageMasterUserPassword: true,
          MonitoringInterval: 60,
          MonitoringRoleArn: "arn:aws:iam::123456789012:role/probe-monitoring",
        }),
      );
      const { DBInstances } = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }));
      return DBInstances?.[0]?.MonitoringInterval !== 60;
    },
    allows: (change) => change.type === "aws_db_instance" && ["monitoring_interval", "monitoring_role_arn"].includes(change.path),
  },
  {
    id: "db-instance-resource-id",
    resourceTypes: ["aws_db_instance"],
    attributes: ["resource_id"],
    why:
      "moto gives every DB instance the same DbiResourceId, by which the provider finds an instance, " +
      "so with two instances in one emulator it loses track of one (AWS's ids are unique)",
    handling: "the probes run in an emulator of their own; the stack's one instance is alone in the lifecycle's emulator",
    async probe(emulator, unique) {
      const rds = new RDSClient(emulator.clientConfig());
      const create = async (name: string) =>
        (
          await rds.send(
            new CreateDBInstanceCommand({
              DBInstanceIdentifier: `${unique}-${name}`,
              Engine: "mysql",
              DBInstanceClass: "db.t3.micro",
              AllocatedStorage: 20,
              MasterUsername: "probe",
              ManageMasterUserPassword: true,
            }),
          )
        ).DBInstance!.DbiResourceId;
      return (await create("first")) === (await create("second"));
    },
  },
  {
    id: "db-parameter-source",
    resourceTypes: ["aws_db_parameter_group"],
    attributes: ["parameter"],
    why:
      "moto returns a parameter group's parameters without Source, so the provider, which " +
      "reads only the user-set ones, reads none (AWS marks them Source=user)",
    handling: "a re-plan may set the group's parameters again",
    async probe(emulator, unique) {
      const rds = new RDSClient(emulator.clientConfig());
      const name = `${unique}-parameters`;
      await rds.send(new CreateDBParameterGroupCommand({ DBParameterGroupName: name, DBParameterGroupFamily: "mysql8.4", Description: "probe" }));
      await rds.send(
        new ModifyDBParameterGroupCommand({
          DBParameterGroupName: name,
          Parameters: [{ ParameterName: "slow_query_log", ParameterValue: "1", ApplyMethod: "immediate" }],
        }),
      );
      const { Parameters } = await rds.send(new DescribeDBParametersCommand({ DBParameterGroupName: name, Source: "user" }));
      const parameter = (Parameters ?? []).find((candidate) => candidate.ParameterName === "slow_query_log");
      return parameter !== undefined && parameter.Source !== "user";
    },
    allows: (change) => change.type === "aws_db_parameter_group" && change.path === "parameter",
  },
  {
    id: "launch-template-own-tags",
    resourceTypes: ["aws_launch_template"],
    attributes: ["tag_specifications"],
    why:
      "moto copies a launch template's own tags (TagSpecifications of type launch-template at creation) into its launch template data, " +
      "so every re-plan wants a new template version, which rolls the fleet (AWS keeps the two apart)",
    handling: "the emulator's copy of each launch template ignores changes to tag_specifications; the app change still makes a new version through user_data",
    async probe(emulator, unique) {
      const ec2 = new EC2Client(emulator.clientConfig());
      const { LaunchTemplate } = await ec2.send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: `${unique}-template`,
          LaunchTemplateData: { InstanceType: "t3.micro" },
          TagSpecifications: [{ ResourceType: "launch-template", Tags: [{ Key: "Probe", Value: unique }] }],
        }),
      );
      const { LaunchTemplateVersions } = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: LaunchTemplate!.LaunchTemplateId }));
      const specifications = LaunchTemplateVersions?.[0]?.LaunchTemplateData?.TagSpecifications ?? [];
      return specifications.some((specification) => specification.Tags?.some((tag) => tag.Key === "Probe"));
    },
    override: (configuration) => mapResources(configuration, "aws_launch_template", () => ({ lifecycle: { ignore_changes: ["tag_specifications"] } })),
  },
  {
    id: "autoscaling-instance-refresh",
    resourceTypes: ["aws_lambda_invocation"],
    attributes: ["(what the release function does)"],
    why:
      "moto does not implement StartInstanceRefresh, which a release calls, and runs Lambda functions only in Docker, which these machines lack: " +
      "the release function's invocation is answered without the function running",
    handling:
      "the app change is planned, applied and its release invoked, with no refresh; what the function does with Auto Scaling and EC2 is tested " +
      "against a model of AWS's refresh and rollback rules in __tests__/functions/app-release.test.ts",
    async probe(emulator, unique) {
      const autoscaling = new AutoScalingClient(emulator.clientConfig({ maxAttempts: 1 }));
      const name = `${unique}-refresh`;
      await emptyAutoScalingGroup(emulator, name);
      try {
        await autoscaling.send(new StartInstanceRefreshCommand({ AutoScalingGroupName: name }));
        return false;
      } catch (error) {
        // moto answers an action it lacks with an HTML 500 page.
        return ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0) >= 500;
      }
    },
  },
  {
    id: "s3-lifecycle-newer-noncurrent-versions",
    resourceTypes: ["aws_s3_bucket_lifecycle_configuration"],
    attributes: ["rule.noncurrent_version_expiration.newer_noncurrent_versions"],
    why:
      "moto drops NewerNoncurrentVersions from a lifecycle rule, and the provider waits for the rules it wrote to read back, " +
      "so the apply fails after 3 minutes (AWS keeps it)",
    handling: "the emulator's copy of a lifecycle rule leaves newer_noncurrent_versions out",
    async probe(emulator, unique) {
      const s3 = new S3Client(emulator.clientConfig());
      const bucket = `${unique}-lifecycle`;
      await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: "us-west-2" } }));
      await s3.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: bucket,
          LifecycleConfiguration: {
            Rules: [{ ID: "probe", Status: "Enabled", Filter: {}, NoncurrentVersionExpiration: { NoncurrentDays: 90, NewerNoncurrentVersions: 20 } }],
          },
        }),
      );
      const { Rules } = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
      return Rules?.[0]?.NoncurrentVersionExpiration?.NewerNoncurrentVersions !== 20;
    },
    override: (configuration) =>
      mapResources(configuration, "aws_s3_bucket_lifecycle_configuration", (lifecycle) => {
        const rules: any[] = lifecycle.rule ?? [];
        if (!rules.some((rule) => (rule.noncurrent_version_expiration ?? []).some((expiration: any) => "newer_noncurrent_versions" in expiration)))
          return undefined;
        return {
          rule: rules.map((rule) => ({
            ...rule,
            noncurrent_version_expiration: (rule.noncurrent_version_expiration ?? []).map(({ newer_noncurrent_versions: _dropped, ...rest }: any) => rest),
          })),
        };
      }),
  },
  {
    id: "s3-bucket-policy-conditions",
    resourceTypes: ["aws_s3_bucket_policy"],
    attributes: ["policy"],
    why:
      "moto applies a bucket policy's Deny to object requests without evaluating its conditions, so a TLS-only Deny (aws:SecureTransport false) " +
      "refuses every object request, over HTTPS too (AWS lets HTTPS through); the state bucket could not hold any state",
    handling: "the emulator's copy of a bucket policy limits each conditional Deny to the bucket itself, not its objects",
    async probe(emulator, unique) {
      const s3 = new S3Client(emulator.clientConfig({ maxAttempts: 1 }));
      const bucket = `${unique}-policy`;
      await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: "us-west-2" } }));
      const arn = `arn:aws:s3:::${bucket}`;
      const policy = {
        Version: "2012-10-17",
        Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }],
      };
      await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
      try {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "over-tls", Body: "probe" }));
        return false;
      } catch (error) {
        return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403;
      }
    },
    override: (configuration) =>
      mapResources(configuration, "aws_s3_bucket_policy", (bucketPolicy) => {
        const policy = JSON.parse(bucketPolicy.policy);
        let changed = false;
        for (const statement of [policy.Statement].flat()) {
          if (statement.Effect !== "Deny" || !statement.Condition) continue;
          const resources = [statement.Resource].flat();
          const bucketOnly = resources.filter((resource: string) => !resource.endsWith("/*"));
          if (bucketOnly.length === resources.length) continue;
          statement.Resource = bucketOnly;
          changed = true;
        }
        return changed ? { policy: JSON.stringify(policy, null, 2) } : undefined;
      }),
  },
  {
    id: "cloudwatch-iam-action-prefix",
    resourceTypes: ["aws_iam_policy"],
    attributes: ["policy"],
    why:
      "with IAM enforcement on, moto checks a CloudWatch request as monitoring:<action>, the service name it is signed with, where AWS checks " +
      "cloudwatch:<action>: a policy that allows cloudwatch:PutMetricAlarm is refused the call",
    handling:
      "the CI deploy role's suite (__tests__/ci-access/deploy-role-emulator.test.ts) gives the emulator's copy of each policy every cloudwatch: " +
      "action under the monitoring: name as well",
    async probe(emulator, unique) {
      const iam = new IAMClient(emulator.clientConfig({ maxAttempts: 1 }));
      // A caller allowed DescribeAlarms once under each name, so the answers tell which name moto checks.
      const caller = async (action: string) => {
        const userName = `${unique}-${action.split(":")[0]}`;
        await iam.send(new CreateUserCommand({ UserName: userName }));
        const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] };
        await iam.send(new PutUserPolicyCommand({ UserName: userName, PolicyName: "probe", PolicyDocument: JSON.stringify(policy) }));
        const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
        const config = emulator.clientConfig({ maxAttempts: 1 });
        return new CloudWatchClient({ ...config, credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! } });
      };
      const allowedAsCloudWatch = await caller("cloudwatch:DescribeAlarms");
      const allowedAsMonitoring = await caller("monitoring:DescribeAlarms");
      const answers = (client: CloudWatchClient) =>
        client.send(new DescribeAlarmsCommand({})).then(
          () => 200,
          (error: { $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode,
        );
      await emulator.setIamEnforcement(true);
      try {
        return (await answers(allowedAsCloudWatch)) === 403 && (await answers(allowedAsMonitoring)) === 200;
      } finally {
        await emulator.setIamEnforcement(false);
      }
    },
  },
  {
    id: "logs-kms-key-unchecked",
    resourceTypes: ["aws_cloudwatch_log_group"],
    attributes: ["kms_key_id"],
    why:
      "moto stores any kms_key_id a log group is created with, without checking that the key exists or that its policy lets CloudWatch Logs " +
      'use it for that group (AWS refuses: "The specified KMS key does not exist or is not allowed to be used with Arn ..."), and answers ' +
      "AssociateKmsKey (a key given to a group that exists) with a 500",
    handling:
      "none needed: the environments create their log groups with their key, after its policy; what the key policy allows is checked on the " +
      "synthesized policy (INV-IAM-2, __tests__/constructs/log-key.test.ts), not in the emulator; a group given a key after it exists cannot be applied here",
    async probe(emulator, unique) {
      const logs = new CloudWatchLogsClient(emulator.clientConfig({ maxAttempts: 1 }));
      const noSuchKey = "arn:aws:kms:us-west-2:123456789012:key/00000000-0000-4000-8000-000000000000";
      await logs.send(new CreateLogGroupCommand({ logGroupName: `${unique}-created`, kmsKeyId: noSuchKey }));
      await logs.send(new CreateLogGroupCommand({ logGroupName: `${unique}-existing` }));
      return logs.send(new AssociateKmsKeyCommand({ logGroupName: `${unique}-existing`, kmsKeyId: noSuchKey })).then(
        () => false,
        (error: { $metadata?: { httpStatusCode?: number } }) => (error.$metadata?.httpStatusCode ?? 0) >= 500,
      );
    },
  },
  {
    id: "secretsmanager-rotation-function",
    resourceTypes: ["aws_secretsmanager_secret_rotation"],
    attributes: ["(the whole resource)"],
    why:
      "moto runs Lambda functions only in Docker, which these machines lack, so no rotation function runs (and the database it would reach " +
      "is no database); and its RotateSecret fails with a 500 on a secret without a value, at once or not (it names a version it never made), " +
      "which is how the stack creates the app user's secret: AWS registers the rotation's version and invokes the function, " +
      "whose first step gives the secret its value",
    handling:
      "the emulator's copy leaves each rotation out (count = 0): the secret, the function, its role, permission, group and log group are applied, re-planned " +
      "and destroyed, the rotation is not; the function's steps are tested against MariaDB and Secrets Manager's versions in __tests__/functions/",
    async probe(emulator, unique) {
      const lambda = new LambdaClient(emulator.clientConfig());
      const secrets = new SecretsManagerClient(emulator.clientConfig({ maxAttempts: 1 }));
      const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] };
      const { Role } = await new IAMClient(emulator.clientConfig()).send(
        new CreateRoleCommand({ RoleName: `${unique}-rotation`, AssumeRolePolicyDocument: JSON.stringify(trust) }),
      );
      const code = storedZip([["index.js", Buffer.from("exports.handler = async () => { throw new Error('ran'); };\n")]]);
      const { FunctionArn } = await lambda.send(
        new CreateFunctionCommand({
          FunctionName: `${unique}-rotation`,
          Runtime: "nodejs22.x",
          Role: Role!.Arn,
          Handler: "index.handler",
          Code: { ZipFile: code },
        }),
      );
      // As the stack creates the app user's secret: no value until the first rotation.
      const { ARN } = await secrets.send(new CreateSecretCommand({ Name: `${unique}-secret` }));
      const rotate = (immediately: boolean) =>
        secrets
          .send(
            new RotateSecretCommand({
              SecretId: ARN,
              RotationLambdaARN: FunctionArn,
              RotationRules: { AutomaticallyAfterDays: 30 },
              RotateImmediately: immediately,
            }),
          )
          .then(
            () => false,
            (error: { $metadata?: { httpStatusCode?: number } }) => (error.$metadata?.httpStatusCode ?? 0) >= 500,
          );
      return (await rotate(true)) && (await rotate(false));
    },
    override: (configuration) => mapResources(configuration, "aws_secretsmanager_secret_rotation", () => ({ count: 0 })),
  },
  {
    id: "fis-experiment-template-unreadable",
    resourceTypes: ["aws_fis_experiment_template"],
    attributes: ["(the whole resource)"],
    why:
      "moto creates, tags and deletes an AWS FIS experiment template but has no GetExperimentTemplate, so the provider cannot read one back " +
      "after creating it (AWS answers it); nor does moto run experiments",
    handling:
      "the emulator's copy leaves each template out (count = 0) and the outputs that name them empty: their role, its policy, the log group " +
      "and its delivery policy are applied, re-planned and destroyed; the templates are validated and planned by terraform " +
      "(__tests__/terraform/environments.test.ts) and the drill that starts them is tested against FIS's recorded answers (__tests__/drill/)",
    async probe(emulator, unique) {
      const fis = new FisClient(emulator.clientConfig({ maxAttempts: 1 }));
      const created = await fis.send(
        new CreateExperimentTemplateCommand({
          clientToken: unique,
          description: unique,
          roleArn: `arn:aws:iam::${EMULATOR_ACCOUNT}:role/${unique}`,
          stopConditions: [{ source: "none" }],
          actions: { wait: { actionId: "aws:fis:wait", parameters: { duration: "PT1M" } } },
        }),
      );
      return fis.send(new GetExperimentTemplateCommand({ id: created.experimentTemplate?.id })).then(
        () => false,
        () => true,
      );
    },
    override: (configuration) => {
      const templates = mapResources(configuration, "aws_fis_experiment_template", () => ({ count: 0 }));
      // An output naming a left-out template would name an instance that is not there: it is emptied with them.
      const outputs = Object.entries(configuration.output ?? {})
        .filter(([, output]) => JSON.stringify(output.value ?? "").includes("${aws_fis_experiment_template."))
        .map(([name]) => [`output.${name}`, { value: {} }]);
      return { ...templates, ...Object.fromEntries(outputs) };
    },
  },
  {
    id: "iam-permissions-boundary-ignored",
    resourceTypes: ["aws_iam_role", "aws_iam_policy"],
    attributes: ["permissions_boundary"],
    why:
      "with IAM enforcement on, moto decides a request on the caller's identity policies alone and ignores its permissions boundary " +
      "(AWS allows only what both allow): a boundary proves nothing in the emulator",
    handling:
      "what the environment's boundary leaves a workload role, and the CI roles' iam:PermissionsBoundary conditions, are proven with the project's " +
      "IAM evaluator (src/policy/iam-evaluation.ts) in __tests__/ci-access/escalation.test.ts, not in the emulator",
    async probe(emulator, unique) {
      const iam = new IAMClient(emulator.clientConfig({ maxAttempts: 1 }));
      // A boundary that allows nothing the caller asks for: AWS refuses the ListRoles its identity policy allows.
      const boundary = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:GetCallerIdentity", Resource: "*" }] };
      const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: `${unique}-boundary`, PolicyDocument: JSON.stringify(boundary) }));
      const caller = await iamCaller(emulator, `${unique}-bounded`, [{ Effect: "Allow", Action: "iam:ListRoles", Resource: "*" }], Policy!.Arn);
      return (await listRolesStatus(emulator, caller)) === 200;
    },
  },
  {
    id: "iam-conditions-ignored",
    resourceTypes: ["aws_iam_policy", "aws_iam_role_policy"],
    attributes: ["policy"],
    why:
      "with IAM enforcement on, moto takes a condition on any key but sts:ExternalId (and any operator but StringEquals) to hold, " +
      "so an Allow under a condition that does not hold still allows, and a Deny under one still denies (AWS evaluates both against the request): " +
      "the CI roles' DenyRoleWritesOutsideTheBoundary (StringNotEquals iam:PermissionsBoundary) would refuse every role write, with the boundary too",
    handling:
      "the CI deploy role's suite (__tests__/ci-access/deploy-role-emulator.test.ts) gives the emulator a copy of each policy with the same actions on *; " +
      "the conditions are proven with the project's IAM evaluator in __tests__/ci-access/escalation.test.ts and ci-access-stack.test.ts",
    async probe(emulator, unique) {
      // aws:username is the caller's own name in AWS, so neither condition below holds there.
      const allowedUnderFalseCondition = await iamCaller(emulator, `${unique}-allow`, [
        { Effect: "Allow", Action: "iam:ListRoles", Resource: "*", Condition: { StringEquals: { "aws:username": "someone-else" } } },
      ]);
      const deniedUnderFalseCondition = await iamCaller(emulator, `${unique}-deny`, [
        { Effect: "Allow", Action: "iam:ListRoles", Resource: "*" },
        { Effect: "Deny", Action: "iam:ListRoles", Resource: "*", Condition: { StringNotEquals: { "aws:username": `${unique}-deny` } } },
      ]);
      return (await listRolesStatus(emulator, allowedUnderFalseCondition)) === 200 && (await listRolesStatus(emulator, deniedUnderFalseCondition)) === 403;
    },
  },
  {
    id: "autoscaling-instance-maintenance-policy",
    resourceTypes: ["aws_autoscaling_group"],
    attributes: ["instance_maintenance_policy"],
    why: "moto accepts a group's InstanceMaintenancePolicy but returns none when the group is described (AWS returns it)",
    handling: "a re-plan may set instance_maintenance_policy again; its values are checked on the configuration (INV-ASG-2)",
    async probe(emulator, unique) {
      const autoscaling = new AutoScalingClient(emulator.clientConfig());
      const name = `${unique}-maintenance`;
      await emptyAutoScalingGroup(emulator, name, { InstanceMaintenancePolicy: { MinHealthyPercentage: 100, MaxHealthyPercentage: 200 } });
      const { AutoScalingGroups } = await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
      return AutoScalingGroups?.[0]?.InstanceMaintenancePolicy?.MinHealthyPercentage !== 100;
    },
    allows: (change) => change.type === "aws_autoscaling_group" && change.path === "instance_maintenance_policy",
  },
  {
    id: "backup-selection",
    resourceTypes: ["aws_backup_selection"],
    attributes: ["(the whole resource)"],
    why: "moto does not implement CreateBackupSelection (nor UpdateBackupPlan): a plan cannot be given its database",
    handling:
      "the emulator's copy leaves each selection out (count = 0): the vault, its key, the plan, the role and the alarms are applied, " +
      "re-planned and destroyed; what the selection names is checked on the configuration (RDS.26)",
    async probe(emulator, unique) {
      const planId = await backupPlan(emulator, unique);
      const selection = {
        SelectionName: "probe",
        IamRoleArn: "arn:aws:iam::123456789012:role/probe",
        Resources: ["arn:aws:rds:us-west-2:123456789012:db:probe"],
      };
      return refused(await emulator.serviceRequest("backup", "PUT", `/backup/plans/${planId}/selections/`, { BackupSelection: selection }));
    },
    override: (configuration) => mapResources(configuration, "aws_backup_selection", () => ({ count: 0 })),
  },
  {
    id: "backup-tags-read-back",
    resourceTypes: ["aws_backup_vault", "aws_backup_plan"],
    attributes: ["tags", "tags_all"],
    why:
      "moto keeps the tags a vault or plan is given, but its ListTags takes the resource's ARN from the path's second-to-last part, " +
      "so a request without a trailing slash (GET /tags/{arn}, as the AWS provider sends it) answers no tags (AWS answers them)",
    handling: "a re-plan of a backup vault or plan may set its tags again; its tags are those of the configuration, kept in __tests__/stacks/synthesized/",
    async probe(emulator, unique) {
      const vault = `${unique}-tagged`;
      await emulator.serviceRequest("backup", "PUT", `/backup-vaults/${vault}`, { BackupVaultTags: { Probe: "kept" } });
      const arn = `arn:aws:backup:${EMULATOR_REGION}:${EMULATOR_ACCOUNT}:backup-vault:${vault}`;
      const withSlash = await emulator.serviceRequest("backup", "GET", `/tags/${arn}/`);
      const asTheProviderAsks = await emulator.serviceRequest("backup", "GET", `/tags/${arn}`);
      const tags = (answer: { json: Record<string, unknown> | undefined }) => JSON.stringify(answer.json?.Tags ?? {});
      return tags(withSlash) === JSON.stringify({ Probe: "kept" }) && tags(asTheProviderAsks) === "{}";
    },
    allows: (change) => ["aws_backup_vault", "aws_backup_plan"].includes(change.type) && ["tags", "tags_all"].includes(change.path),
  },
  {
    id: "backup-restore-testing",
    resourceTypes: ["aws_backup_restore_testing_plan", "aws_backup_restore_testing_selection"],
    attributes: ["(the whole resources)"],
    why: "moto does not implement AWS Backup's restore testing (CreateRestoreTestingPlan answers 404), nor runs any backup or restore job",
    handling:
      "the emulator's copy leaves each restore testing plan and selection out (count = 0; a selection names its plan by name instead of by " +
      "reference, which Terraform refuses for a resource with a count); what they restore and into which subnets is checked on the " +
      "configuration (INV-BAK-1), and the alarm on failed restore jobs is applied",
    async probe(emulator, unique) {
      const plan = {
        RestoreTestingPlanName: `${unique.replace(/[^A-Za-z0-9]/g, "_")}_restore_test`,
        ScheduleExpression: "cron(0 8 ? * MON *)",
        RecoveryPointSelection: { Algorithm: "LATEST_WITHIN_WINDOW", IncludeVaults: ["*"], RecoveryPointTypes: ["SNAPSHOT"] },
      };
      return refused(await emulator.serviceRequest("backup", "PUT", "/restore-testing/plans", { RestoreTestingPlan: plan }));
    },
    override: (configuration) => ({
      ...mapResources(configuration, "aws_backup_restore_testing_plan", () => ({ count: 0 })),
      ...mapResources(configuration, "aws_backup_restore_testing_selection", (selection) => {
        const plan = /^\$\{aws_backup_restore_testing_plan\.([A-Za-z0-9_-]+)\.name\}$/.exec(String(selection.restore_testing_plan_name))?.[1];
        const name = plan ? configuration.resource?.aws_backup_restore_testing_plan?.[plan]?.name : undefined;
        return { count: 0, ...(name ? { restore_testing_plan_name: name } : {}) };
      }),
    }),
  },
];

/** An Auto Scaling group of no instances in the emulator, named `name` as its launch template is, with `extra` settings. */
async function emptyAutoScalingGroup(emulator: EmulatorEndpoint, name: string, extra: Partial<CreateAutoScalingGroupCommandInput> = {}): Promise<void> {
  const ec2 = new EC2Client(emulator.clientConfig());
  const { LaunchTemplate } = await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: name, LaunchTemplateData: { InstanceType: "t3.micro" } }));
  await new AutoScalingClient(emulator.clientConfig()).send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: name,
      MinSize: 0,
      MaxSize: 0,
      LaunchTemplate: { LaunchTemplateId: LaunchTemplate!.LaunchTemplateId, Version: "$Latest" },
      AvailabilityZones: ["us-west-2a"],
      ...extra,
    }),
  );
}

/** A backup vault and plan in the emulator, made through its REST API (moto has no SDK client here): the plan's id. */
async function backupPlan(emulator: EmulatorEndpoint, unique: string): Promise<string> {
  await emulator.serviceRequest("backup", "PUT", `/backup-vaults/${unique}-vault`, {});
  const rule = { RuleName: "daily", TargetBackupVaultName: `${unique}-vault`, ScheduleExpression: "cron(0 5 ? * * *)" };
  const { json } = await emulator.serviceRequest("backup", "PUT", "/backup/plans/", { BackupPlan: { BackupPlanName: `${unique}-plan`, Rules: [rule] } });
  return String(json?.BackupPlanId);
}

/** Whether the emulator answers a request with an error (moto's "not implemented" is a 404 or a 500). */
const refused = (answer: { status: number }) => answer.status >= 400;

/** Override entries for every resource of `type` that `change` returns one for. */
function mapResources(
  configuration: StackConfiguration,
  type: string,
  change: (config: any) => Record<string, unknown> | undefined,
): Record<string, Record<string, unknown>> {
  const overrides: Record<string, Record<string, unknown>> = {};
  for (const [name, config] of Object.entries(configuration.resource?.[type] ?? {})) {
    const override = change(config);
    if (override) overrides[`${type}.${name}`] = override;
  }
  return overrides;
}

/** The override file of the emulator's copy of a stack: every gap's changes, as `resource.<type>.<name>` blocks. */
export function gapOverrides(
  configuration: StackConfiguration,
): { resource: Record<string, Record<string, unknown>>; output?: Record<string, Record<string, unknown>> } | undefined {
  const resource: Record<string, Record<string, unknown>> = {};
  const output: Record<string, Record<string, unknown>> = {};
  for (const gap of EMULATOR_GAPS) {
    for (const [address, override] of Object.entries(gap.override?.(configuration) ?? {})) {
      const [type, name] = address.split(".");
      if (type === "output") output[name] = { ...output[name], ...override };
      else resource[type] = { ...resource[type], [name]: { ...(resource[type]?.[name] as object), ...override } };
    }
  }
  if (Object.keys(resource).length === 0 && Object.keys(output).length === 0) return undefined;
  return Object.keys(output).length > 0 ? { resource, output } : { resource };
}

/** Resources the emulator's copy leaves out (`count = 0`), as addresses: the state holds none of them. */
export function gapRemovedAddresses(configuration: StackConfiguration): string[] {
  return Object.entries(gapOverrides(configuration)?.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName)
      .filter(([, override]) => (override as { count?: number }).count === 0)
      .map(([name]) => `${type}.${name}`),
  );
}

/** The gap that explains a planned attribute change, if any. */
export function gapFor(change: AttributeChange): EmulatorGap | undefined {
  return EMULATOR_GAPS.find((gap) => gap.allows?.(change));
}
