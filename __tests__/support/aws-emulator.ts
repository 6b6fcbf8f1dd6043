import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { findExecutable } from "../../src/system/executables";
import { freePort } from "./free-port";
import { ManagedProcess, waitUntil } from "./managed-process";
import { requireCommands } from "./require-commands";
import { makeTestCertificates } from "./tls-certificates";

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
  "cloudwatch",
  "dynamodb",
  "ec2",
  "elbv2",
  "iam",
  "kms",
  "logs",
  "rds",
  "route53",
  "s3",
  "secretsmanager",
  "sns",
  "ssm",
  "sts",
  "wafv2",
] as const;

export const MOTO_INSTALL_HINT =
  "moto_server (Python package moto[server] 5.2) is not on PATH: install it with `pip install 'moto[server]>=5.2,<5.3'`, " +
  "or run `bash scripts/install-test-deps.sh`, which does";

/**
 * moto, the AWS API emulator, as a server on 127.0.0.1 on a free port,
 * speaking TLS with a certificate of a throwaway CA: bucket policies that
 * refuse plain HTTP stay as they are, and Terraform, the AWS SDK and the
 * probes trust only that CA for it. Start it, use it, stop it; the process
 * never outlives the test worker.
 */
export class AwsEmulator {
  private constructor(
    private readonly server: ManagedProcess,
    readonly port: number,
    /** The CA that signed the emulator's certificate, for every client of it. */
    readonly caFile: string,
    private readonly directory: string,
  ) {}

  static async start(): Promise<AwsEmulator> {
    const motoServer = findExecutable("moto_server", (process.env.PATH ?? "").split(path.delimiter));
    if (!motoServer) throw new Error(MOTO_INSTALL_HINT);
    const { openssl } = requireCommands(["openssl"]);
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "aws-emulator-"));
    const certificates = await makeTestCertificates(directory, openssl);
    const port = await freePort();
    const server = ManagedProcess.start(
      "moto_server",
      motoServer,
      ["-H", "127.0.0.1", "-p", String(port), "-c", certificates.certificateFile, "-k", certificates.keyFile],
      {
        // AWS managed policies (AmazonSSMManagedInstanceCore, AmazonRDSEnhancedMonitoringRole) exist only when loaded.
        env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: "true", PYTHONUNBUFFERED: "1" },
      },
    );
    const emulator = new AwsEmulator(server, port, certificates.caFile, directory);
    try {
      await waitUntil(server, () => emulator.answers(), 60_000);
    } catch (error) {
      await emulator.stop();
      throw error;
    }
    return emulator;
  }

  get endpoint(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** The tail of moto's own log, for a failure message. */
  get log(): string {
    return this.server.output.slice(-4000);
  }

  get isRunning(): boolean {
    return !this.server.hasExited;
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

  /** `-backend-config` settings that point a stack's own S3 backend block at the emulator; bucket, key and locking stay as synthesized. */
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
  awsVariables(): NodeJS.ProcessEnv {
    const variables: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) {
      if (!/^AWS_/.test(name)) variables[name] = value;
    }
    return {
      ...variables,
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
    return new Promise((resolve, reject) => {
      const request = https.request(`${this.endpoint}/moto-api/reset-auth`, { method: "POST", ca: fs.readFileSync(this.caFile) }, (response) => {
        response.resume();
        response.on("end", () => (response.statusCode === 200 ? resolve() : reject(new Error(`reset-auth answered ${response.statusCode}`))));
      });
      request.on("error", reject);
      request.end(on ? "0" : "1e9");
    });
  }

  async stop(): Promise<void> {
    await this.server.stop();
    fs.rmSync(this.directory, { recursive: true, force: true });
  }

  private answers(): Promise<boolean> {
    return new Promise((resolve) => {
      const request = https.get(`${this.endpoint}/moto-api/`, { ca: fs.readFileSync(this.caFile), timeout: 2_000 }, (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      });
      request.on("error", () => resolve(false));
      request.on("timeout", () => request.destroy());
    });
  }
}
