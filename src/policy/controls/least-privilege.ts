import { ELB_LOG_DELIVERY_SERVICE } from "../../constructs/edge/access-log-bucket";
import { type Control, everyBlock, type Finding } from "../control";
import {
  type Block,
  identityPolicies,
  type PolicyReading,
  type PolicyStatement,
  pointsAt,
  readPolicy,
  referencedBlock,
  resources,
  show,
  type TerraformDocument,
} from "../../terraform/document";

/**
 * Least-privilege controls the public catalogues have no id for: services act
 * for this account's requests only (the confused deputy), the app servers
 * cannot read the database's master secret, and ELB may write the access log
 * bucket under its account's own prefix only.
 */

/**
 * Services whose trust policies cannot carry aws:SourceAccount or
 * aws:SourceArn, with the reason. Any other service in a role's trust must be
 * given one of them.
 */
export const SERVICES_WITHOUT_SOURCE_KEYS: Readonly<Record<string, string>> = {
  "ec2.amazonaws.com":
    "EC2 takes an instance profile's role for the instances launched with it, and sets no source keys when it does: whoever may pass the role " +
    "(iam:PassRole) decides which instances get it.",
};

/**
 * Service principals a resource policy may grant without source keys, with
 * the reason and what scopes the grant instead.
 */
export const GRANTS_WITHOUT_SOURCE_KEYS: Readonly<Record<string, string>> = {
  [ELB_LOG_DELIVERY_SERVICE]: "AWS documents no source keys for ALB access log delivery; the grant is scoped to AWSLogs/<this account>/ instead (INV-S3-1).",
};

const SOURCE_KEYS = ["aws:sourceaccount", "aws:sourcearn", "aws:sourceowner"];
/**
 * CloudWatch Logs sets no source keys when it uses a log group's KMS key; it
 * names the log group in the encryption context (aws:logs:arn) instead, which
 * AWS documents as the condition that holds a key to log groups of one account.
 */
const LOG_GROUP_CONTEXT = "kms:encryptioncontext:aws:logs:arn";
/** A log group of one account (12 digits or a reference), named whole: no wildcard. */
const ONE_LOG_GROUP = /^arn:aws[a-z-]*:logs:[a-z0-9-]+:(\d{12}|\$\{[^}]+\}):log-group:[^*?]+$/;
const hasSourceCondition = (statement: PolicyStatement) =>
  statement.conditions.some(
    (condition) =>
      (SOURCE_KEYS.includes(condition.variable.toLowerCase()) && condition.values.every((value) => value !== "*")) ||
      (condition.variable.toLowerCase() === LOG_GROUP_CONTEXT && condition.values.length > 0 && condition.values.every((value) => ONE_LOG_GROUP.test(value))),
  );
const services = (statement: PolicyStatement) =>
  statement.principals.filter((principal) => principal.type === "Service").flatMap((principal) => principal.identifiers);

/** The resource policies of the configuration that can grant a service, with where each comes from. */
function resourcePolicies(document: TerraformDocument): { address: string; reading: PolicyReading }[] {
  const found: { address: string; reading: PolicyReading }[] = [];
  for (const [type, attribute] of [
    ["aws_s3_bucket_policy", "policy"],
    ["aws_sns_topic_policy", "policy"],
    ["aws_kms_key_policy", "policy"],
    ["aws_cloudwatch_log_resource_policy", "policy_document"],
    ["aws_secretsmanager_secret_policy", "policy"],
    ["aws_lambda_function_url", "policy"],
  ] as const) {
    for (const block of resources(document, type)) found.push({ address: block.address, reading: readPolicy(block.config[attribute]) });
  }
  return found;
}

/** Statements letting a Service principal in without source keys, except those a list excuses. */
function unscopedServiceGrants(reading: PolicyReading, excused: Readonly<Record<string, string>>): string[] {
  if ("problem" in reading) return [reading.problem];
  return reading.statements
    .filter((statement) => statement.effect === "Allow" && !hasSourceCondition(statement))
    .flatMap((statement) => services(statement).filter((service) => !excused[service]))
    .map((service) => `lets ${service} in without aws:SourceAccount or aws:SourceArn, so it would act for another account's resources too`);
}

/** Whether a statement allows reading the secret `arn` (its value): GetSecretValue or a wildcard, on it or on `*`. */
function readsSecret(statement: PolicyStatement, arn: string): boolean {
  const action = statement.actions.some((candidate) => /^(\*|secretsmanager:(\*|GetSecretValue|Get\*))$/i.test(candidate));
  const resource = statement.resources.some((candidate) => candidate === "*" || candidate === arn || candidate === "arn:aws:secretsmanager:*");
  return statement.effect === "Allow" && action && resource;
}

/** The roles EC2 instances of the configuration run with: the roles of its instance profiles. */
function instanceRoles(document: TerraformDocument): Block[] {
  return resources(document, "aws_iam_instance_profile").flatMap((profile) =>
    resources(document, "aws_iam_role").filter((role) => pointsAt(document, profile.config.role, role)),
  );
}

