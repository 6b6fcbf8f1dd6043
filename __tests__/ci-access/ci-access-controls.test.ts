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
/** A role's trust policy, changed by `edit` and written back. */
const editTrust = (document: any, role: string, edit: (policy: any) => void) => {
  const policy = JSON.parse(document.resource.aws_iam_role[role].assume_role_policy);
  edit(policy);
  document.resource.aws_iam_role[role].assume_role_policy = JSON.stringify(policy);
};

it("are INV-CI-1 to INV-CI-3 (docs/ci-access.md), each of the ci-access scope and named with the checkov id it stands for", () => {
  expect(CI_ACCESS_CONTROLS.map(controlName)).toStrictEqual([
    "INV-CI-1 CI roles trust one OIDC provider, pin the audience, and name the workspace or repository in the subject",
    "INV-CI-2 / CKV_AWS_355 CI policies grant resource * only for actions without resource-level permissions, and no service wildcard",
    "INV-CI-3 CI roles hold sessions of an hour at most and no inline or AWS managed policies",
  ]);
  expect(CI_ACCESS_CONTROLS.map((candidate) => candidate.scopes)).toStrictEqual([["ci-access"], ["ci-access"], ["ci-access"]]);
});

describe.each(CI_ACCESS_CONTROLS.map((candidate) => [controlName(candidate), candidate] as const))("%s", (_, candidate) => {
  it("is met by the stack", () => {
    expect(candidate.check(target(synth())).map(formatFinding)).toStrictEqual([]);
  });
});

