import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import { parseAuthorization, sigV4Signature } from "./sigv4";
import { closeServer, listenOnLoopback, loopbackEndpoint } from "./loopback-server";

export interface StandInCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface StandInTls {
  readonly certificateFile: string;
  readonly keyFile: string;
}

export interface DatabaseSecretValue {
  username: string;
  password: string;
}

/**
 * Secrets Manager's GetSecretValue on 127.0.0.1, strict about what the real
 * one checks: the JSON protocol's target and content type, a SigV4 signature
 * by the one known key (and its session token) for this region and service,
 * a request time within five minutes, and the one secret's ARN.
 */
export class SecretsManagerStandIn {
  /** What the next GetSecretValue returns; a test rotates it by assignment. */
  secret: DatabaseSecretValue;
  /** Successful GetSecretValue calls so far. */
  served = 0;
  /** Why requests were refused, for assertions and failure messages. */
  readonly refusals: string[] = [];
  /** Milliseconds before each answer: a slow Secrets Manager. */
  answerDelayMs = 0;

  private constructor(
    private readonly server: http.Server,
    private readonly options: { region: string; secretArn: string; credentials: StandInCredentials; tls?: StandInTls },
    secret: DatabaseSecretValue,
  ) {
    this.secret = { ...secret };
  }

  static async start(options: {
    readonly region: string;
    readonly secretArn: string;
    readonly credentials: StandInCredentials;
    readonly secret: DatabaseSecretValue;
    /** Serve HTTPS with this certificate, as the real endpoint does. */
    readonly tls?: StandInTls;
  }): Promise<SecretsManagerStandIn> {
    // Requests reach the stand-in once it exists: the server only listens after that.
    const handler: http.RequestListener = (request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => setTimeout(() => standIn.answer(request, Buffer.concat(chunks), response), standIn.answerDelayMs));
    };
    const { tls } = options;
    const server = tls
      ? (https.createServer({ cert: fs.readFileSync(tls.certificateFile), key: fs.readFileSync(tls.keyFile) }, handler) as unknown as http.Server)
      : http.createServer(handler);
    const standIn = new SecretsManagerStandIn(server, options, options.secret);
    await listenOnLoopback(server);
    return standIn;
  }

  get endpoint(): string {
    const endpoint = loopbackEndpoint(this.server);
    return this.options.tls ? endpoint.replace(/^http:/, "https:") : endpoint;
  }

  stop(): Promise<void> {
    return closeServer(this.server);
  }

  private answer(request: http.IncomingMessage, body: Buffer, response: http.ServerResponse): void {
    const refuse = (status: number, type: string, message: string) => {
      this.refusals.push(`${type}: ${message}`);
      response.writeHead(status, { "Content-Type": "application/x-amz-json-1.1" }).end(JSON.stringify({ __type: type, message }));
    };
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
    const { region, secretArn, credentials } = this.options;

    if (request.method !== "POST" || request.url !== "/") return refuse(404, "UnknownOperationException", `${request.method} ${request.url}`);
    if (headers["x-amz-target"] !== "secretsmanager.GetSecretValue") return refuse(400, "UnknownOperationException", `target ${headers["x-amz-target"]}`);
    if (!headers["content-type"]?.startsWith("application/x-amz-json-1.1"))
      return refuse(400, "SerializationException", `content type ${headers["content-type"]}`);

    const authorization = parseAuthorization(headers.authorization);
    if (!authorization) return refuse(400, "IncompleteSignatureException", `authorization ${headers.authorization}`);
    if (authorization.accessKeyId !== credentials.accessKeyId) return refuse(400, "UnrecognizedClientException", `key ${authorization.accessKeyId}`);
    if (authorization.region !== region || authorization.service !== "secretsmanager") {
      return refuse(400, "InvalidSignatureException", `scope ${authorization.region}/${authorization.service}`);
    }
    const amzDate = headers["x-amz-date"] ?? "";
    const requestTime = Date.parse(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z"));
    if (!(Math.abs(Date.now() - requestTime) < 5 * 60_000) || authorization.day !== amzDate.slice(0, 8)) {
      return refuse(400, "InvalidSignatureException", `request time ${amzDate}`);
    }
    const mustSign = ["host", "x-amz-date", "x-amz-target", ...(credentials.sessionToken ? ["x-amz-security-token"] : [])];
    const unsigned = mustSign.filter((name) => !authorization.signedHeaders.includes(name));
    if (unsigned.length > 0) return refuse(400, "InvalidSignatureException", `unsigned ${unsigned.join(", ")}`);
    if (credentials.sessionToken && headers["x-amz-security-token"] !== credentials.sessionToken) {
      return refuse(400, "UnrecognizedClientException", "session token");
    }
    const expected = sigV4Signature({
      method: "POST",
      path: "/",
      headers,
      signedHeaders: authorization.signedHeaders,
      body,
      secretAccessKey: credentials.secretAccessKey,
      amzDate,
      region,
      service: "secretsmanager",
    });
    if (!crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(authorization.signature))) {
      return refuse(403, "InvalidSignatureException", "signature mismatch");
    }

    let secretId: unknown;
    try {
      secretId = (JSON.parse(body.toString("utf8")) as { SecretId?: unknown }).SecretId;
    } catch {
      return refuse(400, "SerializationException", "body is not JSON");
    }
    if (secretId !== secretArn) return refuse(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");

    this.served += 1;
    response.writeHead(200, { "Content-Type": "application/x-amz-json-1.1" }).end(
      JSON.stringify({
        ARN: secretArn,
        Name: secretArn.split(":").slice(6).join(":"),
        VersionId: crypto.randomUUID(),
        SecretString: JSON.stringify(this.secret),
        VersionStages: ["AWSCURRENT"],
        CreatedDate: Date.now() / 1000,
      }),
    );
  }
}
