import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { settingsJsonSchema } from "../config/settings-reference";
import type { EnvironmentSettings } from "../config/schema";
import type { Control } from "./control";

/**
 * The exceptions file, policy/exceptions.json: the only place a control may
 * be waived, each waiver naming the control, the environments, optionally the
 * resources and the setting it depends on, and why.
 */

const settingCondition = z.strictObject({
  setting: z.string().describe("Dotted setting path, as in the settings table of docs/settings.md."),
  equals: z.union([z.string(), z.number(), z.boolean(), z.null()]).describe("The value the waiver needs; null means unset."),
});
type SettingCondition = z.output<typeof settingCondition>;

const exceptionSchema = z.strictObject({
  control: z.string().describe("The control's id, as the test name starts (CKV_AWS_2, RDS.9, INV-TG-1)."),
  environments: z.array(z.string()).min(1).describe("Environments (file names in environments/), hardened, domain, or state-bootstrap."),
  resources: z
    .array(z.string().regex(/^[a-z0-9_]+\.[A-Za-z0-9_-]+$/, "must be a Terraform address like aws_s3_bucket.access_logs_bucket"))
    .min(1)
    .optional()
    .describe("Terraform addresses the waiver covers; unset covers every finding of the control."),
  when: z
    .union([settingCondition, z.array(settingCondition).min(1)])
    .optional()
    .describe("The setting (or settings) that make the control fail; the waiver holds only while each has its value."),
  reason: z.string().min(40, "explain why, in a sentence or more").describe("Why the control cannot be met there, and how to meet it."),
});

const fileSchema = z.strictObject({
  $schema: z.string().optional().describe("This file's JSON Schema, for editors."),
  $comment: z.string().optional(),
  exceptions: z.array(exceptionSchema),
});

export type PolicyException = z.output<typeof exceptionSchema>;

export const EXCEPTIONS_FILE = path.join("policy", "exceptions.json");
/** The exceptions file's JSON Schema, which `npm run docs` writes from the schema above (`"$schema"` in the file). */
export const EXCEPTIONS_SCHEMA = path.join("schema", "exceptions.schema.json");

/** JSON Schema of the exceptions file, for editors: the shape and each field's description, as loadExceptions reads it. */
export function exceptionsJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(fileSchema, { io: "input" }) as Record<string, unknown>;
  return { ...schema, title: "Inventory HA policy exceptions", description: "The only place a policy control may be waived (docs/security.md)." };
}

/** Reads and checks the shape of the exceptions file; throws with the file and the problem. */
export function loadExceptions(root: string): PolicyException[] {
  const file = path.join(root, EXCEPTIONS_FILE);
  const parsed = fileSchema.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${EXCEPTIONS_FILE}: ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data.exceptions;
}

/** The value of a dotted setting path (`loadBalancer.certificateArn`); unset is null. */
export function settingValue(settings: EnvironmentSettings, setting: string): unknown {
  let value: unknown = settings;
  for (const key of setting.split(".")) value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  return value === undefined ? null : value;
}

/** The conditions of an exception's `when`, all of which must hold. */
function conditionsOf(exception: PolicyException): SettingCondition[] {
  return exception.when === undefined ? [] : [exception.when].flat();
}

/** Whether the exception's `when` holds for these settings (no `when` always holds). */
export function conditionHolds(exception: PolicyException, settings: EnvironmentSettings | undefined): boolean {
  const conditions = conditionsOf(exception);
  if (conditions.length === 0) return true;
  if (!settings) return false;
  return conditions.every(({ setting, equals }) => settingValue(settings, setting) === equals);
}

export function describeCondition(exception: PolicyException): string {
  return conditionsOf(exception)
    .map(({ setting, equals }) => (equals === null ? `\`${setting}\` unset` : `\`${setting}\` = \`${JSON.stringify(equals)}\``))
    .join(" and ");
}

function settingPaths(): Set<string> {
  const paths = new Set<string>();
  const visit = (node: any, at: string) => {
    for (const [key, child] of Object.entries<any>(node.properties ?? {})) {
      const childPath = at ? `${at}.${key}` : key;
      paths.add(childPath);
      if (child.type === "object") visit(child, childPath);
    }
  };
  visit(settingsJsonSchema(), "");
  return paths;
}

/**
 * What is wrong with the exceptions beyond their shape: unknown controls or
 * environments, controls named by an alias, a setting that does not exist,
 * two entries for one control in one environment.
 */
export function exceptionProblems(
  exceptions: PolicyException[],
  controls: readonly Control[],
  environments: readonly string[],
  stateTargets: readonly string[],
): string[] {
  const problems: string[] = [];
  const settings = settingPaths();
  const seen = new Set<string>();
  exceptions.forEach((exception, index) => {
    const where = `${EXCEPTIONS_FILE}: exceptions.${index} (${exception.control})`;
    const control = controls.find((candidate) => candidate.id === exception.control);
    const aliased = controls.find((candidate) => candidate.aliases.includes(exception.control));
    if (!control) problems.push(aliased ? `${where}: name the control by its first id, ${aliased.id}` : `${where}: no control has this id`);
    for (const environment of exception.environments) {
      const isState = stateTargets.includes(environment);
      if (!environments.includes(environment) && !isState)
        problems.push(`${where}: unknown environment "${environment}"; known: ${[...environments, ...stateTargets].join(", ")}`);
      if (control && !control.scopes.includes(isState ? "state" : "inventory")) problems.push(`${where}: the control is not checked in ${environment}`);
      if (isState && exception.when) problems.push(`${where}: ${environment} has no settings for "when" to read`);
      const key = `${exception.control} ${environment}`;
      if (seen.has(key)) problems.push(`${where}: a second exception for ${environment}; merge them`);
      seen.add(key);
    }
    for (const { setting } of conditionsOf(exception)) {
      if (!settings.has(setting)) problems.push(`${where}: "when" names ${setting}, which is not a setting`);
    }
  });
  return problems;
}
