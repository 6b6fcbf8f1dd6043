import { Testing } from "cdktf";
import { deployPermissions, type PermissionSet, planPermissions } from "../../src/ci-access/environment-permissions";
import { policyDocument } from "../../src/aws/iam-policy";
import { ACTIONS_OF_NO_RESOURCE_TYPE, RESOURCE_PERMISSIONS, type ResourcePermissions } from "../../src/ci-access/resource-permissions";
import { actionMatches } from "../../src/policy/iam-evaluation";
import { inventoryTargets } from "../../src/policy/evaluate";
import { CI_ACCESS_STACK, CiAccessStack, ciAccessProps } from "../../src/ci-access/ci-access-stack";
import { StateBootstrapStack } from "../../src/stacks/state-bootstrap-stack";
import { type PolicyStatement, readPolicy } from "../../src/terraform/document";
import { PROJECT_ROOT, settingsFor, synthStack } from "../support/stacks";
import { CERTIFICATE, everything as everythingVariant } from "../support/variants";

// The table of what each resource type takes (src/ci-access/resource-permissions.ts) against what the stacks
// synthesize and what the CI roles are granted, both ways: every synthesized type has an entry and every entry a
// type; every action of a type CI deploys is granted to the deploy role (its reads to the plan role), and every
// action granted is one some type takes. Actions are compared, not resources (the scoping is ci-access-stack.test.ts's).

const TABLE = "src/ci-access/resource-permissions.ts";

/** Every optional part on, with a GitHub repository's CI roles: every type CI deploys. */
const everything = everythingVariant();

// The environment files, the policy suite's hardened (certificate, access logs, Enhanced Monitoring, flow logs) and
// domain (a certificate the stack requests, IPv6) variants, and everything with CI access.
const variants: readonly { readonly name: string; readonly types: readonly string[] }[] = [
  ...inventoryTargets(PROJECT_ROOT).map((target) => ({ name: target.name, types: Object.keys(target.document.resource ?? {}) })),
  { name: everything.environment, types: Object.keys(synthStack(everything).document.resource) },
  // Cognito sign-in, which an administrator deploys (the settings refuse it with CI access).
  {
    name: "cognito",
    types: Object.keys(
      synthStack(
        settingsFor("cognito", {
          loadBalancer: {
            certificateArn: CERTIFICATE,
            authentication: { provider: "cognito", cognito: { domainPrefix: "inventory-example", callbackHosts: ["inventory.example.com"] } },
          },
        }),
      ).document.resource,
    ),
  },
];
const synthesized = [...new Set(variants.flatMap((variant) => variant.types))].sort();
const deployedByCi = variants.find((variant) => variant.name === everything.environment)!.types;
const ciEntries = Object.entries(RESOURCE_PERMISSIONS).filter(([type]) => deployedByCi.includes(type));

const scope = ciAccessProps([everything])!.environments[0].scope;
interface Grant {
  readonly set: string;
  readonly statement: PolicyStatement;
}
/** The Allow statements of a role's permission sets, as IAM reads their JSON; the fence's Denies grant nothing. */
function grantsOf(sets: readonly PermissionSet[]): Grant[] {
  return sets.flatMap((set) => {
    const reading = readPolicy(policyDocument(set.statements));
    if ("problem" in reading) throw new Error(`${set.name}: ${reading.problem}`);
    return reading.statements.filter((statement) => statement.effect === "Allow").map((statement) => ({ set: set.name, statement }));
  });
}
const deployGrants = grantsOf(deployPermissions(scope));
const planGrants = grantsOf(planPermissions(scope));

const PHASES = ["create", "read", "update", "tag", "delete"] as const;
const actionsOf = (entry: ResourcePermissions) => PHASES.flatMap((phase) => (entry[phase] ?? []).map((action) => ({ phase, action })));
const granted = (grants: readonly Grant[], action: string) => grants.some(({ statement }) => actionMatches(statement, action));
/** Whether the granted action (a wildcard like ec2:Describe*, as IAM matches it) covers the action. */
const covers = (grantedAction: string, action: string) => actionMatches({ ...deployGrants[0].statement, actions: [grantedAction], notActions: [] }, action);

