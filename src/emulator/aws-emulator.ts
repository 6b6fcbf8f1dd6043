import * as fs from "node:fs";
import * as https from "node:https";
import * as path from "node:path";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { findExecutable } from "../system/executables";

/** moto's fixed account: what `sts:GetCallerIdentity` answers and every ARN it makes holds. */
export const EMULATOR_ACCOUNT = "123456789012";
export const EMULATOR_REGION = "us-west-2";
const CREDENTIALS = { accessKeyId: "emulator", secretAccessKey: "emulator" };

/**
 * Every service the stacks use (and those the next features will), each
 * pointed at the emulator by name in the provider's `endpoints`. Anything
 * else still goes to the emulator: AWS_ENDPOINT_URL is set for every
 * Terraform process, so no request can reach a real AWS endpoint.
 */
const PROVIDER_SERVICES = [
  "acm",
  "autoscaling",
  "backup",
  "cloudwatch",
  "dynamodb",
  "ec2",
  "elbv2",
  "fis",
  "iam",
  "kms",
  "lambda",
  "logs",
  "rds",
  "route53",
  "s3",
  "secretsmanager",
  "sns",
  "ssm",
  "sts",
  "cognitoidp",
  "wafv2",
] as const;

export const MOTO_INSTALL_HINT =
  "moto_server (Python package moto[server] 5.2) is not on PATH: install it with `pip install 'moto[server]>=5.2,<5.3'`, " +
  "or run `bash scripts/install-test-deps.sh`, which does";

/** The moto_server executable on PATH; throws with the install hint. */
export function motoServerExecutable(variables: NodeJS.ProcessEnv = process.env): string {
  const found = findExecutable("moto_server", (variables.PATH ?? "").split(path.delimiter));
  if (!found) throw new Error(MOTO_INSTALL_HINT);
  return found;
}

/** moto_server's arguments: 127.0.0.1 only, on `port`, speaking TLS with the given certificate. */
export function motoServerArguments(port: number, tls: { certificateFile: string; keyFile: string }): string[] {
  return ["-H", "127.0.0.1", "-p", String(port), "-c", tls.certificateFile, "-k", tls.keyFile];
}

/** moto_server's environment: AWS managed policies (AmazonSSMManagedInstanceCore, AmazonRDSEnhancedMonitoringRole) exist only when loaded. */
export function motoServerEnvironment(variables: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...variables, MOTO_IAM_LOAD_MANAGED_POLICIES: "true", PYTHONUNBUFFERED: "1" };
}

/**
 * moto, the AWS API emulator, as its clients see it: a server on
 * 127.0.0.1:`port` speaking TLS with a certificate of a throwaway CA
 * (`caFile`), which Terraform, the AWS SDK and the app trust for it alone.
 * How the server process is run (beside a test, or in the background for
 * `npm run local`) is its owner's business; this is everything that talks
 * to it. `directory` holds the empty AWS config and credentials files that
 * keep a user's own profiles out.
 */
export class EmulatorEndpoint {
  constructor(
    readonly port: number,
    /** The CA that signed the emulator's certificate, for every client of it. */
    readonly caFile: string,
    protected readonly directory: string,
  ) {}

