import { execFile } from "node:child_process";
import * as fs from "node:fs";
import { promisify } from "node:util";
import { freePort } from "./free-port";
import { ManagedProcess, waitUntil } from "./managed-process";
import { type MariaDbCommandLines, type MariaDbTls, mariaDbCommandLines } from "./mariadb-command-lines";

const run = promisify(execFile);

/** Paths of the commands by name: mariadbd, mariadb-install-db and mariadb. */
export type MariaDbCommands = Readonly<Record<string, string>>;

/**
 * A throwaway MariaDB on 127.0.0.1: its own data dir, socket and free port,
 * run as the current user. The root account (no password, over the socket
 * only) is the admin; the app gets a real user with a password.
 */
export class LocalMariaDb {
  readonly host = "127.0.0.1";

  private constructor(
    readonly port: number,
    private readonly commandLines: MariaDbCommandLines,
    private readonly commands: MariaDbCommands,
    private server: ManagedProcess,
  ) {}

  /** With `tls`, the server requires TLS of every TCP client, as RDS does with require_secure_transport. */
  static async start(options: { readonly directory: string; readonly commands: MariaDbCommands; readonly tls?: MariaDbTls }): Promise<LocalMariaDb> {
    const { directory, commands, tls } = options;
    const port = await freePort();
    const commandLines = mariaDbCommandLines({ directory, port, tls });
    await run(commands["mariadb-install-db"], commandLines.install, {
      timeout: 60_000,
    }).catch((error: { stderr?: string; message: string }) => {
      throw new Error(`mariadb-install-db failed: ${error.stderr ?? error.message}`);
    });
    const database = new LocalMariaDb(port, commandLines, commands, LocalMariaDb.serve(commandLines, commands));
    try {
      await database.ready();
    } catch (error) {
      await database.stop();
      throw error;
    }
    return database;
  }

  /** Runs SQL as root over the socket; returns the result rows tab-separated, without headers. */
  async sql(statements: string): Promise<string> {
    const { stdout } = await run(this.commands.mariadb, [
      "--no-defaults",
      `--socket=${this.commandLines.socket}`,
      "--user=root",
      "--batch",
      "--skip-column-names",
      "-e",
      statements,
    ]);
    return stdout.trim();
  }

  /**
   * Down as in a failover: `kill` ends the server at once (SIGKILL: every
   * connection cut, InnoDB recovers from its redo log on the next start),
   * `stop` shuts it down cleanly. Resolves once it no longer runs.
   */
  async takeDown(how: "kill" | "stop"): Promise<void> {
    await (how === "kill" ? this.server.kill() : this.server.stop(30_000));
  }

  /** Starts the server again on the same data, port and socket; resolves once it answers. */
  async startAgain(): Promise<void> {
    if (!this.server.hasExited) throw new Error("MariaDB is still running: take it down first");
    this.server = LocalMariaDb.serve(this.commandLines, this.commands);
    await this.ready();
  }

  async stop(): Promise<void> {
    await this.server.stop(30_000);
  }

  private static serve(commandLines: MariaDbCommandLines, commands: MariaDbCommands): ManagedProcess {
    return ManagedProcess.start("mariadbd", commands.mariadbd, commandLines.server);
  }

  private ready(): Promise<void> {
    return waitUntil(this.server, async () => fs.existsSync(this.commandLines.socket) && (await this.sql("SELECT 1")) === "1", 60_000);
  }
}

/** A MariaDB string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}
