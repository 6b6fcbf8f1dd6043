import { planReferences } from "../../src/terraform/cost";
import type { ResourceChange, TerraformPlanJson } from "../../src/terraform/plan-json";

/**
 * What the plan file reader gives of each resource change, from either
 * source: the reader's answer or `terraform show -json`'s. Sensitivity
 * (`show -json` takes it from the provider's schema) is the part the reader
 * leaves out.
 */
export function readableChanges(plan: TerraformPlanJson): unknown[] {
  return (plan.resource_changes ?? []).map((change: ResourceChange) =>
    withoutUndefined({
      address: change.address,
      module_address: change.module_address,
      mode: change.mode,
      type: change.type,
      name: change.name,
      index: change.index,
      provider_name: change.provider_name,
      deposed: change.deposed,
      previous_address: change.previous_address,
      action_reason: change.action_reason,
      change: withoutUndefined({
        actions: change.change.actions,
        before: change.change.before,
        after: change.change.after,
        after_unknown: change.change.after_unknown,
        replace_paths: change.change.replace_paths,
      }),
    }),
  );
}

/**
 * Per resource of the root module, per attribute of its configuration: the
 * resources its expressions refer to (`aws_subnet.a`), as the cost estimate
 * reads them, each list sorted.
 */
export function referencedResources(plan: TerraformPlanJson): Record<string, Record<string, string[]>> {
  return Object.fromEntries(
    [...planReferences(plan)].map(([address, byAttribute]) => [
      address,
      Object.fromEntries(Object.entries(byAttribute).map(([attribute, addresses]) => [attribute, [...addresses].sort()])),
    ]),
  );
}

function withoutUndefined<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;
}
