import { costReview } from "../../src/terraform/cost-review";
import { reviewPlan } from "../../src/terraform/plan-review";
import { reviewMarkdown } from "../../src/terraform/plan-review-markdown";
import { marksFromPaths, redacted, redactedPlan, SENSITIVE } from "../../src/terraform/sensitive-values";
import type { ResourceChange, TerraformPlanJson } from "../../src/terraform/plan-json";

// What Terraform marks sensitive prints as (sensitive) in every review, at any
// depth, before and after; marks a plan does not give mark everything.

const OLD = "old-client-secret-0f3a";
const NEW = "new-client-secret-9c7e";

/** An HTTPS listener's default actions, sign-in first, as the provider writes them. */
const actions = (secret: string) => [
  {
    type: "authenticate-oidc",
    order: 1,
    authenticate_oidc: [{ client_id: "inventory", client_secret: secret, issuer: "https://id.example.com", scope: "openid" }],
  },
  { type: "forward", order: 2, target_group_arn: "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/app/1" },
];
/** The marks `show -json` gives that listener: the client secret, two lists and a block down. */
const secretMarks = { default_action: [{ authenticate_oidc: [{ client_secret: true }] }, {}] };

function listenerChange(change: Partial<ResourceChange["change"]>): ResourceChange {
  return {
    address: "aws_lb_listener.https",
    mode: "managed",
    type: "aws_lb_listener",
    name: "https",
    change: {
      actions: ["update"],
      before: { port: 443, protocol: "HTTPS", default_action: actions(OLD) },
      after: { port: 443, protocol: "HTTPS", default_action: actions(NEW) },
      after_unknown: {},
      before_sensitive: secretMarks,
      after_sensitive: secretMarks,
      ...change,
    },
  };
}
const planOf = (...changes: ResourceChange[]): TerraformPlanJson => ({ format_version: "1.2", resource_changes: changes });
const everything = (plan: TerraformPlanJson) => {
  const review = reviewPlan(plan, "Plan review", "Plan: 0 to add, 1 to change, 0 to destroy.", { extraSections: [costReview(plan, "us-west-2").section] });
  return `${review.text}\n${reviewMarkdown(review)}`;
};

describe("marks from a plan file's sensitive paths", () => {
  it("builds show -json's shape: true at each path, lists by index, maps and objects by name", () => {
    expect(marksFromPaths([["default_action", 0, "authenticate_oidc", 0, "client_secret"], ["tags", "Token"], ["password"]])).toEqual({
      default_action: [{ authenticate_oidc: [{ client_secret: true }] }],
      tags: { Token: true },
      password: true,
    });
  });

  it("marks the whole value that holds a step it cannot name (a set element, keyed by its value), and everything for an empty path", () => {
    expect(marksFromPaths([["ingress", { cidr: "10.0.0.0/8", secret: "x" }, "secret"]])).toEqual({ ingress: true });
    expect(marksFromPaths([["input", "a"], ["input"]])).toEqual({ input: true });
    expect(marksFromPaths([[]])).toBe(true);
    expect(marksFromPaths([])).toEqual({});
  });
});

describe("redaction of nested sensitive values", () => {
  it("replaces a leaf deep in lists and blocks, and leaves its neighbours", () => {
    expect(redacted({ port: 443, default_action: actions(OLD) }, secretMarks)).toEqual({
      port: 443,
      default_action: [{ ...actions(OLD)[0], authenticate_oidc: [{ ...actions(OLD)[0].authenticate_oidc![0], client_secret: SENSITIVE }] }, actions(OLD)[1]],
    });
  });

  it("replaces a whole sensitive block or map, and everything when there are no marks; null stays null", () => {
    expect(redacted({ tags: { a: "1" }, n: 1 }, { tags: true })).toEqual({ tags: SENSITIVE, n: 1 });
    expect(redacted({ tags: { a: "1" } }, undefined)).toBe(SENSITIVE);
    expect(redacted(null, undefined)).toBeNull();
  });

  it("keeps only what a review reads of a show -json plan: not its planned values, prior state or variables", () => {
    const full = { ...planOf(listenerChange({})), planned_values: { root_module: {} }, variables: { oidc_client_secret: { value: NEW } } };
    expect(JSON.stringify(redactedPlan(full as TerraformPlanJson))).not.toMatch(new RegExp(`${OLD}|${NEW}`));
  });
});

describe("the reviews of a change to a sensitive value", () => {
  it("say the nested client secret changes, as (sensitive) on both sides, in the text, Markdown and cost reviews", () => {
    const plan = planOf(listenerChange({}));
    const review = reviewPlan(plan, "Plan review", "Plan: 0 to add, 1 to change, 0 to destroy.");
    expect(review.text).toContain("  ~ aws_lb_listener.https: default_action[0].authenticate_oidc.client_secret (sensitive) -> (sensitive)");
    expect(everything(plan)).not.toMatch(new RegExp(`${OLD}|${NEW}`));
  });

  it("redact a sensitive value that becomes unknown, and a whole sensitive side compared with a clear one", () => {
    const unknown = listenerChange({
      after: { port: 443, protocol: "HTTPS", default_action: [{ ...actions("")[0], authenticate_oidc: [{}] }, actions("")[1]] },
      after_unknown: { default_action: [{ authenticate_oidc: [{ client_secret: true }] }, {}] },
    });
    expect(reviewPlan(planOf(unknown), "h", "s").text).toContain("default_action[0].authenticate_oidc.client_secret (sensitive) -> (known after apply)");
    const wholeBefore = listenerChange({ before_sensitive: { default_action: true } });
    const text = reviewPlan(planOf(wholeBefore), "h", "s").text;
    expect(text).toContain("default_action (sensitive) -> ");
    expect(everything(planOf(unknown, wholeBefore))).not.toMatch(new RegExp(`${OLD}|${NEW}`));
  });

  it("treat a change without marks (a plan that cannot tell) as all sensitive, and name what changes", () => {
    const unmarked = listenerChange({ before_sensitive: undefined, after_sensitive: undefined });
    expect(reviewPlan(planOf(unmarked), "h", "s").text).toContain("  ~ aws_lb_listener.https: default_action (sensitive) -> (sensitive)");
    expect(everything(planOf(unmarked))).not.toMatch(new RegExp(`${OLD}|${NEW}`));
  });

  it("redact sensitive values in the details sections too (a created resource's values)", () => {
    const created: ResourceChange = {
      address: "aws_db_instance.database",
      mode: "managed",
      type: "aws_db_instance",
      name: "database",
      change: {
        actions: ["create"],
        before: null,
        after: { identifier: NEW, engine: "mysql", instance_class: "db.t3.micro" },
        after_unknown: {},
        before_sensitive: false,
        after_sensitive: { identifier: true },
      },
    };
    const text = everything(planOf(created));
    expect(text).toContain("(sensitive): mysql");
    expect(text).not.toContain(NEW);
  });
});
