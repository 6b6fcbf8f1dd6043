import { decode, ExtData, ExtensionCodec } from "@msgpack/msgpack";
import * as fs from "node:fs";
import { zipEntries } from "../system/zip-archive";
import { marksFromPaths } from "./sensitive-values";
import type { ResourceChange, TerraformPlanJson } from "./plan-json";
import { type NumberShapes, typeShape, withNumbers } from "./value-numbers";

/**
 * The resource changes of a saved plan file, read from the file itself, in
 * the shape `terraform show -json` gives them. `show -json` is a second
 * Terraform command that loads the 700 MB AWS provider again (its checksum,
 * its start, its schema: about 2 s on a 2-core machine) only to turn the
 * plan's values into JSON; the plan file already holds them, msgpack-encoded
 * in a protobuf message (Terraform's planfile.proto, format version 3).
 *
 * What it gives, per resource change: the address and its parts, the actions,
 * the values before and after (unknown values left out, and true in
 * `after_unknown`, as `show -json` writes them), the paths that force a
 * replacement, the reason for the action, and which values are sensitive
 * (`before_sensitive` and `after_sensitive`, from the paths the plan records:
 * the provider schema's sensitive attributes and what sensitive variables
 * reach). Plus, per resource of the root module, the references of its
 * configuration's expressions (from the configuration saved in the plan).
 * Not given: planned outputs, drift and checks.
 *
 * The values are typed by the provider's schema, summarised as where each
 * resource type holds numbers (`NumberShapes`, from `terraform providers
 * schema -json`, which the kept review folder records at init): the plan
 * writes a number that is not exact in binary as decimal text.
 *
 * The plan file is Terraform's own format, not a public interface. Anything
 * this reader is not sure of (another format version, a configuration in
 * HCL, in modules, or with resources in override files, a value encoding it
 * does not know) makes it answer `unsupported` with the reason, and the
 * caller runs `terraform show -json` instead. Tests compare its answer with
 * `show -json` on real plans: every kind of change of Terraform's own
 * `terraform_data`, the default environment's and the domain variant's
 * offline plans, and the lifecycle suite's plans in the AWS emulator (the
 * re-plans, the move that updates the database and replaces a rule, the app
 * release).
 */

/** A saved plan read, or why it could not be. */
export type SavedPlanReading = { readonly plan: TerraformPlanJson; readonly unsupported?: undefined } | { readonly unsupported: string };

/** The planfile.proto format version this reader knows (Terraform 1.x). */
export const PLAN_FORMAT_VERSION = 3;

export function readSavedPlan(planFile: string, numbers: NumberShapes): SavedPlanReading {
  return readPlanFile(planFile, (files) => {
    const configuration = rootModuleConfiguration(files);
    if (typeof configuration === "string") return configuration;
    const changes = decodePlan(files, numbers);
    if (typeof changes === "string") return changes;
    return { plan: { format_version: `tfplan ${PLAN_FORMAT_VERSION}`, resource_changes: changes, configuration } };
  });
}

/** Only the resource changes of a saved plan, whatever its configuration; or why they cannot be read. */
export function readSavedResourceChanges(planFile: string, numbers: NumberShapes): { readonly changes: ResourceChange[] } | { readonly unsupported: string } {
  return readPlanFile(planFile, (files) => {
    const changes = decodePlan(files, numbers);
    return typeof changes === "string" ? changes : { changes };
  });
}

/** The plan file's entries given to `read`; its answer, or a reason (`read`'s, or why the file could not be read) as `unsupported`. */
function readPlanFile<T extends object>(planFile: string, read: (files: Map<string, Buffer>) => T | string): T | { readonly unsupported: string } {
  try {
    const result = read(zipEntries(fs.readFileSync(planFile)));
    return typeof result === "string" ? { unsupported: result } : result;
  } catch (error) {
    return { unsupported: `the plan file could not be read: ${(error as Error).message}` };
  }
}

// ---- The plan: planfile.proto's Plan, ResourceInstanceChange, Change and Path messages.

const ACTIONS: Record<number, string[]> = {
  0: ["no-op"],
  1: ["create"],
  2: ["read"],
  3: ["update"],
  5: ["delete"],
  6: ["delete", "create"],
  7: ["create", "delete"],
  8: ["forget"],
  9: ["create", "forget"],
};

/** Which of a change's values the file holds, by action: one (the new or the old object) or both. */
const VALUES: Record<number, "after" | "before" | "same" | "both"> = {
  0: "same",
  1: "after",
  2: "both",
  3: "both",
  5: "before",
  6: "both",
  7: "both",
  8: "before",
  9: "both",
};