  get endpoint(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Settings for an AWS SDK v3 client of the emulator: its endpoint, dummy credentials, and its CA alone. */
  clientConfig(options: { maxAttempts?: number } = {}) {
    return {
      region: EMULATOR_REGION,
      endpoint: this.endpoint,
      credentials: CREDENTIALS,
      forcePathStyle: true,
      maxAttempts: options.maxAttempts ?? 3,
      requestHandler: new NodeHttpHandler({ httpsAgent: new https.Agent({ ca: fs.readFileSync(this.caFile), keepAlive: false }) }),
    };
  }

  /** The AWS provider settings of an override file: every service at the emulator, dummy credentials, moto's account looked up. */
  providerOverride(): Record<string, unknown> {
    return {
      access_key: CREDENTIALS.accessKeyId,
      secret_key: CREDENTIALS.secretAccessKey,
      custom_ca_bundle: this.caFile,
      skip_credentials_validation: true,
      skip_metadata_api_check: true,
      // The account id comes from the emulator's STS (123456789012), as ARNs in policies need it.
      skip_requesting_account_id: false,
      s3_use_path_style: true,
      endpoints: [Object.fromEntries(PROVIDER_SERVICES.map((service) => [service, this.endpoint]))],
    };
  }

  /** Settings that point a stack's own S3 backend block at the emulator; bucket, key and locking stay as synthesized. */
  backendConfig(): Record<string, unknown> {
    return {
      endpoints: { s3: this.endpoint, dynamodb: this.endpoint, sts: this.endpoint, iam: this.endpoint },
      use_path_style: true,
      access_key: CREDENTIALS.accessKeyId,
      secret_key: CREDENTIALS.secretAccessKey,
      custom_ca_bundle: this.caFile,
      skip_credentials_validation: true,
      skip_metadata_api_check: true,
      skip_requesting_account_id: true,
    };
  }

  /**
   * The process environment of anything that talks to the emulator through
   * the standard AWS variables (Terraform, `npm run plan -- --live`): its
   * endpoint for every service, dummy credentials, its CA, and none of the
   * user's own profiles, keys or instance metadata.
   */
  awsVariables(variables: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    const kept: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(variables)) {
      if (!/^AWS_/.test(name)) kept[name] = value;
    }
    return {
      ...kept,
      AWS_ENDPOINT_URL: this.endpoint,
      AWS_CA_BUNDLE: this.caFile,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_REGION: EMULATOR_REGION,
      AWS_S3_USE_PATH_STYLE: "true",
      AWS_CONFIG_FILE: path.join(this.directory, "no-aws-config"),
      AWS_SHARED_CREDENTIALS_FILE: path.join(this.directory, "no-aws-credentials"),
      AWS_EC2_METADATA_DISABLED: "true",
    };
  }

  /** Turns moto's IAM enforcement on (no unauthenticated request left) or off: every request checked against the caller's policies. */
  setIamEnforcement(on: boolean): Promise<void> {
    return this.post("/moto-api/reset-auth", on ? "0" : "1e9", 200);
  }

  /**
   * moto's own settings (`/moto-api/config`). moto runs Lambda functions in
   * Docker, which these machines lack: `{ lambda: { use_docker: false } }`
   * keeps functions and answers invocations without running them
   * (emulator-gaps.ts, secretsmanager-rotation-function).
   */
  configure(config: Record<string, unknown>): Promise<void> {
    return this.post("/moto-api/config", JSON.stringify(config), 201, { "Content-Type": "application/json" });
  }

  /** True once moto answers on its port. */
  answers(): Promise<boolean> {
    return new Promise((resolve) => {
      const request = https.get(`${this.endpoint}/moto-api/`, { ca: fs.readFileSync(this.caFile), timeout: 2_000 }, (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      });
      request.on("error", () => resolve(false));
      request.on("timeout", () => request.destroy());
    });
  }

  /**
   * One REST request to a service of the emulator without an SDK client of its own (AWS Backup's): moto finds the
   * service by the credential scope of the Authorization header, and checks no signature. The status and the JSON body.
   */
  serviceRequest(service: string, method: string, pathname: string, body?: object): Promise<{ status: number; json: Record<string, unknown> | undefined }> {
    const headers = {
      "Content-Type": "application/json",
      Authorization:
        `AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/20260101/${EMULATOR_REGION}/${service}/aws4_request, ` + "SignedHeaders=host, Signature=0",
    };
    return new Promise((resolve, reject) => {
      const request = https.request(`${this.endpoint}${pathname}`, { method, ca: fs.readFileSync(this.caFile), headers }, (response) => {
        let text = "";
        response.on("data", (chunk) => (text += chunk));
        response.on("end", () => {
          let json: Record<string, unknown> | undefined;
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            json = undefined;
          }
          resolve({ status: response.statusCode ?? 0, json });
        });
      });
      request.on("error", reject);
      request.end(body ? JSON.stringify(body) : undefined);
    });
  }

  private post(pathname: string, body: string, expectedStatus: number, headers: Record<string, string> = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      const request = https.request(`${this.endpoint}${pathname}`, { method: "POST", ca: fs.readFileSync(this.caFile), headers }, (response) => {
        response.resume();
        response.on("end", () =>
          response.statusCode === expectedStatus ? resolve() : reject(new Error(`${pathname.slice(1)} answered ${response.statusCode}`)),
        );
      });
      request.on("error", reject);
      request.end(body);
    });
  }
}
