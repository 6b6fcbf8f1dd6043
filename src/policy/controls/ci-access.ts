import { UNSCOPED_ACTIONS } from "../../ci-access/environment-permissions";
import { type Control, type Finding } from "../control";
import { knownBeforeApply, MANAGED_POLICY } from "./iam";
import { blockList, identityPolicies, managedPolicyAttachments, type PolicyStatement, readPolicy, resources } from "../../terraform/document";

/**
 * Controls of the inventory-ci-access stack: who may assume its roles, and
 * that a `*` resource is granted only where IAM offers nothing narrower.
 */

const WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity";
const UNSCOPED = new Set(UNSCOPED_ACTIONS.flatMap((group) => group.actions));

/** Why one trust statement lets in more than one workspace or repository, or nothing. */
function trustProblems(statement: PolicyStatement): string[] {
  const problems: string[] = [];
  if (statement.effect !== "Allow") return problems;
  // One principal, of type Federated, naming one identity provider.
  const [principal, ...others] = statement.principals;
  if (principal?.type !== "Federated" || principal.identifiers.length !== 1 || others.length > 0)
    problems.push("trusts a principal other than one OIDC provider");
  if (statement.actions.join() !== WEB_IDENTITY) problems.push(`allows ${statement.actions.join(", ")}, not only ${WEB_IDENTITY}`);
  const claim = (name: string) => statement.conditions.filter((condition) => condition.variable.endsWith(`:${name}`));
  const aud = claim("aud");
  if (aud.length === 0 || aud.some((condition) => condition.test !== "StringEquals" || condition.values.some((value) => /[*?]/.test(value)))) {
    problems.push("does not pin the token's audience with StringEquals");
  }
  const sub = claim("sub");
  if (sub.length === 0) problems.push("does not test the token's subject");
  for (const condition of sub) {
    if (!["StringEquals", "StringLike"].includes(condition.test)) problems.push(`tests the subject with ${condition.test}`);
    for (const value of condition.values) {
      // Terraform Cloud: organization, project and workspace named; only the run phase may vary.
      if (value.startsWith("organization:") && !/^organization:[^:*?]+:project:[^:*?]+:workspace:[^:*?]+:run_phase:(plan|apply|\*)$/.test(value)) {
        problems.push(`subject ${value} does not name one organization, project and workspace`);
      }
      if (value.startsWith("repo:") && /[*?]/.test(value)) problems.push(`subject ${value} is a pattern; a repository's refs are named exactly`);
      if (!value.startsWith("organization:") && !value.startsWith("repo:")) problems.push(`subject ${value} is of no known issuer`);
    }
  }
  return problems;
}

/** Whether a managed policy of the configuration is attached to one of its roles. */
function attachedToRole(document: Parameters<typeof identityPolicies>[0], policyAddress: string): boolean {
  return resources(document, "aws_iam_role_policy_attachment").some((attachment) => attachment.config.policy_arn === `\${${policyAddress}.arn}`);
}

export const CI_ACCESS_CONTROLS: readonly Control[] = [
  {
    id: "INV-CI-1",
    aliases: [],
    title: "CI roles trust one OIDC provider, pin the audience, and name the workspace or repository in the subject",
    scopes: ["ci-access"],
    check: ({ document }) => {
      const roles = resources(document, "aws_iam_role");
      if (roles.length === 0) return [{ address: "(configuration)", problem: "has no IAM role" }];
      return roles.flatMap((role): Finding[] => {
        const reading = readPolicy(role.config.assume_role_policy);
        if ("problem" in reading) return [{ address: role.address, problem: `trust policy: ${reading.problem}` }];
        return reading.statements.flatMap(trustProblems).map((problem) => ({ address: role.address, problem: `trust policy ${problem}` }));
      });
    },
  },
  {
    id: "INV-CI-2",
    aliases: ["CKV_AWS_355"],
    title: "CI policies grant resource * only for actions without resource-level permissions, and no service wildcard",
    scopes: ["ci-access"],
    check: ({ document }) =>
      identityPolicies(document)
        // The grants of the CI roles; the environments' permissions boundaries cap other roles (INV-IAM controls read those roles).
        .filter(({ address }) => !address.startsWith("aws_iam_policy.") || attachedToRole(document, address))
        .flatMap(({ address, reading }): Finding[] => {
          if ("problem" in reading) return [{ address, problem: reading.problem }];
          return reading.statements
            .filter((statement) => statement.effect === "Allow")
            .flatMap((statement) => [
              ...statement.actions.filter((action) => action === "*" || /^[a-z0-9-]+:\*$/i.test(action)).map((action) => `allows ${action}`),
              ...(statement.resources.includes("*")
                ? statement.actions.filter((action) => !UNSCOPED.has(action)).map((action) => `allows ${action} on resource *, which IAM can scope`)
                : []),
              ...(statement.notActions.length > 0 || statement.notResources.length > 0 ? ["uses NotAction or NotResource"] : []),
            ])
            .map((problem) => ({ address, problem }));
        }),
  },
  {
    id: "INV-CI-3",
    aliases: [],
    title: "CI roles hold sessions of an hour at most and no inline or AWS managed policies",
    scopes: ["ci-access"],
    check: ({ document }) => [
      ...resources(document, "aws_iam_role").flatMap((role): Finding[] =>
        Number(role.config.max_session_duration ?? 3600) > 3600
          ? [{ address: role.address, problem: `max_session_duration is ${role.config.max_session_duration}` }]
          : [],
      ),
      ...managedPolicyAttachments(document).flatMap(({ address, policyArn }): Finding[] => {
        if (MANAGED_POLICY.test(policyArn)) return [{ address, problem: `attaches AWS managed policy ${policyArn}` }];
        return knownBeforeApply(document, policyArn) ? [] : [{ address, problem: `attaches ${policyArn}, a policy that cannot be known before apply` }];
      }),
      ...resources(document, "aws_iam_role_policy").map((inline) => ({ address: inline.address, problem: "is an inline policy" })),
      ...resources(document, "aws_iam_role")
        .filter((role) => blockList(role.config.inline_policy).length > 0)
        .map((role) => ({ address: role.address, problem: "has inline_policy blocks" })),
    ],
  },
];