const ACTION_REASONS: Record<number, string | undefined> = {
  0: undefined,
  1: "replace_because_tainted",
  2: "replace_by_request",
  3: "replace_because_cannot_update",
  4: "delete_because_no_resource_config",
  5: "delete_because_wrong_repetition",
  6: "delete_because_count_index",
  7: "delete_because_each_key",
  8: "delete_because_no_module",
  9: "replace_by_triggers",
  10: "read_because_config_unknown",
  11: "read_because_dependency_pending",
  12: "delete_because_no_move_target",
  13: "read_because_check_nested",
};

/** The resource changes, sorted by address as `show -json` sorts them; or why they cannot be read. */
function decodePlan(files: Map<string, Buffer>, numbers: NumberShapes): ResourceChange[] | string {
  const message = files.get("tfplan");
  if (!message) return "the plan file has no tfplan entry";
  const plan = protobufFields(message);
  const version = plan.varint(1) ?? 0;
  if (version !== PLAN_FORMAT_VERSION) return `its format version is ${version}, not ${PLAN_FORMAT_VERSION}`;
  const changes: ResourceChange[] = [];
  for (const bytes of plan.messages(3)) {
    const change = decodeResourceChange(protobufFields(bytes), numbers);
    if (typeof change === "string") return change;
    changes.push(change);
  }
  const key = (change: ResourceChange) => `${change.address}\u0000${change.deposed ?? ""}`;
  return changes.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function decodeResourceChange(fields: ProtobufFields, numbers: NumberShapes): ResourceChange | string {
  const address = fields.string(13) ?? "";
  const parts = ADDRESS.exec(address);
  if (!parts) return `the resource address "${address}" is not one this reader knows`;
  const [, modulePath, data, type, name, index] = parts;
  const change = protobufFields(fields.messages(9)[0] ?? Buffer.alloc(0));
  const action = change.varint(1) ?? 0;
  if (!ACTIONS[action]) return `${address} has an action (${action}) this reader does not know`;
  const reasonCode = fields.varint(12) ?? 0;
  if (!(reasonCode in ACTION_REASONS)) return `${address} has an action reason (${reasonCode}) this reader does not know`;
  const shapes = data ? numbers.dataSources : numbers.resources;
  if (!(type in shapes)) return `the provider schema has no ${data ? "data source" : "resource"} type ${type}`;
  const values = change.messages(2).map((value) => withNumbers(objectValue(protobufFields(value).bytes(1)), shapes[type]));
  const [before, after] =
    VALUES[action] === "both"
      ? [values[0], values[1]]
      : VALUES[action] === "same"
        ? [values[0], values[0]]
        : VALUES[action] === "after"
          ? [null, values[0]]
          : [values[0], null];
  const replacePaths = fields.messages(11).map(pathSteps) as (string | number)[][];
  // Change.before_sensitive_paths and after_sensitive_paths: what the schema and the configuration (a sensitive variable) mark.
  const sensitiveMarks = (value: unknown, field: number) => (value === null ? false : marksFromPaths(change.messages(field).map(pathSteps)));
  const deposed = fields.string(7);
  const previous = fields.string(14);
  const provider = /^provider\["([^"]+)"\]/.exec(fields.string(8) ?? "")?.[1];
  return {
    address,
    ...(modulePath ? { module_address: modulePath.slice(0, -1) } : {}),
    mode: data ? "data" : "managed",
    type,
    name,
    ...(index !== undefined ? { index: index.startsWith('"') ? (JSON.parse(index) as string) : Number(index) } : {}),
    ...(provider ? { provider_name: provider } : {}),
    ...(deposed ? { deposed } : {}),
    ...(previous ? { previous_address: previous } : {}),
    change: {
      actions: ACTIONS[action],
      before: withoutUnknowns(before),
      after: withoutUnknowns(after) as Record<string, unknown> | null,
      // A value known throughout (or none, for a destruction) is `{}`, however deep it is.
      after_unknown: (hasUnknown(after) ? unknownMarks(after) : {}) as Record<string, unknown>,
      before_sensitive: sensitiveMarks(before, 3),
      after_sensitive: sensitiveMarks(after, 4),
      ...(replacePaths.length > 0 ? { replace_paths: replacePaths } : {}),
    },
    ...(ACTION_REASONS[reasonCode] ? { action_reason: ACTION_REASONS[reasonCode] } : {}),
  };
}

/** A Path message's steps: an attribute name, or an element key (a list index, a map key, or a set element's whole value). */
function pathSteps(path: Buffer): unknown[] {
  return protobufFields(path)
    .messages(1)
    .map((step) => {
      const stepFields = protobufFields(step);
      return stepFields.string(1) ?? objectValue(protobufFields(stepFields.messages(2)[0] ?? Buffer.alloc(0)).bytes(1));
    });
}

