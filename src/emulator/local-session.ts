import * as fs from "node:fs";
import * as path from "node:path";
import { type BackgroundProcess, isRunning, stopBackground } from "../system/background-process";

/** What `npm run local` started and deployed, as `npm run local:down` (and the next `npm run local`) reads it. */
export interface LocalSessionRecord {
  /** The environment deployed into the emulator. */
  readonly environment: string;
  readonly emulator: { readonly port: number; readonly caFile: string; readonly process: BackgroundProcess };
  /** The app on loopback, when it was served. */
  readonly app?: { readonly url: string; readonly processes: readonly BackgroundProcess[] };
}

const RECORD_FILE = "session.json";

/**
 * The folder of one local deploy: the emulator's certificates and log, the
 * synthesized stacks it was deployed from (the bootstrap stack's state in
 * its folder), the app's database, and the record of the processes that run
 * in the background. INVENTORY_LOCAL_DIR chooses it; by default
 * `.cache/local` in the project.
 */
export class LocalSession {
  readonly directory: string;

  constructor(projectRoot: string, variables: NodeJS.ProcessEnv = process.env) {
    this.directory = path.resolve(variables.INVENTORY_LOCAL_DIR || path.join(projectRoot, ".cache", "local"));
  }

  path(...parts: string[]): string {
    return path.join(this.directory, ...parts);
  }

  /** The record of the running session, or undefined when none was started (or it was torn down). */
  read(): LocalSessionRecord | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.path(RECORD_FILE), "utf8")) as LocalSessionRecord;
    } catch {
      return undefined;
    }
  }

  write(record: LocalSessionRecord): void {
    fs.mkdirSync(this.directory, { recursive: true });
    fs.writeFileSync(this.path(RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
  }

  /** Every background process of the record, the app's first (they talk to the emulator), then the emulator. */
  static processes(record: LocalSessionRecord): BackgroundProcess[] {
    return [...(record.app?.processes ?? []), record.emulator.process];
  }

  /** Whether the record's emulator still runs. */
  static emulatorRunning(record: LocalSessionRecord): boolean {
    return isRunning(record.emulator.process);
  }

  /**
   * Stops every process of the session and removes its folder: the
   * emulator holds everything it was given in memory, so stopping it
   * removes every resource the deploy made, and the state that described
   * them (the environment's in the emulator's bucket, the bootstrap's in
   * the folder) goes with it. Returns the names of what was stopped.
   */
  async tearDown(): Promise<string[]> {
    const record = this.read();
    const stopped: string[] = [];
    for (const started of record ? LocalSession.processes(record) : []) {
      if (!isRunning(started)) continue;
      await stopBackground(started);
      stopped.push(`${started.name} (process ${started.pid})`);
    }
    fs.rmSync(this.directory, { recursive: true, force: true });
    return stopped;
  }
}
