import { Testing } from "cdktf";
import { readPolicy } from "../../src/terraform/document";
import { evaluateTrust } from "../../src/policy/trust-evaluation";
import { UNSCOPED_ACTIONS } from "../../src/ci-access/environment-permissions";
import { CI_ACCESS_STACK, CiAccessStack, ciAccessProps } from "../../src/ci-access/ci-access-stack";
import type { EnvironmentSettings } from "../../src/config/schema";
import { settingsFor, synthStack } from "../support/stacks";
import { eastRegion, terraformCloudRun, terraformCloudSplit } from "../support/variants";

// The inventory-ci-access stack: one trust condition at a time, then each
// trust policy evaluated against sample tokens (the right workspace or
// repository accepted; another workspace, organization, project, run phase,
// repository, branch or audience refused), then what the roles may do.

const ACCOUNT = "123456789012";
const cloud = terraformCloudRun();
const split = terraformCloudSplit();
const github = settingsFor("default", {
  state: { bucket: "acme-state", lockTable: "acme-locks" },
  ci: { accountId: ACCOUNT, githubActions: { repository: "acme/inventory-ha" } },
});

function synthAccess(environments: EnvironmentSettings[]): any {
  const props = ciAccessProps(environments);
  if (!props) throw new Error("no CI access configured");
  return JSON.parse(Testing.synth(new CiAccessStack(Testing.app(), CI_ACCESS_STACK, props)));
}
const document = synthAccess([cloud, split, github]);
const role = (name: string) => document.resource.aws_iam_role[name];
const trustOf = (name: string) => JSON.parse(role(name).assume_role_policy);
const TFC_PROVIDER = "${aws_iam_openid_connect_provider.oidc_app_terraform_io.arn}";
const GITHUB_PROVIDER = "${aws_iam_openid_connect_provider.oidc_token_actions_githubusercontent_com.arn}";

describe("the OIDC identity providers", () => {
  it("one per issuer host, with the audiences its roles accept", () => {
    expect(document.resource.aws_iam_openid_connect_provider).toEqual({
      oidc_app_terraform_io: expect.objectContaining({ url: "https://app.terraform.io", client_id_list: ["aws.workload.identity"] }),
      oidc_token_actions_githubusercontent_com: expect.objectContaining({
        url: "https://token.actions.githubusercontent.com",
        client_id_list: ["sts.amazonaws.com"],
      }),
    });
  });
  it("the provider refuses credentials of any account but the configured one", () => {
    expect(document.provider.aws[0].allowed_account_ids).toEqual([ACCOUNT]);
  });
  it("an existing provider is used instead of a new one", () => {
    const existing = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
    const withExisting = synthAccess([
      settingsFor("default", {
        state: { bucket: "acme-state" },
        ci: { accountId: ACCOUNT, githubActions: { repository: "acme/x", oidcProviderArn: existing } },
      }),
    ]);
    expect(withExisting.resource.aws_iam_openid_connect_provider).toBeUndefined();
    expect(JSON.parse(withExisting.resource.aws_iam_role.default_gha_deploy_role.assume_role_policy).Statement[0].Principal).toEqual({ Federated: existing });
  });
});

describe("trust conditions, one by one", () => {
  it("Terraform Cloud run role: the provider, the audience, and the organization, project and workspace in sub, any run phase", () => {
    const [statement] = trustOf("cloud_tfc_run_role").Statement;
    expect(trustOf("cloud_tfc_run_role").Statement).toHaveLength(1);
    expect(statement.Effect).toBe("Allow");
    expect(statement.Action).toBe("sts:AssumeRoleWithWebIdentity");
    expect(statement.Principal).toEqual({ Federated: TFC_PROVIDER });
    expect(statement.Condition.StringEquals).toEqual({ "app.terraform.io:aud": "aws.workload.identity" });
    expect(statement.Condition.StringLike).toEqual({ "app.terraform.io:sub": "organization:acme:project:Inventory:workspace:inventory-ha-cloud:run_phase:*" });
  });
  it("separate roles: the plan role only for the plan phase, the apply role only for the apply phase, matched exactly", () => {
    expect(trustOf("split_tfc_plan_role").Statement[0].Condition).toEqual({
      StringEquals: {
        "app.terraform.io:aud": "aws.workload.identity",
        "app.terraform.io:sub": "organization:acme:project:Inventory:workspace:inventory-split:run_phase:plan",
      },
    });
    expect(trustOf("split_tfc_apply_role").Statement[0].Condition.StringEquals["app.terraform.io:sub"]).toBe(
      "organization:acme:project:Inventory:workspace:inventory-split:run_phase:apply",
    );
    expect(document.resource.aws_iam_role.split_tfc_run_role).toBeUndefined();
  });
  it("GitHub Actions plan role: pull requests of the repository only", () => {
    const [statement] = trustOf("default_gha_plan_role").Statement;
    expect(statement.Principal).toEqual({ Federated: GITHUB_PROVIDER });
    expect(statement.Condition).toEqual({
      StringEquals: {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": "repo:acme/inventory-ha:pull_request",
      },
    });
  });
  it("GitHub Actions deploy role: the deploy branch, or the deploy environment when one is named", () => {
    expect(trustOf("default_gha_deploy_role").Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]).toBe(
      "repo:acme/inventory-ha:ref:refs/heads/main",
    );
    const withEnvironment = synthAccess([
      settingsFor("default", {
        state: { bucket: "acme-state" },
        ci: { accountId: ACCOUNT, githubActions: { repository: "acme/x", deployEnvironment: "production" } },
      }),
    ]);
    expect(
      JSON.parse(withEnvironment.resource.aws_iam_role.default_gha_deploy_role.assume_role_policy).Statement[0].Condition.StringEquals[
        "token.actions.githubusercontent.com:sub"
      ],
    ).toBe("repo:acme/x:environment:production");
  });
  it("runs get sessions of an hour at most", () => {
    for (const [name, config] of Object.entries<any>(document.resource.aws_iam_role))
      expect({ name, max: config.max_session_duration }).toEqual({ name, max: 3600 });
  });
});