/** `module.a.module.b[0].data.aws_x.name["key"]`: the module path, data, type, name, index. */
const ADDRESS = /^((?:module\.[A-Za-z0-9_-]+(?:\[[^\]]+\])?\.)*)(data\.)?([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)(?:\[(\d+|"(?:[^"\\]|\\.)*")\])?$/;

// ---- Values: cty's msgpack encoding.

/** A value Terraform will know only after apply (cty's msgpack extension 0, or 12 with refinements). */
const UNKNOWN = Symbol("unknown");
const valueCodec = new ExtensionCodec();
for (const type of [0, 12]) valueCodec.register({ type, encode: () => null, decode: () => UNKNOWN });

function objectValue(bytes: Buffer | undefined): unknown {
  if (!bytes || bytes.length === 0) return null;
  return dynamicValues(decode(bytes, { extensionCodec: valueCodec }));
}

/**
 * An attribute of dynamic type is encoded as a pair: its type (JSON, as msgpack
 * binary, which no other value uses) and its value, typed by it.
 */
function dynamicValues(value: unknown): unknown {
  if (Array.isArray(value)) {
    if (value.length === 2 && value[0] instanceof Uint8Array) {
      const type = JSON.parse(Buffer.from(value[0]).toString("utf8")) as unknown;
      return withNumbers(dynamicValues(value[1]), typeShape(type));
    }
    return value.map(dynamicValues);
  }
  if (value instanceof Uint8Array) throw new Error("a binary value outside a dynamic value");
  if (value instanceof ExtData || value instanceof Date) throw new Error("a msgpack extension cty does not write");
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, dynamicValues(item)]));
  return value;
}

/** As `show -json` writes a planned value: an unknown attribute left out, an unknown list element null. */
function withoutUnknowns(value: unknown): unknown {
  if (value === UNKNOWN) return null;
  if (Array.isArray(value)) return value.map(withoutUnknowns);
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, item]) => item !== UNKNOWN)
        .map(([key, item]) => [key, withoutUnknowns(item)]),
    );
  }
  return value;
}

/**
 * As `show -json` writes `after_unknown`: true where a value is unknown; a
 * list element known (or null) is false; a known object attribute is left out.
 */
function unknownMarks(value: unknown): unknown {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.map(unknownMarks);
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value)
        .map(([key, item]) => [key, unknownMarks(item)] as const)
        .filter(([, mark]) => mark !== false),
    );
  }
  return false;
}

function hasUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(hasUnknown);
  return isRecord(value) && Object.values(value).some(hasUnknown);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Uint8Array);
}

// ---- The configuration saved in the plan: the references of the root module's resources.

interface ConfigurationResource {
  readonly address: string;
  readonly mode: "managed";
  readonly type: string;
  readonly name: string;
  readonly expressions: Record<string, unknown>;
}

/** Terraform's meta-arguments: `show -json` keeps them out of a resource's expressions. */
const META_ARGUMENTS = new Set(["count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"]);

/**
 * The root module's resources with the references of their expressions, in
 * the shape of `show -json`'s `configuration` (only `references` are given,
 * no constant values); or why they cannot be read.
 */
function rootModuleConfiguration(files: Map<string, Buffer>): { root_module: { resources: ConfigurationResource[] } } | string {
  const modules = JSON.parse(files.get("tfconfig/modules.json")?.toString("utf8") ?? "[]") as { Key: string; Dir: string }[];
  if (modules.some((module) => module.Key !== "")) return "its configuration calls modules";
  const resources: ConfigurationResource[] = [];
  for (const [name, content] of files) {
    if (!name.startsWith("tfconfig/m-/") || name.includes("/", "tfconfig/m-/".length)) continue;
    const file = name.slice("tfconfig/m-/".length);
    if (file.endsWith(".tf")) return `its configuration is in HCL (${file})`;
    if (!file.endsWith(".tf.json")) continue;
    const document = JSON.parse(content.toString("utf8")) as { resource?: Record<string, Record<string, Record<string, unknown>>> };
    const override = file === "override.tf.json" || file.endsWith("_override.tf.json");
    if (override) {
      if (document.resource) return `its override file ${file} changes resources`;
      continue;
    }
    for (const [type, byName] of Object.entries(document.resource ?? {})) {
      for (const [resourceName, body] of Object.entries(byName)) {
        const expressions: Record<string, unknown> = {};
        for (const [attribute, value] of Object.entries(body)) {
          const expression = META_ARGUMENTS.has(attribute) ? undefined : expressionOf(value);
          if (expression !== undefined) expressions[attribute] = expression;
        }
        resources.push({ address: `${type}.${resourceName}`, mode: "managed", type, name: resourceName, expressions });
      }
    }
  }
  return { root_module: { resources: resources.sort((a, b) => a.address.localeCompare(b.address)) } };
}

