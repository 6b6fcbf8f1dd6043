import * as http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Secrets Manager's GetSecretValue on 127.0.0.1 for a local run of the app:
 * any call with the JSON protocol's target gets `secret`. It checks no
 * signature (the app's tests do, against a strict stand-in); it only lets
 * the app read its database user's password as it does on AWS.
 */
export class SecretStandIn {
  private constructor(
    private readonly server: http.Server,
    readonly endpoint: string,
  ) {}

  static async start(secret: { readonly username: string; readonly password: string }): Promise<SecretStandIn> {
    const server = http.createServer((request, response) => {
      request.resume();
      request.on("end", () => {
        const ok = request.method === "POST" && request.headers["x-amz-target"] === "secretsmanager.GetSecretValue";
        response.writeHead(ok ? 200 : 400, { "content-type": "application/x-amz-json-1.1" });
        response.end(JSON.stringify(ok ? { SecretString: JSON.stringify(secret) } : { __type: "UnknownOperationException" }));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return new SecretStandIn(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
