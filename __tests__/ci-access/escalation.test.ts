import { Testing } from "cdktf";
import { resourceNames, type ResourceNames } from "../../src/config/names";
import type { EnvironmentSettings } from "../../src/config/schema";
import { ENHANCED_MONITORING_LOG_GROUP } from "../../src/constructs/data/database";
import { evaluateIdentity, type IamDecision, type IamRequest } from "../../src/policy/iam-evaluation";
import { CI_ACCESS_STACK, CiAccessStack, ciAccessProps } from "../../src/ci-access/ci-access-stack";
import { referencedResource, settingsFor } from "../support/stacks";
import { terraformCloudRun, terraformCloudSplit } from "../support/variants";

// Proof, adversarial (issue 25): every catalogued IAM privilege-escalation method (Rhino Security Labs' methods
// as pacu's iam__privesc_scan lists them, with PassRole to CodeBuild and SageMaker and the removal of a
// permissions boundary) and every takeover path of the issue, walked as concrete requests against the policies
// the CI access stack synthesizes, for each CI role of a GitHub Actions and a Terraform Cloud environment (one
// run role, and separate plan and apply roles). A method is refused when one of its necessary requests is; the
// test names the statement (or the missing Allow) that refuses it. Positive controls show the same kind of
// request allowed where it should be, so policies that refused everything would fail here too.

const ACCOUNT = "123456789012";
const OTHER_ACCOUNT = "210987654321";
const REGION = "us-west-2";
const NO_ALLOW = /no Allow statement matches/;

const github = settingsFor("default", {
  state: { bucket: "acme-state", lockTable: "acme-locks" },
  loadBalancer: {
    domain: { name: "inventory.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
    certificateArn: `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/1234abcd-12ab-34cd-56ef-1234567890ab`,
  },
  ci: { accountId: ACCOUNT, githubActions: { repository: "acme/inventory-ha" } },
});
const cloud = terraformCloudRun();
const split = terraformCloudSplit();

const props = ciAccessProps([github, cloud, split]);
if (!props) throw new Error("no CI access configured");
const document = JSON.parse(Testing.synth(new CiAccessStack(Testing.app(), CI_ACCESS_STACK, props)));

const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
const iam = (resource: string) => `arn:aws:iam::${ACCOUNT}:${resource}`;
const s3 = (resource: string) => `arn:aws:s3:::${resource}`;
const EVERYTHING = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });
const ADMIN_ROLE = iam("role/OrganizationAccountAccessRole");
const ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess";

/** One environment as an attacker sees it: its names, another environment's names (prefix `other-`), its boundary. */
interface Environment {
  readonly settings: EnvironmentSettings;
  readonly tag: string;
  readonly own: ResourceNames;
  readonly other: ResourceNames;
  readonly boundaryArn: string;
  /** The synthesized boundary policy (JSON text). */
  readonly boundary: string;
}

function environment(settings: EnvironmentSettings): Environment {
  const own = resourceNames(settings.namePrefix, settings.names);
  const [boundary] = Object.values<any>(document.resource.aws_iam_policy).filter((policy) => policy.name === own.workloadBoundary);
  if (!boundary) throw new Error(`no boundary policy ${own.workloadBoundary}`);
  return {
    settings,
    tag: settings.environment,
    own,
    other: resourceNames("other-", settings.names),
    boundaryArn: iam(`policy/${own.workloadBoundary}`),
    boundary: boundary.policy,
  };
}

/** A CI role: its name and the documents of the policies attached to it in the synthesized stack. */
interface CiRoleUnderTest {
  readonly env: Environment;
  readonly purpose: string;
  readonly name: string;
  readonly deploys: boolean;
  readonly policies: string[];
}

function ciRole(env: Environment, purpose: string, deploys: boolean): CiRoleUnderTest {
  const name = env.own.ciRole(purpose);
  const [address] = Object.entries<any>(document.resource.aws_iam_role).find(([, role]) => role.name === name) ?? [];
  if (!address) throw new Error(`no role ${name} in the CI access stack`);
  const policies = Object.values<any>(document.resource.aws_iam_role_policy_attachment)
    .filter((attachment) => attachment.role === `\${aws_iam_role.${address}.name}`)
    .map((attachment) => referencedResource(document, attachment.policy_arn).config.policy as string);
  return { env, purpose, name, deploys, policies };
}

const githubEnv = environment(github);
const cloudEnv = environment(cloud);
const splitEnv = environment(split);
const ROLES: CiRoleUnderTest[] = [
  ciRole(githubEnv, "GHA-Plan", false),
  ciRole(githubEnv, "GHA-Deploy", true),
  ciRole(cloudEnv, "TFC-Run", true),
  ciRole(splitEnv, "TFC-Plan", false),
  ciRole(splitEnv, "TFC-Apply", true),
];

/** One request of a method. */
interface Step extends IamRequest {
  /**
   * A resource policy the attacker writes can grant it without any Allow of the caller's own (a same-account
   * role's trust naming the CI role's ARN): only an explicit Deny refuses it.
   */
  readonly grantedByTheTarget?: boolean;
}

/** An escalation method or takeover path: its necessary requests, and what must refuse one of them. */
interface Method {
  readonly name: string;
  readonly steps: readonly Step[];
  readonly refusedBy: RegExp;
}

