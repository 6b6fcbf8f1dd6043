import { costDelta, type CostedResource, type CostEstimate, dollars, estimateCost, planResources, USAGE_CHARGES_NOT_INCLUDED } from "./cost";
import { PRICE_TABLE } from "./cost-prices";
import type { ReviewSection } from "./plan-review";
import { REVIEW_WIDTH } from "./review-width";
import { redactedPlan } from "./sensitive-values";
import type { TerraformPlanJson } from "./plan-json";

/** Another set of resources to compare the plan's cost with: another environment, as synthesized. */
export interface CostComparison {
  /** How the review names it: `lab-start`. */
  readonly label: string;
  readonly resources: readonly CostedResource[];
}

/** What the cost section says: the estimate after the plan, and the change from before it or from the comparison. */
export interface CostReview {
  readonly estimate: CostEstimate;
  /** The estimate the change is measured from: what exists (a live plan), or the compared environment. @default none */
  readonly baseline?: { readonly label: string; readonly estimate: CostEstimate };
  readonly section: ReviewSection;
}

/**
 * The review's cost section. After the plan, by resource; when the plan
 * changes what exists (a live plan), the monthly change from before it; with
 * a comparison, the change from that environment, in the charges that change
 * and the totals. Usage-based charges are named as not included, and the
 * price table's date is given. The short review sums the charges by resource
 * type, or lists the changed charges a line each. It reads the plan's values
 * with every sensitive one redacted, so none can reach a line.
 */
export function costReview(fullPlan: TerraformPlanJson, region: string, compareWith?: CostComparison): CostReview {
  const plan = redactedPlan(fullPlan);
  const estimate = estimateCost(planResources(plan, "after"), region);
  const title = `Estimated monthly cost: ${estimate.regionPriced ? `${dollars(estimate.total)} fixed` : "unknown"}`;
  const notes: string[] = [];
  if (!estimate.regionPriced) {
    const known = Object.keys(PRICE_TABLE.regions).join(", ");
    return {
      estimate,
      section: {
        role: "cost",
        title,
        lines: [`  The price table (${PRICE_TABLE.date}) has no prices for ${region}; it has ${known} (src/terraform/cost-prices.ts).`],
      },
    };
  }
  const before = planResources(plan, "before");
  const baseline = compareWith
    ? { label: compareWith.label, estimate: estimateCost(compareWith.resources, region) }
    : before.length > 0
      ? { label: "deployed", estimate: estimateCost(before, region) }
      : undefined;

  let table: ReviewSection["table"];
  let brief: string[];
  if (baseline) {
    const delta = costDelta(baseline.estimate, estimate);
    const changed = delta.lines.length;
    table = {
      header: ["resource", "charge", baseline.label, "after", "change"],
      rows: [
        ...delta.lines.map((line) => [line.address, line.item, dollars(line.before), dollars(line.after), dollars(line.after - line.before, true)]),
        ["total", `${changed} charge${changed === 1 ? "" : "s"} changed`, dollars(delta.before), dollars(delta.after), dollars(delta.delta, true)],
      ],
    };
    const changeWidth = Math.max(0, ...delta.lines.map((line) => dollars(line.after - line.before, true).length));
    brief = delta.lines.map((line) => `  ${dollars(line.after - line.before, true).padStart(changeWidth)}  ${line.address}: ${line.item}`);
    notes.push(`  Monthly change from ${baseline.label}: ${dollars(delta.delta, true)} (${dollars(delta.before)} -> ${dollars(delta.after)}).`);
  } else {
    table = {
      header: ["resource", "charge", "monthly"],
      rows: [...estimate.lines.map((line) => [line.address, line.item, dollars(line.monthly)]), ["total", "fixed charges", dollars(estimate.total)]],
    };
    brief = [largestByType(estimate)];
  }
  const unpriced = estimate.unpriced.map((item) => `  ? not priced: ${item}`);
  notes.push(...unpriced);
  notes.push(`  Not included (usage-based): ${USAGE_CHARGES_NOT_INCLUDED.join("; ")}.`);
  notes.push(
    `  On-demand list prices of ${region}, ${PRICE_TABLE.hoursPerMonth} hours a month, ` +
      `from the price table of ${PRICE_TABLE.date} (src/terraform/cost-prices.ts).`,
  );
  const briefNotes = [
    ...notes.filter((note) => note.startsWith("  Monthly change from")),
    ...unpriced,
    `  Fixed charges only, at ${region}'s list prices of ${PRICE_TABLE.date}; each charge and what is left out in the full review.`,
  ];
  return { estimate, baseline, section: { role: "cost", title, lines: [], table, notes, brief: { lines: brief, notes: briefNotes } } };
}

/**
 * The estimate's charges summed by resource type, the largest first, as many as fit one line of the review, then the
 * rest summed: `  largest: aws_nat_gateway $65.70, aws_db_instance $59.24, ...; 6 more types $24.00`.
 */
function largestByType(estimate: CostEstimate): string {
  const sums = new Map<string, number>();
  for (const line of estimate.lines) {
    const type = line.address.split(".")[0];
    sums.set(type, (sums.get(type) ?? 0) + line.monthly);
  }
  const sorted = [...sums].sort(([typeA, a], [typeB, b]) => b - a || typeA.localeCompare(typeB));
  const rest = (from: number) => {
    const left = sorted.slice(from);
    const sum = Math.round(left.reduce((total, [, monthly]) => total + monthly, 0) * 100) / 100;
    return left.length === 0 ? "" : `; ${left.length} more type${left.length === 1 ? "" : "s"} ${dollars(sum)}`;
  };
  let shown = sorted.length;
  const line = (count: number) =>
    `  largest: ${sorted
      .slice(0, count)
      .map(([type, sum]) => `${type} ${dollars(Math.round(sum * 100) / 100)}`)
      .join(", ")}${rest(count)}`;
  while (shown > 1 && line(shown).length > REVIEW_WIDTH) shown--;
  return line(shown);
}
