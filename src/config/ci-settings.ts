import { z } from "zod";
import { LAB_SETTINGS } from "./defaults";

/**
 * The `ci` settings of an environment: which Terraform Cloud workspace and
 * which GitHub repository may deploy it with short-lived credentials. The
 * `inventory-ci-access` stack reads them (src/ci-access/ci-access-stack.ts); an
 * environment without them gets no CI role.
 */

/** The audience HashiCorp's dynamic provider credentials put in the token by default. */
export const TERRAFORM_CLOUD_AUDIENCE = "aws.workload.identity";
/** The audience aws-actions/configure-aws-credentials asks GitHub for. */
export const GITHUB_ACTIONS_AUDIENCE = "sts.amazonaws.com";

const OIDC_PROVIDER_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):oidc-provider\/(.+)$/;

const oidcProviderArn = z
  .string()
  .regex(OIDC_PROVIDER_ARN, "must be an IAM OIDC provider ARN like arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com")
  .optional();

const terraformCloudSchema = z.strictObject({
  project: z
    .string()
    .regex(/^[A-Za-z0-9 _-]{1,40}$/, "must be 1-40 letters, digits, spaces, - and _ (a Terraform Cloud project name)")
    .default(LAB_SETTINGS.ci.terraformCloudProject)
    .describe("Terraform Cloud project of the workspace; the token's sub names it, so the role accepts runs of this project only."),
  workspace: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,90}$/, "must be 1-90 letters, digits, - and _")
    .optional()
    .describe("Workspace whose runs may assume the role. Default: state.workspace, else inventory-ha-<environment>; required with state.workspaceTags."),
  separatePlanAndApplyRoles: z
    .boolean()
    .default(LAB_SETTINGS.ci.separatePlanAndApplyRoles)
    .describe(
      "A read-only role for the plan phase and a deploy role for the apply phase (TFC_AWS_PLAN_ROLE_ARN / TFC_AWS_APPLY_ROLE_ARN). " +
        "false gives one run role (TFC_AWS_RUN_ROLE_ARN, run_phase:*) for both phases: every plan, a speculative plan of a pull request " +
        "included, then holds deploy permissions.",
    ),
  audience: z
    .string()
    .min(1)
    .default(TERRAFORM_CLOUD_AUDIENCE)
    .describe("Audience of the workload identity token (TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE when not the default)."),
  oidcProviderArn: oidcProviderArn.describe(
    "The account's existing OIDC provider for state.hostname (IAM allows one per host); unset creates it in the inventory-ci-access stack.",
  ),
});

const githubActionsSchema = z.strictObject({
  repository: z
    .string()
    .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/, "must be owner/name of a GitHub repository, like my-org/inventory-ha")
    .describe("GitHub repository (owner/name) whose workflows may assume the roles."),
  deployBranch: z
    .string()
    .regex(/^[A-Za-z0-9._/-]{1,200}$/, "must be a branch name like main")
    .default(LAB_SETTINGS.ci.deployBranch)
    .describe("Branch whose pushes may assume the deploy role (its token's sub is repo:<repository>:ref:refs/heads/<branch>)."),
  deployEnvironment: z
    .string()
    .regex(/^[A-Za-z0-9._ -]{1,255}$/, "must be a GitHub environment name")
    .optional()
    .describe(
      "GitHub environment of the deploy job, when it names one (its token's sub is then repo:<repository>:environment:<name>, which replaces the branch).",
    ),
  audience: z.string().min(1).default(GITHUB_ACTIONS_AUDIENCE).describe("Audience of the GitHub token (what configure-aws-credentials asks for)."),
  oidcProviderArn: oidcProviderArn.describe(
    "The account's existing provider for token.actions.githubusercontent.com (IAM allows one per host); unset creates it in the inventory-ci-access stack.",
  ),
});

