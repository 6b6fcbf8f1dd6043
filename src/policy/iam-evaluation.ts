import type { PolicyCondition } from "../aws/iam-policy";
import { type PolicyStatement, readPolicy } from "../terraform/document";

/**
 * How IAM decides a request of one principal against its identity policies
 * and permissions boundary, offline, so tests can prove what a role cannot
 * do. An explicit Deny in any policy wins; otherwise an identity policy must
 * allow the request and, when there is a boundary, so must the boundary.
 * Within a condition every key must hold, and a key holds when a request
 * value matches any of the listed values (AND across keys and operators, OR
 * across values). Keys are compared case-insensitively, values
 * case-sensitively, as IAM does. What this evaluator does not know (an
 * operator, a policy IAM would refuse, an unqualified operator on a
 * multivalued key) is an error, never silently true or false. Policy
 * variables (`${aws:username}`) are not substituted.
 */

/** Condition keys of a request, single or multivalued: `{ "aws:RequestTag/Environment": "dev", "aws:TagKeys": ["Environment", "Project"] }`. */
export type RequestContext = Readonly<Record<string, string | readonly string[]>>;

/** One API call of the principal. */
export interface IamRequest {
  /** `iam:CreateRole`. */
  readonly action: string;
  /** The ARN the action is on, or `*` for an action without a resource type. */
  readonly resource: string;
  /** Condition keys present in the request. @default none */
  readonly context?: RequestContext;
}

export interface IamDecision {
  readonly allowed: boolean;
  /** Why, in a line, naming statements by Sid (else by position): `denied by DenyBoundaryRemoval`. */
  readonly reason: string;
  /** The statement that decided: the Deny, or the identity policy's Allow; absent when nothing allows the request. */
  readonly statement?: string;
}

/** IAM's wildcards: `*` any run of characters (none included), `?` exactly one; everything else literal. */
export function likePattern(pattern: string): RegExp {
  const source = [...pattern]
    .map((character) => (character === "*" ? ".*" : character === "?" ? "." : character.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, "s");
}

/** An ARN's six components; the last (the resource) may hold colons. */
function arnComponents(arn: string): string[] | undefined {
  const parts = arn.split(":");
  return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(":")];
}

/** IAM's ArnEquals and ArnLike alike: each component matched on its own, wildcards included. */
function arnMatches(value: string, pattern: string): boolean {
  const values = arnComponents(value);
  const patterns = arnComponents(pattern);
  return values !== undefined && patterns !== undefined && patterns.every((component, index) => likePattern(component).test(values[index]));
}

/** A numeric comparison; a value that is not a number matches nothing. */
function numeric(compare: (value: number, policyValue: number) => boolean): (value: string, policyValue: string) => boolean {
  const parse = (text: string) => (text.trim() === "" ? NaN : Number(text));
  return (value, policyValue) => {
    const [left, right] = [parse(value), parse(policyValue)];
    return !Number.isNaN(left) && !Number.isNaN(right) && compare(left, right);
  };
}

