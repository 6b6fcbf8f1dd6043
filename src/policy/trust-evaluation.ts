import { type PolicyStatement, readPolicy } from "../terraform/document";
import type { PolicyCondition } from "../constructs/iam-policy";

/**
 * How IAM decides an `sts:AssumeRoleWithWebIdentity` request against a
 * role's trust policy, for the operators the project's trust policies use:
 * an explicit Deny wins, else some Allow statement must match the action,
 * the federated principal and every condition. Within a condition, the keys
 * must all hold and a key holds when the request's value matches any of the
 * listed values (IAM's AND across keys and operators, OR across values).
 * Condition keys are compared case-insensitively, values case-sensitively,
 * as IAM does. An operator this evaluator does not know is an error, never
 * silently true.
 */

/** A web identity request: who issued the token, and its claims as IAM condition keys (`app.terraform.io:sub`). */
export interface WebIdentityRequest {
  /** The OIDC provider ARN the token's issuer maps to (as the policy names it). */
  readonly federatedPrincipal: string;
  /** @default "sts:AssumeRoleWithWebIdentity" */
  readonly action?: string;
  /** Condition keys and their values in the request: `{ "app.terraform.io:aud": "aws.workload.identity", ... }`. */
  readonly context: Readonly<Record<string, string>>;
}

export interface TrustDecision {
  readonly allowed: boolean;
  /** Why, in a line: the statement that allowed or denied, or what no statement matched. */
  readonly reason: string;
}

/** Operators the evaluator knows, each a test of one request value against one policy value. */
const OPERATORS: Readonly<Record<string, { test: (value: string, pattern: string) => boolean; negated: boolean }>> = {
  StringEquals: { test: (value, pattern) => value === pattern, negated: false },
  StringNotEquals: { test: (value, pattern) => value === pattern, negated: true },
  StringLike: { test: (value, pattern) => likePattern(pattern).test(value), negated: false },
  StringNotLike: { test: (value, pattern) => likePattern(pattern).test(value), negated: true },
};

/** IAM's StringLike: `*` any run of characters (none included), `?` exactly one; everything else literal. */
export function likePattern(pattern: string): RegExp {
  const source = [...pattern]
    .map((character) => (character === "*" ? ".*" : character === "?" ? "." : character.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, "s");
}

/**
 * Whether one condition holds for the request. A key missing from the
 * request makes a positive operator false and a negated one true, as in IAM
 * (which is why trust policies test `aud` and `sub` with positive operators).
 */
export function conditionHolds(condition: PolicyCondition, context: Readonly<Record<string, string>>): boolean {
  const operator = OPERATORS[condition.test];
  if (!operator) throw new Error(`condition operator ${condition.test} is not supported by this evaluator (${Object.keys(OPERATORS).join(", ")})`);
  const key = Object.keys(context).find((candidate) => candidate.toLowerCase() === condition.variable.toLowerCase());
  if (key === undefined) return operator.negated;
  const value = context[key];
  const matches = condition.values.some((pattern) => operator.test(value, pattern));
  return operator.negated ? !matches : matches;
}

function actionMatches(statement: PolicyStatement, action: string): boolean {
  const matches = (pattern: string) => likePattern(pattern.toLowerCase()).test(action.toLowerCase());
  return statement.notActions.length > 0 ? !statement.notActions.some(matches) : statement.actions.some(matches);
}

function principalMatches(statement: PolicyStatement, federated: string): boolean {
  return statement.principals.some(
    (principal) => principal.type === "*" || (principal.type === "Federated" && principal.identifiers.some((identifier) => identifier === federated)),
  );
}

/** The decision of a trust policy (JSON text) on a request. */
export function evaluateTrust(policy: string, request: WebIdentityRequest): TrustDecision {
  const reading = readPolicy(policy);
  if ("problem" in reading) throw new Error(reading.problem);
  const action = request.action ?? "sts:AssumeRoleWithWebIdentity";
  const applies = (statement: PolicyStatement) => actionMatches(statement, action) && principalMatches(statement, request.federatedPrincipal);
  const failed = (statement: PolicyStatement) => statement.conditions.find((condition) => !conditionHolds(condition, request.context));
  const describe = (index: number) => `statement ${index + 1}`;

  const statements = reading.statements;
  const deny = statements.findIndex((statement) => statement.effect === "Deny" && applies(statement) && !failed(statement));
  if (deny >= 0) return { allowed: false, reason: `denied by ${describe(deny)}` };
  const misses: string[] = [];
  for (const [index, statement] of statements.entries()) {
    if (statement.effect !== "Allow") continue;
    if (!applies(statement)) {
      misses.push(`${describe(index)}: not for ${action} by ${request.federatedPrincipal}`);
      continue;
    }
    const condition = failed(statement);
    if (!condition) return { allowed: true, reason: `allowed by ${describe(index)}` };
    const given = Object.entries(request.context).find(([key]) => key.toLowerCase() === condition.variable.toLowerCase())?.[1];
    misses.push(
      `${describe(index)}: ${condition.test} ${condition.variable} ${JSON.stringify(condition.values)} does not hold for ${JSON.stringify(given ?? null)}`,
    );
  }
  return { allowed: false, reason: misses.length ? misses.join("; ") : "no Allow statement" };
}
