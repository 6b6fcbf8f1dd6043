import * as fs from "node:fs";
import * as path from "node:path";
import type { z } from "zod";
import { type EnvironmentSettings, settingsSchema } from "./schema";

/** A setting that stops synthesis. The message is one line and names the setting. */
export class SettingsError extends Error {
  override readonly name = "SettingsError";
}

/** Environment variables that override settings of every environment, for CI and people with their own state bucket. */
export const SETTINGS_ENVIRONMENT_VARIABLES = {
  INVENTORY_STATE_BUCKET: ["state", "bucket"],
  INVENTORY_STATE_REGION: ["state", "region"],
  INVENTORY_STATE_LOCK_TABLE: ["state", "lockTable"],
  TF_CLOUD_ORGANIZATION: ["state", "organization"],
} as const;

/** Narrows synthesis to one environment. */
export const ENVIRONMENT_SELECTOR = "INVENTORY_ENV";

/** What an environment (file) name may be: it ends up in stack names, state keys and AWS names. */
export const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,22}[a-z0-9]$/;

export interface LoadOptions {
  /** Folder of the environment files (`<name>.json`). */
  readonly directory: string;
  /** Process environment to read overrides and the selector from. @default process.env */
  readonly variables?: NodeJS.ProcessEnv;
}

/**
 * Reads, validates and resolves every environment file in `directory`, then
 * keeps the one `INVENTORY_ENV` names (all when unset). Every environment is
 * validated even when one is selected, so a broken file never waits for the
 * day someone deploys it. Throws `SettingsError` on the first bad value.
 */
export function loadEnvironments(options: LoadOptions): EnvironmentSettings[] {
  const variables = options.variables ?? process.env;
  const files = listEnvironmentFiles(options.directory);
  const environments = files.map((file) => parseEnvironment(path.join(options.directory, file), variables));
  checkDistinctNames(environments);

  const selected = variables[ENVIRONMENT_SELECTOR];
  if (selected === undefined || selected === "") return environments;
  const match = environments.find((environment) => environment.environment === selected);
  if (!match) {
    throw new SettingsError(`${ENVIRONMENT_SELECTOR}: unknown environment "${selected}"; known: ${environments.map((e) => e.environment).join(", ")}`);
  }
  return [match];
}

/** Validates one settings object (as an environment file holds it) and names the file in any error. */
export function parseSettings(environment: string, raw: unknown, source = `${environment}.json`): EnvironmentSettings {
  const result = settingsSchema.safeParse(raw);
  if (!result.success) throw new SettingsError(`${source}: ${describeIssues(result.error.issues)}`);
  return { ...result.data, environment };
}

function listEnvironmentFiles(directory: string): string[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(directory);
  } catch {
    throw new SettingsError(`environments: folder ${directory} is missing; it holds one <name>.json per environment`);
  }
  const files = entries.filter((entry) => entry.endsWith(".json")).sort();
  if (files.length === 0) throw new SettingsError(`environments: ${directory} has no <name>.json environment file`);
  return files;
}

function parseEnvironment(file: string, variables: NodeJS.ProcessEnv): EnvironmentSettings {
  const environment = path.basename(file, ".json");
  const source = path.join(path.basename(path.dirname(file)), path.basename(file));
  if (!ENVIRONMENT_NAME.test(environment)) {
    throw new SettingsError(`${source}: environment name "${environment}" must be 2-24 lower-case letters, digits and hyphens, starting with a letter`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new SettingsError(`${source}: not valid JSON (${(error as Error).message.split("\n")[0]})`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new SettingsError(`${source}: must hold a JSON object of settings`);
  }
  return parseSettings(environment, applyVariables(raw as Record<string, unknown>, variables), source);
}

function applyVariables(raw: Record<string, unknown>, variables: NodeJS.ProcessEnv): Record<string, unknown> {
  const result: Record<string, unknown> = { ...raw };
  for (const [variable, [section, key]] of Object.entries(SETTINGS_ENVIRONMENT_VARIABLES)) {
    const value = variables[variable];
    if (value === undefined || value === "") continue;
    const current = result[section];
    const sectionValue = typeof current === "object" && current !== null && !Array.isArray(current) ? current : {};
    result[section] = { ...sectionValue, [key]: value };
  }
  return result;
}

/** Two environments with the same prefix would fight over global names (IAM roles) and regional ones. */
function checkDistinctNames(environments: EnvironmentSettings[]): void {
  environments.forEach((environment, index) => {
    const twin = environments.slice(0, index).find((other) => other.namePrefix === environment.namePrefix);
    if (twin) {
      throw new SettingsError(
        `${environment.environment}.json: namePrefix "${environment.namePrefix}" is also used by ${twin.environment}.json; ` +
          `give each environment its own so their resource names do not collide`,
      );
    }
  });
}

/** The first issue as `path: message`, with a count of the others. */
function describeIssues(issues: z.core.$ZodIssue[]): string {
  const [first] = issues;
  const location = first.path.length > 0 ? first.path.map(String).join(".") : "(settings)";
  let message = first.message;
  if (first.code === "unrecognized_keys") {
    const keys = first.keys;
    const where = first.path.length > 0 ? `${location}.` : "";
    return `${keys.map((key) => `${where}${key}`).join(", ")}: unknown setting${keys.length > 1 ? "s" : ""}${more(issues)}`;
  }
  if (first.code === "invalid_type" && first.message.includes("received undefined")) message = "missing";
  return `${location}: ${message.replace(/\s+/g, " ")}${more(issues)}`;
}

function more(issues: readonly unknown[]): string {
  return issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
}
