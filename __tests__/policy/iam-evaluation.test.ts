import { conditionHolds, evaluateIdentity, type IamRequest, type RequestContext } from "../../src/policy/iam-evaluation";

// The identity-policy evaluator the CI roles' privilege-escalation tests rely on, tested on small literal policies.

const policy = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const holds = (test: string, variable: string, values: string[], context: RequestContext) => conditionHolds({ test, variable, values }, context);

describe("condition operators, each true and false", () => {
  it.each([
    ["StringEquals", ["dev"], "dev", true],
    ["StringEquals", ["dev"], "Dev", false],
    ["StringNotEquals", ["dev"], "prod", true],
    ["StringNotEquals", ["dev", "prod"], "prod", false],
    ["StringEqualsIgnoreCase", ["DEV"], "dev", true],
    ["StringEqualsIgnoreCase", ["dev"], "prod", false],
    ["StringNotEqualsIgnoreCase", ["DEV"], "prod", true],
    ["StringNotEqualsIgnoreCase", ["DEV"], "dev", false],
    ["StringLike", ["d?v*"], "dev-1", true],
    ["StringLike", ["d?v*"], "Dev-1", false],
    ["StringLike", ["line*"], "line one\nline two", true],
    ["StringNotLike", ["prod*"], "dev", true],
    ["StringNotLike", ["prod*"], "production", false],
    ["ArnEquals", ["arn:aws:iam::111122223333:role/ci-*"], "arn:aws:iam::111122223333:role/ci-plan", true],
    ["ArnEquals", ["arn:aws:iam::111122223333:role/ci-*"], "arn:aws:iam::444455556666:role/ci-plan", false],
    ["ArnLike", ["arn:aws:iam::*:role/ci-?lan"], "arn:aws:iam::111122223333:role/ci-plan", true],
    // A wildcard stays within its component: `*` in the account does not swallow the colons after it.
    ["ArnLike", ["arn:aws:iam::*:role/ci"], "arn:aws:iam::1111:extra:role/ci", false],
    ["ArnLike", ["arn:aws:iam::*:role/*"], "not-an-arn", false],
    // An ARN has six components: a value of four is no ARN, even against wildcards; a pattern of one matches nothing.
    ["ArnLike", ["arn:aws:iam::*:*"], "arn:aws:iam::", false],
    ["ArnLike", ["not-an-arn-pattern"], "arn:aws:iam::111122223333:role/ci-plan", false],
    ["ArnNotEquals", ["arn:aws:iam::111122223333:role/admin"], "arn:aws:iam::111122223333:role/ci-plan", true],
    ["ArnNotEquals", ["arn:aws:iam::111122223333:role/admin"], "arn:aws:iam::111122223333:role/admin", false],
    ["ArnNotLike", ["arn:aws:iam::*:role/admin*"], "arn:aws:iam::111122223333:role/ci-plan", true],
    ["ArnNotLike", ["arn:aws:iam::*:role/admin*"], "arn:aws:iam::111122223333:role/admin-1", false],
    ["Bool", ["true"], "true", true],
    ["Bool", ["true"], "false", false],
    ["NumericEquals", ["3600"], "3600", true],
    ["NumericEquals", ["3600"], "3601", false],
    ["NumericEquals", ["3600"], "one hour", false],
    // An empty value is not the number 0 (JavaScript's Number("") is).
    ["NumericEquals", ["0"], "", false],
    ["NumericEquals", ["0"], " ", false],
    ["NumericNotEquals", ["3600"], "3601", true],
    ["NumericNotEquals", ["3600"], "3600", false],
    ["NumericLessThan", ["3600"], "3599", true],
    ["NumericLessThan", ["3600"], "3600", false],
    ["NumericLessThanEquals", ["3600"], "3600", true],
    ["NumericLessThanEquals", ["3600"], "3601", false],
    ["NumericGreaterThan", ["10"], "11", true],
    ["NumericGreaterThan", ["10"], "10", false],
    ["NumericGreaterThanEquals", ["10"], "10", true],
    ["NumericGreaterThanEquals", ["10"], "9", false],
  ])("%s %j against %s: %s", (test, values, value, expected) => {
    expect(holds(test, "ci:key", values, { "ci:key": value })).toBe(expected);
  });

  it("Null true holds when the key is absent, Null false when it is there", () => {
    expect(holds("Null", "aws:RequestTag/Environment", ["true"], {})).toBe(true);
    expect(holds("Null", "aws:RequestTag/Environment", ["true"], { "aws:RequestTag/Environment": "dev" })).toBe(false);
    expect(holds("Null", "aws:RequestTag/Environment", ["false"], { "aws:RequestTag/Environment": "dev" })).toBe(true);
    expect(holds("Null", "aws:RequestTag/Environment", ["false"], {})).toBe(false);
  });

  it("Null with both true and false holds whether the key is there or not", () => {
    expect(holds("Null", "aws:TokenIssueTime", ["true", "false"], {})).toBe(true);
    expect(holds("Null", "aws:TokenIssueTime", ["true", "false"], { "aws:TokenIssueTime": "2026-12-08T00:00:00Z" })).toBe(true);
  });
  it("keys are matched whatever their case, values are not (but for IgnoreCase)", () => {
    expect(holds("StringEquals", "AWS:RequestTag/environment", ["dev"], { "aws:RequestTag/Environment": "dev" })).toBe(true);
    expect(holds("StringEquals", "aws:RequestTag/Environment", ["DEV"], { "aws:RequestTag/Environment": "dev" })).toBe(false);
  });
});

