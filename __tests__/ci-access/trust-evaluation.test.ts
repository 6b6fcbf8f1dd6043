import { policyDocument } from "../../src/aws/iam-policy";
import { conditionHolds, evaluateTrust, likePattern } from "../../src/policy/trust-evaluation";

// The IAM condition evaluator the trust policy tests rely on, tested on its own.

describe("StringLike patterns", () => {
  it.each([
    ["run_phase:*", "run_phase:plan", true],
    ["run_phase:*", "run_phase:", true],
    ["run_phase:*", "run_phase", false],
    ["a?c", "abc", true],
    ["a?c", "ac", false],
    ["a.c", "abc", false],
    ["org:(x)+", "org:(x)+", true],
    ["org:(x)+", "org:xx", false],
  ])("%s against %s: %s", (pattern, value, expected) => {
    expect(likePattern(pattern).test(value)).toBe(expected);
  });
});

describe("one condition", () => {
  const context = { "app.terraform.io:sub": "organization:acme:project:p:workspace:w:run_phase:plan" };
  it("StringEquals holds for an equal value only, case-sensitively", () => {
    expect(conditionHolds({ test: "StringEquals", variable: "app.terraform.io:sub", values: [context["app.terraform.io:sub"]] }, context)).toBe(true);
    expect(conditionHolds({ test: "StringEquals", variable: "app.terraform.io:sub", values: [context["app.terraform.io:sub"].toUpperCase()] }, context)).toBe(
      false,
    );
  });
  it("a key is matched whatever its case, and any of several values will do", () => {
    expect(conditionHolds({ test: "StringLike", variable: "APP.terraform.io:SUB", values: ["nope", "organization:acme:*"] }, context)).toBe(true);
  });
  it("a key missing from the request fails a positive operator and passes a negated one", () => {
    expect(conditionHolds({ test: "StringEquals", variable: "app.terraform.io:aud", values: ["x"] }, context)).toBe(false);
    expect(conditionHolds({ test: "StringLike", variable: "app.terraform.io:aud", values: ["*"] }, context)).toBe(false);
    expect(conditionHolds({ test: "StringNotEquals", variable: "app.terraform.io:aud", values: ["x"] }, context)).toBe(true);
  });
  it("negated operators hold when no value matches", () => {
    expect(conditionHolds({ test: "StringNotLike", variable: "app.terraform.io:sub", values: ["*:run_phase:apply"] }, context)).toBe(true);
    expect(conditionHolds({ test: "StringNotLike", variable: "app.terraform.io:sub", values: ["*:run_phase:plan"] }, context)).toBe(false);
  });
  it("an operator it does not know is an error, not a pass", () => {
    expect(() => conditionHolds({ test: "ForAnyValue:StringLike", variable: "app.terraform.io:sub", values: ["*"] }, context)).toThrow(
      "condition operator ForAnyValue:StringLike is not supported",
    );
  });
});

describe("a whole trust policy", () => {
  const provider = "arn:aws:iam::123456789012:oidc-provider/example.com";
  const policy = policyDocument([
    {
      actions: ["sts:AssumeRoleWithWebIdentity"],
      principals: [{ type: "Federated", identifiers: [provider] }],
      conditions: [
        { test: "StringEquals", variable: "example.com:aud", values: ["aud-1"] },
        { test: "StringLike", variable: "example.com:sub", values: ["team:*"] },
      ],
    },
    {
      effect: "Deny",
      actions: ["sts:*"],
      principals: [{ type: "Federated", identifiers: [provider] }],
      conditions: [{ test: "StringEquals", variable: "example.com:sub", values: ["team:intruder"] }],
    },
  ]);
  const request = (sub: string, extra: Record<string, string> = {}) => ({
    federatedPrincipal: provider,
    context: { "example.com:aud": "aud-1", "example.com:sub": sub, ...extra },
  });

  it("allows when every condition of an Allow holds", () => {
    expect(evaluateTrust(policy, request("team:alice"))).toEqual({ allowed: true, reason: "allowed by statement 1" });
  });
  it("refuses when one condition fails, saying which", () => {
    const decision = evaluateTrust(policy, { ...request("team:alice"), context: { "example.com:aud": "aud-2", "example.com:sub": "team:alice" } });
    expect(decision.allowed).toBe(false);
    expect(decision.reason).toContain('StringEquals example.com:aud ["aud-1"] does not hold for "aud-2"');
  });
  it("an explicit Deny wins over an Allow that matches", () => {
    expect(evaluateTrust(policy, request("team:intruder"))).toEqual({ allowed: false, reason: "denied by statement 2" });
  });
  it("refuses another provider and another action", () => {
    expect(evaluateTrust(policy, { ...request("team:alice"), federatedPrincipal: "arn:aws:iam::123456789012:oidc-provider/other.example" }).allowed).toBe(
      false,
    );
    expect(evaluateTrust(policy, { ...request("team:alice"), action: "sts:AssumeRole" }).allowed).toBe(false);
  });
});

