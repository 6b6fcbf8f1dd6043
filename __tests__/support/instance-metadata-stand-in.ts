import * as crypto from "node:crypto";
import * as http from "node:http";
import type { StandInCredentials } from "./secrets-manager-stand-in";
import { closeServer, listenOnLoopback, loopbackEndpoint } from "./loopback-server";

/**
 * The instance metadata service on 127.0.0.1 with IMDSv2 enforced, as the
 * launch template sets it: a PUT for a session token first, and that token
 * on every read. It can be slow, as a struggling one is: late answers, or an
 * answer that never ends.
 */
export class InstanceMetadataStandIn {
  /** "METHOD path" of every request, in order. */
  readonly requests: string[] = [];
  /** "METHOD path" of the requests whose client hung up before the answer was complete. */
  readonly abandoned: string[] = [];
  /** Milliseconds before each answer starts. */
  answerDelayMs = 0;
  /** When set, each answer sends its headers, then a byte of its body this often, and never finishes. */
  trickleMs: number | undefined;
  private readonly tokens = new Set<string>();

  private constructor(
    private readonly server: http.Server,
    private readonly role: string,
    private readonly credentials: Required<StandInCredentials>,
  ) {}

  static async start(role: string, credentials: Required<StandInCredentials>): Promise<InstanceMetadataStandIn> {
    // Requests reach the stand-in once it exists: the server only listens after that.
    const server = http.createServer((request, response) => {
      request.resume();
      request.on("end", () => standIn.answer(request, response));
    });
    const standIn = new InstanceMetadataStandIn(server, role, credentials);
    await listenOnLoopback(server);
    return standIn;
  }

  get endpoint(): string {
    return loopbackEndpoint(this.server);
  }

  stop(): Promise<void> {
    return closeServer(this.server);
  }

  private answer(request: http.IncomingMessage, response: http.ServerResponse): void {
    const label = `${request.method} ${request.url}`;
    this.requests.push(label);
    let trickle: NodeJS.Timeout | undefined;
    response.once("close", () => {
      clearInterval(trickle);
      if (!response.writableFinished) this.abandoned.push(label);
    });
    const send = (status: number, body: string): void => {
      const trickleMs = this.trickleMs;
      setTimeout(() => {
        if (response.destroyed) return;
        if (trickleMs === undefined) {
          response.writeHead(status, { "Content-Type": "text/plain" }).end(body);
          return;
        }
        response.writeHead(status, { "Content-Type": "text/plain", "Content-Length": "1000000" }).flushHeaders();
        trickle = setInterval(() => response.write(" "), trickleMs);
      }, this.answerDelayMs);
    };
    if (request.url === "/latest/api/token") {
      const ttl = Number(request.headers["x-aws-ec2-metadata-token-ttl-seconds"]);
      if (request.method !== "PUT" || !(ttl >= 1 && ttl <= 21600)) return send(400, "Bad Request");
      const token = crypto.randomBytes(24).toString("base64");
      this.tokens.add(token);
      return send(200, token);
    }
    if (request.method !== "GET" || !this.tokens.has(String(request.headers["x-aws-ec2-metadata-token"]))) return send(401, "Unauthorized");
    const prefix = "/latest/meta-data/iam/security-credentials/";
    if (request.url === prefix) return send(200, this.role);
    if (request.url === prefix + this.role) {
      return send(
        200,
        JSON.stringify({
          Code: "Success",
          LastUpdated: new Date().toISOString(),
          Type: "AWS-HMAC",
          AccessKeyId: this.credentials.accessKeyId,
          SecretAccessKey: this.credentials.secretAccessKey,
          Token: this.credentials.sessionToken,
          Expiration: new Date(Date.now() + 6 * 3600_000).toISOString(),
        }),
      );
    }
    return send(404, "Not Found");
  }
}