describe("trust policies evaluated against sample tokens", () => {
  const tfc = (sub: string, aud = "aws.workload.identity") => ({
    federatedPrincipal: TFC_PROVIDER,
    context: { "app.terraform.io:aud": aud, "app.terraform.io:sub": sub },
  });
  const sub = (organization: string, project: string, workspace: string, phase: string) =>
    `organization:${organization}:project:${project}:workspace:${workspace}:run_phase:${phase}`;
  const allowed = (roleName: string, request: Parameters<typeof evaluateTrust>[1]) => evaluateTrust(role(roleName).assume_role_policy, request).allowed;

  it.each([
    ["the workspace's plan phase", sub("acme", "Inventory", "inventory-ha-cloud", "plan"), true],
    ["the workspace's apply phase", sub("acme", "Inventory", "inventory-ha-cloud", "apply"), true],
    ["another workspace", sub("acme", "Inventory", "inventory-ha-default", "apply"), false],
    ["a workspace whose name starts the same", sub("acme", "Inventory", "inventory-ha-cloud-2", "apply"), false],
    ["another organization", sub("evil", "Inventory", "inventory-ha-cloud", "apply"), false],
    ["another project", sub("acme", "Default Project", "inventory-ha-cloud", "apply"), false],
    ["a sub that smuggles the workspace in later", `${sub("evil", "x", "y", "plan")}:workspace:inventory-ha-cloud:run_phase:plan`, false],
  ])("run role, %s: %s", (_, token, expected) => {
    expect(allowed("cloud_tfc_run_role", tfc(token))).toBe(expected);
  });

  it("run role refuses another audience and another provider's token", () => {
    expect(allowed("cloud_tfc_run_role", tfc(sub("acme", "Inventory", "inventory-ha-cloud", "plan"), "sts.amazonaws.com"))).toBe(false);
    expect(allowed("cloud_tfc_run_role", { ...tfc(sub("acme", "Inventory", "inventory-ha-cloud", "plan")), federatedPrincipal: GITHUB_PROVIDER })).toBe(false);
  });

  it.each([
    ["split_tfc_plan_role", "plan", true],
    ["split_tfc_plan_role", "apply", false],
    ["split_tfc_apply_role", "apply", true],
    ["split_tfc_apply_role", "plan", false],
  ])("%s with a %s-phase token: %s", (roleName, phase, expected) => {
    expect(allowed(roleName, tfc(sub("acme", "Inventory", "inventory-split", phase)))).toBe(expected);
  });

  const gha = (subject: string) => ({
    federatedPrincipal: GITHUB_PROVIDER,
    context: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": subject },
  });
  it.each([
    ["default_gha_plan_role", "repo:acme/inventory-ha:pull_request", true],
    ["default_gha_plan_role", "repo:acme/inventory-ha:ref:refs/heads/main", false],
    ["default_gha_plan_role", "repo:acme/fork:pull_request", false],
    ["default_gha_plan_role", "repo:evil/inventory-ha:pull_request", false],
    ["default_gha_deploy_role", "repo:acme/inventory-ha:ref:refs/heads/main", true],
    ["default_gha_deploy_role", "repo:acme/inventory-ha:pull_request", false],
    ["default_gha_deploy_role", "repo:acme/inventory-ha:ref:refs/heads/feature", false],
    ["default_gha_deploy_role", "repo:acme/inventory-ha:ref:refs/tags/main", false],
    ["default_gha_deploy_role", "repo:acme/other:ref:refs/heads/main", false],
  ])("%s with %s: %s", (roleName, subject, expected) => {
    expect(allowed(roleName, gha(subject))).toBe(expected);
  });
});

