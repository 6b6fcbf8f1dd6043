import type { ResourceChange, TerraformPlanJson } from "./plan-json";

/**
 * Which of a plan's values Terraform marks sensitive, and those values
 * replaced for anything a person reads (the text, Markdown and cost
 * reviews). A value is sensitive when the provider's schema says so (a
 * listener's OIDC `client_secret`, a secret's `secret_string`) or when it
 * comes from something sensitive (a `sensitive` variable); Terraform records
 * both in the plan, per change, as paths (`before_sensitive_paths`,
 * `after_sensitive_paths` in the plan file) and `show -json` writes them as
 * `before_sensitive` and `after_sensitive`: `true` where a value is
 * sensitive, objects and lists mirroring the value around it. Marks a plan
 * does not give (a change without `after_sensitive`) cannot tell what is
 * safe to show, so they mark everything: a review that redacts too much is
 * a nuisance, one that redacts too little leaks a secret into a pull request.
 */

/** What a review prints in place of a sensitive value. */
export const SENSITIVE = "(sensitive)";

/** `before_sensitive` or `after_sensitive` of a change, or the part of one under some path. */
export type SensitiveMarks = unknown;

/** Whether marks say the value they cover is sensitive (marks missing altogether count as sensitive). */
export function isSensitive(marks: SensitiveMarks): boolean {
  return marks === true || marks === undefined;
}

/**
 * The marks of the value under `step` (an attribute name or a list index):
 * everything under a sensitive value is sensitive; a step the marks do not
 * name is not.
 */
export function marksAt(marks: SensitiveMarks, step: string | number): SensitiveMarks {
  if (isSensitive(marks)) return true;
  if (marks !== null && typeof marks === "object") return (marks as Record<string | number, unknown>)[step] ?? false;
  return false;
}

/** `value` with every sensitive part, however deep, replaced by `(sensitive)`; a null stays null (there is nothing to hide). */
export function redacted(value: unknown, marks: SensitiveMarks): unknown {
  if (value === null || value === undefined) return value;
  if (isSensitive(marks)) return SENSITIVE;
  if (Array.isArray(value)) return value.map((item, index) => redacted(item, marksAt(marks, index)));
  if (typeof value === "object") {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, redacted(item, marksAt(marks, key))]));
  }
  return value;
}

/** A resource change with its values before and after redacted by its own marks. */
export function redactedChange(change: ResourceChange): ResourceChange {
  const { before, after, before_sensitive, after_sensitive } = change.change;
  return {
    ...change,
    change: {
      ...change.change,
      before: redacted(before, before_sensitive),
      after: redacted(after, after_sensitive) as Record<string, unknown> | null,
    },
  };
}

/**
 * The parts of a plan a review reads, with every sensitive value redacted:
 * the resource changes and the configuration (whose references the review
 * follows). The planned values, prior state, outputs and variables of a
 * `show -json` plan are left out: they hold the same values unredacted.
 */
export function redactedPlan(plan: TerraformPlanJson): TerraformPlanJson {
  return {
    format_version: plan.format_version,
    ...(plan.resource_changes ? { resource_changes: plan.resource_changes.map(redactedChange) } : {}),
    ...(plan.configuration !== undefined ? { configuration: plan.configuration } : {}),
  };
}

/**
 * Marks in `show -json`'s shape from the paths a plan file records, each a
 * list of steps (an attribute name, a list index or a map key). A step that
 * is neither (an element of a set, named by its whole value) marks the
 * value that holds it: what cannot be told is sensitive.
 */
export function marksFromPaths(paths: readonly (readonly unknown[])[]): SensitiveMarks {
  const root: Record<string | number, unknown> = {};
  for (const steps of paths) {
    const known = steps.findIndex((step) => typeof step !== "string" && typeof step !== "number");
    const kept = (known < 0 ? steps : steps.slice(0, known)) as (string | number)[];
    if (kept.length === 0) return true;
    let holder = root;
    for (const [index, step] of kept.entries()) {
      if (holder[step] === true) break;
      if (index === kept.length - 1) holder[step] = true;
      else holder = (holder[step] ??= typeof kept[index + 1] === "number" ? [] : {}) as Record<string | number, unknown>;
    }
  }
  return root;
}
