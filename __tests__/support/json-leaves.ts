/**
 * Every leaf of a JSON value as `path -> value`: strings, numbers, booleans,
 * null, and empty arrays and objects (so `[]` and `{}` are told apart).
 * A path joins object keys and array indices with dots
 * (`//.metadata.version`, `resource.aws_vpc.network_vpc.tags.Name`,
 * `output.nat_gateway_ids.value.0`); keys `skipKey` names are left out with
 * everything under them.
 */
export function jsonLeaves(value: unknown, options: { skipKey?: (key: string) => boolean } = {}): Map<string, unknown> {
  const leaves = new Map<string, unknown>();
  const walk = (node: unknown, at: string[]) => {
    const entries = node !== null && typeof node === "object" ? Object.entries(node) : [];
    if (entries.length === 0) {
      leaves.set(at.join("."), node);
      return;
    }
    for (const [key, child] of entries) if (!options.skipKey?.(key)) walk(child, [...at, key]);
  };
  walk(value, []);
  return leaves;
}

/** A leaf that two JSON values do not share: its path, and its value in each (undefined where one has no such leaf). */
export interface JsonDifference {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** The leaves where `after` differs from `before`, by path. */
export function jsonDifferences(before: unknown, after: unknown): JsonDifference[] {
  const a = jsonLeaves(before);
  const b = jsonLeaves(after);
  return [...new Set([...a.keys(), ...b.keys()])]
    .filter((path) => JSON.stringify(a.get(path)) !== JSON.stringify(b.get(path)) || a.has(path) !== b.has(path))
    .sort()
    .map((path) => ({ path, before: a.get(path), after: b.get(path) }));
}