const passRole = (role: string, service: string): Step => ({ action: "iam:PassRole", resource: role, context: { "iam:PassedToService": service } });
const assumeRole = (role: string): Step => ({ action: "sts:AssumeRole", resource: role, grantedByTheTarget: true });
const step = (action: string, resource: string, context?: IamRequest["context"]): Step => ({ action, resource, ...(context ? { context } : {}) });

/** Every method, as requests on this environment's account, region, names and tags. */
function methods(role: CiRoleUnderTest): Method[] {
  const { own, other, tag, boundaryArn } = role.env;
  const self = iam(`role/${role.name}`);
  const appRole = iam(`role/${own.appTier.instanceRole}`);
  const rotationRole = iam(`role/${own.databaseAppUser.rotationFunction}`);
  const releaseRole = iam(`role/${own.appTier.releaseFunction}`);
  const withBoundary = { "iam:PermissionsBoundary": boundaryArn };
  const user = iam("user/alice");
  const group = iam("group/Admins");
  const attacker = arn("lambda", "function:attacker");
  const newFunction = (passed: string) => [passRole(passed, "lambda.amazonaws.com"), step("lambda:CreateFunction", attacker)];
  const ownTemplate = arn("ec2", "launch-template/lt-0123456789abcdef0");
  const throughTemplate = { "ec2:LaunchTemplate": ownTemplate };
  const launch = (extra: Step): Step[] => [
    step("ec2:RunInstances", ownTemplate, { "aws:ResourceTag/Environment": tag }),
    step("ec2:RunInstances", arn("ec2", "instance/*"), throughTemplate),
    passRole(appRole, "ec2.amazonaws.com"),
    extra,
  ];
  const otherDatabase = arn("rds", `db:${other.database.identifier}`);
  const masterSecret = arn("secretsmanager", "secret:rds!db-0a1b2c3d-4e5f-6789-abcd-ef0123456789-AbCdEf");
  const ofOtherDatabase = { "secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn": otherDatabase };
  const key = arn("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab");
  const otherTag = { "aws:ResourceTag/Environment": "other" };
  const byName = (name: string, action: string, resource: string, context?: IamRequest["context"]): Method => ({
    name: `write another environment's ${name} by name`,
    steps: [step(action, resource, context)],
    refusedBy: NO_ALLOW,
  });
  return [
    // Rhino Security Labs' methods, named as pacu's iam__privesc_scan names them.
    { name: "CreateNewPolicyVersion", steps: [step("iam:CreatePolicyVersion", iam(`policy/${role.name}-read`))], refusedBy: /DenyEscalation/ },
    { name: "SetExistingDefaultPolicyVersion", steps: [step("iam:SetDefaultPolicyVersion", iam(`policy/${role.name}-read`))], refusedBy: /DenyEscalation/ },
    {
      name: "CreateEC2WithExistingIP",
      steps: [passRole(ADMIN_ROLE, "ec2.amazonaws.com"), step("ec2:RunInstances", arn("ec2", "instance/*"))],
      refusedBy: NO_ALLOW,
    },
    { name: "CreateAccessKey", steps: [step("iam:CreateAccessKey", user)], refusedBy: /DenyEscalation/ },
    { name: "CreateLoginProfile", steps: [step("iam:CreateLoginProfile", user)], refusedBy: /DenyEscalation/ },
    { name: "UpdateLoginProfile", steps: [step("iam:UpdateLoginProfile", user)], refusedBy: /DenyEscalation/ },
    { name: "AttachUserPolicy", steps: [step("iam:AttachUserPolicy", user, { "iam:PolicyARN": ADMIN_POLICY })], refusedBy: /DenyEscalation/ },
    { name: "AttachGroupPolicy", steps: [step("iam:AttachGroupPolicy", group, { "iam:PolicyARN": ADMIN_POLICY })], refusedBy: /DenyEscalation/ },
    {
      name: "AttachRolePolicy (the environment's app role, then assume it)",
      steps: [step("iam:AttachRolePolicy", appRole, { ...withBoundary, "iam:PolicyARN": ADMIN_POLICY }), assumeRole(appRole)],
      refusedBy: /DenyEscalation/,
    },
    {
      name: "AttachRolePolicy (the CI role itself)",
      steps: [step("iam:AttachRolePolicy", self, { "iam:PolicyARN": ADMIN_POLICY })],
      refusedBy: /DenyRoleWritesOutsideTheBoundary/,
    },
    { name: "PutUserPolicy", steps: [step("iam:PutUserPolicy", user)], refusedBy: /DenyEscalation/ },
    { name: "PutGroupPolicy", steps: [step("iam:PutGroupPolicy", group)], refusedBy: /DenyEscalation/ },
    { name: "PutRolePolicy (the CI role itself)", steps: [step("iam:PutRolePolicy", self)], refusedBy: /DenyRoleWritesOutsideTheBoundary/ },
    {
      name: "PutRolePolicy (a role without the boundary, then assume it)",
      steps: [step("iam:PutRolePolicy", ADMIN_ROLE), assumeRole(ADMIN_ROLE)],
      refusedBy: /DenyRoleWritesOutsideTheBoundary/,
    },
    { name: "AddUserToGroup", steps: [step("iam:AddUserToGroup", group)], refusedBy: /DenyEscalation/ },
    {
      name: "UpdateRolePolicyToAssumeIt",
      steps: [step("iam:UpdateAssumeRolePolicy", appRole, withBoundary), assumeRole(appRole)],
      refusedBy: /DenyEscalation/,
    },
    {
      name: "PassExistingRoleToNewLambdaThenInvoke",
      steps: [...newFunction(rotationRole), step("lambda:InvokeFunction", attacker)],
      refusedBy: NO_ALLOW,
    },
    {
      name: "PassExistingRoleToNewLambdaThenInvokeCrossAccount",
      steps: [...newFunction(rotationRole), step("lambda:AddPermission", attacker)],
      refusedBy: NO_ALLOW,
    },
    {
      name: "PassExistingRoleToNewLambdaThenTriggerWithNewDynamo",
      steps: [
        ...newFunction(releaseRole),
        step("dynamodb:CreateTable", arn("dynamodb", "table/attacker")),
        step("lambda:CreateEventSourceMapping", arn("lambda", "event-source-mapping:*"), { "lambda:FunctionArn": attacker }),
        step("dynamodb:PutItem", arn("dynamodb", "table/attacker")),
      ],
      refusedBy: NO_ALLOW,
    },
    {
      name: "PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo",
      steps: [
        ...newFunction(releaseRole),
        step("lambda:CreateEventSourceMapping", arn("lambda", "event-source-mapping:*"), { "lambda:FunctionArn": attacker }),
      ],
      refusedBy: NO_ALLOW,
    },
    {
      name: "PassExistingRoleToNewGlueDevEndpoint",
      steps: [
        passRole(appRole, "glue.amazonaws.com"),
        step("glue:CreateDevEndpoint", arn("glue", "devEndpoint/attacker")),
        step("glue:GetDevEndpoint", arn("glue", "devEndpoint/attacker")),
      ],
      refusedBy: NO_ALLOW,
    },
    { name: "UpdateExistingGlueDevEndpoint", steps: [step("glue:UpdateDevEndpoint", arn("glue", "devEndpoint/existing"))], refusedBy: NO_ALLOW },
    {
      name: "PassExistingRoleToCloudFormation",
      steps: [passRole(ADMIN_ROLE, "cloudformation.amazonaws.com"), step("cloudformation:CreateStack", arn("cloudformation", "stack/attacker/*"))],
      refusedBy: NO_ALLOW,
    },
    {
      name: "PassExistingRoleToNewDataPipeline",
      steps: [
        passRole(ADMIN_ROLE, "datapipeline.amazonaws.com"),
        step("datapipeline:CreatePipeline", "*"),
        step("datapipeline:PutPipelineDefinition", arn("datapipeline", "pipeline/df-attacker")),
      ],
      refusedBy: NO_ALLOW,
    },
    {
      // The environment's own functions are the deploy role's to deploy: their roles are held by the boundary (below).
      name: "EditExistingLambdaFunctionWithRole (a function not of the environment)",
      steps: [step("lambda:UpdateFunctionCode", arn("lambda", `function:${other.databaseAppUser.rotationFunction}`))],
      refusedBy: NO_ALLOW,
    },
    {
      name: "PassExistingRoleToNewCodeStarProject",
      steps: [passRole(ADMIN_ROLE, "codestar.amazonaws.com"), step("codestar:CreateProject", arn("codestar", "project/attacker"))],
      refusedBy: NO_ALLOW,
    },
    {
      name: "CodeStarCreateProjectFromTemplate",
      steps: [step("codestar:CreateProjectFromTemplate", arn("codestar", "project/attacker"))],
      refusedBy: NO_ALLOW,
    },
    {
      name: "CodeStarCreateProjectThenAssociateTeamMember",
      steps: [step("codestar:CreateProject", arn("codestar", "project/attacker")), step("codestar:AssociateTeamMember", arn("codestar", "project/attacker"))],
      refusedBy: NO_ALLOW,
    },
    {
      name: "PassExistingRoleToNewCodeBuildProject",
      steps: [
        passRole(appRole, "codebuild.amazonaws.com"),
        step("codebuild:CreateProject", arn("codebuild", "project/attacker")),
        step("codebuild:StartBuild", arn("codebuild", "project/attacker")),
      ],
      refusedBy: NO_ALLOW,
    },
    {
      name: "PassExistingRoleToNewSageMakerNotebook",
      steps: [
        passRole(ADMIN_ROLE, "sagemaker.amazonaws.com"),
        step("sagemaker:CreateNotebookInstance", arn("sagemaker", "notebook-instance/attacker")),
        step("sagemaker:CreatePresignedNotebookInstanceUrl", arn("sagemaker", "notebook-instance/attacker")),
      ],
      refusedBy: NO_ALLOW,
    },
    { name: "DeleteRolePermissionsBoundary", steps: [step("iam:DeleteRolePermissionsBoundary", appRole, withBoundary)], refusedBy: /DenyEscalation/ },
    {
      name: "PutRolePermissionsBoundary (another boundary)",
      steps: [step("iam:PutRolePermissionsBoundary", appRole, { "iam:PermissionsBoundary": ADMIN_POLICY })],
      refusedBy: /DenyRoleWritesOutsideTheBoundary/,
    },
    { name: "edit the boundary policy", steps: [step("iam:CreatePolicyVersion", boundaryArn)], refusedBy: /DenyEscalation/ },
    { name: "delete the boundary policy", steps: [step("iam:DeletePolicy", boundaryArn)], refusedBy: /DenyChangesToTheFence/ },
    { name: "assume a role whose trust names the CI role", steps: [assumeRole(ADMIN_ROLE)], refusedBy: /DenyEscalation/ },

    // The takeover paths of issue 25.
    {
      name: "tag an existing KMS key with the environment's tag, then own it",
      steps: [
        step("kms:TagResource", key, { "aws:RequestTag/Environment": tag, "aws:RequestTag/Project": "inventory-ha" }),
        step("kms:PutKeyPolicy", key, { "aws:ResourceTag/Environment": tag }),
        step("kms:ScheduleKeyDeletion", key, { "aws:ResourceTag/Environment": tag }),
      ],
      refusedBy: NO_ALLOW,
    },
    {
      name: "tag an untagged security group with the environment's tag, then open it",
      steps: [
        step("ec2:CreateTags", arn("ec2", "security-group/sg-0untagged0000000"), { "aws:RequestTag/Environment": tag }),
        step("ec2:AuthorizeSecurityGroupIngress", arn("ec2", "security-group/sg-0untagged0000000"), { "aws:ResourceTag/Environment": tag }),
      ],
      refusedBy: NO_ALLOW,
    },
    {
      // The VPC's default group is adopted untagged: its rules may be revoked, never one added.
      name: "add a rule to an untagged security group",
      steps: [step("ec2:AuthorizeSecurityGroupIngress", arn("ec2", "security-group/sg-0untagged0000000"))],
      refusedBy: NO_ALLOW,
    },
    {
      name: "delete a network interface another environment tagged",
      steps: [step("ec2:DeleteNetworkInterface", arn("ec2", "network-interface/eni-0other0000000000"), otherTag)],
      refusedBy: NO_ALLOW,
    },
    {
      // EC2 deletes only a detached interface: an attached one must be detached first.
      name: "detach another environment's attached network interface, then delete it",
      steps: [
        step("ec2:DetachNetworkInterface", arn("ec2", "network-interface/eni-0attached00000000")),
        step("ec2:DetachNetworkInterface", arn("ec2", "instance/i-0other00000000000"), otherTag),
        step("ec2:DeleteNetworkInterface", arn("ec2", "network-interface/eni-0attached00000000")),
      ],
      refusedBy: NO_ALLOW,
    },
    {
      name: "tag an untagged subnet with the environment's tag",
      steps: [step("ec2:CreateTags", arn("ec2", "subnet/subnet-0untagged000000"), { "aws:RequestTag/Environment": tag })],
      refusedBy: NO_ALLOW,
    },
    {
      name: "tag another environment's VPC with this environment's tag",
      steps: [step("ec2:CreateTags", arn("ec2", "vpc/vpc-0other0000000000"), { ...otherTag, "aws:RequestTag/Environment": tag })],
      refusedBy: NO_ALLOW,
    },
    { name: "delete another database's master secret", steps: [step("secretsmanager:DeleteSecret", masterSecret, ofOtherDatabase)], refusedBy: NO_ALLOW },
    { name: "rotate another database's master secret", steps: [step("secretsmanager:RotateSecret", masterSecret, ofOtherDatabase)], refusedBy: NO_ALLOW },
    { name: "read another database's master secret", steps: [step("secretsmanager:GetSecretValue", masterSecret, ofOtherDatabase)], refusedBy: NO_ALLOW },
    {
      name: "launch from the template into another environment's subnet",
      steps: launch(step("ec2:RunInstances", arn("ec2", "subnet/subnet-0other000000000"), { ...throughTemplate, ...otherTag })),
      refusedBy: NO_ALLOW,
    },
    {
      name: "launch from the template into another environment's security group",
      steps: launch(step("ec2:RunInstances", arn("ec2", "security-group/sg-0other0000000000"), { ...throughTemplate, ...otherTag })),
      refusedBy: NO_ALLOW,
    },
    {
      name: "launch from the template with another account's image",
      steps: launch(step("ec2:RunInstances", `arn:aws:ec2:${REGION}::image/ami-0123456789abcdef0`, { ...throughTemplate, "ec2:Owner": OTHER_ACCOUNT })),
      refusedBy: NO_ALLOW,
    },
    {
      name: "launch with the app servers' role without the template",
      steps: [passRole(appRole, "ec2.amazonaws.com"), step("ec2:RunInstances", arn("ec2", "instance/*"))],
      refusedBy: NO_ALLOW,
    },
    {
      name: "put any role into the environment's instance profile",
      steps: [step("iam:AddRoleToInstanceProfile", iam(`instance-profile/${own.appTier.instanceRole}`)), passRole(ADMIN_ROLE, "ec2.amazonaws.com")],
      refusedBy: NO_ALLOW,
    },
    {
      name: "create a role in the environment's name without the boundary",
      steps: [step("iam:CreateRole", appRole)],
      refusedBy: /DenyRoleWritesOutsideTheBoundary/,
    },
    { name: "create a role outside the environment's names", steps: [step("iam:CreateRole", iam("role/attacker"), withBoundary)], refusedBy: NO_ALLOW },
    {
      name: "give a workload role *:* then assume it",
      steps: [step("iam:PutRolePolicy", releaseRole, withBoundary), assumeRole(releaseRole)],
      refusedBy: /DenyEscalation/,
    },
    {
      name: "request a certificate of another environment",
      steps: [step("acm:RequestCertificate", "*", { "aws:RequestTag/Environment": "other", "aws:RequestTag/Project": "inventory-ha" })],
      refusedBy: NO_ALLOW,
    },
    {
      name: "tag a certificate of another environment with this environment's tag",
      steps: [
        step("acm:AddTagsToCertificate", arn("acm", "certificate/9f8e7d6c-0000-1111-2222-333344445555"), { ...otherTag, "aws:RequestTag/Environment": tag }),
      ],
      refusedBy: NO_ALLOW,
    },
    byName("DNS zone", "route53:ChangeResourceRecordSets", "arn:aws:route53:::hostedzone/Z9999999999OTHERZONE"),
    byName(
      "load balancer",
      "elasticloadbalancing:DeleteLoadBalancer",
      arn("elasticloadbalancing", `loadbalancer/app/${other.loadBalancer.name}/0123456789abcdef`),
    ),
    byName(
      "Auto Scaling group",
      "autoscaling:UpdateAutoScalingGroup",
      arn("autoscaling", `autoScalingGroup:*:autoScalingGroupName/${other.appTier.autoScalingGroup}`),
    ),
    byName("database", "rds:DeleteDBInstance", otherDatabase),
    byName("release function", "lambda:UpdateFunctionConfiguration", arn("lambda", `function:${other.appTier.releaseFunction}`)),
    byName("app role", "iam:PassRole", iam(`role/${other.appTier.instanceRole}`), { "iam:PassedToService": "ec2.amazonaws.com" }),
    {
      name: "write another environment's app role policy under its own boundary",
      steps: [step("iam:PutRolePolicy", iam(`role/${other.appTier.instanceRole}`), { "iam:PermissionsBoundary": iam(`policy/${other.workloadBoundary}`) })],
      refusedBy: /DenyRoleWritesOutsideTheBoundary/,
    },
    byName("app artifact", "s3:PutObject", s3(`${other.appArtifact.bucketPrefix}20240101/app.zip`)),
    byName("log bucket", "s3:DeleteBucket", s3(`${other.accessLogBucket.bucketPrefix}20240101`)),
    byName("state", "s3:PutObject", s3("acme-state/other/inventory-ha.tfstate")),
    byName("state lock", "dynamodb:PutItem", arn("dynamodb", "table/acme-locks"), { "dynamodb:LeadingKeys": ["acme-state/other/inventory-ha.tfstate"] }),
    byName("app user's secret", "secretsmanager:UpdateSecret", arn("secretsmanager", `secret:${other.databaseAppUser.secret}-AbCdEf`)),
    byName("alarm topic", "sns:SetTopicAttributes", arn("sns", other.monitoring.topic)),
    byName("alarms", "cloudwatch:DeleteAlarms", arn("cloudwatch", `alarm:${other.loadBalancer.name} 5xx`)),
    byName("flow log group", "logs:DeleteLogGroup", arn("logs", `log-group:${other.network.flowLogGroup}`)),
    byName("web ACL", "wafv2:UpdateWebACL", arn("wafv2", `regional/webacl/${other.webAcl}/0123`)),
    byName("VPC", "ec2:DeleteVpc", arn("ec2", "vpc/vpc-0other0000000000"), otherTag),
    byName("KMS key", "kms:ScheduleKeyDeletion", key, otherTag),
  ];
}

