import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import * as fs from "node:fs";

const running = new Set<ChildProcess>();
// Last resort if a run dies between start and stop: no server outlives the Jest worker or the command.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** A server process a test or a local command starts and must stop; keeps the tail of its output for error messages. */
export class ManagedProcess {
  private outputTail = "";
  private readonly exit: Promise<number | null>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.outputTail = (this.outputTail + chunk.toString("utf8")).slice(-200_000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.exit = new Promise((resolve) => {
      child.once("exit", (code) => {
        running.delete(child);
        resolve(code);
      });
      child.once("error", (error) => {
        keep(Buffer.from(`\n${error.message}\n`));
        running.delete(child);
        resolve(null);
      });
    });
  }

  static start(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): ManagedProcess {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    running.add(child);
    return new ManagedProcess(name, child);
  }

  get output(): string {
    return this.outputTail;
  }

  get hasExited(): boolean {
    return !running.has(this.child);
  }

  /**
   * SIGTERM to it and the processes it started, then SIGKILL to whichever still runs after the
   * grace period. Its children too: PHP's built-in server leaves its workers running when it is
   * told to stop, and they hold the output pipes open. Safe to call twice.
   */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.hasExited) return;
    const children = childrenOf(this.child.pid!);
    signal(children, "SIGTERM");
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exit;
    clearTimeout(timer);
    const deadline = Date.now() + graceMs;
    while (children.some(isAlive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    signal(children.filter(isAlive), "SIGKILL");
  }

  /** SIGKILL to it and the processes it started, as a crash would end them: no shutdown of their own. Resolves once it has exited. */
  async kill(): Promise<void> {
    if (this.hasExited) return;
    signal(childrenOf(this.child.pid!), "SIGKILL");
    this.child.kill("SIGKILL");
    await this.exit;
  }
}

/** A process as seen once: its id and command line, so a reused id is never signalled. */
interface SeenProcess {
  readonly pid: number;
  readonly commandLine: string;
}

/** The processes whose parent is `parent` (Linux's /proc; none elsewhere). */
function childrenOf(parent: number): SeenProcess[] {
  const children: SeenProcess[] = [];
  if (!fs.existsSync("/proc")) return children;
  for (const entry of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      // After the command's name: state, then the parent's id.
      if (Number(fs.readFileSync(`/proc/${entry}/stat`, "utf8").split(") ").pop()!.split(" ")[1]) !== parent) continue;
      children.push({ pid: Number(entry), commandLine: fs.readFileSync(`/proc/${entry}/cmdline`, "utf8") });
    } catch {
      // It ended while being looked at.
    }
  }
  return children;
}

function isAlive(seen: SeenProcess): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${seen.pid}/stat`, "utf8").split(") ").pop()!;
    return !stat.startsWith("Z") && fs.readFileSync(`/proc/${seen.pid}/cmdline`, "utf8") === seen.commandLine;
  } catch {
    return false;
  }
}

function signal(processes: readonly SeenProcess[], name: NodeJS.Signals): void {
  for (const seen of processes) {
    try {
      process.kill(seen.pid, name);
    } catch {
      // Already gone.
    }
  }
}

/** Polls until `ready` resolves true, failing early with the process's output if it exits. */
export async function waitUntil(server: ManagedProcess, ready: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.hasExited) throw new Error(`${server.name} exited while starting:\n${server.output}`);
    if (await ready().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${server.name} was not ready after ${timeoutMs} ms:\n${server.output}`);
}
