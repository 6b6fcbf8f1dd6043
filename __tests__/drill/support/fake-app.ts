import * as http from "node:http";
import { closeServer, listenOnLoopback, loopbackEndpoint } from "../../support/loopback-server";

/** How the fake app answers one request: an HTTP status, no answer at all, or a dropped connection. */
export type FakeAnswer = number | "hang" | "reset";

export interface FakeApp {
  /** `http://127.0.0.1:<port>/`. */
  readonly url: string;
  /** Requests received so far. */
  readonly requests: () => number;
  /** TCP connections accepted so far. */
  readonly connections: () => number;
  close(): Promise<void>;
}

/**
 * A local HTTP server standing in for the load balancer: `answer(n)` decides
 * what the n-th request (1-based) gets. Listens on a free port of 127.0.0.1.
 */
export async function startFakeApp(answer: (requestNumber: number) => FakeAnswer): Promise<FakeApp> {
  let count = 0;
  const server = http.createServer((request, response) => {
    const reply = answer(++count);
    if (reply === "hang") return; // the client's timeout ends it; close() cleans up
    if (reply === "reset") {
      request.socket.destroy();
      return;
    }
    response.writeHead(reply, { "content-type": "text/plain" });
    response.end(reply < 300 ? "Inventory\n" : "Bad gateway\n");
  });
  let connections = 0;
  server.on("connection", () => connections++);
  await listenOnLoopback(server);
  return {
    url: `${loopbackEndpoint(server)}/`,
    requests: () => count,
    connections: () => connections,
    close: () => closeServer(server),
  };
}