/** AWSLogs/<account>/* after the bucket's ARN, the account a reference or 12 digits: anything wider lets another account's load balancer in. */
const ACCOUNT_PREFIX = /\/AWSLogs\/(\$\{[a-z0-9_]+\.[A-Za-z0-9_-]+\.[a-z0-9_]+\}|\d{12})\/\*$/;

export const leastPrivilegeControls: Control[] = [
  {
    id: "INV-IAM-1",
    aliases: [],
    title: "Service roles trust their service only for this account's requests (aws:SourceAccount or aws:SourceArn)",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(resources(document, "aws_iam_role"), "IAM role", false, (role) =>
        unscopedServiceGrants(readPolicy(role.config.assume_role_policy), SERVICES_WITHOUT_SOURCE_KEYS),
      ),
  },
  {
    id: "INV-IAM-2",
    aliases: [],
    title:
      "Resource policies and Lambda permissions grant a service only for this account's requests " +
      "(aws:SourceAccount or aws:SourceArn; a log key, the encryption context of named log groups)",
    scopes: ["inventory"],
    check: ({ document }) => [
      ...resourcePolicies(document).flatMap(({ address, reading }) =>
        unscopedServiceGrants(reading, GRANTS_WITHOUT_SOURCE_KEYS).map((problem): Finding => ({ address, problem })),
      ),
      ...everyBlock(resources(document, "aws_lambda_permission"), "Lambda permission", false, (permission) => {
        const principal = String(permission.config.principal ?? "");
        if (!principal.endsWith(".amazonaws.com")) return undefined;
        return permission.config.source_arn || permission.config.source_account
          ? undefined
          : `lets ${principal} invoke ${show(permission.config.function_name)} with no source_arn or source_account, for anyone's resources`;
      }),
    ],
  },
  {
    id: "INV-DB-1",
    aliases: [],
    title: "The app servers cannot read the database master user's secret",
    scopes: ["inventory"],
    check: ({ document }) => {
      const masters = resources(document, "aws_db_instance")
        .filter((db) => db.config.manage_master_user_password === true || db.config.manage_master_user_password === "true")
        .map((db) => `\${${db.address}.master_user_secret[0].secret_arn}`);
      const roles = instanceRoles(document);
      return identityPolicies(document).flatMap(({ address, description, reading }): Finding[] => {
        const policy = resources(document, "aws_iam_role_policy").find((block) => block.address === address);
        const role = policy ? referencedBlock(document, policy.config.role) : undefined;
        if (!role || !roles.some((candidate) => candidate.address === role.address)) return [];
        if ("problem" in reading) return [{ address, problem: `${description}: ${reading.problem}` }];
        return reading.statements
          .filter((statement) => masters.some((master) => readsSecret(statement, master)))
          .map(() => ({ address, problem: `${description} lets the app servers read the master user's secret` }));
      });
    },
  },
  {
    id: "CKV2_AWS_57",
    aliases: ["SecretsManager.1"],
    title: "Secrets Manager secrets the configuration creates are rotated automatically, by a function",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(resources(document, "aws_secretsmanager_secret"), "Secrets Manager secret", false, (secret) => {
        const rotation = resources(document, "aws_secretsmanager_secret_rotation").find((candidate) => pointsAt(document, candidate.config.secret_id, secret));
        if (!rotation) return "has no aws_secretsmanager_secret_rotation";
        const days = rotation.config.rotation_rules?.automatically_after_days ?? rotation.config.rotation_rules?.[0]?.automatically_after_days;
        const schedule = rotation.config.rotation_rules?.schedule_expression ?? rotation.config.rotation_rules?.[0]?.schedule_expression;
        if (!rotation.config.rotation_lambda_arn) return `${rotation.address} names no rotation function`;
        return days || schedule ? undefined : `${rotation.address} has no schedule`;
      }),
  },
  {
    id: "INV-S3-1",
    aliases: [],
    title: "ELB log delivery may write the access log bucket only under AWSLogs/<this account>/",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(resources(document, "aws_s3_bucket_policy"), "bucket policy", false, (policy) => {
        const reading = readPolicy(policy.config.policy);
        if ("problem" in reading) return reading.problem;
        return reading.statements
          .filter((statement) => statement.effect === "Allow" && statement.actions.some((action) => /^s3:(PutObject|\*)$|^\*$/.test(action)))
          .filter((statement) =>
            statement.principals.some(
              (principal) =>
                (principal.type === "Service" &&
                  principal.identifiers.some((identifier) => identifier.includes("elasticloadbalancing") || identifier.startsWith("logdelivery."))) ||
                (principal.type === "AWS" && principal.identifiers.some((identifier) => /:iam::\d{12}:root$/.test(identifier))),
            ),
          )
          .flatMap((statement) => statement.resources.filter((resource) => !ACCOUNT_PREFIX.test(resource)))
          .map((resource) => `lets ELB log delivery write ${resource}, not only AWSLogs/<account>/: another account's load balancer could log into it`);
      }),
  },
];
