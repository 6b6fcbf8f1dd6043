import * as crypto from "node:crypto";

/**
 * AWS Signature Version 4, written from AWS's specification independently of
 * the app's PHP signer, so that the stand-ins check the app rather than agree
 * with it by construction. Both are tested against AWS's published vectors.
 */
export interface SigV4Input {
  readonly method: string;
  readonly path: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly signedHeaders: readonly string[];
  readonly body: string | Buffer;
  readonly secretAccessKey: string;
  /** YYYYMMDD'T'HHMMSS'Z' */
  readonly amzDate: string;
  readonly region: string;
  readonly service: string;
}

export function sigV4Signature(input: SigV4Input): string {
  const sha256 = (data: string | Buffer) => crypto.createHash("sha256").update(data).digest("hex");
  const hmac = (key: string | Buffer, data: string) => crypto.createHmac("sha256", key).update(data).digest();
  const names = [...input.signedHeaders].sort();
  const canonicalHeaders = names.map((name) => `${name}:${(input.headers[name] ?? "").trim().replace(/\s+/g, " ")}\n`).join("");
  const canonicalRequest = [input.method, input.path, "", canonicalHeaders, names.join(";"), sha256(input.body)].join("\n");
  const day = input.amzDate.slice(0, 8);
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", input.amzDate, scope, sha256(canonicalRequest)].join("\n");
  let key: Buffer = hmac(`AWS4${input.secretAccessKey}`, day);
  for (const part of [input.region, input.service, "aws4_request"]) key = hmac(key, part);
  return crypto.createHmac("sha256", key).update(stringToSign).digest("hex");
}

export interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly day: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: string[];
  readonly signature: string;
}

export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
    header ?? "",
  );
  if (!match) return undefined;
  const [, accessKeyId, day, region, service, signedHeaders, signature] = match;
  return { accessKeyId, day, region, service, signedHeaders: signedHeaders.split(";"), signature };
}

/** AWS's SigV4 test suite (get-vanilla, post-vanilla), shared by the PHP and TypeScript tests. */
export const AWS_SIGV4_VECTORS = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  amzDate: "20150830T123600Z",
  region: "us-east-1",
  service: "service",
  host: "example.amazonaws.com",
  cases: [
    { name: "get-vanilla", method: "GET", signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" },
    { name: "post-vanilla", method: "POST", signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b" },
  ],
} as const;
