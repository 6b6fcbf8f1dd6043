/**
 * IAM policy documents as JSON text, built here rather than by an
 * `aws_iam_policy_document` data source. Terraform defers reading a data
 * source that refers to a resource with changes pending until apply, so a
 * plan that changes the database in place would also show the app role's
 * policy as "(known after apply)": an IAM change to a reviewer, where there is
 * none. JSON text with `${…}` references inside its strings is evaluated at
 * plan time like any other string and needs no AWS call.
 */

/** A principal, as in `aws_iam_policy_document`: `{ type: "Service", identifiers: ["ec2.amazonaws.com"] }`. */
export interface PolicyPrincipal {
  /** `AWS`, `Service`, `Federated` or `*`. */
  readonly type: string;
  readonly identifiers: readonly string[];
}

/** A condition, as in `aws_iam_policy_document`: `{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }`. */
export interface PolicyCondition {
  readonly test: string;
  readonly variable: string;
  readonly values: readonly string[];
}

/** One statement of a policy document. */
export interface PolicyStatementProps {
  /** Statement id. @default none */
  readonly sid?: string;
  /** @default "Allow" */
  readonly effect?: "Allow" | "Deny";
  readonly actions: readonly string[];
  /** Resources the statement covers; a resource policy may leave them out. @default none */
  readonly resources?: readonly string[];
  /** Who the statement is about (resource and trust policies). @default none */
  readonly principals?: readonly PolicyPrincipal[];
  /** Conditions, all of which must hold. @default none */
  readonly conditions?: readonly PolicyCondition[];
}

/** The policy document of the given statements, as the JSON text IAM, S3 and the other services take. */
export function policyDocument(statements: readonly PolicyStatementProps[]): string {
  if (statements.length === 0) throw new Error("a policy document needs at least one statement");
  // Indented: cdktf's HCL output writes a multi-line string as a heredoc, where the JSON's quotes need no
  // escaping (it leaves them unescaped in a one-line string that holds a reference).
  return JSON.stringify({ Version: "2012-10-17", Statement: statements.map(statementJson) }, null, 2);
}

/**
 * A trust policy letting one AWS service assume the role, for the account
 * and resources the conditions name (`fromSource()`): without them, the
 * service would assume the role for anyone's resources that name it (the
 * confused deputy). EC2 gives no such keys when it takes an instance
 * profile's role, so its trust has none.
 */
export function servicePrincipalTrust(service: string, conditions: readonly PolicyCondition[] = []): string {
  return policyDocument([{ sid: "AssumedByService", actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: [service] }], conditions }]);
}

/**
 * The confused deputy conditions of a service acting for this account: its
 * request must come from `account` (aws:SourceAccount) and, when given, from a
 * resource matching `sourceArn` (aws:SourceArn, ArnLike: `*` allowed). The
 * account is a plain reference (`${aws_vpc.x.owner_id}`), never a function
 * call: a call's quoted arguments would make the policy text unreadable as
 * JSON before Terraform evaluates it.
 */
export function fromSource(account: string, sourceArn?: string): PolicyCondition[] {
  return [
    { test: "StringEquals", variable: "aws:SourceAccount", values: [account] },
    ...(sourceArn ? [{ test: "ArnLike", variable: "aws:SourceArn", values: [sourceArn] }] : []),
  ];
}

/**
 * The first statement of a key policy the stack writes: the key is
 * administered by the account, so the account's IAM policies decide who
 * manages and uses it (KMS's default key policy).
 */
export function administeredByTheAccount(partition: string, account: string): PolicyStatementProps {
  return {
    sid: "AdministeredByTheAccount",
    actions: ["kms:*"],
    principals: [{ type: "AWS", identifiers: [`arn:${partition}:iam::${account}:root`] }],
    resources: ["*"],
  };
}

function statementJson(statement: PolicyStatementProps): Record<string, unknown> {
  if (statement.actions.length === 0) throw new Error(`policy statement ${statement.sid ?? "(no sid)"} has no actions`);
  const json: Record<string, unknown> = {};
  if (statement.sid) json.Sid = statement.sid;
  json.Effect = statement.effect ?? "Allow";
  if (statement.principals?.length) json.Principal = principalJson(statement.principals);
  json.Action = oneOrMany(statement.actions);
  if (statement.resources?.length) json.Resource = oneOrMany(statement.resources);
  if (statement.conditions?.length) {
    const conditions: Record<string, Record<string, string | string[]>> = {};
    for (const condition of statement.conditions) {
      conditions[condition.test] = { ...conditions[condition.test], [condition.variable]: oneOrMany(condition.values) };
    }
    json.Condition = conditions;
  }
  return json;
}

function principalJson(principals: readonly PolicyPrincipal[]): unknown {
  if (principals.length === 1 && principals[0].type === "*") return "*";
  const byType: Record<string, string[]> = {};
  for (const principal of principals) byType[principal.type] = [...(byType[principal.type] ?? []), ...principal.identifiers];
  return Object.fromEntries(Object.entries(byType).map(([type, identifiers]) => [type, oneOrMany(identifiers)]));
}

/** IAM's own form: a single value as a string, several as a list (what the provider reads back). */
function oneOrMany(values: readonly string[]): string | string[] {
  return values.length === 1 ? values[0] : [...values];
}

/**
 * What `ec2:RunInstances` is checked against when it launches from a launch
 * template, besides the template itself: the instance, its volumes, network
 * interfaces, subnets, security groups (any of the account's, in the region)
 * and its image (AWS's or anyone's). A statement granting these should hold
 * them to the template (`ec2:LaunchTemplate`).
 */
export function launchedResources(partition: string, region: string, account: string): string[] {
  return [
    ...["instance", "volume", "network-interface", "subnet", "security-group"].map((type) => `arn:${partition}:ec2:${region}:${account}:${type}/*`),
    `arn:${partition}:ec2:${region}::image/*`,
  ];
}

/** The AWS partition of a region, for ARNs of AWS managed policies. */
export function awsPartition(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}
