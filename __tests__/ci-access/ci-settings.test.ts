import { parseSettings } from "../../src/config/load";

// Bad `ci` settings stop with one line naming the setting.

const s3 = { bucket: "acme-state" };
const cloud = { backend: "cloud", organization: "acme" };
const error = (settings: Record<string, unknown>) => {
  try {
    parseSettings("default", settings);
  } catch (caught) {
    return (caught as Error).message;
  }
  return "accepted";
};

describe("ci settings", () => {
  it("none: accepted, and no CI access", () => {
    expect(parseSettings("default", { state: s3 }).ci).toEqual({});
  });
  it("the zone rehearsal is on by default, but off with CI access (which cannot deploy it)", () => {
    expect(parseSettings("default", { state: s3 }).zoneResilience.rehearsal.enabled).toBe(true);
    const ci = { accountId: "123456789012", githubActions: { repository: "acme/x" } };
    expect(parseSettings("default", { state: s3, ci }).zoneResilience.rehearsal.enabled).toBe(false);
  });
  it.each([
    [
      {
        state: s3,
        loadBalancer: {
          certificateArn: "arn:aws:acm:us-west-2:123456789012:certificate/8f3e9b1c-1d2e-4f50-9a6b-7c8d9e0f1a2b",
          authentication: { provider: "cognito", cognito: { domainPrefix: "inventory-example", callbackHosts: ["inventory.example.com"] } },
        },
        ci: { accountId: "123456789012", githubActions: { repository: "acme/x" } },
      },
      "default.json: loadBalancer.authentication.provider: cognito cannot be deployed by the CI roles: they hold no Cognito permission " +
        "(a user pool's id comes from AWS and only its tags could scope it); use oidc, or deploy this environment as an administrator without a ci section",
    ],
    [
      { state: s3, zoneResilience: { rehearsal: { enabled: true } }, ci: { accountId: "123456789012", githubActions: { repository: "acme/x" } } },
      "default.json: zoneResilience.rehearsal.enabled: cannot be deployed by the CI roles: they hold no AWS FIS permission; set it to false, " +
        "or deploy this environment as an administrator without a ci section",
    ],
    [
      { state: s3, ci: { githubActions: { repository: "acme/x" } } },
      "default.json: ci.accountId: missing: the CI roles are scoped to one account; give its 12-digit id",
    ],
    [{ state: s3, ci: { accountId: "12345", githubActions: { repository: "acme/x" } } }, "default.json: ci.accountId: must be a 12-digit AWS account id"],
    [
      { state: s3, ci: { accountId: "123456789012", githubActions: { repository: "acme" } } },
      "default.json: ci.githubActions.repository: must be owner/name of a GitHub repository, like my-org/inventory-ha",
    ],
    [
      { state: s3, ci: { accountId: "123456789012", terraformCloud: {} } },
      'default.json: ci.terraformCloud: needs state.backend "cloud" (it is "s3"): Terraform Cloud runs only plan environments whose state it keeps',
    ],
    [
      { state: cloud, ci: { accountId: "123456789012", githubActions: { repository: "acme/x" } } },
      'default.json: ci.githubActions: needs state.backend "s3" (it is "cloud"): with Terraform Cloud the runs execute there; use ci.terraformCloud',
    ],
    [
      { state: { ...cloud, workspaceTags: ["inventory"] }, ci: { accountId: "123456789012", terraformCloud: {} } },
      "default.json: ci.terraformCloud.workspace: missing: with state.workspaceTags the workspace is not known; name the one whose runs may assume the role",
    ],
    [
      { state: cloud, ci: { accountId: "123456789012", terraformCloud: { project: "a:b" } } },
      "default.json: ci.terraformCloud.project: must be 1-40 letters, digits, spaces, - and _ (a Terraform Cloud project name)",
    ],
    [
      {
        state: s3,
        ci: { accountId: "123456789012", githubActions: { repository: "acme/x", oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/app.terraform.io" } },
      },
      "default.json: ci.githubActions.oidcProviderArn: is the provider of app.terraform.io, but the tokens come from token.actions.githubusercontent.com",
    ],
    [
      {
        state: s3,
        ci: {
          accountId: "123456789012",
          githubActions: { repository: "acme/x", oidcProviderArn: "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com" },
        },
      },
      "default.json: ci.githubActions.oidcProviderArn: is in account 210987654321, but ci.accountId is 123456789012",
    ],
    [
      { state: s3, ci: { accountId: "123456789012", gitlab: {} } },
      "default.json: ci.gitlab: unknown setting; the settings here are accountId, terraformCloud, githubActions",
    ],
  ])("%j: %s", (settings, message) => {
    expect(error(settings)).toBe(message);
  });
  it("defaults: the project, the audiences, the deploy branch, a plan role apart from the apply role", () => {
    const settings = parseSettings("default", { state: cloud, ci: { accountId: "123456789012", terraformCloud: {} } });
    expect(settings.ci.terraformCloud).toEqual({ project: "Default Project", separatePlanAndApplyRoles: true, audience: "aws.workload.identity" });
    expect(parseSettings("default", { state: s3, ci: { accountId: "123456789012", githubActions: { repository: "acme/x" } } }).ci.githubActions).toEqual({
      repository: "acme/x",
      deployBranch: "main",
      audience: "sts.amazonaws.com",
    });
  });
});
