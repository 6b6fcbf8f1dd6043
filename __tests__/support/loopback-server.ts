import type * as http from "node:http";
import type { AddressInfo } from "node:net";

/** Listens on 127.0.0.1 on a port the system picks; tests never listen elsewhere. */
export function listenOnLoopback(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
}

/** `http://127.0.0.1:<port>` of a listening server. */
export function loopbackEndpoint(server: http.Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes the server and any connection a client kept alive. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
