import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { findExecutable, isExecutable } from "../system/executables";

/**
 * Runs the real `terraform` for the tests and scripts: finds the binary,
 * points it at the offline provider mirror when this machine has one (and
 * leaves a machine with internet alone), and turns Terraform's diagnostics
 * into readable errors.
 */

/** Where this project's offline CI machines keep the AWS provider; TF_PROVIDER_MIRROR overrides. */
export const DEFAULT_PROVIDER_MIRROR = "/opt/tf-plugins";

export const INSTALL_HINT =
  "Install Terraform 1.10 or newer (https://developer.hashicorp.com/terraform/install, or apt-get install terraform from HashiCorp's apt repository) " +
  "and put it on PATH, or set TERRAFORM_BINARY.";

export class TerraformNotFoundError extends Error {
  override readonly name = "TerraformNotFoundError";
}

/** A Terraform command that failed, with Terraform's own diagnostics as the message. */
export class TerraformError extends Error {
  override readonly name = "TerraformError";
  constructor(
    readonly command: string,
    message: string,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

/** The terraform binary: TERRAFORM_BINARY, else the first `terraform` on PATH. Throws with install instructions. */
export function terraformBinary(variables: NodeJS.ProcessEnv = process.env): string {
  const explicit = variables.TERRAFORM_BINARY;
  if (explicit) {
    if (isExecutable(explicit)) return explicit;
    throw new TerraformNotFoundError(`TERRAFORM_BINARY=${explicit} is not an executable file. ${INSTALL_HINT}`);
  }
  const found = findExecutable("terraform", (variables.PATH ?? "").split(path.delimiter));
  if (found) return found;
  throw new TerraformNotFoundError(`terraform is not on PATH. ${INSTALL_HINT}`);
}

/**
 * The environment Terraform runs with: no checkpoint calls, no prompts, and,
 * when a provider mirror exists and the user has no CLI config of their own,
 * a CLI config (written under `cacheDirectory`) that installs the AWS
 * provider from the mirror.
 */
export function terraformEnvironment(cacheDirectory: string, variables: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...variables, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0" };
  const mirror = variables.TF_PROVIDER_MIRROR ?? DEFAULT_PROVIDER_MIRROR;
  const userConfig = variables.TF_CLI_CONFIG_FILE;
  const userHasConfig = userConfig !== undefined && userConfig !== "" && fs.existsSync(userConfig);
  if (!userHasConfig && fs.existsSync(path.join(mirror, "registry.terraform.io"))) {
    environment.TF_CLI_CONFIG_FILE = writeMirrorConfig(cacheDirectory, mirror);
  }
  return environment;
}

function writeMirrorConfig(cacheDirectory: string, mirror: string): string {
  const file = path.join(cacheDirectory, "terraform-mirror.tfrc");
  const content = `# Written by the project: install the AWS provider from the offline mirror, everything else as usual.
provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(mirror)}
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
`;
  fs.mkdirSync(cacheDirectory, { recursive: true });
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== content) fs.writeFileSync(file, content);
  return file;
}

export interface TerraformResult {
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunTerraformOptions {
  readonly cwd: string;
  readonly environment: NodeJS.ProcessEnv;
  readonly binary?: string;
  /**
   * Interrupt the command (SIGINT, as Ctrl-C: Terraform stops its providers and
   * releases its lock) after this long, and kill it 15 s later if it is still
   * running. @default no limit
   */
  readonly timeoutMs?: number;
}

/** Runs `terraform <args>` in `cwd`; rejects with a TerraformError carrying Terraform's diagnostics. */
export function runTerraform(args: string[], options: RunTerraformOptions): Promise<TerraformResult> {
  const binary = options.binary ?? terraformBinary(options.environment);
  const command = `terraform ${args.join(" ")}`;
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd: options.cwd, env: options.environment, stdio: ["ignore", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timers: NodeJS.Timeout[] = [];
    if (options.timeoutMs !== undefined) {
      timers.push(
        setTimeout(() => {
          timedOut = true;
          child.kill("SIGINT");
          timers.push(setTimeout(() => child.kill("SIGKILL"), 15_000));
        }, options.timeoutMs),
      );
    }
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error) => reject(new TerraformError(command, `${command} could not start: ${error.message}`, "", "")));
    child.on("close", (code) => {
      for (const timer of timers) clearTimeout(timer);
      const result = { stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") };
      if (code === 0 && !timedOut) resolve(result);
      else {
        const why = timedOut ? `was stopped after ${Math.round(options.timeoutMs! / 1000)} s` : "failed";
        reject(
          new TerraformError(
            command,
            `${command} ${why} in ${options.cwd}:\n${readableDiagnostics(result.stdout, result.stderr)}`,
            result.stdout,
            result.stderr,
          ),
        );
      }
    });
  });
}

