import { sameValue } from "./plan-review";
import type { ResourceChange, TerraformPlanJson } from "./plan-json";

/** One top-level attribute a plan changes on one resource, or a whole resource it creates, destroys or replaces. */
export interface AttributeChange {
  readonly address: string;
  readonly type: string;
  /** Terraform's actions for the resource: ["update"], ["create"], ["delete"], ["create","delete"] (created first), ["delete","create"]. */
  readonly actions: readonly string[];
  /** The top-level attribute, or "" for a resource created, destroyed or replaced as a whole. */
  readonly path: string;
  readonly before: unknown;
  /** The planned value, or KNOWN_AFTER_APPLY. */
  readonly after: unknown;
  /** The resource's whole planned configuration, for gaps that depend on another attribute. */
  readonly resourceAfter?: Record<string, unknown>;
}

export const KNOWN_AFTER_APPLY = "(known after apply)";

const isChange = (change: ResourceChange) =>
  change.mode === "managed" && !(change.change.actions.length === 1 && ["no-op", "read"].includes(change.change.actions[0]));

/** Every managed resource the plan touches, as attribute changes: one per changed attribute of an update, one per created, destroyed or replaced resource. */
export function attributeChanges(plan: TerraformPlanJson): AttributeChange[] {
  const found: AttributeChange[] = [];
  for (const change of (plan.resource_changes ?? []).filter(isChange)) {
    const { actions, before, after, after_unknown: unknown } = change.change;
    const base = { address: change.address, type: change.type, actions, resourceAfter: after ?? undefined };
    if (!(actions.length === 1 && actions[0] === "update")) {
      found.push({ ...base, path: "", before, after });
      continue;
    }
    const was = (before ?? {}) as Record<string, unknown>;
    const will = after ?? {};
    const unknownAfter = unknown ?? {};
    for (const key of new Set([...Object.keys(was), ...Object.keys(will), ...Object.keys(unknownAfter)])) {
      const becomesUnknown = hasUnknown(unknownAfter[key]);
      if (!becomesUnknown && sameValue(was[key], will[key])) continue;
      found.push({ ...base, path: key, before: was[key] ?? null, after: becomesUnknown ? KNOWN_AFTER_APPLY : will[key] });
    }
  }
  return found;
}

/** Resources the plan replaces, with Terraform's order: ["create","delete"] creates the new one first. */
export function replacements(plan: TerraformPlanJson): { address: string; type: string; actions: readonly string[] }[] {
  return (plan.resource_changes ?? [])
    .filter((change) => change.change.actions.includes("create") && change.change.actions.includes("delete"))
    .map((change) => ({ address: change.address, type: change.type, actions: change.change.actions }));
}

function hasUnknown(value: unknown): boolean {
  if (value === true) return true;
  if (Array.isArray(value)) return value.some(hasUnknown);
  if (value && typeof value === "object") return Object.values(value).some(hasUnknown);
  return false;
}

/** A change as one line of a failure message. */
export function describeChange(change: AttributeChange): string {
  if (change.path === "") return `${change.address}: ${change.actions.join(", then ")}`;
  return `${change.address}: ${change.path} ${JSON.stringify(change.before)} -> ${JSON.stringify(change.after)}`;
}