describe("keys missing from the request", () => {
  it("fail a positive operator and pass a negated one", () => {
    expect(holds("StringEquals", "aws:RequestTag/Environment", ["dev"], {})).toBe(false);
    expect(holds("ArnLike", "iam:PermissionsBoundary", ["*"], {})).toBe(false);
    expect(holds("NumericLessThan", "aws:MultiFactorAuthAge", ["3600"], {})).toBe(false);
    expect(holds("StringNotEquals", "aws:RequestTag/Environment", ["prod"], {})).toBe(true);
    expect(holds("ArnNotEquals", "iam:PermissionsBoundary", ["arn:aws:iam::111122223333:policy/boundary"], {})).toBe(true);
  });

  it("pass any operator with IfExists, which otherwise tests the value as usual", () => {
    expect(holds("StringEqualsIfExists", "aws:RequestTag/Environment", ["dev"], {})).toBe(true);
    expect(holds("BoolIfExists", "aws:MultiFactorAuthPresent", ["true"], {})).toBe(true);
    expect(holds("StringEqualsIfExists", "aws:RequestTag/Environment", ["dev"], { "aws:RequestTag/Environment": "prod" })).toBe(false);
    expect(holds("StringEqualsIfExists", "aws:RequestTag/Environment", ["dev"], { "aws:RequestTag/Environment": "dev" })).toBe(true);
  });
});

