import { costDelta, type CostedResource, type CostEstimate, dollars, estimateCost, planResources, USAGE_CHARGES_NOT_INCLUDED } from "./cost";
import { PRICE_TABLE } from "./cost-prices";
import type { ReviewSection } from "./plan-review";
import { redactedPlan } from "./sensitive-values";
import type { TerraformPlanJson } from "./stack-workspace";

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
 * a comparison, the change from that environment. Usage-based charges are
 * named as not included, and the price table's date is given. It reads the
 * plan's values with every sensitive one redacted, so none can reach a line.
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
  if (baseline) {
    const delta = costDelta(baseline.estimate, estimate, { unchanged: true });
    const changed = delta.lines.filter((line) => line.before !== line.after).length;
    table = {
      header: ["resource", "charge", baseline.label, "after", "change"],
      rows: [
        ...delta.lines.map((line) => [line.address, line.item, dollars(line.before), dollars(line.after), dollars(line.after - line.before, true)]),
        ["total", `${changed} charge${changed === 1 ? "" : "s"} changed`, dollars(delta.before), dollars(delta.after), dollars(delta.delta, true)],
      ],
    };
    notes.push(`  Monthly change from ${baseline.label}: ${dollars(delta.delta, true)} (${dollars(delta.before)} -> ${dollars(delta.after)}).`);
  } else {
    table = {
      header: ["resource", "charge", "monthly"],
      rows: [...estimate.lines.map((line) => [line.address, line.item, dollars(line.monthly)]), ["total", "fixed charges", dollars(estimate.total)]],
    };
  }
  for (const item of estimate.unpriced) notes.push(`  ? not priced: ${item}`);
  notes.push(`  Not included (usage-based): ${USAGE_CHARGES_NOT_INCLUDED.join("; ")}.`);
  notes.push(
    `  On-demand list prices of ${region}, ${PRICE_TABLE.hoursPerMonth} hours a month, ` +
      `from the price table of ${PRICE_TABLE.date} (src/terraform/cost-prices.ts).`,
  );
  return { estimate, baseline, section: { role: "cost", title, lines: [], table, notes } };
}
