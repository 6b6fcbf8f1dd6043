// A policy is read back into the shapes policyDocument() writes it from.
import type { PolicyCondition, PolicyPrincipal } from "../aws/iam-policy";

/**
 * Reading a synthesized Terraform JSON document (cdk.tf.json) the way a
 * scanner reads a plan: blocks by type, references between them, IAM policy
 * documents (data sources and inline JSON) and the zones of subnets. Nothing
 * here guesses: what cannot be read is reported, never assumed to be fine.
 */

/** A synthesized document, by its top-level blocks. */
export interface TerraformDocument {
  readonly terraform?: Record<string, any>;
  readonly provider?: Record<string, any[]>;
  readonly resource?: Record<string, Record<string, any>>;
  readonly data?: Record<string, Record<string, any>>;
  readonly output?: Record<string, { value: unknown; description?: string }>;
}

/** One resource or data source. */
export interface Block {
  /** `aws_lb.load_balancer_alb`, or `data.<type>.<name>` for a data source. */
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly config: any;
}

export function resources(document: TerraformDocument, type: string): Block[] {
  return Object.entries(document.resource?.[type] ?? {}).map(([name, config]) => ({ address: `${type}.${name}`, type, name, config }));
}

export function dataSources(document: TerraformDocument, type: string): Block[] {
  return Object.entries(document.data?.[type] ?? {}).map(([name, config]) => ({ address: `data.${type}.${name}`, type, name, config }));
}

const REFERENCE = /\$\{(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)/g;

/** A reference to another block's attribute, as `${type.name.attribute...}` in a string. */
export interface Reference {
  readonly block: Block;
  readonly attribute: string;
}

/** Every block a value refers to (a string may hold several references, and text around them). */
export function referencesIn(document: TerraformDocument, value: unknown): Reference[] {
  if (typeof value !== "string") return [];
  const found: Reference[] = [];
  for (const match of value.matchAll(REFERENCE)) {
    const [, data, type, name, attribute] = match;
    const config = data ? document.data?.[type]?.[name] : document.resource?.[type]?.[name];
    if (config === undefined) continue;
    found.push({ block: { address: `${data ? "data." : ""}${type}.${name}`, type, name, config }, attribute });
  }
  return found;
}

/** The block a value is exactly a reference to (`${aws_x.y.id}`). */
export function referencedBlock(document: TerraformDocument, value: unknown): Block | undefined {
  if (typeof value !== "string" || !/^\$\{[^{}]+\}$/.test(value)) return undefined;
  const [reference] = referencesIn(document, value);
  return reference?.block;
}

/** Whether `value` points at `block` (a reference to any of its attributes). */
export function pointsAt(document: TerraformDocument, value: unknown, block: Block): boolean {
  return referencesIn(document, value).some((reference) => reference.block.address === block.address);
}

/** cdktf writes single nested blocks as an object and repeatable ones as a list; this reads either as a list. */
export function blockList(value: unknown): any[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The first (or only) nested block. */
export function firstBlock(value: unknown): any {
  return blockList(value)[0];
}

/** Terraform accepts booleans as `true` or `"true"`. */
export function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

export function isFalse(value: unknown): boolean {
  return value === false || value === "false";
}

export function show(value: unknown): string {
  return value === undefined ? "unset" : JSON.stringify(value);
}

// ---------------------------------------------------------------- IAM policies

/** A policy statement as read from its JSON. */
export interface PolicyStatement {
  /** The statement's `Sid`, when it has one. */
  readonly sid?: string;
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
  readonly notResources: readonly string[];
  readonly principals: readonly PolicyPrincipal[];
  readonly notPrincipals: readonly PolicyPrincipal[];
  readonly conditions: readonly PolicyCondition[];
}

/** A policy as read from the document: its statements, or why they could not be read. */
export type PolicyReading = { readonly statements: PolicyStatement[] } | { readonly problem: string };

/** A JSON value as text: strings as they are, anything else as JSON. */
const text = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));
const list = (value: unknown): string[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value.map(text) : [text(value)]);

/**
 * The statements of a policy argument: literal JSON, whose strings may hold
 * `${…}` references (as `policyDocument()` writes it). Anything else, such as
 * a data source's rendering or `jsonencode()` of an expression, is a problem:
 * the policy cannot be checked offline.
 */
export function readPolicy(value: unknown): PolicyReading {
  if (typeof value !== "string") return { problem: `the policy is ${show(value)}, not JSON text` };
  let parsed: any;
  try {
    parsed = JSON.parse(value);
  } catch {
    return { problem: `the policy ${show(value.length > 60 ? `${value.slice(0, 60)}…` : value)} is not JSON, so it cannot be read before apply` };
  }
  if (parsed === null || typeof parsed !== "object" || parsed.Statement === undefined)
    return { problem: `the policy ${show(value.slice(0, 60))} has no Statement` };
  return { statements: blockList(parsed.Statement).map(jsonStatement) };
}

function jsonPrincipals(value: unknown): PolicyPrincipal[] {
  if (value === undefined) return [];
  if (value === "*") return [{ type: "*", identifiers: ["*"] }];
  return Object.entries(value as Record<string, unknown>).map(([type, identifiers]) => ({ type, identifiers: list(identifiers) }));
}

