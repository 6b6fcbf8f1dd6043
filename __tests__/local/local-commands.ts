import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../support/stacks";

export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `npm run <script> [-- args]` in the project with the session folder, and none of the machine's AWS settings. */
export function npmRun(script: string, sessionDirectory: string, args: string[] = []): Promise<CommandResult> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!/^AWS_/.test(name)) env[name] = value;
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", script, ...(args.length > 0 ? ["--", ...args] : [])], {
      cwd: PROJECT_ROOT,
      env: { ...env, INVENTORY_LOCAL_DIR: sessionDirectory, FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") }));
  });
}

/** Processes whose command line or working folder names the session folder. */
export function processesOf(sessionDirectory: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    try {
      const commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
      const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      if (commandLine.includes(sessionDirectory) || cwd.startsWith(sessionDirectory)) found.push(`${pid} ${commandLine}`);
    } catch {
      // The process ended while being looked at.
    }
  }
  return found;
}

/**
 * Why a command failed, short enough to read whole in a test's failure: its
 * exit status, each line of its output that names an error (the command
 * prints Terraform's `Error: <what failed>: <the API's answer>` lines on
 * stdout as they come), and the emulator's answers of 500 and above, from
 * its log. Empty when it exited 0 and its stderr names no error.
 */
export function failureOf(result: CommandResult, sessionDirectory: string): string {
  if (result.status === 0 && !result.stderr.includes("Error")) return "";
  const errors = [...new Set(`${result.stdout}\n${result.stderr}`.split("\n").filter((line) => /\b(Error|error):/.test(line)))];
  const motoLog = path.join(sessionDirectory, "emulator", "moto.log");
  const serverErrors = fs.existsSync(motoLog)
    ? fs
        .readFileSync(motoLog, "utf8")
        .split("\n")
        .filter((line) => /" 5\d\d /.test(line))
    : [];
  const stderrEnd = result.stderr.trimEnd().split("\n").slice(-5);
  return [`exit ${result.status}`, ...errors, ...serverErrors.slice(-10).map((line) => `moto: ${line}`), "the end of stderr:", ...stderrEnd].join("\n");
}
