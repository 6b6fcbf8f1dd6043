import { spawn } from "node:child_process";
import * as fs from "node:fs";

/** A server started to outlive the command that started it, as a record a later command can stop it by. */
export interface BackgroundProcess {
  readonly name: string;
  /** The process id, also its process group's: stopping it stops what it started. */
  readonly pid: number;
  readonly logFile: string;
  /** Text its command line holds (a port, a folder): a process id reused by someone else's process is never signalled. */
  readonly mark: string;
}

/**
 * Starts `command` in a process group of its own, its output appended to
 * `logFile`, detached from this process: it keeps running after this
 * command exits, until `stopBackground` stops it.
 */
export function startBackground(
  name: string,
  command: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; logFile: string; mark: string; cwd?: string },
): BackgroundProcess {
  if (![command, ...args].some((part) => part.includes(options.mark))) throw new Error(`${name}: its command line does not hold "${options.mark}"`);
  const log = fs.openSync(options.logFile, "a");
  try {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ["ignore", log, log] });
    if (child.pid === undefined) throw new Error(`${name} (${command}) could not start; see ${options.logFile}`);
    child.unref();
    return { name, pid: child.pid, logFile: options.logFile, mark: options.mark };
  } finally {
    fs.closeSync(log);
  }
}

/** The process ids of `started`'s group that still run and carry its mark (Linux's /proc). */
export function runningMembers(started: BackgroundProcess): number[] {
  const members: number[] = [];
  for (const entry of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const fields = fs.readFileSync(`/proc/${entry}/stat`, "utf8").split(") ").pop()!.split(" ");
      // After the command's name: state, parent id, process group id. A zombie has ended.
      if (fields[0] === "Z" || Number(fields[2]) !== started.pid) continue;
      if (Number(entry) === started.pid && !fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(started.mark)) continue;
      members.push(Number(entry));
    } catch {
      // The process ended while being looked at.
    }
  }
  return members;
}

/** Whether anything of `started` still runs. */
export function isRunning(started: BackgroundProcess): boolean {
  return runningMembers(started).length > 0;
}

/** SIGTERM to the process group, then SIGKILL if anything of it still runs after `graceMs`. Resolves once nothing of it runs. */
export async function stopBackground(started: BackgroundProcess, graceMs = 10_000): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    for (const pid of runningMembers(started)) {
      try {
        process.kill(pid, name);
      } catch {
        // Already gone.
      }
    }
  };
  const wait = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (isRunning(started) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  };
  signal("SIGTERM");
  await wait(graceMs);
  if (!isRunning(started)) return;
  signal("SIGKILL");
  await wait(5_000);
  if (isRunning(started)) throw new Error(`${started.name} (process ${started.pid}) did not stop`);
}