/** A diagnostic of `terraform validate -json` / `-json` output. */
export interface Diagnostic {
  readonly severity: "error" | "warning";
  readonly summary: string;
  readonly detail?: string;
  readonly address?: string;
  readonly range?: { filename: string; start: { line: number } };
  readonly snippet?: { context?: string; code?: string };
}

/** One diagnostic as a person reads it: severity, Terraform's summary and detail, and where. */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const where = diagnostic.range
    ? ` (${diagnostic.range.filename} line ${diagnostic.range.start.line}${diagnostic.snippet?.context ? `, in ${diagnostic.snippet.context}` : ""})`
    : "";
  const detail = diagnostic.detail ? `: ${diagnostic.detail.replace(/\s+/g, " ").trim()}` : "";
  const code = diagnostic.snippet?.code ? `\n    ${diagnostic.snippet.code.trim()}` : "";
  return `${diagnostic.severity === "error" ? "Error" : "Warning"}: ${diagnostic.summary}${detail}${where}${code}`;
}

/** Terminal colour codes (ESC [ ... m), which some Terraform errors carry even with -no-color. */
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

/**
 * Terraform's messages without its box drawing and CLI-config warnings: JSON
 * diagnostics when the output is JSON, else the plain-text error blocks.
 */
export function readableDiagnostics(stdout: string, stderr: string): string {
  const json = parseJsonDiagnostics(stdout);
  if (json.length > 0) return json.map(formatDiagnostic).join("\n");
  const text = `${stderr}\n${stdout}`
    .replace(ANSI_COLOUR, "")
    .split("\n")
    .map((line) => line.replace(/^[│╷╵]\s?/, ""))
    .join("\n");
  const blocks = text.split(/\n(?=Error: |Warning: )/).filter((block) => /^(Error|Warning): /.test(block.trim()));
  const useful = blocks.filter((block) => !/CLI configuration/.test(block));
  return (useful.length > 0 ? useful.map((block) => block.trim()) : [text.trim()]).join("\n");
}

/** What Terraform's JSON output holds diagnostics in: `validate -json`'s document, or one line of a `-json` stream. */
interface DiagnosticsMessage {
  readonly diagnostics?: Diagnostic[];
  readonly type?: string;
  readonly diagnostic?: Diagnostic;
}

function parseJsonDiagnostics(stdout: string): Diagnostic[] {
  try {
    // `validate -json` prints one document.
    const whole = JSON.parse(stdout) as DiagnosticsMessage;
    if (Array.isArray(whole.diagnostics)) return whole.diagnostics;
  } catch {
    // Otherwise a stream of one JSON object per line (`plan -json`), or plain text.
  }
  const diagnostics: Diagnostic[] = [];
  for (const line of stdout.split("\n")) {
    const trimmed = line.trim();
    if (!trimmed.startsWith("{")) continue;
    try {
      const parsed = JSON.parse(trimmed) as DiagnosticsMessage;
      if (Array.isArray(parsed.diagnostics)) diagnostics.push(...parsed.diagnostics);
      else if (parsed.type === "diagnostic" && parsed.diagnostic) diagnostics.push(parsed.diagnostic);
    } catch {
      // Not a JSON line: plain output mixed in.
    }
  }
  return diagnostics;
}