describe("what the roles may do", () => {
  const policiesOf = (prefix: string) =>
    Object.entries<any>(document.resource.aws_iam_policy)
      .filter(([name]) => name.startsWith(prefix))
      .map(([name, config]) => {
        const reading = readPolicy(config.policy);
        if ("problem" in reading) throw new Error(reading.problem);
        return { name, text: config.policy as string, statements: reading.statements };
      });
  /** What a role's policies allow (the fence's Denies are not grants). */
  const allActions = (prefix: string) =>
    policiesOf(prefix).flatMap((policy) => policy.statements.filter((statement) => statement.effect === "Allow").flatMap((statement) => statement.actions));
  const ciRolePolicies = () => policiesOf("").filter((policy) => !policy.name.endsWith("_workload_boundary"));
  const unscoped = new Set(UNSCOPED_ACTIONS.flatMap((group) => group.actions));

  it("each policy fits IAM's 6,144 characters (whitespace not counted)", () => {
    for (const policy of policiesOf(""))
      expect({ name: policy.name, length: policy.text.replace(/\s/g, "").length < 6144 }).toEqual({ name: policy.name, length: true });
  });
  it("resource * only for the actions listed as unscoped, and never a service wildcard", () => {
    for (const policy of ciRolePolicies()) {
      for (const statement of policy.statements.filter((candidate) => candidate.effect === "Allow")) {
        if (statement.resources.includes("*")) expect(statement.actions.filter((action) => !unscoped.has(action))).toStrictEqual([]);
        expect(statement.actions.filter((action) => action === "*" || /:\*$/.test(action))).toStrictEqual([]);
      }
    }
  });
  // Terraform 1.11 lists the workspaces before every command, and stops when refused.
  const listWorkspaces = {
    Sid: "ListStateWorkspaces",
    Effect: "Allow",
    Action: "s3:ListBucket",
    Resource: "arn:aws:s3:::acme-state",
    Condition: { StringEquals: { "s3:prefix": "env:/" } },
  };
  it("plan roles only read: no write of any kind, the state and its lock included", () => {
    expect(allActions("default_gha_plan").filter((action) => !/:(Describe|Get|List)/.test(action) && action !== "kms:Decrypt")).toStrictEqual([]);
    expect(allActions("split_tfc_plan").filter((action) => !/:(Describe|Get|List)/.test(action))).toStrictEqual([]);
  });
  it("a GitHub plan role reads its state as a -lock=false plan does: the workspace list, the object, its key through S3, the digest item", () => {
    expect(JSON.parse(document.resource.aws_iam_policy.default_gha_plan_state_policy.policy).Statement).toEqual([
      listWorkspaces,
      { Sid: "ReadState", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::acme-state/default/inventory-ha.tfstate" },
      {
        Sid: "DecryptStateThroughS3",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: `arn:aws:kms:us-west-2:${ACCOUNT}:key/*`,
        Condition: {
          StringEquals: {
            "kms:ViaService": "s3.us-west-2.amazonaws.com",
            "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::acme-state/default/inventory-ha.tfstate",
          },
        },
      },
      {
        Sid: "ReadStateDigest",
        Effect: "Allow",
        Action: "dynamodb:GetItem",
        Resource: `arn:aws:dynamodb:us-west-2:${ACCOUNT}:table/acme-locks`,
        Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": "acme-state/default/inventory-ha.tfstate-md5" } },
      },
    ]);
  });
  it("deploy roles act on the environment's own names: roles, profile, load balancer, group, database, log bucket prefix", () => {
    const resources = policiesOf("cloud_tfc_run").flatMap((policy) => policy.statements.flatMap((statement) => statement.resources));
    expect(resources).toEqual(
      expect.arrayContaining([
        `arn:aws:iam::${ACCOUNT}:role/cloud-Inventory-App-Role`,
        `arn:aws:iam::${ACCOUNT}:instance-profile/cloud-Inventory-App-Role`,
        `arn:aws:elasticloadbalancing:us-west-2:${ACCOUNT}:loadbalancer/app/cloud-Inventory-LB/*`,
        `arn:aws:elasticloadbalancing:us-west-2:${ACCOUNT}:targetgroup/cloud-Inventory-App/*`,
        `arn:aws:autoscaling:us-west-2:${ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/cloud-Inventory-ASG`,
        `arn:aws:rds:us-west-2:${ACCOUNT}:db:cloud-inventory-db`,
        "arn:aws:s3:::cloud-inventory-lb-logs-*",
      ]),
    );
    const iamResources = resources.filter((resource) => resource.startsWith("arn:aws:iam::") && !resource.includes("aws-service-role"));
    expect(iamResources.filter((resource) => !/\/cloud-(Inventory-|inventory-db-app-user-rotation$)/.test(resource))).toStrictEqual([]);
    // The app user's rotation function, its secret (Secrets Manager appends six characters) and the WAF.
    expect(resources).toEqual(
      expect.arrayContaining([
        `arn:aws:lambda:us-west-2:${ACCOUNT}:function:cloud-inventory-db-app-user-rotation`,
        `arn:aws:secretsmanager:us-west-2:${ACCOUNT}:secret:cloud-inventory-db-app-user-??????`,
        `arn:aws:wafv2:us-west-2:${ACCOUNT}:regional/webacl/cloud-Inventory-LB-web-acl/*`,
      ]),
    );
    // No state access for a Terraform Cloud workspace: Terraform Cloud keeps the state.
    expect(resources.filter((resource) => resource.includes(":s3:::") && resource.includes("tfstate"))).toStrictEqual([]);
  });
  it("EC2 resources are created only with the environment's tag, and changed only while they carry it", () => {
    const network = policiesOf("cloud_tfc_run_network")[0].statements;
    const creations = network.filter(
      (statement) => statement.actions.length === 1 && statement.conditions.some((c) => c.variable === "aws:RequestTag/Project"),
    );
    expect(creations.length).toBeGreaterThanOrEqual(10);
    for (const statement of creations) {
      expect(statement.conditions).toEqual(expect.arrayContaining([{ test: "StringEquals", variable: "aws:RequestTag/Environment", values: ["cloud"] }]));
      // Only the type it creates: CreateSubnet may not name vpc/* under a request tag condition.
      expect(statement.resources).toHaveLength(1);
    }
    const managed = network.find((statement) => statement.actions.includes("ec2:DeleteVpc"))!;
    expect(managed.conditions).toEqual([{ test: "StringEquals", variable: "aws:ResourceTag/Environment", values: ["cloud"] }]);
  });
  it("the deploy role may attach no AWS managed policy (the stack attaches none), and pass each role only to its service", () => {
    const compute = policiesOf("cloud_tfc_run_compute")[0].statements;
    expect(compute.filter((statement) => statement.actions.includes("iam:AttachRolePolicy"))).toStrictEqual([]);
    const passes = compute.filter((statement) => statement.actions.includes("iam:PassRole"));
    expect(passes.map((statement) => [statement.resources[0].split("/").pop(), statement.conditions[0].values[0]])).toEqual([
      ["cloud-Inventory-App-Role", "ec2.amazonaws.com"],
      ["cloud-Inventory-VPC-Flow-Logs", "vpc-flow-logs.amazonaws.com"],
      ["cloud-Inventory-DB-Monitoring", "monitoring.rds.amazonaws.com"],
      ["cloud-inventory-db-app-user-rotation", "lambda.amazonaws.com"],
      ["cloud-Inventory-App-Release", "lambda.amazonaws.com"],
    ]);
  });
  it("the deploy role invokes the app's release function only, and starts no instance refresh itself (the release function does)", () => {
    const statements = policiesOf("cloud_tfc_run").flatMap((policy) => policy.statements);
    const invoking = statements.filter((statement) => statement.actions.some((action) => /^lambda:(InvokeFunction|\*)$/.test(action)));
    expect(invoking.map((statement) => [statement.actions, statement.resources])).toEqual([
      [["lambda:InvokeFunction"], [`arn:aws:lambda:us-west-2:${ACCOUNT}:function:cloud-Inventory-App-Release`]],
    ]);
    expect(statements.flatMap((statement) => statement.actions).filter((action) => /InstanceRefresh/.test(action))).toStrictEqual([]);
    // It manages the release function, its role and its log group by name, as the rotation function's.
    const resources = statements.flatMap((statement) => statement.resources);
    expect(resources).toEqual(
      expect.arrayContaining([
        `arn:aws:lambda:us-west-2:${ACCOUNT}:function:cloud-Inventory-App-Release`,
        `arn:aws:iam::${ACCOUNT}:role/cloud-Inventory-App-Release`,
        `arn:aws:logs:us-west-2:${ACCOUNT}:log-group:/aws/lambda/cloud-Inventory-App-Release`,
      ]),
    );
  });
  it("the monitoring: the topic, the alarms named after the environment's resources and the dashboard, by name", () => {
    const monitoring = policiesOf("cloud_tfc_run_monitoring")[0].statements;
    const resourcesOf = (action: string) => monitoring.find((statement) => statement.actions.includes(action))!.resources;
    expect(resourcesOf("sns:CreateTopic")).toEqual([
      `arn:aws:sns:us-west-2:${ACCOUNT}:cloud-Inventory-Alarms`,
      `arn:aws:sns:us-west-2:${ACCOUNT}:cloud-Inventory-Alarms:*`,
    ]);
    expect(resourcesOf("cloudwatch:PutMetricAlarm")).toEqual(
      ["cloud-Inventory-LB", "cloud-Inventory-App", "cloud-Inventory-ASG", "cloud-Inventory-DB", "cloud-NAT Gateway 1", "cloud-NAT Gateway 2"].map(
        (subject) => `arn:aws:cloudwatch:us-west-2:${ACCOUNT}:alarm:${subject} *`,
      ),
    );
    expect(resourcesOf("cloudwatch:PutDashboard")).toEqual([`arn:aws:cloudwatch::${ACCOUNT}:dashboard/cloud-Inventory-HA`]);
    // Every alarm the environment's stack synthesizes is among them, so none is left out of the role's reach.
    const environment = synthStack(cloud).document;
    const patterns = resourcesOf("cloudwatch:PutMetricAlarm").map((resource) => resource.split(":alarm:")[1].replace(/\*$/, ""));
    for (const alarm of Object.values<any>(environment.resource.aws_cloudwatch_metric_alarm))
      expect({ alarm: alarm.alarm_name, covered: patterns.some((pattern) => alarm.alarm_name.startsWith(pattern)) }).toEqual({
        alarm: alarm.alarm_name,
        covered: true,
      });
  });
  it("the topic's key is this stack's, an administrator's: no CI role may create, tag or manage a key", () => {
    // Only the state key's use, through S3 (the state stack's key).
    const kms = policiesOf("").flatMap((policy) =>
      policy.statements
        .filter((statement) => statement.effect === "Allow" && statement.actions.some((action) => action.startsWith("kms:")))
        .map((statement) => [policy.name, statement.actions, statement.conditions.find((condition) => condition.variable === "kms:ViaService")?.values]),
    );
    expect(kms).toEqual([
      ["default_gha_deploy_state_policy", ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"], ["s3.us-west-2.amazonaws.com"]],
      ["default_gha_plan_state_policy", ["kms:Decrypt"], ["s3.us-west-2.amazonaws.com"]],
    ]);
    expect(document.resource.aws_kms_alias.cloud_alarm_topic_key_alias.name).toBe("alias/cloud-inventory-alarms");
    expect(document.resource.aws_kms_key.cloud_alarm_topic_key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    const keyPolicy = JSON.parse(document.resource.aws_kms_key_policy.cloud_alarm_topic_key_policy.policy);
    expect(keyPolicy.Statement.map((statement: any) => [statement.Sid, statement.Principal])).toEqual([
      ["AdministeredByTheAccount", { AWS: `arn:aws:iam::${ACCOUNT}:root` }],
      ["CloudWatchAlarmsEncryptNotifications", { Service: "cloudwatch.amazonaws.com" }],
    ]);
    expect(keyPolicy.Statement[1].Condition.StringEquals["aws:SourceAccount"]).toBe(ACCOUNT);
    // The environment's topic is encrypted with it, by its alias.
    const environment = synthStack(cloud).document;
    expect(Object.values<any>(environment.resource.aws_sns_topic)[0].kms_master_key_id).toBe(`arn:aws:kms:us-west-2:${ACCOUNT}:alias/cloud-inventory-alarms`);
    expect(environment.resource.aws_kms_key).toBeUndefined();
  });
  it("the log groups' key is this stack's too: CloudWatch Logs may use it for the environment's log groups only", () => {
    expect(document.resource.aws_kms_alias.cloud_log_key_alias.name).toBe("alias/cloud-inventory-logs");
    expect(document.resource.aws_kms_key.cloud_log_key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    const keyPolicy = JSON.parse(document.resource.aws_kms_key_policy.cloud_log_key_policy.policy);
    expect(keyPolicy.Statement.map((statement: any) => [statement.Sid, statement.Principal])).toEqual([
      ["AdministeredByTheAccount", { AWS: `arn:aws:iam::${ACCOUNT}:root` }],
      ["CloudWatchLogsEncryptTheEnvironmentsLogGroups", { Service: "logs.us-west-2.amazonaws.com" }],
    ]);
    const logGroup = (name: string) => `arn:aws:logs:us-west-2:${ACCOUNT}:log-group:${name}`;
    expect(keyPolicy.Statement[1].Condition).toEqual({
      ArnEquals: {
        "kms:EncryptionContext:aws:logs:arn": [
          logGroup("/inventory-ha/cloud-vpc-flow-logs"),
          logGroup("/aws/lambda/cloud-inventory-db-app-user-rotation"),
          logGroup("/aws/lambda/cloud-Inventory-App-Release"),
          logGroup("aws-waf-logs-cloud-inventory-lb-web-acl"),
        ],
      },
    });
    // The environment's log groups are encrypted with it, by its alias, and are exactly those the policy names.
    const environment = synthStack(cloud).document;
    const groups = Object.values<any>(environment.resource.aws_cloudwatch_log_group);
    expect(groups.map((group) => [logGroup(group.name), group.kms_key_id]).sort()).toEqual(
      [...keyPolicy.Statement[1].Condition.ArnEquals["kms:EncryptionContext:aws:logs:arn"]]
        .sort()
        .map((arn: string) => [arn, `arn:aws:kms:us-west-2:${ACCOUNT}:alias/cloud-inventory-logs`]),
    );
    expect(groups).toHaveLength(4);
  });
  it("an environment in another region gets its key from a provider of that region", () => {
    const both = synthAccess([cloud, eastRegion()]);
    expect(both.provider.aws.map((provider: any) => [provider.alias, provider.region])).toEqual([
      [undefined, "us-west-2"],
      ["us-east-1", "us-east-1"],
    ]);
    expect(both.resource.aws_kms_key.east_alarm_topic_key.provider).toBe("aws.us-east-1");
    expect(both.resource.aws_kms_key.cloud_alarm_topic_key.provider).toBeUndefined();
  });
  it("an environment whose topic uses a key of its own gives its roles no KMS permission", () => {
    const ownKey = settingsFor("own-key", {
      namePrefix: "own-",
      state: { backend: "cloud", organization: "acme" },
      monitoring: { notifications: { kmsKeyArn: `arn:aws:kms:us-west-2:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab` } },
      ci: { accountId: ACCOUNT, terraformCloud: { project: "Inventory" } },
    });
    const own = synthAccess([ownKey]);
    const actions = Object.values<any>(own.resource.aws_iam_policy).flatMap((policy) => {
      const reading = readPolicy(policy.policy);
      if ("problem" in reading) throw new Error(reading.problem);
      return reading.statements.flatMap((statement) => statement.actions);
    });
    expect(actions.filter((action) => action.startsWith("kms:"))).toStrictEqual([]);
    expect(actions).toContain("sns:CreateTopic");
    // Only the log groups' key, which the environment cannot name one of its own for.
    expect(Object.keys(own.resource.aws_kms_key)).toEqual(["own_key_log_key"]);
  });
  it("a domain: the deploy role changes records of that zone only, and never requests a certificate", () => {
    const withDomain = (certificateArn?: string) =>
      settingsFor("named", {
        namePrefix: "named-",
        state: { backend: "cloud", organization: "acme" },
        loadBalancer: { domain: { name: "inventory.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" }, ...(certificateArn ? { certificateArn } : {}) },
        ci: { accountId: ACCOUNT, terraformCloud: { project: "Inventory" } },
      });
    // ACM checks a request's tags over every certificate of the account: an administrator requests it.
    expect(() => withDomain()).toThrow(
      "named.json: loadBalancer.certificateArn: missing: with CI access, request the domain's certificate as an administrator and give its ARN here " +
        "(a CI role that may request a tagged certificate could tag, and then manage, every certificate of the account)",
    );
    const statementsOf = (doc: any) =>
      Object.values<any>(doc.resource.aws_iam_policy).flatMap((policy) => {
        const reading = readPolicy(policy.policy);
        if ("problem" in reading) throw new Error(reading.problem);
        return reading.statements.filter((statement) => statement.effect === "Allow");
      });
    const named = statementsOf(synthAccess([withDomain(`arn:aws:acm:us-west-2:${ACCOUNT}:certificate/1234abcd-12ab-34cd-56ef-1234567890ab`)]));
    const granting = (action: string) => named.filter((statement) => statement.actions.includes(action));
    expect(granting("route53:ChangeResourceRecordSets").map((statement) => statement.resources)).toEqual([
      ["arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"],
    ]);
    expect(granting("route53:GetChange").map((statement) => statement.resources)).toEqual([["arn:aws:route53:::change/*"]]);
    expect(named.flatMap((statement) => statement.actions).filter((action) => action.startsWith("acm:"))).toStrictEqual([]);
    // No domain: no Route 53 or ACM permission.
    expect(allActions("cloud_tfc_run").filter((action) => /^(acm|route53):/.test(action))).toStrictEqual([]);
  });
  it("a GitHub deploy role writes its own state object and lock, with the state key through S3, and locks only its own DynamoDB items", () => {
    const state = "arn:aws:s3:::acme-state/default/inventory-ha.tfstate";
    expect(JSON.parse(document.resource.aws_iam_policy.default_gha_deploy_state_policy.policy).Statement).toEqual([
      listWorkspaces,
      { Sid: "ReadWriteState", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: state },
      { Sid: "StateLockFile", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: `${state}.tflock` },
      {
        Sid: "EncryptDecryptStateThroughS3",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"],
        Resource: `arn:aws:kms:us-west-2:${ACCOUNT}:key/*`,
        Condition: {
          StringEquals: { "kms:ViaService": "s3.us-west-2.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": [state, `${state}.tflock`] },
        },
      },
      {
        Sid: "StateLockTable",
        Effect: "Allow",
        Action: ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
        Resource: `arn:aws:dynamodb:us-west-2:${ACCOUNT}:table/acme-locks`,
        Condition: {
          "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["acme-state/default/inventory-ha.tfstate", "acme-state/default/inventory-ha.tfstate-md5"] },
        },
      },
    ]);
  });
});

describe("the fence: a boundary on every role the deploy roles make, and Denies no Allow can open", () => {
  const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/cloud-Inventory-Workload-Boundary`;
  const fenceOf = (role: string) => {
    const reading = readPolicy(document.resource.aws_iam_policy[`${role}_fence_policy`].policy);
    if ("problem" in reading) throw new Error(reading.problem);
    return reading.statements;
  };
  const statementsOf = (policy: string) => {
    const reading = readPolicy(document.resource.aws_iam_policy[policy].policy);
    if ("problem" in reading) throw new Error(reading.problem);
    return reading.statements;
  };

  it("every CI role carries the fence, plan roles too", () => {
    const fenced = Object.keys(document.resource.aws_iam_policy).filter((name) => name.endsWith("_fence_policy"));
    expect(fenced.sort()).toEqual([
      "cloud_tfc_run_fence_policy",
      "default_gha_deploy_fence_policy",
      "default_gha_plan_fence_policy",
      "split_tfc_apply_fence_policy",
      "split_tfc_plan_fence_policy",
    ]);
  });
  it("role writes only with the environment's boundary; no boundary removed, no trust changed, no escalation call, nothing of the fence changed", () => {
    const fence = fenceOf("cloud_tfc_run");
    expect(fence.map((statement) => [statement.sid, statement.effect, statement.resources, statement.conditions])).toEqual([
      ["DenyRoleWritesOutsideTheBoundary", "Deny", ["*"], [{ test: "StringNotEquals", variable: "iam:PermissionsBoundary", values: [BOUNDARY] }]],
      ["DenyEscalation", "Deny", ["*"], []],
      [
        "DenyChangesToTheFence",
        "Deny",
        [
          BOUNDARY,
          ...["TFC-Run", "TFC-Plan", "TFC-Apply", "GHA-Plan", "GHA-Deploy"].map((purpose) => `arn:aws:iam::${ACCOUNT}:role/cloud-Inventory-${purpose}`),
          ...["TFC-Run", "TFC-Plan", "TFC-Apply", "GHA-Plan", "GHA-Deploy"].map((purpose) => `arn:aws:iam::${ACCOUNT}:policy/cloud-Inventory-${purpose}-*`),
        ],
        [],
      ],
    ]);
    expect(fence[0].actions).toEqual([
      "iam:CreateRole",
      "iam:PutRolePolicy",
      "iam:DeleteRolePolicy",
      "iam:AttachRolePolicy",
      "iam:DetachRolePolicy",
      "iam:PutRolePermissionsBoundary",
    ]);
    expect(fence[1].actions).toEqual(
      expect.arrayContaining(["iam:UpdateAssumeRolePolicy", "iam:DeleteRolePermissionsBoundary", "iam:CreatePolicyVersion", "sts:AssumeRole"]),
    );
    expect(fence[2].actions).toEqual(["iam:*"]);
  });
  it("the deploy role writes a role's permissions only under the boundary, and has no trust or boundary-removal grant", () => {
    const compute = statementsOf("cloud_tfc_run_compute_policy");
    const bounded = compute.find((statement) => statement.sid === "ManageRolePermissionsWithinTheBoundary")!;
    expect(bounded.actions).toEqual(["iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary"]);
    expect(bounded.conditions).toEqual([{ test: "StringEquals", variable: "iam:PermissionsBoundary", values: [BOUNDARY] }]);
    const granted = compute.filter((statement) => statement.effect === "Allow").flatMap((statement) => statement.actions);
    expect(granted.filter((action) => /UpdateAssumeRolePolicy|DeleteRolePermissionsBoundary|AttachRolePolicy/.test(action))).toStrictEqual([]);
  });
  it("the boundary: what the workloads call from their code only from the environment's instances and functions", () => {
    const boundary = statementsOf("cloud_workload_boundary");
    expect(document.resource.aws_iam_policy.cloud_workload_boundary.name).toBe("cloud-Inventory-Workload-Boundary");
    const sourceOf = (sid: string) =>
      boundary.find((statement) => statement.sid === sid)!.conditions.find((condition) => /SourceInstanceARN|SourceFunctionArn/.test(condition.variable));
    expect(sourceOf("AppServersReadTheirSecretAndArchive")).toEqual({
      test: "ArnLike",
      variable: "ec2:SourceInstanceARN",
      values: [`arn:aws:ec2:us-west-2:${ACCOUNT}:instance/*`],
    });
    const rotation = {
      test: "ArnEquals",
      variable: "lambda:SourceFunctionArn",
      values: [`arn:aws:lambda:us-west-2:${ACCOUNT}:function:cloud-inventory-db-app-user-rotation`],
    };
    expect(sourceOf("RotationFunctionRotatesTheAppSecret")).toEqual(rotation);
    expect(boundary.find((statement) => statement.sid === "RotationFunctionReadsTheMasterSecret")!.conditions).toEqual([
      rotation,
      {
        test: "StringEquals",
        variable: "secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn",
        values: [`arn:aws:rds:us-west-2:${ACCOUNT}:db:cloud-inventory-db`],
      },
    ]);
    expect(sourceOf("ReleaseFunctionRollsTheGroup")!.values).toEqual([`arn:aws:lambda:us-west-2:${ACCOUNT}:function:cloud-Inventory-App-Release`]);
    // No IAM but passing the app servers' role to EC2; no service wildcard.
    const actions = boundary.flatMap((statement) => statement.actions);
    expect(actions.filter((action) => action.startsWith("iam:"))).toEqual(["iam:PassRole"]);
    expect(actions.filter((action) => action === "*" || /:\*$/.test(action))).toStrictEqual([]);
  });
  it("every role of an environment with CI access carries the boundary; without CI access, none", () => {
    const roles = Object.values<any>(synthStack(cloud).document.resource.aws_iam_role);
    expect(roles.map((role) => [role.name, role.permissions_boundary]).sort()).toEqual(
      [
        "cloud-Inventory-App-Release",
        "cloud-Inventory-App-Role",
        "cloud-Inventory-DB-Monitoring",
        "cloud-Inventory-VPC-Flow-Logs",
        "cloud-inventory-db-app-user-rotation",
      ].map((name) => [name, BOUNDARY]),
    );
    const withoutCi = Object.values<any>(synthStack(settingsFor("default")).document.resource.aws_iam_role);
    // The five, AWS Backup's role and the zone rehearsal's FIS role: with CI access the backups and the rehearsal are off.
    expect(withoutCi).toHaveLength(7);
    expect(withoutCi.filter((role) => "permissions_boundary" in role)).toStrictEqual([]);
  });
  it("the VPC's default security group of an environment with CI access is adopted untagged; without CI access, tagged", () => {
    const document = synthStack(cloud).document;
    const groups = Object.values<any>(document.resource.aws_default_security_group);
    expect(groups).toHaveLength(1);
    expect(groups[0].provider).toBe("aws.untagged");
    expect(groups[0].tags).toBeUndefined();
    // The provider it is adopted with gives no default tags.
    const providers = document.provider.aws;
    expect(providers.map((provider) => [provider.alias, "default_tags" in provider])).toEqual([
      [undefined, true],
      ["untagged", false],
    ]);
    const withoutCi = synthStack(settingsFor("default")).document;
    const [tagged] = Object.values<any>(withoutCi.resource.aws_default_security_group);
    expect([tagged.provider, tagged.tags]).toEqual([undefined, { Name: "Lab VPC default (no rules)" }]);
    expect(withoutCi.provider.aws).toHaveLength(1);
  });
  it("a RDS-managed secret: created anew, or deleted and rotated only when RDS tagged it with this database", () => {
    const data = statementsOf("cloud_tfc_run_data_policy");
    const ofThisDatabase = data.find((statement) => statement.sid === "DatabaseManagedSecretOfThisDatabase")!;
    expect(ofThisDatabase.actions).toEqual(expect.arrayContaining(["secretsmanager:DeleteSecret", "secretsmanager:RotateSecret"]));
    expect(ofThisDatabase.conditions).toEqual([
      {
        test: "StringEquals",
        variable: "secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn",
        values: [`arn:aws:rds:us-west-2:${ACCOUNT}:db:cloud-inventory-db`],
      },
    ]);
    const unconditioned = data.filter((statement) => statement.resources.some((resource) => resource.includes("rds!db-")) && statement.conditions.length === 0);
    expect(unconditioned.flatMap((statement) => statement.actions)).toEqual(["secretsmanager:CreateSecret"]);
  });
  it("instances launch through the template only into the environment's subnets and groups, from Amazon's or the account's images", () => {
    const network = statementsOf("cloud_tfc_run_network_policy");
    const launching = network.filter((statement) => statement.actions.includes("ec2:RunInstances"));
    expect(launching.map((statement) => [statement.sid, statement.resources, statement.conditions.map((condition) => condition.variable)])).toEqual([
      ["LaunchFromOwnTemplate", [`arn:aws:ec2:us-west-2:${ACCOUNT}:launch-template/*`], ["aws:ResourceTag/Environment"]],
      [
        "LaunchOnlyThroughTemplate",
        ["instance", "volume", "network-interface"].map((type) => `arn:aws:ec2:us-west-2:${ACCOUNT}:${type}/*`),
        ["ec2:LaunchTemplate"],
      ],
      [
        "LaunchIntoOwnSubnetsAndGroups",
        [`arn:aws:ec2:us-west-2:${ACCOUNT}:subnet/*`, `arn:aws:ec2:us-west-2:${ACCOUNT}:security-group/*`],
        ["aws:ResourceTag/Environment"],
      ],
      ["LaunchAmazonOrOwnImages", ["arn:aws:ec2:us-west-2::image/*"], ["ec2:LaunchTemplate", "ec2:Owner"]],
    ]);
    expect(launching[3].conditions[1].values).toEqual(["amazon", ACCOUNT]);
  });
});

describe("Terraform Cloud's roles", () => {
  it("by default a plan role, trusted for the plan phase with read permissions only, and an apply role: no run role", () => {
    expect(
      Object.keys(document.resource.aws_iam_role)
        .filter((name) => name.startsWith("split_"))
        .sort(),
    ).toEqual(["split_tfc_apply_role", "split_tfc_plan_role"]);
    expect(Object.keys(document.resource.aws_iam_policy).filter((name) => name.startsWith("split_tfc_plan_"))).toEqual([
      "split_tfc_plan_fence_policy",
      "split_tfc_plan_read_policy",
    ]);
  });
  it("one run role for both phases only when separatePlanAndApplyRoles is false", () => {
    expect(Object.keys(document.resource.aws_iam_role).filter((name) => name.startsWith("cloud_"))).toEqual(["cloud_tfc_run_role"]);
  });
});

describe("outputs: what to set in the workspace or repository", () => {
  it("Terraform Cloud: TFC_AWS_PROVIDER_AUTH and the run role, or the plan and apply roles", () => {
    expect(document.output.terraform_cloud_cloud.value.environment_variables).toEqual({
      TFC_AWS_PROVIDER_AUTH: "true",
      TFC_AWS_RUN_ROLE_ARN: "${aws_iam_role.cloud_tfc_run_role.arn}",
    });
    expect(document.output.terraform_cloud_split.value.environment_variables).toEqual({
      TFC_AWS_PROVIDER_AUTH: "true",
      TFC_AWS_PLAN_ROLE_ARN: "${aws_iam_role.split_tfc_plan_role.arn}",
      TFC_AWS_APPLY_ROLE_ARN: "${aws_iam_role.split_tfc_apply_role.arn}",
    });
  });
  it("GitHub Actions: the repository variables the example workflow reads", () => {
    expect(document.output.github_actions_default.value.repository_variables).toEqual({
      INVENTORY_ENV: "default",
      AWS_REGION: "us-west-2",
      AWS_PLAN_ROLE_ARN: "${aws_iam_role.default_gha_plan_role.arn}",
      AWS_DEPLOY_ROLE_ARN: "${aws_iam_role.default_gha_deploy_role.arn}",
    });
  });
  it("a non-default audience is passed to the workspace too", () => {
    const custom = synthAccess([
      settingsFor("cloud", { state: { backend: "cloud", organization: "acme" }, ci: { accountId: ACCOUNT, terraformCloud: { audience: "acme.aws" } } }),
    ]);
    expect(custom.output.terraform_cloud_cloud.value.environment_variables.TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE).toBe("acme.aws");
  });
});

describe("which environments get roles", () => {
  it("none configured: no stack", () => {
    expect(ciAccessProps([settingsFor("default")])).toBeUndefined();
  });
  it("environments naming different accounts stop with one line naming the setting", () => {
    const other = settingsFor("other", {
      namePrefix: "o-",
      state: { bucket: "acme-state" },
      ci: { accountId: "210987654321", githubActions: { repository: "acme/x" } },
    });
    expect(() => ciAccessProps([github, other])).toThrow(
      "other.json: ci.accountId: 210987654321 differs from default.json's 123456789012; the inventory-ci-access stack creates the roles of one account",
    );
  });
});