export const ciSchema = z
  .strictObject({
    accountId: z
      .string()
      .regex(/^\d{12}$/, "must be a 12-digit AWS account id")
      .optional()
      .describe("AWS account the CI roles live in and act on; the inventory-ci-access stack refuses any other. Required with terraformCloud or githubActions."),
    terraformCloud: terraformCloudSchema.optional().describe("Terraform Cloud or Enterprise runs of this environment (state.backend cloud)."),
    githubActions: githubActionsSchema.optional().describe("GitHub Actions runs of this environment (state.backend s3)."),
  })
  .prefault({});

export type CiSettings = z.output<typeof ciSchema>;
export type TerraformCloudAccessSettings = NonNullable<CiSettings["terraformCloud"]>;
export type GithubActionsAccessSettings = NonNullable<CiSettings["githubActions"]>;

/** The settings the checks below read, beside `ci`. */
interface CiContext {
  readonly ci: CiSettings;
  readonly state: { readonly backend: string; readonly workspace?: string; readonly workspaceTags?: string[]; readonly hostname: string };
}

/** A setting the CI access cannot be built from, with its path. */
export interface CiProblem {
  readonly path: string[];
  readonly message: string;
}

/** Cross-field checks of `ci`: the backend each CI system needs, the account, and existing providers for the right host and account. */
/** Whether the `ci` settings give the environment CI roles (and so a place in the inventory-ci-access stack). */
export function hasCiAccess(ci: { readonly terraformCloud?: unknown; readonly githubActions?: unknown }): boolean {
  return Boolean(ci.terraformCloud || ci.githubActions);
}

export function ciProblems(input: CiContext): CiProblem[] {
  const { ci, state } = input;
  const problems: CiProblem[] = [];
  if (hasCiAccess(ci) && ci.accountId === undefined) {
    problems.push({ path: ["ci", "accountId"], message: "missing: the CI roles are scoped to one account; give its 12-digit id" });
  }
  if (ci.terraformCloud) {
    if (state.backend !== "cloud") {
      problems.push({
        path: ["ci", "terraformCloud"],
        message: `needs state.backend "cloud" (it is "${state.backend}"): Terraform Cloud runs only plan environments whose state it keeps`,
      });
    }
    if (state.workspaceTags && ci.terraformCloud.workspace === undefined) {
      problems.push({
        path: ["ci", "terraformCloud", "workspace"],
        message: "missing: with state.workspaceTags the workspace is not known; name the one whose runs may assume the role",
      });
    }
    problems.push(...providerProblems(ci.terraformCloud.oidcProviderArn, state.hostname, ci.accountId, ["ci", "terraformCloud", "oidcProviderArn"]));
  }
  if (ci.githubActions) {
    if (state.backend !== "s3") {
      problems.push({
        path: ["ci", "githubActions"],
        message:
          `needs state.backend "s3" (it is "${state.backend}"): ` +
          (state.backend === "cloud" ? "with Terraform Cloud the runs execute there; use ci.terraformCloud" : "a CI runner keeps no local state"),
      });
    }
    problems.push(...providerProblems(ci.githubActions.oidcProviderArn, GITHUB_ACTIONS_HOST, ci.accountId, ["ci", "githubActions", "oidcProviderArn"]));
  }
  return problems;
}

/** The host of GitHub Actions' OIDC tokens. */
export const GITHUB_ACTIONS_HOST = "token.actions.githubusercontent.com";

function providerProblems(arn: string | undefined, host: string, accountId: string | undefined, path: string[]): CiProblem[] {
  const match = arn === undefined ? null : OIDC_PROVIDER_ARN.exec(arn);
  if (!match) return [];
  const [, account, providerHost] = match;
  if (providerHost !== host) return [{ path, message: `is the provider of ${providerHost}, but the tokens come from ${host}` }];
  if (accountId !== undefined && account !== accountId) return [{ path, message: `is in account ${account}, but ci.accountId is ${accountId}` }];
  return [];
}