describe("which statements apply to a request", () => {
  const provider = "arn:aws:iam::123456789012:oidc-provider/example.com";
  const other = "arn:aws:iam::123456789012:oidc-provider/other.example";
  const request = { federatedPrincipal: provider, context: { "example.com:sub": "team:alice" } };
  const allow = (principals: { type: string; identifiers: string[] }[]) => ({ actions: ["sts:AssumeRoleWithWebIdentity"], principals });

  it("an Allow for the federated provider among others, or for any principal, applies", () => {
    expect(evaluateTrust(policyDocument([allow([{ type: "Federated", identifiers: [other, provider] }])]), request)).toEqual({
      allowed: true,
      reason: "allowed by statement 1",
    });
    expect(
      evaluateTrust(
        policyDocument([
          allow([
            { type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] },
            { type: "Federated", identifiers: [provider] },
          ]),
        ]),
        request,
      ),
    ).toEqual({ allowed: true, reason: "allowed by statement 1" });
    expect(evaluateTrust(policyDocument([allow([{ type: "*", identifiers: ["*"] }])]), request)).toEqual({ allowed: true, reason: "allowed by statement 1" });
  });
  it("an Allow for the provider's ARN under another principal type does not apply, and the refusal says why", () => {
    expect(evaluateTrust(policyDocument([allow([{ type: "AWS", identifiers: [provider] }])]), request)).toEqual({
      allowed: false,
      reason: `statement 1: not for sts:AssumeRoleWithWebIdentity by ${provider}`,
    });
  });
  it("a Deny in the first statement wins, and a Deny that does not hold allows nothing on its own", () => {
    const deny = { effect: "Deny" as const, actions: ["sts:*"], principals: [{ type: "Federated", identifiers: [provider] }] };
    expect(evaluateTrust(policyDocument([deny, allow([{ type: "Federated", identifiers: [provider] }])]), request)).toEqual({
      allowed: false,
      reason: "denied by statement 1",
    });
    const unmet = { ...deny, conditions: [{ test: "StringEquals", variable: "example.com:sub", values: ["team:intruder"] }] };
    expect(evaluateTrust(policyDocument([unmet]), request)).toEqual({ allowed: false, reason: "no Allow statement" });
  });
  it("the reasons of several Allow statements that miss are all given, in order", () => {
    const policy = policyDocument([
      allow([{ type: "Federated", identifiers: [other] }]),
      { ...allow([{ type: "Federated", identifiers: [provider] }]), conditions: [{ test: "StringEquals", variable: "example.com:sub", values: ["team:bob"] }] },
    ]);
    expect(evaluateTrust(policy, request)).toEqual({
      allowed: false,
      reason:
        `statement 1: not for sts:AssumeRoleWithWebIdentity by ${provider}; ` +
        'statement 2: StringEquals example.com:sub ["team:bob"] does not hold for "team:alice"',
    });
  });
  it("a policy that is not JSON is an error naming the problem, not a refusal", () => {
    expect(() => evaluateTrust("{not json", request)).toThrow('the policy "{not json" is not JSON');
  });
});
