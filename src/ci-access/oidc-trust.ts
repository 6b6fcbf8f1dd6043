import { type PolicyCondition, policyDocument } from "../aws/iam-policy";

/**
 * Trust policies for roles assumed with an OpenID Connect token
 * (`sts:AssumeRoleWithWebIdentity`): the token's issuer is the federated
 * principal, and conditions on its `aud` and `sub` claims decide which runs
 * may assume the role. IAM names a claim `<issuer host>:<claim>`.
 */

/** Which tokens a role accepts. */
export interface WebIdentityTrustProps {
  /** ARN of the IAM OIDC provider of the issuer. */
  readonly providerArn: string;
  /** The issuer's host, as IAM prefixes its claims: `app.terraform.io`, `token.actions.githubusercontent.com`. */
  readonly host: string;
  /** The one audience accepted. */
  readonly audience: string;
  /**
   * Subjects accepted: exact values, or patterns with `*` (matched with
   * StringLike). At least one; never a bare `*`.
   */
  readonly subjects: readonly string[];
}

/** The trust policy: one statement, the provider as principal, `aud` equal to the audience, `sub` one of the subjects. */
export function webIdentityTrust(props: WebIdentityTrustProps): string {
  if (props.subjects.length === 0) throw new Error(`web identity trust of ${props.host} needs at least one subject`);
  for (const subject of props.subjects) {
    if (subject.replace(/[*?]/g, "") === "" || subject.startsWith("*")) throw new Error(`subject "${subject}" would accept any token of ${props.host}`);
  }
  const wildcard = props.subjects.some((subject) => /[*?]/.test(subject));
  const conditions: PolicyCondition[] = [
    { test: "StringEquals", variable: `${props.host}:aud`, values: [props.audience] },
    { test: wildcard ? "StringLike" : "StringEquals", variable: `${props.host}:sub`, values: props.subjects },
  ];
  return policyDocument([
    {
      sid: "AssumedWithWebIdentity",
      actions: ["sts:AssumeRoleWithWebIdentity"],
      principals: [{ type: "Federated", identifiers: [props.providerArn] }],
      conditions,
    },
  ]);
}

/** The phase of a Terraform Cloud run a token is issued for. */
export type RunPhase = "plan" | "apply";

/**
 * The `sub` claim of a Terraform Cloud (or Enterprise) workload identity
 * token: `organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:PHASE`.
 * Without a phase, a pattern accepting both phases.
 */
export function terraformCloudSubject(props: { organization: string; project: string; workspace: string; runPhase?: RunPhase }): string {
  for (const [what, value] of Object.entries({ organization: props.organization, project: props.project, workspace: props.workspace })) {
    // A ':' would shift the fields, a '*' or '?' would widen the pattern.
    if (/[:*?]/.test(value)) throw new Error(`Terraform Cloud ${what} "${value}" may not contain ':', '*' or '?'`);
  }
  return `organization:${props.organization}:project:${props.project}:workspace:${props.workspace}:run_phase:${props.runPhase ?? "*"}`;
}

/** The `sub` claim of a GitHub Actions job: of a pull request, a branch, or a job that names an environment. */
export function githubActionsSubject(repository: string, of: { pullRequest: true } | { branch: string } | { environment: string }): string {
  if (/[*?:]/.test(repository)) throw new Error(`GitHub repository "${repository}" may not contain ':', '*' or '?'`);
  if ("pullRequest" in of) return `repo:${repository}:pull_request`;
  if ("branch" in of) return `repo:${repository}:ref:refs/heads/${of.branch}`;
  return `repo:${repository}:environment:${of.environment}`;
}