/** The decision on each step, and whether the step is refused: a step its target may grant is refused only by a Deny. */
function walk(method: Method, policies: string[]): { step: Step; decision: IamDecision; refused: boolean }[] {
  return method.steps.map((candidate) => {
    const decision = evaluateIdentity(candidate, policies);
    const refused = !decision.allowed && (!candidate.grantedByTheTarget || decision.statement !== undefined);
    return { step: candidate, decision, refused };
  });
}

describe("the roles and methods walked", () => {
  it("five CI roles, each with its policies from the synthesized stack, and 73 methods each", () => {
    expect(ROLES.map((role) => role.name)).toEqual([
      "Inventory-GHA-Plan",
      "Inventory-GHA-Deploy",
      "cloud-Inventory-TFC-Run",
      "split-Inventory-TFC-Plan",
      "split-Inventory-TFC-Apply",
    ]);
    for (const role of ROLES) expect({ role: role.name, policies: role.policies.length >= 2 }).toEqual({ role: role.name, policies: true });
    for (const role of ROLES) expect({ role: role.name, methods: methods(role).length }).toEqual({ role: role.name, methods: 73 });
    expect(new Set(methods(ROLES[0]).map((method) => method.name)).size).toBe(73);
  });
});

describe.each(ROLES.map((role) => [role.name, role] as const))("%s", (_, role) => {
  it.each(methods(role).map((method) => [method.name, method] as const))("%s: refused", (__, method) => {
    const walked = walk(method, role.policies);
    const refusals = walked.filter((candidate) => candidate.refused);
    const summary = walked.map(({ step: request, decision }) => `${request.action} ${request.resource}: ${decision.reason}`);
    expect({ method: method.name, refused: refusals.length > 0, summary }).toEqual({ method: method.name, refused: true, summary });
    expect({ method: method.name, reasons: refusals.map((refusal) => refusal.decision.reason) }).toEqual({
      method: method.name,
      reasons: expect.arrayContaining([expect.stringMatching(method.refusedBy)]),
    });
  });
});

