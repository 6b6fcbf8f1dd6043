import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { inventoryStackName } from "../config/names";
import { readableDiagnostics } from "../terraform/terraform-cli";

/** Terraform outputs of an environment's stack that the drills use. */
export const DRILL_OUTPUTS = ["app_url", "autoscaling_group_name", "target_group_arn", "db_instance_identifier", "region"] as const;
export type DrillOutputName = (typeof DRILL_OUTPUTS)[number];

/** List outputs the drill uses when the stack has them (a stack deployed before they existed does not). */
export const OPTIONAL_LIST_OUTPUTS = ["alarm_names"] as const;
export type OptionalListOutputName = (typeof OPTIONAL_LIST_OUTPUTS)[number];

/** Map outputs a drill needs: the zone drill's experiment templates, which only a stack with the rehearsal on has. */
export const MAP_OUTPUTS = ["rehearsal_templates"] as const;
export type MapOutputName = (typeof MAP_OUTPUTS)[number];

/** Outputs whose values have a shape the drill relies on. */
const OUTPUT_FORMATS: Partial<Record<DrillOutputName, { readonly pattern: RegExp; readonly what: string }>> = {
  app_url: { pattern: /^https?:\/\/[^/\s]+/, what: "an http(s) URL" },
  region: { pattern: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, what: "an AWS region like us-west-2" },
};

/** Outputs missing or unreadable. The message is one line and says what to do. */
export class StackOutputsError extends Error {
  override readonly name = "StackOutputsError";
}

/** The deployed values of one stack's outputs; `get` insists on the one a drill needs. */
export class StackOutputs {
  constructor(
    readonly stack: string,
    /** Output name -> value, as Terraform holds them. */
    private readonly values: Readonly<Record<string, unknown>>,
    /** Where the values came from, for error messages. */
    readonly source: string,
  ) {}

  get(name: DrillOutputName): string {
    const value = this.values[name];
    if (value === undefined || value === null) {
      throw new StackOutputsError(
        `${this.source} has no output "${name}" for ${this.stack}; deploy a version of the stack that has it (cdktf deploy ${this.stack})`,
      );
    }
    if (typeof value !== "string" || value.trim() === "") {
      throw new StackOutputsError(`output "${name}" of ${this.stack} in ${this.source} should be a non-empty string, got ${JSON.stringify(value)}`);
    }
    const format = OUTPUT_FORMATS[name];
    if (format && !format.pattern.test(value)) {
      throw new StackOutputsError(`output "${name}" of ${this.stack} in ${this.source} should be ${format.what}, got ${JSON.stringify(value)}`);
    }
    return value;
  }

  /** A map output of non-empty strings, which the drill needs. */
  map(name: MapOutputName): Record<string, string> {
    const value = this.values[name];
    if (value === undefined || value === null) {
      throw new StackOutputsError(
        `${this.source} has no output "${name}" for ${this.stack}; turn on zoneResilience.rehearsal in its environment and deploy (cdktf deploy ${this.stack})`,
      );
    }
    if (!isRecord(value) || !Object.values(value).every((item) => typeof item === "string" && item.trim() !== "")) {
      throw new StackOutputsError(`output "${name}" of ${this.stack} in ${this.source} should be a map of names to ids, got ${JSON.stringify(value)}`);
    }
    return value as Record<string, string>;
  }

  /** A list output of non-empty strings, or undefined when the stack has no such output. */
  optionalList(name: OptionalListOutputName): string[] | undefined {
    const value = this.values[name];
    if (value === undefined || value === null) return undefined;
    if (!isListOfNames(value)) {
      throw new StackOutputsError(`output "${name}" of ${this.stack} in ${this.source} should be a list of names, got ${JSON.stringify(value)}`);
    }
    return value;
  }
}

function isListOfNames(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string" && item.trim() !== "");
}

/** Runs a program and collects what it printed. Injected so tests need no Terraform. */
export type CommandRunner = (
  command: string,
  args: readonly string[],
  options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv },
) => Promise<{ readonly exitCode: number; readonly stdout: string; readonly stderr: string }>;