describe("set operators on multivalued keys", () => {
  const tagKeys = (keys: string[]) => ({ "aws:TagKeys": keys });

  it("ForAllValues holds when every request value matches some policy value", () => {
    expect(holds("ForAllValues:StringEquals", "aws:TagKeys", ["Environment", "Project"], tagKeys(["Environment", "Project"]))).toBe(true);
    expect(holds("ForAllValues:StringEquals", "aws:TagKeys", ["Environment", "Project"], tagKeys(["Environment", "Owner"]))).toBe(false);
  });
  it("ForAnyValue holds when one request value matches some policy value", () => {
    expect(holds("ForAnyValue:StringLike", "aws:TagKeys", ["Own*"], tagKeys(["Environment", "Owner"]))).toBe(true);
    expect(holds("ForAnyValue:StringLike", "aws:TagKeys", ["Own*"], tagKeys(["Environment", "Project"]))).toBe(false);
  });
  it("with a negated operator, test each request value against none of the policy values", () => {
    expect(holds("ForAnyValue:StringNotEquals", "aws:TagKeys", ["Environment"], tagKeys(["Environment", "Owner"]))).toBe(true);
    expect(holds("ForAnyValue:StringNotEquals", "aws:TagKeys", ["Environment"], tagKeys(["Environment"]))).toBe(false);
    expect(holds("ForAllValues:StringNotLike", "aws:TagKeys", ["aws:*"], tagKeys(["Environment", "Owner"]))).toBe(true);
    expect(holds("ForAllValues:StringNotLike", "aws:TagKeys", ["aws:*"], tagKeys(["Environment", "aws:cloudformation"]))).toBe(false);
  });
  it("ForAllValues holds and ForAnyValue fails when the key is missing or empty, as in IAM", () => {
    expect(holds("ForAllValues:StringEquals", "aws:TagKeys", ["Environment"], {})).toBe(true);
    expect(holds("ForAllValues:StringEquals", "aws:TagKeys", ["Environment"], tagKeys([]))).toBe(true);
    expect(holds("ForAnyValue:StringEquals", "aws:TagKeys", ["Environment"], {})).toBe(false);
    expect(holds("ForAnyValue:StringEquals", "aws:TagKeys", ["Environment"], tagKeys([]))).toBe(false);
    expect(holds("ForAnyValue:StringNotEquals", "aws:TagKeys", ["Environment"], {})).toBe(false);
  });
  it("a set operator applies to a single-valued key as to a set of one", () => {
    expect(holds("ForAnyValue:StringEquals", "aws:TagKeys", ["Environment"], { "aws:TagKeys": "Environment" })).toBe(true);
  });
  it("a plain operator on several request values is an error, since IAM asks for a set operator", () => {
    expect(() => holds("StringEquals", "aws:TagKeys", ["Environment"], tagKeys(["Environment", "Owner"]))).toThrow(
      "aws:TagKeys has 2 values in the request: StringEquals needs ForAllValues: or ForAnyValue: for a multivalued key",
    );
  });
});

describe("operators it does not know", () => {
  it.each(["StringMatches", "DateLessThan", "IpAddress", "NullIfExists", "ForAllValues:Null", "ForSomeValues:StringEquals"])("%s is an error", (test) => {
    expect(() => holds(test, "aws:CurrentTime", ["x"], { "aws:CurrentTime": "x" })).toThrow(`condition operator ${test} is not supported by this evaluator`);
  });
  it("names in its error every operator it knows", () => {
    expect(() => holds("StringMatches", "aws:CurrentTime", ["x"], {})).toThrow(
      [
        "(StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike, StringNotLike,",
        "ArnEquals, ArnLike, ArnNotEquals, ArnNotLike, Bool, NumericEquals, NumericNotEquals, NumericLessThan,",
        "NumericLessThanEquals, NumericGreaterThan, NumericGreaterThanEquals, Null)",
      ].join(" "),
    );
  });
  it("is an error inside a policy too, not a statement that silently does not apply", () => {
    const denyUnknown = policy({ Sid: "Odd", Effect: "Deny", Action: "*", Resource: "*", Condition: { StringFuzzy: { "aws:RequestTag/x": "y" } } });
    expect(() => evaluateIdentity({ action: "s3:GetObject", resource: "*" }, [policy({ Effect: "Allow", Action: "*", Resource: "*" }), denyUnknown])).toThrow(
      "condition operator StringFuzzy is not supported",
    );
  });
});