describe("positive controls: the same kinds of request allowed where they should be", () => {
  /** [what, request, allowed for a deploy role, allowed for a plan role, only for the environment with a domain and S3 state]. */
  const controls = (env: Environment): [string, IamRequest, boolean, boolean][] => {
    const { own, tag, boundaryArn } = env;
    const appRole = iam(`role/${own.appTier.instanceRole}`);
    const template = arn("ec2", "launch-template/lt-0123456789abcdef0");
    const ownDatabase = arn("rds", `db:${own.database.identifier}`);
    const rows: [string, IamRequest, boolean, boolean][] = [
      ["PutRolePolicy on its own workload role with the boundary", step("iam:PutRolePolicy", appRole, { "iam:PermissionsBoundary": boundaryArn }), true, false],
      ["CreateRole in its own name with the boundary", step("iam:CreateRole", appRole, { "iam:PermissionsBoundary": boundaryArn }), true, false],
      ["PassRole of its app role to EC2", passRole(appRole, "ec2.amazonaws.com"), true, false],
      ["GetRole of its app role", step("iam:GetRole", appRole), true, true],
      ["RunInstances through its own template", step("ec2:RunInstances", template, { "aws:ResourceTag/Environment": tag }), true, false],
      [
        "RunInstances into its own subnet",
        step("ec2:RunInstances", arn("ec2", "subnet/subnet-0own00000000000"), { "ec2:LaunchTemplate": template, "aws:ResourceTag/Environment": tag }),
        true,
        false,
      ],
      [
        "RunInstances with Amazon's image",
        step("ec2:RunInstances", `arn:aws:ec2:${REGION}::image/ami-0123456789abcdef0`, { "ec2:LaunchTemplate": template, "ec2:Owner": "amazon" }),
        true,
        false,
      ],
      [
        "CreateTags on a security group it creates",
        step("ec2:CreateTags", arn("ec2", "security-group/sg-0new"), { "ec2:CreateAction": "CreateSecurityGroup" }),
        true,
        false,
      ],
      [
        "RevokeSecurityGroupIngress on an untagged group (how the VPC's default group is adopted)",
        step("ec2:RevokeSecurityGroupIngress", arn("ec2", "security-group/sg-0untagged0000000")),
        true,
        false,
      ],
      [
        // The interfaces a function in the VPC and the database leave behind carry no tag and no name IAM can know.
        "DeleteNetworkInterface of a detached, untagged interface (what a function or the database leaves behind)",
        step("ec2:DeleteNetworkInterface", arn("ec2", "network-interface/eni-0lingering0000000")),
        true,
        false,
      ],
      [
        "AuthorizeSecurityGroupIngress on its own tagged group",
        step("ec2:AuthorizeSecurityGroupIngress", arn("ec2", "security-group/sg-0own"), { "aws:ResourceTag/Environment": tag }),
        true,
        false,
      ],
      ["DescribeInstances", step("ec2:DescribeInstances", "*"), true, true],
      [
        "DeleteSecret of its own database's master secret",
        step("secretsmanager:DeleteSecret", arn("secretsmanager", "secret:rds!db-0a1b2c3d-AbCdEf"), {
          "secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn": ownDatabase,
        }),
        true,
        false,
      ],
      [
        "UpdateFunctionCode of its own rotation function",
        step("lambda:UpdateFunctionCode", arn("lambda", `function:${own.databaseAppUser.rotationFunction}`)),
        true,
        false,
      ],
      ["InvokeFunction of its own release function", step("lambda:InvokeFunction", arn("lambda", `function:${own.appTier.releaseFunction}`)), true, false],
      ["GetFunction of its own release function", step("lambda:GetFunction", arn("lambda", `function:${own.appTier.releaseFunction}`)), true, true],
      [
        "DeleteLoadBalancer of its own load balancer",
        step("elasticloadbalancing:DeleteLoadBalancer", arn("elasticloadbalancing", `loadbalancer/app/${own.loadBalancer.name}/0123456789abcdef`)),
        true,
        false,
      ],
      ["DeleteVpc of its own tagged VPC", step("ec2:DeleteVpc", arn("ec2", "vpc/vpc-0own"), { "aws:ResourceTag/Environment": tag }), true, false],
    ];
    if (env.settings.loadBalancer.domain)
      rows.push([
        "ChangeResourceRecordSets in its own zone",
        step("route53:ChangeResourceRecordSets", `arn:aws:route53:::hostedzone/${env.settings.loadBalancer.domain.hostedZoneId}`),
        true,
        false,
      ]);
    if (env.settings.state.backend === "s3")
      rows.push(["PutObject of its own state", step("s3:PutObject", s3(`acme-state/${tag}/inventory-ha.tfstate`)), true, false]);
    return rows;
  };
  it("20 controls for the GitHub environment (a domain, S3 state), 18 for each Terraform Cloud one", () => {
    expect([githubEnv, cloudEnv, splitEnv].map((env) => controls(env).length)).toEqual([20, 18, 18]);
  });
  it.each(
    ROLES.flatMap((role) => controls(role.env).map(([what, request, deploy, plan]) => [role.name, what, role.deploys ? deploy : plan, request] as const)),
  )("%s, %s: allowed %s", (name, __, expected, request) => {
    const role = ROLES.find((candidate) => candidate.name === name)!;
    const decision = evaluateIdentity(request, role.policies);
    expect({ allowed: decision.allowed, reason: decision.reason }).toEqual({ allowed: expected, reason: expect.any(String) });
  });
});