describe("each control catches its violation", () => {
  /** The document, with the first statement of a role's trust policy changed by `edit`. */
  const trust = (document: any, role: string, edit: (statement: any) => void) => {
    editTrust(document, role, (policy) => edit(policy.Statement[0]));
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

// Each edit of the stack, and every finding it gives the control under test (all of them, so a check that stopped
// reading what the edit changes cannot pass on another finding).
describe("what each control finds, finding by finding", () => {
  const TFC_ROLE = "cloud_tfc_run_role";
  const GHA_ROLE = "default_gha_deploy_role";
  const TFC_SUB = "app.terraform.io:sub";
  const TFC_AUD = "app.terraform.io:aud";
  const TFC_SUBJECT = "organization:acme:project:Default Project:workspace:inventory-ha-cloud:run_phase:*";
  /** The Terraform Cloud role's one trust statement, changed by `edit`. */
  const tfcTrust = (edit: (statement: any) => void) => (document: any) =>
    editTrust(document, TFC_ROLE, (policy) => {
      expect(policy.Statement).toHaveLength(1);
      edit(policy.Statement[0]);
    });
  /** A policy of the configuration, of one statement, attached to the GitHub Actions deploy role. */
  const attachedPolicy = (statement: Record<string, unknown>) => (document: any) => {
    document.resource.aws_iam_policy.probe = { name: "probe", policy: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }) };
    document.resource.aws_iam_role_policy_attachment.probe = { role: `\${aws_iam_role.${GHA_ROLE}.name}`, policy_arn: "${aws_iam_policy.probe.arn}" };
  };
  const findingsAfter = (id: string, edit: (document: any) => void) => {
    const document = synth();
    edit(document);
    return control(id).check(target(document)).map(formatFinding);
  };
  const tfc = (problem: string) => `aws_iam_role.${TFC_ROLE}: trust policy ${problem}`;

  it.each<[string, string, (document: any) => void, string[]]>([
    ["INV-CI-1", "no role at all", (d) => delete d.resource.aws_iam_role, ["(configuration): has no IAM role"]],
    [
      "INV-CI-1",
      "a trust policy that is not JSON",
      (d) => (d.resource.aws_iam_role[TFC_ROLE].assume_role_policy = "{trust"),
      [`aws_iam_role.${TFC_ROLE}: trust policy: the policy "{trust" is not JSON, so it cannot be read before apply`],
    ],
    [
      "INV-CI-1",
      "a second OIDC provider beside the first",
      tfcTrust((s) => (s.Principal.Federated = [s.Principal.Federated, "arn:aws:iam::123456789012:oidc-provider/id.example.com"])),
      [tfc("trusts a principal other than one OIDC provider")],
    ],
    ["INV-CI-1", "no principal", tfcTrust((s) => delete s.Principal), [tfc("trusts a principal other than one OIDC provider")]],
    [
      "INV-CI-1",
      "an AWS principal beside the OIDC provider",
      tfcTrust((s) => (s.Principal.AWS = "arn:aws:iam::123456789012:root")),
      [tfc("trusts a principal other than one OIDC provider")],
    ],
    [
      "INV-CI-1",
      "a second action",
      tfcTrust((s) => (s.Action = ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"])),
      [tfc("allows sts:AssumeRoleWithWebIdentity, sts:TagSession, not only sts:AssumeRoleWithWebIdentity")],
    ],
    [
      "INV-CI-1",
      "the audience tested with StringLike",
      tfcTrust((s) => {
        s.Condition.StringLike[TFC_AUD] = s.Condition.StringEquals[TFC_AUD];
        delete s.Condition.StringEquals;
      }),
      [tfc("does not pin the token's audience with StringEquals")],
    ],
    [
      "INV-CI-1",
      "the audience tested with StringEquals and again with StringLike",
      tfcTrust((s) => (s.Condition.StringLike[TFC_AUD] = "aws.workload.identity")),
      [tfc("does not pin the token's audience with StringEquals")],
    ],
    [
      "INV-CI-1",
      "a pattern among the audiences",
      tfcTrust((s) => (s.Condition.StringEquals[TFC_AUD] = ["aws.workload.identity", "aws.*"])),
      [tfc("does not pin the token's audience with StringEquals")],
    ],
    [
      "INV-CI-1",
      "the subject tested with StringNotEquals",
      tfcTrust((s) => {
        s.Condition.StringNotEquals = { [TFC_SUB]: TFC_SUBJECT };
        delete s.Condition.StringLike;
      }),
      [tfc(`tests the subject with StringNotEquals`)],
    ],
    [
      "INV-CI-1",
      "a workspace named after another organization's",
      tfcTrust((s) => (s.Condition.StringLike[TFC_SUB] = `organization:other:${TFC_SUBJECT}`)),
      [tfc(`subject organization:other:${TFC_SUBJECT} does not name one organization, project and workspace`)],
    ],
    [
      "INV-CI-1",
      "a run phase that is a pattern",
      tfcTrust((s) => (s.Condition.StringLike[TFC_SUB] = `${TFC_SUBJECT.replace(/\*$/, "apply")}*`)),
      [tfc(`subject ${TFC_SUBJECT.replace(/\*$/, "apply")}* does not name one organization, project and workspace`)],
    ],
    [
      "INV-CI-1",
      "a subject of another issuer",
      tfcTrust((s) => (s.Condition.StringLike[TFC_SUB] = "system:serviceaccount:ci:deployer")),
      [tfc("subject system:serviceaccount:ci:deployer is of no known issuer")],
    ],
    ["INV-CI-2", "every action", attachedPolicy({ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::b" }), ["aws_iam_policy.probe: allows *"]],
    [
      "INV-CI-2",
      "every action of a service",
      attachedPolicy({ Effect: "Allow", Action: ["s3:GetObject", "s3:*"], Resource: "arn:aws:s3:::b" }),
      ["aws_iam_policy.probe: allows s3:*"],
    ],
    [
      "INV-CI-2",
      "NotAction",
      attachedPolicy({ Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::b" }),
      ["aws_iam_policy.probe: uses NotAction or NotResource"],
    ],
    [
      "INV-CI-2",
      "NotResource",
      attachedPolicy({ Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::b" }),
      ["aws_iam_policy.probe: uses NotAction or NotResource"],
    ],
    [
      "INV-CI-2",
      "an attached policy that is not JSON",
      (d) => {
        attachedPolicy({})(d);
        d.resource.aws_iam_policy.probe.policy = "{grant";
      },
      ['aws_iam_policy.probe: the policy "{grant" is not JSON, so it cannot be read before apply'],
    ],
    [
      "INV-CI-2",
      "an inline policy of a role",
      (d) =>
        (d.resource.aws_iam_role_policy = {
          probe: { role: GHA_ROLE, policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) },
        }),
      ["aws_iam_role_policy.probe: allows *", "aws_iam_role_policy.probe: allows * on resource *, which IAM can scope"],
    ],
    [
      "INV-CI-3",
      "sessions of two hours",
      (d) => (d.resource.aws_iam_role[GHA_ROLE].max_session_duration = 7200),
      [`aws_iam_role.${GHA_ROLE}: max_session_duration is 7200`],
    ],
    [
      "INV-CI-3",
      "an inline policy of a role",
      (d) => (d.resource.aws_iam_role_policy = { probe: { role: GHA_ROLE, policy: "{}" } }),
      ["aws_iam_role_policy.probe: is an inline policy"],
    ],
    [
      "INV-CI-3",
      "a role's inline_policy block",
      (d) => (d.resource.aws_iam_role[GHA_ROLE].inline_policy = [{ name: "probe", policy: "{}" }]),
      [`aws_iam_role.${GHA_ROLE}: has inline_policy blocks`],
    ],
  ])("%s: %s", (id, _what, edit, findings) => {
    expect(findingsAfter(id, edit)).toStrictEqual(findings);
  });

  it.each<[string, string, (document: any) => void]>([
    [
      "INV-CI-1",
      "a Deny statement beside the trust",
      (d) => editTrust(d, TFC_ROLE, (policy) => policy.Statement.push({ Effect: "Deny", Principal: { AWS: "*" }, Action: "sts:AssumeRole" })),
    ],
    [
      "INV-CI-2",
      "an action of a service's wildcard pattern, not the whole service",
      attachedPolicy({ Effect: "Allow", Action: "s3:*Object", Resource: "arn:aws:s3:::b/*" }),
    ],
    [
      "INV-CI-2",
      "a policy of the configuration attached to no role (a permissions boundary)",
      (d) => {
        attachedPolicy({ Effect: "Allow", Action: "*", Resource: "*" })(d);
        delete d.resource.aws_iam_role_policy_attachment.probe;
      },
    ],
    [
      "INV-CI-3",
      "sessions of an hour, stated or left to the default",
      (d) => {
        d.resource.aws_iam_role[GHA_ROLE].max_session_duration = 3600;
        delete d.resource.aws_iam_role[TFC_ROLE].max_session_duration;
      },
    ],
  ])("%s is still met with %s", (id, _what, edit) => {
    expect(findingsAfter(id, edit)).toStrictEqual([]);
  });
});
