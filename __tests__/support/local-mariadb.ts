import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../src/system/free-port";
import { ManagedProcess, waitUntil } from "./managed-process";

const run = promisify(execFile);

export interface MariaDbTls {
  readonly caFile: string;
  readonly certificateFile: string;
  readonly keyFile: string;
}

/**
 * A throwaway MariaDB on 127.0.0.1: its own data dir, socket and free port,
 * run as the current user. The root account (no password, over the socket
 * only) is the test's admin; the app gets a real user with a password.
 */
export class LocalMariaDb {
  readonly host = "127.0.0.1";

  private constructor(
    readonly port: number,
    private readonly socket: string,
    private readonly client: string,
    private readonly server: ManagedProcess,
  ) {}

  /** With `tls`, the server requires TLS of every TCP client, as RDS does with require_secure_transport. */
  static async start(options: { readonly directory: string; readonly commands: Record<string, string>; readonly tls?: MariaDbTls }): Promise<LocalMariaDb> {
    const { directory, commands, tls } = options;
    const dataDir = path.join(directory, "data");
    const socket = path.join(directory, "mariadb.sock");
    // Small redo log and buffer pool: this database holds a handful of rows and must start fast on 2 cores.
    const common = ["--no-defaults", `--datadir=${dataDir}`, `--user=${os.userInfo().username}`, "--innodb-log-file-size=4M", "--innodb-buffer-pool-size=16M"];
    await run(commands["mariadb-install-db"], [...common, "--auth-root-authentication-method=normal", "--skip-test-db"], {
      timeout: 60_000,
    }).catch((error: { stderr?: string; message: string }) => {
      throw new Error(`mariadb-install-db failed: ${error.stderr ?? error.message}`);
    });

    const port = await freePort();
    const server = ManagedProcess.start("mariadbd", commands.mariadbd, [
      ...common,
      `--socket=${socket}`,
      `--port=${port}`,
      "--bind-address=127.0.0.1",
      "--skip-networking=0",
      "--skip-name-resolve",
      "--skip-log-bin",
      "--performance-schema=OFF",
      `--pid-file=${path.join(directory, "mariadbd.pid")}`,
      `--tmpdir=${directory}`,
      ...(tls ? [`--ssl-ca=${tls.caFile}`, `--ssl-cert=${tls.certificateFile}`, `--ssl-key=${tls.keyFile}`, "--require-secure-transport=ON"] : []),
    ]);
    const database = new LocalMariaDb(port, socket, commands.mariadb, server);
    try {
      await waitUntil(server, async () => fs.existsSync(socket) && (await database.sql("SELECT 1")) === "1", 30_000);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return database;
  }

  /** Runs SQL as root over the socket; returns the result rows tab-separated, without headers. */
  async sql(statements: string): Promise<string> {
    const { stdout } = await run(this.client, ["--no-defaults", `--socket=${this.socket}`, "--user=root", "--batch", "--skip-column-names", "-e", statements]);
    return stdout.trim();
  }

  async stop(): Promise<void> {
    await this.server.stop(30_000);
  }
}

/** A MariaDB string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}