function jsonStatement(statement: any): PolicyStatement {
  const conditions: PolicyCondition[] = [];
  for (const [test, variables] of Object.entries<Record<string, unknown>>(statement.Condition ?? {})) {
    for (const [variable, values] of Object.entries(variables)) conditions.push({ test, variable, values: list(values) });
  }
  return {
    ...(typeof statement.Sid === "string" && statement.Sid !== "" ? { sid: statement.Sid } : {}),
    effect: statement.Effect === "Deny" ? "Deny" : "Allow",
    actions: list(statement.Action),
    notActions: list(statement.NotAction),
    resources: list(statement.Resource),
    notResources: list(statement.NotResource),
    principals: jsonPrincipals(statement.Principal),
    notPrincipals: jsonPrincipals(statement.NotPrincipal),
    conditions,
  };
}

/** A permissions policy of an IAM identity, with where it comes from in words. */
export interface IdentityPolicy {
  readonly address: string;
  readonly description: string;
  readonly reading: PolicyReading;
}

/** Names the identity a policy resource is attached to: `role aws_iam_role.app_tier_role`. */
function identityOf(document: TerraformDocument, value: unknown, kind: string): string {
  const block = referencedBlock(document, value);
  return block ? `${kind} ${block.address}` : `${kind} ${show(value)}`;
}

/**
 * Every permissions policy the configuration gives an IAM identity: inline
 * role, user and group policies, `inline_policy` blocks of roles, and
 * customer managed policies. Trust policies are not among them.
 */
export function identityPolicies(document: TerraformDocument): IdentityPolicy[] {
  const found: IdentityPolicy[] = [];
  for (const [type, kind] of [
    ["aws_iam_role_policy", "role"],
    ["aws_iam_user_policy", "user"],
    ["aws_iam_group_policy", "group"],
  ] as const) {
    for (const block of resources(document, type)) {
      const owner = block.config.role ?? block.config.user ?? block.config.group;
      found.push({ address: block.address, description: `inline policy of ${identityOf(document, owner, kind)}`, reading: readPolicy(block.config.policy) });
    }
  }
  for (const role of resources(document, "aws_iam_role")) {
    for (const inline of blockList(role.config.inline_policy)) {
      if (inline.policy !== undefined)
        found.push({ address: role.address, description: `inline_policy ${show(inline.name)}`, reading: readPolicy(inline.policy) });
    }
  }
  for (const policy of resources(document, "aws_iam_policy")) {
    found.push({ address: policy.address, description: "customer managed policy", reading: readPolicy(policy.config.policy) });
  }
  return found;
}

/** A managed policy attached by ARN. */
export interface ManagedPolicyAttachment {
  readonly address: string;
  readonly policyArn: string;
  /** What it is attached to, in words. */
  readonly attachedTo: string;
}

/** Every managed policy ARN attached to a role, user or group. */
export function managedPolicyAttachments(document: TerraformDocument): ManagedPolicyAttachment[] {
  const found: ManagedPolicyAttachment[] = [];
  for (const [type, kind] of [
    ["aws_iam_role_policy_attachment", "role"],
    ["aws_iam_user_policy_attachment", "user"],
    ["aws_iam_group_policy_attachment", "group"],
  ] as const) {
    for (const block of resources(document, type)) {
      const owner = block.config.role ?? block.config.user ?? block.config.group;
      found.push({ address: block.address, policyArn: String(block.config.policy_arn), attachedTo: identityOf(document, owner, kind) });
    }
  }
  for (const block of resources(document, "aws_iam_policy_attachment")) {
    found.push({ address: block.address, policyArn: String(block.config.policy_arn), attachedTo: "roles, users and groups" });
  }
  for (const role of resources(document, "aws_iam_role")) {
    for (const arn of list(role.config.managed_policy_arns)) found.push({ address: role.address, policyArn: arn, attachedTo: `role ${role.address}` });
  }
  for (const block of resources(document, "aws_iam_role_policy_attachments_exclusive")) {
    for (const arn of list(block.config.policy_arns))
      found.push({ address: block.address, policyArn: arn, attachedTo: identityOf(document, block.config.role_name, "role") });
  }
  return found;
}

// ---------------------------------------------------------------- subnets

/** The availability zones of subnets given as references to `aws_subnet` blocks; ids it cannot place are problems. */
export function subnetZones(document: TerraformDocument, subnetIds: unknown): { zones: string[]; problems: string[] } {
  const zones = new Set<string>();
  const problems: string[] = [];
  for (const id of list(subnetIds)) {
    const subnet = referencedBlock(document, id);
    if (!subnet || subnet.type !== "aws_subnet") problems.push(`cannot tell the zone of subnet ${show(id)}: not a subnet of this configuration`);
    else if (typeof subnet.config.availability_zone !== "string") problems.push(`${subnet.address} has no fixed availability_zone`);
    else zones.add(subnet.config.availability_zone);
  }
  return { zones: [...zones].sort(), problems };
}