describe("what a workload role can do under the environment's boundary, with the policy *:*", () => {
  // A deploy role may change its environment's functions' code and give its workload roles any policy (with
  // the boundary), and may create them with any trust: what is left is what the boundary leaves.
  const envs = [githubEnv, cloudEnv, splitEnv];
  const under = (env: Environment, request: IamRequest) => evaluateIdentity(request, [EVERYTHING], env.boundary);
  const fromFunction = (name: string) => ({ "lambda:SourceFunctionArn": arn("lambda", `function:${name}`) });

  /** The rotation or release function's code replaced: requests from the function itself, outside its job. */
  const fromReplacedCode = (env: Environment): [string, IamRequest][] => {
    const { own, other } = env;
    const rotation = fromFunction(own.databaseAppUser.rotationFunction);
    const release = fromFunction(own.appTier.releaseFunction);
    return [
      [
        "rotation: another database's master secret",
        step("secretsmanager:GetSecretValue", arn("secretsmanager", "secret:rds!db-0a1b2c3d-AbCdEf"), {
          ...rotation,
          "secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn": arn("rds", `db:${other.database.identifier}`),
        }),
      ],
      [
        "rotation: another environment's app user secret",
        step("secretsmanager:GetSecretValue", arn("secretsmanager", `secret:${other.databaseAppUser.secret}-AbCdEf`), rotation),
      ],
      ["rotation: PutRolePolicy on its own role", step("iam:PutRolePolicy", iam(`role/${own.databaseAppUser.rotationFunction}`), rotation)],
      ["rotation: CreateUser", step("iam:CreateUser", iam("user/attacker"), rotation)],
      ["rotation: CreateAccessKey", step("iam:CreateAccessKey", iam("user/alice"), rotation)],
      ["rotation: another bucket's object", step("s3:GetObject", s3("acme-state/other/inventory-ha.tfstate"), rotation)],
      ["rotation: assume another role", step("sts:AssumeRole", ADMIN_ROLE, rotation)],
      ["rotation: change its own code", step("lambda:UpdateFunctionCode", arn("lambda", `function:${own.databaseAppUser.rotationFunction}`), rotation)],
      [
        "release: another environment's Auto Scaling group",
        step("autoscaling:UpdateAutoScalingGroup", arn("autoscaling", `autoScalingGroup:*:autoScalingGroupName/${other.appTier.autoScalingGroup}`), release),
      ],
      [
        "release: another environment's launch template",
        step("ec2:CreateLaunchTemplateVersion", arn("ec2", "launch-template/lt-0other"), { ...release, "aws:ResourceTag/Environment": "other" }),
      ],
      ["release: another environment's app archive", step("s3:GetObject", s3(`${other.appArtifact.bucketPrefix}x/app.zip`), release)],
      ["release: PassRole of an admin role", step("iam:PassRole", ADMIN_ROLE, { ...release, "iam:PassedToService": "ec2.amazonaws.com" })],
      ["release: DeleteDBInstance of its own database", step("rds:DeleteDBInstance", arn("rds", `db:${own.database.identifier}`), release)],
    ];
  };
  /** The function's job, still allowed from the function: the control that the boundary does not refuse everything. */
  const theirJob = (env: Environment): [string, IamRequest][] => {
    const { own } = env;
    return [
      [
        "rotation: its own database's master secret",
        step("secretsmanager:GetSecretValue", arn("secretsmanager", "secret:rds!db-0a1b2c3d-AbCdEf"), {
          ...fromFunction(own.databaseAppUser.rotationFunction),
          "secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn": arn("rds", `db:${own.database.identifier}`),
        }),
      ],
      [
        "rotation: its app user secret",
        step(
          "secretsmanager:PutSecretValue",
          arn("secretsmanager", `secret:${own.databaseAppUser.secret}-AbCdEf`),
          fromFunction(own.databaseAppUser.rotationFunction),
        ),
      ],
      [
        "release: its Auto Scaling group's refresh",
        step(
          "autoscaling:StartInstanceRefresh",
          arn("autoscaling", `autoScalingGroup:*:autoScalingGroupName/${own.appTier.autoScalingGroup}`),
          fromFunction(own.appTier.releaseFunction),
        ),
      ],
      [
        "app servers: the app archive, from an instance",
        step("s3:GetObject", s3(`${own.appArtifact.bucketPrefix}x/app.zip`), { "ec2:SourceInstanceARN": arn("ec2", "instance/i-0123") }),
      ],
    ];
  };

  it.each(envs.flatMap((env) => fromReplacedCode(env).map(([what, request]) => [env.tag, what, request, env] as const)))(
    "%s, %s: refused",
    (_, __, request, env) => {
      const decision = under(env, request);
      expect({ allowed: decision.allowed, reason: decision.reason }).toEqual({
        allowed: false,
        reason: expect.stringMatching(/no statement of the permissions boundary allows it/),
      });
    },
  );
  it.each(envs.flatMap((env) => theirJob(env).map(([what, request]) => [env.tag, what, request, env] as const)))(
    "%s, %s: allowed (its job)",
    (_, __, request, env) => {
      expect(under(env, request)).toMatchObject({ allowed: true });
    },
  );
  it.each(envs.flatMap((env) => theirJob(env).map(([what, request]) => [env.tag, what, request, env] as const)))(
    "%s, %s: refused to a session not from the function or an instance",
    (_, __, request, env) => {
      const outside = {
        ...request,
        context: Object.fromEntries(Object.entries(request.context ?? {}).filter(([name]) => !/Source(FunctionArn|InstanceARN)$/.test(name))),
      };
      expect(under(env, outside)).toMatchObject({ allowed: false });
    },
  );

  /**
   * A role created with the boundary and `*:*`, assumed from outside (no lambda:SourceFunctionArn, no
   * ec2:SourceInstanceARN): what the boundary leaves to AWS services acting with the role, which carry no
   * such key. Each entry is allowed, and nothing else of the list below is.
   */
  const residual = (env: Environment): [string, IamRequest][] => {
    const { own, tag } = env;
    const template = arn("ec2", "launch-template/lt-0123456789abcdef0");
    return [
      // Lambda's and VPC Flow Logs' log writes, to the environment's own groups.
      ["PutLogEvents to its flow log group", step("logs:PutLogEvents", arn("logs", `log-group:${own.network.flowLogGroup}:log-stream:x`))],
      [
        "CreateLogStream in its release function's group",
        step("logs:CreateLogStream", arn("logs", `log-group:/aws/lambda/${own.appTier.releaseFunction}:log-stream:x`)),
      ],
      // Enhanced Monitoring's one group, which RDS shares among every instance of the account (AWS's managed policy is the same).
      ["PutLogEvents to RDS Enhanced Monitoring's group", step("logs:PutLogEvents", arn("logs", `log-group:${ENHANCED_MONITORING_LOG_GROUP}:log-stream:x`))],
      ["GetLogEvents of RDS Enhanced Monitoring's group", step("logs:GetLogEvents", arn("logs", `log-group:${ENHANCED_MONITORING_LOG_GROUP}:log-stream:x`))],
      // Lambda's network interfaces for the functions in the VPC.
      ["CreateNetworkInterface", step("ec2:CreateNetworkInterface", arn("ec2", "network-interface/*"))],
      ["DeleteNetworkInterface (IAM cannot tell Lambda's interfaces apart)", step("ec2:DeleteNetworkInterface", arn("ec2", "network-interface/eni-0123"))],
      ["DescribeNetworkInterfaces", step("ec2:DescribeNetworkInterfaces", "*")],
      // Auto Scaling checks that whoever hands the group its template may launch from it and pass its role.
      ["RunInstances from its template", step("ec2:RunInstances", template, { "aws:ResourceTag/Environment": tag })],
      ["PassRole of the app servers' role to EC2", passRole(iam(`role/${own.appTier.instanceRole}`), "ec2.amazonaws.com")],
    ];
  };
  const fromOutside = (env: Environment): [string, IamRequest][] => {
    const { own, other } = env;
    const template = arn("ec2", "launch-template/lt-0123456789abcdef0");
    const throughTemplate = { "ec2:LaunchTemplate": template };
    return [
      ["its own app user secret", step("secretsmanager:GetSecretValue", arn("secretsmanager", `secret:${own.databaseAppUser.secret}-AbCdEf`))],
      [
        "its own database's master secret",
        step("secretsmanager:GetSecretValue", arn("secretsmanager", "secret:rds!db-0a1b2c3d-AbCdEf"), {
          "secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn": arn("rds", `db:${own.database.identifier}`),
        }),
      ],
      ["its own app archive", step("s3:GetObject", s3(`${own.appArtifact.bucketPrefix}x/app.zip`))],
      ["any IAM write", step("iam:PutRolePolicy", iam(`role/${own.appTier.instanceRole}`), { "iam:PermissionsBoundary": env.boundaryArn })],
      ["sts:AssumeRole", step("sts:AssumeRole", ADMIN_ROLE)],
      [
        "its Auto Scaling group",
        step("autoscaling:StartInstanceRefresh", arn("autoscaling", `autoScalingGroup:*:autoScalingGroupName/${own.appTier.autoScalingGroup}`)),
      ],
      ["a new version of its template", step("ec2:CreateLaunchTemplateVersion", template, { "aws:ResourceTag/Environment": env.tag })],
      ["Session Manager", step("ssm:UpdateInstanceInformation", "*")],
      ["PutLogEvents to another environment's flow log group", step("logs:PutLogEvents", arn("logs", `log-group:${other.network.flowLogGroup}:log-stream:x`))],
      [
        "RunInstances into another environment's subnet",
        step("ec2:RunInstances", arn("ec2", "subnet/subnet-0other"), { ...throughTemplate, "aws:ResourceTag/Environment": "other" }),
      ],
      [
        "RunInstances into another environment's security group",
        step("ec2:RunInstances", arn("ec2", "security-group/sg-0other"), { ...throughTemplate, "aws:ResourceTag/Environment": "other" }),
      ],
      [
        "RunInstances with another account's image",
        step("ec2:RunInstances", `arn:aws:ec2:${REGION}::image/ami-0other`, { ...throughTemplate, "ec2:Owner": OTHER_ACCOUNT }),
      ],
      [
        "CreateNetworkInterface in another environment's subnet",
        step("ec2:CreateNetworkInterface", arn("ec2", "subnet/subnet-0other"), { "aws:ResourceTag/Environment": "other" }),
      ],
    ];
  };

  it("the residual from outside: 9 requests per environment", () => {
    expect(envs.map((env) => residual(env).length)).toEqual([9, 9, 9]);
  });
  it.each(envs.flatMap((env) => residual(env).map(([what, request]) => [env.tag, what, request, env] as const)))(
    "%s, residual: %s is allowed",
    (_, __, request, env) => {
      expect(under(env, request)).toMatchObject({ allowed: true });
    },
  );
  it.each(envs.flatMap((env) => fromOutside(env).map(([what, request]) => [env.tag, what, request, env] as const)))(
    "%s, from outside: %s is refused",
    (_, __, request, env) => {
      const decision = under(env, request);
      expect({ allowed: decision.allowed, reason: decision.reason }).toEqual({
        allowed: false,
        reason: expect.stringMatching(/no statement of the permissions boundary allows it/),
      });
    },
  );
});
