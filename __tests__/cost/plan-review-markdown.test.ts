import { reviewPlan, type PlanReview } from "../../src/terraform/plan-review";
import { GITHUB_COMMENT_LIMIT, reviewMarkdown } from "../../src/terraform/plan-review-markdown";
import type { TerraformPlanJson } from "../../src/terraform/plan-json";

// The Markdown review renders the same sections as the text review: summary
// first, warnings next, every other section collapsed; under GitHub's comment
// limit, truncated with a note when it would not fit.

const change = (address: string, actions: string[], before: object | null, after: object | null) => ({
  address,
  mode: "managed",
  type: address.split(".")[0],
  name: address.split(".")[1],
  change: { actions, before, after, after_unknown: {}, before_sensitive: {}, after_sensitive: {} },
});
const plan = (count: number): TerraformPlanJson =>
  ({
    format_version: "1.2",
    resource_changes: [
      change("aws_lb.alb", ["create"], null, { name: "Inventory-LB", internal: false, load_balancer_type: "application" }),
      change("aws_db_instance.db", ["update"], { instance_class: "db.t3.micro", multi_az: false }, { instance_class: "db.t3.small", multi_az: true }),
      change("aws_vpc_security_group_ingress_rule.db", ["create", "delete"], { cidr_ipv4: "10.0.0.0/20" }, { cidr_ipv4: null }),
      ...Array.from({ length: count }, (_, index) =>
        change(`aws_subnet.subnet_${index}`, ["create"], null, {
          cidr_block: `10.${index >> 8}.${index & 255}.0/24`,
          tags: { Name: `Subnet ${index}` },
          availability_zone: "us-west-2a",
        }),
      ),
    ],
  }) as unknown as TerraformPlanJson;

const review = (count = 2): PlanReview =>
  reviewPlan(plan(count), "Plan review of a test stack", "Plan: 3 to add, 1 to change, 1 to destroy.", {
    extraSections: [
      {
        role: "cost",
        title: "Estimated monthly cost: $10.00 fixed",
        lines: [],
        table: { header: ["resource", "charge", "monthly"], rows: [["aws_lb.alb", "ALB", "$10.00"]] },
        notes: ["  Monthly change from deployed: +$1.00 ($9.00 -> $10.00)."],
      },
    ],
  });

describe("the Markdown review", () => {
  const markdown = reviewMarkdown(review());
  const position = (text: string) => {
    const index = markdown.indexOf(text);
    expect({ text, found: index >= 0 }).toEqual({ text, found: true });
    return index;
  };

  it("starts with the heading, then Terraform's plan line and the cost with its change", () => {
    expect(markdown.split("\n").slice(0, 4)).toEqual([
      "### Plan review of a test stack",
      "",
      "**Plan: 3 to add, 1 to change, 1 to destroy.**",
      "**Estimated monthly cost: $10.00 fixed** · Monthly change from deployed: +$1.00 ($9.00 -> $10.00).",
    ]);
  });
  it("puts replacements and warnings before any detail, each as a list item", () => {
    expect(position("#### ⚠️ Replaced or destroyed (1)")).toBeLessThan(position("<details>"));
    expect(position("#### Warnings (1)")).toBeLessThan(position("<details>"));
    expect(markdown).toContain("- REPLACED: aws_vpc_security_group_ingress_rule.db");
    expect(markdown).toContain("- PUBLIC: aws_lb.alb is internet-facing");
  });
  it("collapses every other section of the text review, the changes in place first, the cost as a table", () => {
    const summaries = [...markdown.matchAll(/<details><summary>(.*?)<\/summary>/g)].map((match) => match[1]);
    expect(summaries).toEqual([
      "Changed in place (1)",
      "Estimated monthly cost: $10.00 fixed",
      "Resources to add: 4",
      "Network",
      "Security group rules",
      "Load balancer",
      "App tier",
      "Database",
    ]);
    expect(markdown).toContain("| resource | charge | monthly |\n| --- | --- | ---: |\n| aws_lb.alb | ALB | $10.00 |");
    expect(markdown.split("<details>").length).toBe(markdown.split("</details>").length);
  });
  it("holds every line of the full text review's sections", () => {
    const text = review().fullText;
    for (const line of text
      .split("\n")
      .filter((candidate) => candidate.startsWith("  ") && !candidate.includes("$") && !/^ +resource +charge/.test(candidate))) {
      expect({ line, shown: markdown.includes(line) || markdown.includes(line.trim().replace(/^[!~] /, "")) }).toEqual({ line, shown: true });
    }
  });
  it("is not truncated when it fits", () => {
    expect(markdown).not.toContain("truncated");
  });
});

describe("truncation", () => {
  it("a review over GitHub's limit is cut below it, saying so at the top and where lines were left out", () => {
    const huge = review(4000);
    expect(huge.text.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT);
    const markdown = reviewMarkdown(huge, { fullReview: "plan-review/default/review.txt" });
    expect(markdown.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(markdown).toContain("> **Note:** this review was truncated to fit GitHub's 65,536-character comment limit; see plan-review/default/review.txt.");
    expect(markdown).toMatch(/… \d+ more lines not shown \(truncated for GitHub's comment limit\)/);
    // The summary and the warnings survive: the longest sections give way first.
    expect(markdown).toContain("**Plan: 3 to add, 1 to change, 1 to destroy.**");
    expect(markdown).toContain("- REPLACED: aws_vpc_security_group_ingress_rule.db");
  });
  it("a small limit is honoured too", () => {
    expect(reviewMarkdown(review(50), { limit: 2000 }).length).toBeLessThanOrEqual(2000);
  });
});
