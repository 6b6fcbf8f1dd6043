import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";

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

  /** SIGTERM, then SIGKILL if it has not exited after the grace period. Safe to call twice. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.hasExited) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exit;
    clearTimeout(timer);
  }

  /** SIGKILL, as a crash would end it: no shutdown of its own. Resolves once it has exited. */
  async kill(): Promise<void> {
    if (this.hasExited) return;
    this.child.kill("SIGKILL");
    await this.exit;
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
