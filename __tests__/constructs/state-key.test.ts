import { Lazy, Testing } from "cdktf";
import { administratorArnsProblems, IDENTITY_CENTER_ADMINISTRATORS, StateKey } from "../../src/constructs/data/state-key";
import { onlyResource } from "../support/stacks";

// The state's KMS key: which administrators' ARN patterns it takes, and the
// key and policy it makes from the fewest props. The bootstrap stack's suite
// holds the policy with readers and writers, as the environments give them.

const ADMINS = `arn:aws:iam::111122223333:${IDENTITY_CENTER_ADMINISTRATORS}`;
const NOT_AN_ARN = "is not an IAM role or user ARN like arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_AdministratorAccess_*";

describe("administratorArnsProblems", () => {
  it("takes roles and users of one account, by name or pattern, in every partition, and patterns known only at apply time", () => {
    expect(
      administratorArnsProblems([
        ADMINS,
        "arn:aws:iam::111122223333:user/ops/alice",
        "arn:aws:iam::111122223333:role/Admin?",
        Lazy.stringValue({ produce: () => "arn:aws:iam::444455556666:role/*" }),
      ]),
    ).toStrictEqual([]);
    expect(administratorArnsProblems(["arn:aws-cn:iam::111122223333:role/Admin", "arn:aws-us-gov:iam::111122223333:role/Admin"])).toStrictEqual([]);
  });

  it("refuses no administrators at all", () => {
    expect(administratorArnsProblems([])).toStrictEqual([
      { prop: "administratorArns", message: "is empty: a key nobody may administer cannot be changed or deleted" },
    ]);
  });

  it("refuses a session, naming its role's form", () => {
    const session = "arn:aws:sts::111122223333:assumed-role/Admin/alice";
    expect(administratorArnsProblems([ADMINS, session])).toStrictEqual([
      {
        prop: "administratorArns.1",
        message: `"${session}" is a session; name its role (arn:aws:iam::<account>:role/<name>): aws:PrincipalArn of a session is its role's`,
      },
    ]);
  });

  it.each([
    ["a group", "arn:aws:iam::111122223333:group/Admins"],
    ["text before the ARN", "see arn:aws:iam::111122223333:role/Admin"],
    ["text after the name", "arn:aws:iam::111122223333:role/Admin and more"],
    ["an account of 11 digits", "arn:aws:iam::11112222333:role/Admin"],
    ["another partition's name", "arn:aws-iso:iam::111122223333:role/Admin"],
  ])("refuses %s", (_what, arn) => {
    expect(administratorArnsProblems([arn])).toStrictEqual([{ prop: "administratorArns.0", message: `"${arn}" ${NOT_AN_ARN}` }]);
  });

  it.each([
    ["role", "arn:aws:iam::111122223333:role/*"],
    ["role", "arn:aws:iam::111122223333:role/*/*"],
    ["user", "arn:aws:iam::111122223333:user/?*"],
  ])("refuses a pattern that matches every %s of the account (%s)", (type, arn) => {
    expect(administratorArnsProblems([arn])).toStrictEqual([
      { prop: "administratorArns.0", message: `"${arn}" matches every ${type} of the account; name the administrators' ${type}s` },
    ]);
  });

  it("refuses principals of two accounts, naming both", () => {
    expect(administratorArnsProblems([ADMINS, "arn:aws:iam::444455556666:role/Admin"])).toStrictEqual([
      { prop: "administratorArns", message: "name principals of one account, the state's (they name 111122223333, 444455556666)" },
    ]);
  });
});

describe("StateKey from its alias and region alone", () => {
  const document = JSON.parse(Testing.synthScope((scope) => new StateKey(scope, "state", { alias: "alias/inventory-state", region: "us-west-2" })));

  it("is a key that says what it encrypts, rotated yearly, 30 days to cancel its deletion, never destroyed by a plan", () => {
    expect(onlyResource(document, "aws_kms_key")[1]).toStrictEqual({
      description: "Encrypts the Terraform state objects of the environments (SSE-KMS)",
      enable_key_rotation: true,
      deletion_window_in_days: 30,
      lifecycle: { prevent_destroy: true },
    });
  });

  it("lets IAM Identity Center's administrators of the key's account manage and use it, and nobody else", () => {
    const statements = JSON.parse(onlyResource(document, "aws_kms_key_policy")[1].policy).Statement;
    // The account, read from the key's ARN by the one local.
    const [key] = onlyResource(document, "aws_kms_key");
    expect(Object.values(document.locals)).toStrictEqual([`\${element(split(":", aws_kms_key.${key}.arn), 4)}`]);
    const account = `\${local.${Object.keys(document.locals)[0]}}`;
    expect(statements.map((statement: any) => statement.Sid)).toStrictEqual(["AdministratorsManageKey", "AdministratorsUseKey"]);
    expect(statements.map((statement: any) => statement.Condition)).toStrictEqual([
      { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${account}:${IDENTITY_CENTER_ADMINISTRATORS}` } },
      { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${account}:${IDENTITY_CENTER_ADMINISTRATORS}` } },
    ]);
  });
});