/** Runs the program found on PATH; rejects only when it cannot be started (ENOENT ...). */
export const execFileRunner: CommandRunner = (command, args, options) =>
  new Promise((resolve, reject) => {
    execFile(command, [...args], { cwd: options.cwd, env: options.env ?? process.env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") {
        // Could not start: an Error whose code says why (ENOENT ...).
        const cannotStart: Error = error;
        return reject(cannotStart);
      }
      resolve({ exitCode: error ? Number(error.code) : 0, stdout, stderr });
    });
  });

export interface ReadStackOutputsOptions {
  /** The environment's name (`default` for stack `inventory-default`). */
  readonly environment: string;
  /** The file `cdktf deploy --outputs-file FILE` wrote; when absent, Terraform is asked. */
  readonly outputsFile?: string;
  /** Folder of `cdktf.json`; the stack's Terraform folder is `cdktf.out/stacks/<stack>` under it. */
  readonly projectRoot: string;
  /** @default execFileRunner */
  readonly runCommand?: CommandRunner;
  /** Environment of the `terraform` process (PATH decides which terraform runs). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Reads the deployed stack's outputs, from `--outputs-file` or else from
 * `terraform output -json` in the stack's synthesized folder (which
 * `cdktf deploy` leaves initialised, with the state backend configured).
 */
export async function readStackOutputs(options: ReadStackOutputsOptions): Promise<StackOutputs> {
  const stack = inventoryStackName(options.environment);
  return options.outputsFile !== undefined ? readOutputsFile(stack, options.outputsFile) : readTerraformOutputs(stack, options);
}

function readOutputsFile(stack: string, file: string): StackOutputs {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : `cannot be read (${(error as Error).message})`;
    throw new StackOutputsError(`outputs file ${file} ${reason}; write it with cdktf deploy ${stack} --outputs-file ${file}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new StackOutputsError(`outputs file ${file} is not valid JSON (${(error as Error).message.split("\n")[0]})`);
  }
  if (!isRecord(parsed)) throw new StackOutputsError(`outputs file ${file} should hold a JSON object of stacks, as cdktf deploy --outputs-file writes`);
  const outputs = parsed[stack];
  if (!isRecord(outputs)) {
    const stacks = Object.keys(parsed);
    const found = stacks.length > 0 ? `it has ${stacks.join(", ")}` : "it is empty";
    throw new StackOutputsError(`outputs file ${file} has no outputs for ${stack} (${found}); run cdktf deploy ${stack} --outputs-file ${file} first`);
  }
  return new StackOutputs(stack, outputs, `outputs file ${file}`);
}

async function readTerraformOutputs(stack: string, options: ReadStackOutputsOptions): Promise<StackOutputs> {
  const relativeFolder = path.join("cdktf.out", "stacks", stack);
  const folder = path.join(options.projectRoot, relativeFolder);
  const source = `terraform output -json in ${relativeFolder}`;
  if (!fs.existsSync(folder)) {
    throw new StackOutputsError(`no ${relativeFolder}: run cdktf deploy ${stack} first (or pass --outputs-file FILE)`);
  }
  const run = options.runCommand ?? execFileRunner;
  let result: Awaited<ReturnType<CommandRunner>>;
  try {
    result = await run("terraform", ["output", "-json", "-no-color"], { cwd: folder, env: options.env });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "terraform is not on PATH" : `terraform could not be run (${(error as Error).message})`;
    throw new StackOutputsError(`${reason}; install it, or pass --outputs-file FILE written by cdktf deploy ${stack} --outputs-file FILE`);
  }
  if (result.exitCode !== 0) {
    const terraformSays = readableDiagnostics("", result.stderr).replace(/\n{2,}/g, "\n") || `exit code ${result.exitCode}`;
    throw new StackOutputsError(
      `${source} failed; run cdktf deploy ${stack} first if it never ran, else see what Terraform says:\n${terraformSays.replace(/^/gm, "  ")}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout);
  } catch {
    throw new StackOutputsError(`${source} printed something that is not JSON`);
  }
  if (!isRecord(parsed) || Object.keys(parsed).length === 0) {
    throw new StackOutputsError(`${stack} has no outputs (${source} printed none); run cdktf deploy ${stack} first`);
  }
  // terraform output -json wraps each value: { "app_url": { "value": "...", "type": "string", "sensitive": false } }.
  const values = Object.fromEntries(Object.entries(parsed).map(([name, output]) => [name, isRecord(output) ? output.value : undefined]));
  return new StackOutputs(stack, values, source);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