/** Base operators: the test of one request value against one policy value, and whether the operator negates it. */
const OPERATORS: Readonly<Record<string, { readonly test: (value: string, policyValue: string) => boolean; readonly negated: boolean }>> = {
  StringEquals: { test: (value, policyValue) => value === policyValue, negated: false },
  StringNotEquals: { test: (value, policyValue) => value === policyValue, negated: true },
  StringEqualsIgnoreCase: { test: (value, policyValue) => value.toLowerCase() === policyValue.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { test: (value, policyValue) => value.toLowerCase() === policyValue.toLowerCase(), negated: true },
  StringLike: { test: (value, policyValue) => likePattern(policyValue).test(value), negated: false },
  StringNotLike: { test: (value, policyValue) => likePattern(policyValue).test(value), negated: true },
  ArnEquals: { test: arnMatches, negated: false },
  ArnLike: { test: arnMatches, negated: false },
  ArnNotEquals: { test: arnMatches, negated: true },
  ArnNotLike: { test: arnMatches, negated: true },
  Bool: { test: (value, policyValue) => value.toLowerCase() === policyValue.toLowerCase(), negated: false },
  NumericEquals: { test: numeric((value, policyValue) => value === policyValue), negated: false },
  NumericNotEquals: { test: numeric((value, policyValue) => value === policyValue), negated: true },
  NumericLessThan: { test: numeric((value, policyValue) => value < policyValue), negated: false },
  NumericLessThanEquals: { test: numeric((value, policyValue) => value <= policyValue), negated: false },
  NumericGreaterThan: { test: numeric((value, policyValue) => value > policyValue), negated: false },
  NumericGreaterThanEquals: { test: numeric((value, policyValue) => value >= policyValue), negated: false },
};

/** A condition operator taken apart: `ForAllValues:StringLikeIfExists` is `{ set: "ForAllValues", base: "StringLike", ifExists: true }`. */
export interface ConditionOperator {
  readonly set?: "ForAllValues" | "ForAnyValue";
  readonly base: string;
  readonly ifExists: boolean;
}

/** The parts of an operator this evaluator knows; anything else is an error naming it. */
export function conditionOperator(test: string): ConditionOperator {
  const [, set, base, ifExists] = /^(?:(ForAllValues|ForAnyValue):)?(.+?)(IfExists)?$/.exec(test) ?? [];
  // Null tests whether the key is there at all, so neither a set nor IfExists means anything with it.
  const known = base === "Null" ? !set && !ifExists : base !== undefined && OPERATORS[base] !== undefined;
  if (!known) throw new Error(`condition operator ${test} is not supported by this evaluator (${[...Object.keys(OPERATORS), "Null"].join(", ")})`);
  return { ...(set ? { set: set as ConditionOperator["set"] } : {}), base, ifExists: ifExists !== undefined };
}

/** The request's values of a key, matched case-insensitively; none when the key is missing. */
function valuesOf(context: RequestContext, key: string): readonly string[] {
  const found = Object.keys(context).find((candidate) => candidate.toLowerCase() === key.toLowerCase());
  if (found === undefined) return [];
  const value = context[found];
  return typeof value === "string" ? [value] : value;
}

/**
 * Whether one condition holds for the request. A key missing from the
 * request (or with no values) makes `IfExists` true, `ForAllValues` true,
 * `ForAnyValue` false, a negated operator true and a positive one false;
 * `Null: true` holds exactly then.
 */
export function conditionHolds(condition: PolicyCondition, context: RequestContext): boolean {
  const operator = conditionOperator(condition.test);
  const values = valuesOf(context, condition.variable);
  if (operator.base === "Null") return condition.values.some((expected) => (expected.toLowerCase() === "true") === (values.length === 0));
  const { test, negated } = OPERATORS[operator.base];
  if (values.length === 0) return operator.ifExists || (operator.set ? operator.set === "ForAllValues" : negated);
  const holdsFor = (value: string) => negated !== condition.values.some((policyValue) => test(value, policyValue));
  if (operator.set === "ForAllValues") return values.every(holdsFor);
  if (operator.set === "ForAnyValue") return values.some(holdsFor);
  // IAM documents no meaning for a plain operator on several values: it asks for a set operator.
  if (values.length > 1)
    throw new Error(
      `${condition.variable} has ${values.length} values in the request: ${condition.test} needs ForAllValues: or ForAnyValue: for a multivalued key`,
    );
  return holdsFor(values[0]);
}

/** The first condition of a statement that does not hold for the request. */
export function failedCondition(statement: PolicyStatement, context: RequestContext): PolicyCondition | undefined {
  return statement.conditions.find((condition) => !conditionHolds(condition, context));
}

/** A failed condition in words: `StringEquals example.com:aud ["aud-1"] does not hold for "aud-2"`. */
export function describeFailure(condition: PolicyCondition, context: RequestContext): string {
  const values = valuesOf(context, condition.variable);
  const given = values.length === 0 ? null : values.length === 1 ? values[0] : values;
  return `${condition.test} ${condition.variable} ${JSON.stringify(condition.values)} does not hold for ${JSON.stringify(given)}`;
}

/** Whether the statement's Action (or NotAction) covers the action; actions are case-insensitive. */
export function actionMatches(statement: PolicyStatement, action: string): boolean {
  const matches = (pattern: string) => likePattern(pattern.toLowerCase()).test(action.toLowerCase());
  return statement.notActions.length > 0 ? !statement.notActions.some(matches) : statement.actions.some(matches);
}

/** Whether the statement's Resource (or NotResource) covers the resource; ARNs are case-sensitive. */
function resourceMatches(statement: PolicyStatement, resource: string): boolean {
  const matches = (pattern: string) => likePattern(pattern).test(resource);
  return statement.notResources.length > 0 ? !statement.notResources.some(matches) : statement.resources.some(matches);
}

/** A statement with the name decisions give it: its Sid, else its place (`statement 2 of policy 1`). */
export function statementName(statement: PolicyStatement, index: number, policy?: string): string {
  return statement.sid ?? `statement ${index + 1}${policy ? ` of ${policy}` : ""}`;
}

interface NamedStatement {
  readonly name: string;
  readonly statement: PolicyStatement;
}

/** A permissions policy's statements, refusing what IAM would refuse to store rather than guessing its meaning. */
function readIdentityPolicy(policy: string, description: string): NamedStatement[] {
  const reading = readPolicy(policy);
  if ("problem" in reading) throw new Error(`${description}: ${reading.problem}`);
  return reading.statements.map((statement, index) => {
    const name = statementName(statement, index, description);
    const where = statement.sid ? `${statement.sid} of ${description}` : name;
    if (statement.actions.length > 0 === statement.notActions.length > 0) throw new Error(`${where} needs either Action or NotAction`);
    if (statement.resources.length > 0 === statement.notResources.length > 0)
      throw new Error(`${where} needs either Resource or NotResource: IAM refuses a permissions policy without one`);
    return { name, statement };
  });
}

/** The decision on one request of a principal with these identity policies (JSON texts) and, when given, permissions boundary. */
export function evaluateIdentity(request: IamRequest, policies: readonly string[], boundary?: string): IamDecision {
  const context = request.context ?? {};
  const identity = policies.flatMap((policy, index) => readIdentityPolicy(policy, `policy ${index + 1}`));
  const limits = boundary === undefined ? undefined : readIdentityPolicy(boundary, "the permissions boundary");
  const covers = ({ statement }: NamedStatement) => actionMatches(statement, request.action) && resourceMatches(statement, request.resource);
  const applies = (candidate: NamedStatement) => covers(candidate) && failedCondition(candidate.statement, context) === undefined;
  const allowing = (statements: readonly NamedStatement[]) => statements.find((candidate) => candidate.statement.effect === "Allow" && applies(candidate));
  /** The conditions that kept Allow statements covering the request from applying, for the reason. */
  const misses = (statements: readonly NamedStatement[]) =>
    statements
      .filter((candidate) => candidate.statement.effect === "Allow" && covers(candidate))
      .map(({ name, statement }) => {
        const condition = failedCondition(statement, context);
        return condition ? `; ${name}: ${describeFailure(condition, context)}` : "";
      })
      .join("");

  const deny = [...identity, ...(limits ?? [])].find((candidate) => candidate.statement.effect === "Deny" && applies(candidate));
  if (deny) return { allowed: false, reason: `denied by ${deny.name}`, statement: deny.name };
  const allow = allowing(identity);
  if (!allow) return { allowed: false, reason: `no Allow statement matches ${request.action} on ${request.resource}${misses(identity)}` };
  if (!limits) return { allowed: true, reason: `allowed by ${allow.name}`, statement: allow.name };
  const within = allowing(limits);
  if (!within) return { allowed: false, reason: `allowed by ${allow.name} but no statement of the permissions boundary allows it${misses(limits)}` };
  return { allowed: true, reason: `allowed by ${allow.name} and ${within.name}`, statement: allow.name };
}