describe("whole identity policies", () => {
  const roleArn = "arn:aws:iam::111122223333:role/inventory-dev-app";
  const boundaryArn = "arn:aws:iam::111122223333:policy/inventory-dev-boundary";
  const createRole = (context: RequestContext = { "iam:PermissionsBoundary": boundaryArn }): IamRequest => ({
    action: "iam:CreateRole",
    resource: roleArn,
    context,
  });
  const manageRoles = policy({
    Sid: "ManageRoles",
    Effect: "Allow",
    Action: ["iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePermissionsBoundary"],
    Resource: "arn:aws:iam::111122223333:role/inventory-dev-*",
    Condition: { ArnEquals: { "iam:PermissionsBoundary": boundaryArn } },
  });
  const denyBoundaryRemoval = policy({
    Sid: "DenyBoundaryRemoval",
    Effect: "Deny",
    Action: "iam:DeleteRolePermissionsBoundary",
    Resource: "*",
  });

  it("allows what an Allow statement covers, naming it", () => {
    expect(evaluateIdentity(createRole(), [manageRoles])).toEqual({ allowed: true, reason: "allowed by ManageRoles", statement: "ManageRoles" });
  });
  it("refuses when a condition fails, saying which", () => {
    expect(evaluateIdentity(createRole({}), [manageRoles])).toEqual({
      allowed: false,
      reason:
        "no Allow statement matches iam:CreateRole on arn:aws:iam::111122223333:role/inventory-dev-app; " +
        'ManageRoles: ArnEquals iam:PermissionsBoundary ["arn:aws:iam::111122223333:policy/inventory-dev-boundary"] does not hold for null',
    });
  });
  it("refuses another resource and another action", () => {
    expect(evaluateIdentity({ ...createRole(), resource: "arn:aws:iam::111122223333:role/admin" }, [manageRoles])).toEqual({
      allowed: false,
      reason: "no Allow statement matches iam:CreateRole on arn:aws:iam::111122223333:role/admin",
    });
    expect(evaluateIdentity({ ...createRole(), action: "iam:AttachRolePolicy" }, [manageRoles]).allowed).toBe(false);
  });
  it("matches actions whatever their case, and resources case-sensitively", () => {
    expect(evaluateIdentity({ ...createRole(), action: "IAM:createrole" }, [manageRoles]).allowed).toBe(true);
    expect(evaluateIdentity({ ...createRole(), resource: "arn:aws:iam::111122223333:role/Inventory-dev-app" }, [manageRoles]).allowed).toBe(false);
  });
  it("an explicit Deny wins over an Allow, in whichever policy it is", () => {
    const request = { ...createRole(), action: "iam:DeleteRolePermissionsBoundary" };
    expect(evaluateIdentity(request, [manageRoles]).allowed).toBe(true);
    expect(evaluateIdentity(request, [manageRoles, denyBoundaryRemoval])).toEqual({
      allowed: false,
      reason: "denied by DenyBoundaryRemoval",
      statement: "DenyBoundaryRemoval",
    });
    expect(evaluateIdentity(request, [denyBoundaryRemoval, manageRoles]).allowed).toBe(false);
  });
  it("a Deny whose condition fails denies nothing", () => {
    const denyUntagged = policy({ Effect: "Deny", Action: "*", Resource: "*", Condition: { Null: { "aws:RequestTag/Environment": "true" } } });
    const everything = policy({ Effect: "Allow", Action: "*", Resource: "*" });
    expect(
      evaluateIdentity({ action: "ec2:RunInstances", resource: "*", context: { "aws:RequestTag/Environment": "dev" } }, [everything, denyUntagged]),
    ).toEqual({ allowed: true, reason: "allowed by statement 1 of policy 1", statement: "statement 1 of policy 1" });
    expect(evaluateIdentity({ action: "ec2:RunInstances", resource: "*" }, [everything, denyUntagged])).toEqual({
      allowed: false,
      reason: "denied by statement 1 of policy 2",
      statement: "statement 1 of policy 2",
    });
  });
  it("with nothing allowing the request, refuses it", () => {
    expect(evaluateIdentity({ action: "s3:GetObject", resource: "arn:aws:s3:::bucket/key" }, [])).toEqual({
      allowed: false,
      reason: "no Allow statement matches s3:GetObject on arn:aws:s3:::bucket/key",
    });
  });

  it("NotAction allows every action but those listed", () => {
    const allButIam = policy({ Sid: "AllButIam", Effect: "Allow", NotAction: ["iam:*", "organizations:*"], Resource: "*" });
    expect(evaluateIdentity({ action: "ec2:RunInstances", resource: "*" }, [allButIam]).allowed).toBe(true);
    expect(evaluateIdentity({ action: "iam:CreateUser", resource: "*" }, [allButIam]).allowed).toBe(false);
    expect(evaluateIdentity({ action: "IAM:CreateUser", resource: "*" }, [allButIam]).allowed).toBe(false);
  });
  it("NotResource covers every resource but those listed", () => {
    const allButState = policy({
      Sid: "AllButState",
      Effect: "Deny",
      Action: "s3:*",
      NotResource: ["arn:aws:s3:::inventory-state", "arn:aws:s3:::inventory-state/*"],
    });
    const s3 = policy({ Sid: "S3", Effect: "Allow", Action: "s3:*", Resource: "*" });
    expect(evaluateIdentity({ action: "s3:GetObject", resource: "arn:aws:s3:::inventory-state/dev.tfstate" }, [s3, allButState]).allowed).toBe(true);
    expect(evaluateIdentity({ action: "s3:GetObject", resource: "arn:aws:s3:::other/file" }, [s3, allButState]).reason).toBe("denied by AllButState");
  });
  it('`Resource: "*"` covers an action without a resource type, a pattern does not', () => {
    const listAll = policy({ Sid: "ListAll", Effect: "Allow", Action: "iam:ListRoles", Resource: "*" });
    const listSome = policy({ Sid: "ListSome", Effect: "Allow", Action: "iam:ListRoles", Resource: "arn:aws:iam::*:role/*" });
    expect(evaluateIdentity({ action: "iam:ListRoles", resource: "*" }, [listAll]).allowed).toBe(true);
    expect(evaluateIdentity({ action: "iam:ListRoles", resource: "*" }, [listSome]).allowed).toBe(false);
  });
  it("a statement without Resource or NotResource, or without Action or NotAction, is refused as IAM refuses it", () => {
    expect(() => evaluateIdentity(createRole(), [policy({ Sid: "NoResource", Effect: "Allow", Action: "iam:CreateRole" })])).toThrow(
      "NoResource of policy 1 needs either Resource or NotResource: IAM refuses a permissions policy without one",
    );
    expect(() => evaluateIdentity(createRole(), [policy({ Effect: "Allow", Resource: "*" })])).toThrow(
      "statement 1 of policy 1 needs either Action or NotAction",
    );
    expect(() => evaluateIdentity(createRole(), ["{ not json"])).toThrow("policy 1: the policy");
  });

  describe("with a permissions boundary", () => {
    const boundary = policy(
      { Sid: "BoundaryEc2", Effect: "Allow", Action: "ec2:*", Resource: "*" },
      { Sid: "BoundaryNoIam", Effect: "Deny", Action: "iam:CreateUser", Resource: "*" },
    );
    const ec2AndIam = policy({ Sid: "Ec2AndIam", Effect: "Allow", Action: ["ec2:RunInstances", "iam:CreateRole", "iam:CreateUser"], Resource: "*" });

    it("allows what both the identity policies and the boundary allow", () => {
      expect(evaluateIdentity({ action: "ec2:RunInstances", resource: "*" }, [ec2AndIam], boundary)).toEqual({
        allowed: true,
        reason: "allowed by Ec2AndIam and BoundaryEc2",
        statement: "Ec2AndIam",
      });
    });
    it("refuses what the identity policies allow but the boundary does not", () => {
      expect(evaluateIdentity({ action: "iam:CreateRole", resource: "*" }, [ec2AndIam], boundary)).toEqual({
        allowed: false,
        reason: "allowed by Ec2AndIam but no statement of the permissions boundary allows it",
      });
    });
    it("refuses what the boundary allows but no identity policy does", () => {
      expect(evaluateIdentity({ action: "ec2:TerminateInstances", resource: "*" }, [ec2AndIam], boundary)).toEqual({
        allowed: false,
        reason: "no Allow statement matches ec2:TerminateInstances on *",
      });
    });
    it("a Deny in the boundary denies", () => {
      expect(evaluateIdentity({ action: "iam:CreateUser", resource: "*" }, [ec2AndIam], boundary)).toEqual({
        allowed: false,
        reason: "denied by BoundaryNoIam",
        statement: "BoundaryNoIam",
      });
    });
    it("unnamed boundary statements are named by place", () => {
      const unnamed = policy({ Effect: "Allow", Action: "ec2:RunInstances", Resource: "*" });
      expect(evaluateIdentity({ action: "ec2:RunInstances", resource: "*" }, [ec2AndIam], unnamed).reason).toBe(
        "allowed by Ec2AndIam and statement 1 of the permissions boundary",
      );
    });
  });
});
