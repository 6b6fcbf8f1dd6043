import * as os from "node:os";
import * as path from "node:path";

/** The certificate a MariaDB speaks TLS with, and the CA that signed it. */
export interface MariaDbTls {
  readonly caFile: string;
  readonly certificateFile: string;
  readonly keyFile: string;
}

/** How to make and run a throwaway MariaDB whose files all live in one folder. */
export interface MariaDbCommandLines {
  readonly dataDirectory: string;
  /** The socket root's admin connection uses (root has no password and no TCP login). */
  readonly socket: string;
  /** mariadb-install-db's arguments: a data dir whose root logs in over the socket only. */
  readonly install: string[];
  /** mariadbd's arguments: listening on 127.0.0.1:`port` and the socket. */
  readonly server: string[];
}

/**
 * A MariaDB on 127.0.0.1 as the local runs and the app's tests make it: its
 * own data dir, socket and port under `directory`, run as the current user,
 * no binary log. With `tls`, it requires TLS of every TCP client, as RDS does
 * with require_secure_transport.
 */
export function mariaDbCommandLines(options: { readonly directory: string; readonly port: number; readonly tls?: MariaDbTls }): MariaDbCommandLines {
  const { directory, port, tls } = options;
  const dataDirectory = path.join(directory, "data");
  const socket = path.join(directory, "mariadb.sock");
  // A small redo log and buffer pool: a handful of rows, and a fast start on two cores.
  const common = [
    "--no-defaults",
    `--datadir=${dataDirectory}`,
    `--user=${os.userInfo().username}`,
    "--innodb-log-file-size=4M",
    "--innodb-buffer-pool-size=16M",
  ];
  return {
    dataDirectory,
    socket,
    install: [...common, "--auth-root-authentication-method=normal", "--skip-test-db"],
    server: [
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
    ],
  };
}