/**
 * A JSON configuration value as `show -json` gives its expression, references
 * only: a template string that refers to something is `{ references }`; a
 * nested block (an object, or a list of them) is the same per attribute.
 */
function expressionOf(value: unknown): unknown {
  if (typeof value === "string") {
    const references = templateReferences(value);
    return references.length > 0 ? { references } : undefined;
  }
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every(isRecord)) return value.map((block) => blockExpressions(block));
    const references = [...new Set(value.flatMap((item) => (typeof item === "string" ? templateReferences(item) : [])))];
    return references.length > 0 ? { references } : undefined;
  }
  if (isRecord(value)) return blockExpressions(value);
  return undefined;
}

function blockExpressions(block: Record<string, unknown>): Record<string, unknown> {
  const expressions: Record<string, unknown> = {};
  for (const [attribute, value] of Object.entries(block)) {
    const expression = expressionOf(value);
    if (expression !== undefined) expressions[attribute] = expression;
  }
  return expressions;
}

/**
 * The references of a JSON template (`"${aws_subnet.a.id}/x"`) as Terraform
 * lists them: each traversal in order, then the resource it is part of
 * (`aws_subnet.a.id`, `aws_subnet.a`). A string literal inside an
 * interpolation is a template of its own (`${base64encode("...${aws_x.y.id}")}`);
 * its text is not code.
 */
export function templateReferences(template: string): string[] {
  const references: string[] = [];
  scanTemplate(template, 0, false, references);
  return references;
}

/** Scans template text from `start` (to the closing quote of a string literal when `quoted`); returns where it ended. */
function scanTemplate(text: string, start: number, quoted: boolean, references: string[]): number {
  let index = start;
  while (index < text.length) {
    if (quoted && text[index] === '"') return index + 1;
    if (quoted && text[index] === "\\") index += 2;
    else if (text.startsWith("$${", index) || text.startsWith("%%{", index)) index += 3;
    else if (text.startsWith("${", index) || text.startsWith("%{", index)) index = scanInterpolation(text, index + 2, references);
    else index++;
  }
  return index;
}

/** Scans an interpolation's code from `start` to its closing brace, collecting the traversals outside string literals. */
function scanInterpolation(text: string, start: number, references: string[]): number {
  let code = "";
  let depth = 0;
  let index = start;
  while (index < text.length) {
    const character = text[index];
    if (character === '"') {
      code += '""';
      index = scanTemplate(text, index + 1, true, references);
      continue;
    }
    if (character === "}" && depth === 0) break;
    if (character === "{") depth++;
    if (character === "}") depth--;
    code += character;
    index++;
  }
  for (const traversal of code.matchAll(/(?<![\w.\]])([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\[\d+\])+)/g)) {
    const full = `${traversal[1]}${traversal[2]}`;
    const steps = full.match(/[A-Za-z_][\w-]*|\[\d+\]/g)!;
    const resource = steps.slice(0, steps[0] === "data" ? 3 : 2).join(".");
    for (const reference of [full, resource]) if (!references.includes(reference)) references.push(reference);
  }
  return index + 1;
}

// ---- Protobuf: the wire format, enough for the messages above.

interface ProtobufFields {
  varint(field: number): number | undefined;
  string(field: number): string | undefined;
  bytes(field: number): Buffer | undefined;
  messages(field: number): Buffer[];
}

/** A message's fields by number (varints, and length-delimited strings, bytes and messages; fixed-width fields skipped). */
function protobufFields(message: Buffer): ProtobufFields {
  const varints = new Map<number, number>();
  const delimited = new Map<number, Buffer[]>();
  let offset = 0;
  const readVarint = () => {
    let result = 0;
    for (let shift = 1; ; shift *= 128) {
      if (offset >= message.length) throw new Error("a protobuf varint runs past the end of its message");
      const byte = message[offset++];
      result += (byte & 0x7f) * shift;
      if (byte < 0x80) return result;
    }
  };
  while (offset < message.length) {
    const tag = readVarint();
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (wireType === 0) varints.set(field, readVarint());
    else if (wireType === 2) {
      const length = readVarint();
      if (offset + length > message.length) throw new Error("a protobuf field runs past the end of its message");
      const values = delimited.get(field) ?? [];
      values.push(message.subarray(offset, offset + length));
      delimited.set(field, values);
      offset += length;
    } else if (wireType === 1) offset += 8;
    else if (wireType === 5) offset += 4;
    else throw new Error(`protobuf wire type ${wireType} is not one this reader knows`);
  }
  return {
    varint: (field) => varints.get(field),
    string: (field) => delimited.get(field)?.at(-1)?.toString("utf8"),
    bytes: (field) => delimited.get(field)?.at(-1),
    messages: (field) => delimited.get(field) ?? [],
  };
}
