/**
 * Where a resource type's values hold numbers, taken from the provider's
 * schema (`terraform providers schema -json`). A saved plan writes a number
 * that is not exact in binary (a threshold of 0.01) as its decimal text; only
 * the schema tells that text from a string attribute, so the plan reader
 * turns it back into a number where the schema says the value is one.
 */

/** A number; or a list, set, map, object or tuple with numbers somewhere inside. */
export type NumberShape =
  | true
  | { readonly list: NumberShape }
  | { readonly map: NumberShape }
  | { readonly object: Readonly<Record<string, NumberShape>> }
  | { readonly tuple: readonly (NumberShape | null)[] };

/** Per resource and data source type: where its values hold numbers (null: nowhere). */
export interface NumberShapes {
  readonly resources: Readonly<Record<string, NumberShape | null>>;
  readonly dataSources: Readonly<Record<string, NumberShape | null>>;
}

/** The parts of `terraform providers schema -json` read here. */
interface SchemaBlock {
  readonly attributes?: Record<string, { readonly type?: unknown; readonly nested_type?: NestedType }>;
  readonly block_types?: Record<string, { readonly nesting_mode: string; readonly block: SchemaBlock }>;
}

interface NestedType {
  readonly attributes: Record<string, { readonly type?: unknown; readonly nested_type?: NestedType }>;
  readonly nesting_mode: string;
}

export interface ProvidersSchema {
  readonly provider_schemas?: Record<
    string,
    {
      readonly resource_schemas?: Record<string, { readonly block: SchemaBlock }>;
      readonly data_source_schemas?: Record<string, { readonly block: SchemaBlock }>;
    }
  >;
}

export function numberShapesOf(schema: ProvidersSchema): NumberShapes {
  const resources: Record<string, NumberShape | null> = {};
  const dataSources: Record<string, NumberShape | null> = {};
  for (const provider of Object.values(schema.provider_schemas ?? {})) {
    for (const [type, { block }] of Object.entries(provider.resource_schemas ?? {})) resources[type] = blockShape(block);
    for (const [type, { block }] of Object.entries(provider.data_source_schemas ?? {})) dataSources[type] = blockShape(block);
  }
  return { resources, dataSources };
}

/** The shape of a cty type in its JSON form: "number", ["list", T], ["object", {...}] and so on. */
export function typeShape(type: unknown): NumberShape | null {
  if (type === "number") return true;
  if (!Array.isArray(type)) return null;
  const [kind, inner] = type as [string, unknown];
  if (kind === "list" || kind === "set") return wrapped("list", typeShape(inner));
  if (kind === "map") return wrapped("map", typeShape(inner));
  if (kind === "object") return objectShape(Object.entries(inner as Record<string, unknown>).map(([name, attribute]) => [name, typeShape(attribute)]));
  if (kind === "tuple") {
    const items = (inner as unknown[]).map(typeShape);
    return items.some((item) => item !== null) ? { tuple: items } : null;
  }
  return null;
}

/** A value as the schema types it: decimal text where the shape says number becomes the number. */
export function withNumbers(value: unknown, shape: NumberShape | null | undefined): unknown {
  if (!shape || value === null || value === undefined) return value;
  if (shape === true) return typeof value === "string" && DECIMAL.test(value) ? Number(value) : value;
  if (Array.isArray(value)) {
    if ("list" in shape) return value.map((item) => withNumbers(item, shape.list));
    if ("tuple" in shape) return value.map((item, index) => withNumbers(item, shape.tuple[index]));
    return value;
  }
  if (typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  if ("map" in shape) return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, withNumbers(item, shape.map)]));
  if ("object" in shape) return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, withNumbers(item, shape.object[key])]));
  return value;
}

/** cty's decimal text of a number (big.Float's 'f' format). */
const DECIMAL = /^-?\d+(\.\d+)?$/;

function blockShape(block: SchemaBlock): NumberShape | null {
  const entries: [string, NumberShape | null][] = Object.entries(block.attributes ?? {}).map(([name, attribute]) => [name, attributeShape(attribute)]);
  for (const [name, nested] of Object.entries(block.block_types ?? {})) entries.push([name, nesting(nested.nesting_mode, blockShape(nested.block))]);
  return objectShape(entries);
}

function attributeShape(attribute: { readonly type?: unknown; readonly nested_type?: NestedType }): NumberShape | null {
  if (!attribute.nested_type) return typeShape(attribute.type);
  const inner = objectShape(Object.entries(attribute.nested_type.attributes).map(([name, nested]) => [name, attributeShape(nested)]));
  return nesting(attribute.nested_type.nesting_mode, inner);
}

/** A nested block or nested attribute: single and group are the object itself, list and set a list of them, map a map. */
function nesting(mode: string, inner: NumberShape | null): NumberShape | null {
  if (mode === "list" || mode === "set") return wrapped("list", inner);
  if (mode === "map") return wrapped("map", inner);
  return inner;
}

function wrapped(kind: "list" | "map", inner: NumberShape | null): NumberShape | null {
  if (inner === null) return null;
  return kind === "list" ? { list: inner } : { map: inner };
}

function objectShape(entries: [string, NumberShape | null][]): NumberShape | null {
  const found = entries.filter((entry): entry is [string, NumberShape] => entry[1] !== null);
  return found.length > 0 ? { object: Object.fromEntries(found) } : null;
}
