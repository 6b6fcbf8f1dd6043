import type { PolicyCondition } from "../aws/iam-policy";
import { type PolicyStatement, readPolicy } from "../terraform/document";
import { actionMatches, conditionHolds as iamConditionHolds, conditionOperator, describeFailure, statementName } from "./iam-evaluation";

export { likePattern } from "./iam-evaluation";

/**
 * How IAM decides an `sts:AssumeRoleWithWebIdentity` request against a
 * role's trust policy: an explicit Deny wins, else some Allow statement must
 * match the action, the federated principal and every condition. The
 * conditions are IAM's, evaluated by `iam-evaluation.ts`, except the set
 * operators: see `conditionHolds`.
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

/**
 * Whether one condition holds for a web identity request, as IAM decides it.
 * A token's claims are single-valued keys, and IAM warns that
 * `ForAllValues:`/`ForAnyValue:` on a single-valued key makes an
 * overly permissive policy (`ForAllValues` holds when the claim is missing):
 * a trust policy using one is refused here rather than evaluated.
 */
export function conditionHolds(condition: PolicyCondition, context: Readonly<Record<string, string>>): boolean {
  const operator = conditionOperator(condition.test);
  if (operator.set)
    throw new Error(`condition operator ${condition.test} is not supported by this evaluator in a trust policy: a web identity's claims are single-valued`);
  return iamConditionHolds(condition, context);
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

  const statements = reading.statements;
  const deny = statements.findIndex((statement) => statement.effect === "Deny" && applies(statement) && !failed(statement));
  if (deny >= 0) return { allowed: false, reason: `denied by ${statementName(statements[deny], deny)}` };
  const misses: string[] = [];
  for (const [index, statement] of statements.entries()) {
    if (statement.effect !== "Allow") continue;
    const name = statementName(statement, index);
    if (!applies(statement)) {
      misses.push(`${name}: not for ${action} by ${request.federatedPrincipal}`);
      continue;
    }
    const condition = failed(statement);
    if (!condition) return { allowed: true, reason: `allowed by ${name}` };
    misses.push(`${name}: ${describeFailure(condition, request.context)}`);
  }
  return { allowed: false, reason: misses.length ? misses.join("; ") : "no Allow statement" };
}
