import { Testing } from "cdktf";
import { CI_ACCESS_CONTROLS } from "../../src/policy/controls/ci-access";
import { controlName, formatFinding, type Target } from "../../src/policy/control";
import { CiAccessStack, ciAccessProps } from "../../src/ci-access/ci-access-stack";
import { settingsFor } from "../support/stacks";

// The CI access stack's controls: met by the stack as synthesized, and each
// catches the violation it is about in a changed copy.

const props = ciAccessProps([
  settingsFor("default", { ci: { accountId: "123456789012", githubActions: { repository: "acme/inventory-ha" } } }),
  settingsFor("cloud", {
    namePrefix: "c-",
    state: { backend: "cloud", organization: "acme" },
    ci: { accountId: "123456789012", terraformCloud: { separatePlanAndApplyRoles: false } },
  }),
])!;
const synth = () => JSON.parse(Testing.synth(new CiAccessStack(Testing.app(), "inventory-ci-access", props)));
const target = (document: any): Target => ({ name: "ci-access", scope: "ci-access", region: "us-west-2", document });
const control = (id: string) => CI_ACCESS_CONTROLS.find((candidate) => candidate.id === id)!;

describe.each(CI_ACCESS_CONTROLS.map((candidate) => [controlName(candidate), candidate] as const))("%s", (_, candidate) => {
  it("is met by the stack", () => {
    expect(candidate.check(target(synth())).map(formatFinding)).toStrictEqual([]);
  });
});

describe("each control catches its violation", () => {
  const trust = (document: any, role: string, edit: (policy: any) => void) => {
    const policy = JSON.parse(document.resource.aws_iam_role[role].assume_role_policy);
    edit(policy.Statement[0]);
    document.resource.aws_iam_role[role].assume_role_policy = JSON.stringify(policy);
    return document;
  };
  it.each([
    [
      "a workspace wildcard",
      (s: any) => (s.Condition.StringLike["app.terraform.io:sub"] = "organization:acme:project:Default Project:workspace:*:run_phase:*"),
      "does not name one organization, project and workspace",
    ],
    ["no audience", (s: any) => delete s.Condition.StringEquals, "does not pin the token's audience"],
    ["no subject", (s: any) => delete s.Condition.StringLike, "does not test the token's subject"],
    ["an AWS principal", (s: any) => (s.Principal = { AWS: "*" }), "trusts a principal other than one OIDC provider"],
  ])("INV-CI-1: %s", (_, edit, problem) => {
    const findings = control("INV-CI-1").check(target(trust(synth(), "cloud_tfc_run_role", edit)));
    expect(findings.map(formatFinding).join("\n")).toContain(problem);
  });
  it("INV-CI-1: a repository pattern", () => {
    const document = trust(synth(), "default_gha_deploy_role", (s) => (s.Condition.StringEquals["token.actions.githubusercontent.com:sub"] = "repo:acme/*"));
    expect(control("INV-CI-1").check(target(document)).map(formatFinding)).toEqual([
      "aws_iam_role.default_gha_deploy_role: trust policy subject repo:acme/* is a pattern; a repository's refs are named exactly",
    ]);
  });
  it("INV-CI-2: a scopable action on resource *", () => {
    const document = synth();
    const policy = JSON.parse(document.resource.aws_iam_policy.default_gha_deploy_compute_policy.policy);
    policy.Statement[0].Resource = "*";
    document.resource.aws_iam_policy.default_gha_deploy_compute_policy.policy = JSON.stringify(policy);
    expect(control("INV-CI-2").check(target(document)).map(formatFinding)[0]).toMatch(
      /allows elasticloadbalancing:CreateLoadBalancer on resource \*, which IAM can scope/,
    );
  });
  it("INV-CI-3: AdministratorAccess attached", () => {
    const document = synth();
    document.resource.aws_iam_role_policy_attachment.extra = { role: "x", policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess" };
    expect(control("INV-CI-3").check(target(document)).map(formatFinding)).toEqual([
      "aws_iam_role_policy_attachment.extra: attaches AWS managed policy arn:aws:iam::aws:policy/AdministratorAccess",
    ]);
  });

  it("INV-CI-3: AWS managed policies with the partition as a reference or on the role itself, and a policy not known before apply", () => {
    const document = synth();
    const [roleName] = Object.keys(document.resource.aws_iam_role);
    document.resource.aws_iam_role_policy_attachment.partition = {
      role: "x",
      policy_arn: "arn:${data.aws_partition.current.partition}:iam::aws:policy/PowerUserAccess",
    };
    document.resource.aws_iam_role_policy_attachment.lookup = { role: "x", policy_arn: "${data.aws_iam_policy.admin.arn}" };
    document.resource.aws_iam_role[roleName].managed_policy_arns = ["arn:aws:iam::aws:policy/IAMFullAccess"];
    expect(control("INV-CI-3").check(target(document)).map(formatFinding)).toStrictEqual([
      "aws_iam_role_policy_attachment.partition: attaches AWS managed policy arn:${data.aws_partition.current.partition}:iam::aws:policy/PowerUserAccess",
      "aws_iam_role_policy_attachment.lookup: attaches ${data.aws_iam_policy.admin.arn}, a policy that cannot be known before apply",
      `aws_iam_role.${roleName}: attaches AWS managed policy arn:aws:iam::aws:policy/IAMFullAccess`,
    ]);
  });
});
