import { describeRoles, rolesMarkdown, type RoleDescription } from "../../src/policy/role-permissions";
import type { TerraformDocument } from "../../src/terraform/document";

// The roles section of docs/security.md (describeRoles, rolesMarkdown) from
// documents written by hand: what each role is read as, which policies belong
// to it, and each way the reading refuses a role it cannot explain. The
// committed page (inventory-controls.test.ts) shows only what the environments
// synthesize, which never takes these refusals.

const trust = (service: string, condition?: Record<string, Record<string, string>>) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole", ...(condition ? { Condition: condition } : {}) }],
  });
const policy = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const ACCOUNT = { StringEquals: { "aws:SourceAccount": "123456789012" } };

/** Two roles, each with an inline policy and one of them with a reviewed managed policy. */
function document(overrides: Record<string, Record<string, unknown>> = {}): TerraformDocument {
  return {
    resource: {
      aws_iam_role: {
        backup: { name: "inventory-backup", assume_role_policy: trust("backup.amazonaws.com", ACCOUNT) },
        servers: { name: "inventory-servers", assume_role_policy: trust("ec2.amazonaws.com") },
      },
      aws_iam_role_policy: {
        servers_secret: {
          role: "${aws_iam_role.servers.name}",
          policy: policy({
            Sid: "ReadTheDatabaseSecret",
            Effect: "Allow",
            Action: "secretsmanager:GetSecretValue",
            Resource: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app",
          }),
        },
        servers_session: {
          role: "${aws_iam_role.servers.id}",
          policy: policy({
            Sid: "SessionManagerRegistersTheInstance",
            Effect: "Allow",
            Action: ["ssm:UpdateInstanceInformation", "ssm:ListAssociations"],
            Resource: "*",
          }),
        },
      },
      aws_iam_role_policy_attachment: {
        backup_managed: {
          role: "${aws_iam_role.backup.name}",
          policy_arn: "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        },
      },
      ...overrides,
    },
  };
}

describe("describeRoles", () => {
  it("reads each role's trust, its inline statements with their reasons, and its reviewed managed policies", () => {
    const roles = describeRoles(document());
    expect(roles.map((role) => role.address)).toStrictEqual(["aws_iam_role.backup", "aws_iam_role.servers"]);
    const [backup, servers] = roles;
    expect(backup).toStrictEqual({
      address: "aws_iam_role.backup",
      name: "inventory-backup",
      trustedBy: ["backup.amazonaws.com"],
      trustConditions: ["StringEquals aws:SourceAccount 123456789012"],
      trustNote: undefined,
      permissions: [
        {
          actions: ["(AWS managed policy service-role/AWSBackupServiceRolePolicyForBackup)"],
          resources: ["(as AWS writes it)"],
          conditions: [],
          why: expect.stringMatching(/^AWS Backup's role backs the database up with it: /),
        },
      ],
    });
    expect(servers).toStrictEqual({
      address: "aws_iam_role.servers",
      name: "inventory-servers",
      trustedBy: ["ec2.amazonaws.com"],
      trustConditions: [],
      trustNote: expect.stringMatching(/^EC2 takes an instance profile's role for the instances launched with it, /),
      permissions: [
        {
          actions: ["secretsmanager:GetSecretValue"],
          resources: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:app"],
          conditions: [],
          why: expect.stringMatching(/^the app reads its database user's name and password at run time /),
        },
        {
          actions: ["ssm:UpdateInstanceInformation", "ssm:ListAssociations"],
          resources: ["*"],
          conditions: [],
          // Only the action AWS gives no resource type is named as the reason for `*`.
          why:
            "the SSM agent registers the server with Systems Manager and keeps it online, so Session Manager can reach it instead of SSH; " +
            "`*`: AWS gives ssm:UpdateInstanceInformation no resource type",
        },
      ],
    });
  });

  it("gives a service that sets no source keys no note when the trust has a condition all the same", () => {
    const [, servers] = describeRoles(
      document({
        aws_iam_role: {
          backup: { name: "inventory-backup", assume_role_policy: trust("backup.amazonaws.com", ACCOUNT) },
          servers: { name: "inventory-servers", assume_role_policy: trust("ec2.amazonaws.com", ACCOUNT) },
        },
      }),
    );
    expect(servers.trustConditions).toStrictEqual(["StringEquals aws:SourceAccount 123456789012"]);
    expect(servers.trustNote).toBeUndefined();
  });

  it("reads the conditions of each statement, with every value", () => {
    const [backup] = describeRoles(
      document({
        aws_iam_role_policy: {
          backup_logs: {
            role: "${aws_iam_role.backup.name}",
            policy: policy({
              Sid: "WriteItsLog",
              Effect: "Allow",
              Action: "logs:PutLogEvents",
              Resource: "arn:aws:logs:eu-west-1:123456789012:log-group:backup:*",
              Condition: { StringEquals: { "aws:SourceAccount": ["123456789012", "210987654321"] }, Bool: { "aws:SecureTransport": "true" } },
            }),
          },
        },
      }),
    );
    expect(backup.permissions[0].conditions).toStrictEqual(["StringEquals aws:SourceAccount 123456789012, 210987654321", "Bool aws:SecureTransport true"]);
  });

  it("names a managed policy of another partition by its name", () => {
    const [backup] = describeRoles(
      document({
        aws_iam_role_policy_attachment: {
          backup_managed: {
            role: "${aws_iam_role.backup.name}",
            policy_arn: "arn:aws-cn:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
          },
        },
      }),
    );
    expect(backup.permissions.map((permission) => permission.actions)).toStrictEqual([
      ["(AWS managed policy service-role/AWSBackupServiceRolePolicyForRestores)"],
    ]);
  });

  it.each([
    [
      "a statement without a Sid",
      {
        aws_iam_role_policy: {
          loose: { role: "${aws_iam_role.servers.name}", policy: policy({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }) },
        },
      },
      "aws_iam_role_policy.loose: statement (no Sid) has no reason in src/policy/role-permissions.ts (STATEMENT_REASONS)",
    ],
    [
      "a statement with an empty Sid",
      {
        aws_iam_role_policy: {
          loose: { role: "${aws_iam_role.servers.name}", policy: policy({ Sid: "", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }) },
        },
      },
      "aws_iam_role_policy.loose: statement (no Sid) has no reason in src/policy/role-permissions.ts (STATEMENT_REASONS)",
    ],
    [
      "a statement whose Sid has no reason",
      {
        aws_iam_role_policy: {
          loose: {
            role: "${aws_iam_role.servers.name}",
            policy: policy({ Sid: "Anything", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }),
          },
        },
      },
      "aws_iam_role_policy.loose: statement Anything has no reason in src/policy/role-permissions.ts (STATEMENT_REASONS)",
    ],
    [
      "a trust policy that is not JSON",
      { aws_iam_role: { servers: { name: "inventory-servers", assume_role_policy: "${data.aws_iam_policy_document.trust.json}" } } },
      'aws_iam_role.servers: the policy "${data.aws_iam_policy_document.trust.json}" is not JSON, so it cannot be read before apply',
    ],
    [
      "an inline policy that is not JSON",
      { aws_iam_role_policy: { loose: { role: "${aws_iam_role.servers.name}", policy: "${data.aws_iam_policy_document.loose.json}" } } },
      'aws_iam_role_policy.loose: the policy "${data.aws_iam_policy_document.loose.json}" is not JSON, so it cannot be read before apply',
    ],
    [
      "a managed policy not on the reviewed list",
      {
        aws_iam_role_policy_attachment: {
          admin: { role: "${aws_iam_role.servers.name}", policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess" },
          readonly: { role: "${aws_iam_role.servers.name}", policy_arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
        },
      },
      "aws_iam_role.servers: managed policies are attached (arn:aws:iam::aws:policy/AdministratorAccess, arn:aws:iam::aws:policy/ReadOnlyAccess): " +
        "their actions are not in the configuration, and they are not on the reviewed list (src/policy/controls/iam.ts)",
    ],
    [
      "a reviewed policy's name in an ARN that is not an AWS managed policy's",
      {
        aws_iam_role_policy_attachment: {
          lookalike: {
            role: "${aws_iam_role.servers.name}",
            policy_arn: "xarn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
          },
        },
      },
      "aws_iam_role.servers: managed policies are attached (xarn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup): " +
        "their actions are not in the configuration, and they are not on the reviewed list (src/policy/controls/iam.ts)",
    ],
  ])("refuses %s, naming it", (_case, overrides, message) => {
    expect(() => describeRoles(document(overrides))).toThrow(new Error(message));
  });

  it("leaves out the policies and attachments of other roles and those whose role is not a reference to one", () => {
    const roles = describeRoles(
      document({
        aws_iam_role_policy: {
          literal: { role: "inventory-servers", policy: policy({ Sid: "Anything", Effect: "Allow", Action: "s3:*", Resource: "*" }) },
        },
        aws_iam_role_policy_attachment: {
          literal: { role: "inventory-backup", policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess" },
        },
      }),
    );
    expect(roles.map((role) => role.permissions.length)).toStrictEqual([0, 0]);
  });
});

describe("rolesMarkdown", () => {
  const role = (overrides: Partial<RoleDescription>): RoleDescription => ({
    address: "aws_iam_role.servers",
    name: "inventory-servers",
    trustedBy: ["ec2.amazonaws.com"],
    trustConditions: [],
    permissions: [
      { actions: ["s3:GetObject", "s3:GetObjectVersion"], resources: ["arn:aws:s3:::b/app/*"], conditions: [], why: "the boot script reads the app" },
    ],
    ...overrides,
  });

  it("writes a heading, the trust and a table per role, a pipe in a value escaped and a row without conditions as -", () => {
    expect(
      rolesMarkdown([
        role({}),
        role({
          address: "aws_iam_role.flow_logs",
          name: "inventory|flow-logs",
          trustedBy: ["vpc-flow-logs.amazonaws.com", "delivery.logs.amazonaws.com"],
          trustConditions: ["StringEquals aws:SourceAccount 123456789012", "ArnLike aws:SourceArn arn:aws:ec2:*"],
          permissions: [{ actions: ["logs:PutLogEvents"], resources: ["arn:aws:logs:*"], conditions: ["Bool aws:SecureTransport true"], why: "flow logs" }],
        }),
      ]),
    ).toBe(
      [
        "#### `inventory-servers` (`aws_iam_role.servers`)",
        "",
        "Assumed by `ec2.amazonaws.com`.",
        "",
        "| action | resource | condition | why |",
        "| --- | --- | --- | --- |",
        "| `s3:GetObject`<br>`s3:GetObjectVersion` | `arn:aws:s3:::b/app/*` | - | the boot script reads the app |",
        "",
        "#### `inventory\\|flow-logs` (`aws_iam_role.flow_logs`)",
        "",
        "Assumed by `vpc-flow-logs.amazonaws.com`, `delivery.logs.amazonaws.com`, " +
          "when `StringEquals aws:SourceAccount 123456789012` and `ArnLike aws:SourceArn arn:aws:ec2:*`.",
        "",
        "| action | resource | condition | why |",
        "| --- | --- | --- | --- |",
        "| `logs:PutLogEvents` | `arn:aws:logs:*` | `Bool aws:SecureTransport true` | flow logs |",
      ].join("\n"),
    );
  });

  it("gives the note of a trust without conditions, without its final full stop only", () => {
    const [trustLine] = rolesMarkdown([role({ trustNote: "EC2 sets no source keys (iam:PassRole decides, e.g. for a group)." })])
      .split("\n")
      .filter((line) => line.startsWith("Assumed by"));
    expect(trustLine).toBe("Assumed by `ec2.amazonaws.com` (no condition: EC2 sets no source keys (iam:PassRole decides, e.g. for a group)).");
  });
});