describe("the resource types the inventory stacks synthesize", () => {
  it("are those of the environment files, the hardened and domain variants, and every optional part with CI access", () => {
    expect(variants.map((variant) => variant.name)).toEqual(["default", "lab-start", "hardened", "domain", "everything", "cognito"]);
    expect(synthesized).toEqual([
      "aws_acm_certificate",
      "aws_acm_certificate_validation",
      "aws_autoscaling_group",
      "aws_autoscaling_policy",
      "aws_backup_plan",
      "aws_backup_restore_testing_plan",
      "aws_backup_restore_testing_selection",
      "aws_backup_selection",
      "aws_backup_vault",
      "aws_backup_vault_lock_configuration",
      "aws_cloudwatch_dashboard",
      "aws_cloudwatch_log_group",
      "aws_cloudwatch_log_resource_policy",
      "aws_cloudwatch_metric_alarm",
      "aws_cognito_user_pool",
      "aws_cognito_user_pool_client",
      "aws_cognito_user_pool_domain",
      "aws_db_instance",
      "aws_db_parameter_group",
      "aws_db_subnet_group",
      "aws_default_security_group",
      "aws_eip",
      "aws_fis_experiment_template",
      "aws_flow_log",
      "aws_iam_instance_profile",
      "aws_iam_role",
      "aws_iam_role_policy",
      "aws_iam_role_policy_attachment",
      "aws_internet_gateway",
      "aws_kms_alias",
      "aws_kms_key",
      "aws_kms_key_policy",
      "aws_lambda_function",
      "aws_lambda_invocation",
      "aws_lambda_permission",
      "aws_launch_template",
      "aws_lb",
      "aws_lb_listener",
      "aws_lb_target_group",
      "aws_nat_gateway",
      "aws_route",
      "aws_route53_record",
      "aws_route_table",
      "aws_route_table_association",
      "aws_s3_bucket",
      "aws_s3_bucket_lifecycle_configuration",
      "aws_s3_bucket_ownership_controls",
      "aws_s3_bucket_policy",
      "aws_s3_bucket_public_access_block",
      "aws_s3_bucket_server_side_encryption_configuration",
      "aws_s3_bucket_versioning",
      "aws_s3_object",
      "aws_secretsmanager_secret",
      "aws_secretsmanager_secret_rotation",
      "aws_security_group",
      "aws_sns_topic",
      "aws_sns_topic_policy",
      "aws_sns_topic_subscription",
      "aws_subnet",
      "aws_vpc",
      "aws_vpc_security_group_egress_rule",
      "aws_vpc_security_group_ingress_rule",
      "aws_wafv2_web_acl",
      "aws_wafv2_web_acl_association",
      "aws_wafv2_web_acl_logging_configuration",
    ]);
    expect(synthesized).toHaveLength(65);
  });

  it("each have an entry", () => {
    const missing = synthesized
      .filter((type) => !RESOURCE_PERMISSIONS[type])
      .map((type) => `${type} has no entry in ${TABLE}: list the IAM actions that create, read, update, tag and delete it`);
    expect(missing.join("\n")).toBe("");
  });

  it("and every entry is a type some variant synthesizes", () => {
    const unused = Object.keys(RESOURCE_PERMISSIONS)
      .filter((type) => !synthesized.includes(type))
      .map((type) => `${type} has an entry in ${TABLE}, but no variant synthesizes it: remove the entry (or add the variant that does to this test)`);
    expect(unused.join("\n")).toBe("");
  });

  it("CI deploys every type with an entry but those marked notDeployedByCi, which an environment with CI access does not synthesize", () => {
    const problems = Object.entries(RESOURCE_PERMISSIONS).flatMap(([type, entry]) =>
      entry.notDeployedByCi !== undefined && deployedByCi.includes(type)
        ? [`${type} is synthesized with CI access, but its entry in ${TABLE} says notDeployedByCi`]
        : entry.notDeployedByCi === undefined && !deployedByCi.includes(type)
          ? [`${type} is not synthesized with every optional part and CI access on: give its entry notDeployedByCi with the reason`]
          : [],
    );
    expect(problems.join("\n")).toBe("");
    expect(ciEntries).toHaveLength(49);
  });

  it("only the inventory stacks' types count: the CI access and state bootstrap stacks' own are an administrator's, with no entry", () => {
    const access = JSON.parse(Testing.synth(new CiAccessStack(Testing.app(), CI_ACCESS_STACK, ciAccessProps([everything])!)));
    const state = JSON.parse(
      Testing.synth(new StateBootstrapStack(Testing.app(), "inventory-state", { bucketName: "acme-state", region: "us-west-2", lockTable: "acme-locks" })),
    );
    const administrators = [...new Set([...Object.keys(access.resource), ...Object.keys(state.resource)])].filter((type) => !synthesized.includes(type)).sort();
    // The CI access stack's attachments are an administrator's; the inventory stack's (AWS Backup's role) are not deployed by CI.
    expect(administrators).toEqual(["aws_dynamodb_table", "aws_iam_openid_connect_provider", "aws_iam_policy"]);
    expect(administrators.filter((type) => RESOURCE_PERMISSIONS[type])).toStrictEqual([]);
  });
});

describe("the deploy role of an environment with every optional part and CI access", () => {
  it("is granted every action of every type CI deploys", () => {
    const missing = ciEntries.flatMap(([type, entry]) =>
      actionsOf(entry)
        .filter(({ action }) => !granted(deployGrants, action))
        .map(
          ({ phase, action }) =>
            `${type} (${phase}): ${action} is not granted to the deploy role (deployPermissions, src/ci-access/environment-permissions.ts)`,
        ),
    );
    expect(missing.join("\n")).toBe("");
  });

  it("is granted no action that no type CI deploys takes", () => {
    const listed = ciEntries.flatMap(([, entry]) => actionsOf(entry).map(({ action }) => action));
    const ofNoType = ACTIONS_OF_NO_RESOURCE_TYPE.flatMap((group) => group.actions);
    const unused = deployGrants.flatMap(({ set, statement }) =>
      statement.actions
        .filter((action) => !ofNoType.includes(action) && !listed.some((entryAction) => covers(action, entryAction)))
        .map(
          (action) =>
            `${action} of statement ${statement.sid} (set ${set}) is listed by no entry of ${TABLE}: ` +
            `name the type that takes it, or list it in ACTIONS_OF_NO_RESOURCE_TYPE with the reason`,
        ),
    );
    expect(unused.join("\n")).toBe("");
  });
});

describe("the plan role of that environment", () => {
  it("is granted every read of every type CI deploys", () => {
    const missing = ciEntries.flatMap(([type, entry]) =>
      entry.read
        .filter((action) => !granted(planGrants, action))
        .map((action) => `${type} (read): ${action} is not granted to the plan role (planPermissions, src/ci-access/environment-permissions.ts)`),
    );
    expect(missing.join("\n")).toBe("");
  });
});
