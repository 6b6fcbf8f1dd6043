import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { closestMatch } from "../props/prop-problems";
import { type EnvironmentSettings, settingsSchema } from "./schema";

/**
 * Settings that stop synthesis: one line per problem, each naming the file
 * and setting and what to do; the message holds them all, a line each.
 */
export class SettingsError extends Error {
  override readonly name = "SettingsError";
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[]) {
    const lines = typeof problems === "string" ? [problems] : problems;
    super(lines.join("\n"));
    this.problems = lines;
  }
}

/** How a command prints a `SettingsError`: every problem on a line of its own. */
export function settingsErrorText(error: SettingsError): string {
  return error.problems.map((problem) => `Invalid settings: ${problem}`).join("\n");
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
 * day someone deploys it. Throws one `SettingsError` with the problems of
 * every file.
 */
export function loadEnvironments(options: LoadOptions): EnvironmentSettings[] {
  const variables = options.variables ?? process.env;
  const files = listEnvironmentFiles(options.directory);
  const problems: string[] = [];
  const environments = files.flatMap((file) => {
    try {
      return [parseEnvironment(path.join(options.directory, file), variables)];
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error;
      problems.push(...error.problems);
      return [];
    }
  });
  if (problems.length > 0) throw new SettingsError(problems);
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
  if (!result.success) throw new SettingsError(result.error.issues.flatMap((issue) => describeIssue(issue).map((problem) => `${source}: ${problem}`)));
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
  const text = fs.readFileSync(file, "utf8");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new SettingsError(`${source}: ${jsonProblem(text, error as Error)}`);
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

/** An issue as `path: message` lines: one, or one per unknown key. */
function describeIssue(issue: z.core.$ZodIssue): string[] {
  const location = issue.path.length > 0 ? issue.path.map(String).join(".") : "(settings)";
  if (issue.code === "unrecognized_keys") {
    const where = issue.path.length > 0 ? `${location}.` : "";
    const known = knownKeys(issue.path);
    return issue.keys.map((key) => {
      const suggestion = closestMatch(key, known);
      const hint = suggestion ? `did you mean ${where}${suggestion}?` : `the settings here are ${known.join(", ")}`;
      return `${where}${key}: unknown setting; ${hint}`;
    });
  }
  let message = issue.message;
  if (issue.code === "invalid_type" && issue.message.includes("received undefined")) message = "missing";
  if (issue.code === "too_small" && issue.origin === "string" && issue.minimum === 1 && message.startsWith("Too small")) message = "is empty; give a value";
  return [`${location}: ${message.replace(/\s+/g, " ")}`];
}

/** The settings an object of the schema takes at `where` (the path of an unknown key's object). */
function knownKeys(where: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType = settingsSchema;
  for (const step of [...where, undefined]) {
    for (;;) {
      if (schema instanceof z.ZodPipe) schema = schema.in;
      else if (schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault || schema instanceof z.ZodOptional) schema = schema.unwrap();
      else break;
    }
    if (step === undefined) break;
    if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, z.ZodType>)[String(step)];
    else if (schema instanceof z.ZodArray) schema = schema.element;
    else if (schema instanceof z.ZodRecord) schema = schema.valueType;
    else return [];
  }
  return schema instanceof z.ZodObject ? Object.keys(schema.shape).filter((key) => key !== "$schema") : [];
}

/**
 * Why `text` is not JSON, at the line and column an editor shows: V8 gives a
 * character position for most mistakes and none for an unexpected token, so
 * that one is found as the shortest start of the text that cannot begin a
 * JSON document.
 */
function jsonProblem(text: string, error: Error): string {
  const given = / at position (\d+)/.exec(error.message);
  const offset = given ? Number(given[1]) : firstUnparsable(text);
  const [reason] = offset >= text.length ? ["the file ends before its JSON does"] : error.message.split(/ in JSON at position \d+| \(line \d+|, (\.\.\.)?"/);
  const before = text.slice(0, offset).split("\n");
  return `not valid JSON at line ${before.length}, column ${before[before.length - 1].length + 1}: ${reason}`;
}

/** The offset of the character that turns the text from a start of JSON into something no JSON starts with. */
function firstUnparsable(text: string): number {
  const startsJson = (length: number) => {
    try {
      JSON.parse(text.slice(0, length));
      return true;
    } catch (error) {
      const message = (error as Error).message;
      const at = / at position (\d+)/.exec(message);
      return message === "Unexpected end of JSON input" || (at !== null && Number(at[1]) >= length);
    }
  };
  let low = 0;
  let high = text.length;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (startsJson(middle + 1)) low = middle + 1;
    else high = middle;
  }
  return low;
}
