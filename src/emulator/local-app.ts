import { execFile } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { promisify } from "node:util";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeLaunchTemplateVersionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type BackgroundProcess, isRunning, startBackground } from "../system/background-process";
import { findExecutable } from "../system/executables";
import { freePort } from "../system/free-port";
import { type MariaDbTls, mariaDbCommandLines } from "../system/mariadb-command-lines";
import type { EmulatorEndpoint } from "./aws-emulator";

const run = promisify(execFile);

/** The commands that serve the app on loopback, with the Debian package of each. */
const APP_TOOLS = { php: "php-cli", mariadbd: "mariadb-server", "mariadb-install-db": "mariadb-server", mariadb: "mariadb-server", tar: "tar" } as const;
type AppTools = Record<keyof typeof APP_TOOLS, string>;

/** The commands the app needs, or one problem per missing one (and for PHP without its MySQL driver), naming the package. */
export function findAppTools(variables: NodeJS.ProcessEnv = process.env): { tools?: AppTools; problems: string[] } {
  // mariadbd lives in /usr/sbin, which is not on every user's PATH.
  const searchPath = [...(variables.PATH ?? "").split(path.delimiter), "/usr/local/sbin", "/usr/sbin", "/sbin"];
  const found: Partial<AppTools> = {};
  const problems: string[] = [];
  for (const [command, debianPackage] of Object.entries(APP_TOOLS) as [keyof AppTools, string][]) {
    const location = findExecutable(command, searchPath);
    if (location) found[command] = location;
    else problems.push(`${command} is not on PATH: install it (Debian: apt-get install ${debianPackage}) to serve the app, or pass --no-app`);
  }
  if (problems.length > 0) return { problems };
  return { tools: found as AppTools, problems };
}

/** The boot script's settings as the deployed launch template's user data holds them (NAME='value' lines). */
export interface DeployedAppSettings {
  readonly DB_HOST: string;
  readonly DB_PORT: string;
  readonly DB_NAME: string;
  readonly DB_SECRET_ARN: string;
  readonly AWS_REGION: string;
  readonly VPC_CIDR: string;
  readonly APP_BUCKET: string;
  readonly APP_KEY: string;
  readonly APP_VERSION_ID: string;
  readonly APP_SHA256: string;
}

/**
 * What the deployed environment gives its servers: the user data of the
 * launch template version the Auto Scaling group runs, read from the
 * emulator, as the boot script would get it.
 */
export async function deployedAppSettings(emulator: EmulatorEndpoint, autoScalingGroupName: string): Promise<DeployedAppSettings> {
  const autoscaling = new AutoScalingClient(emulator.clientConfig());
  const { AutoScalingGroups } = await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [autoScalingGroupName] }));
  const template = AutoScalingGroups?.[0]?.LaunchTemplate;
  if (!template) throw new Error(`the emulator has no Auto Scaling group ${autoScalingGroupName} with a launch template`);
  const ec2 = new EC2Client(emulator.clientConfig());
  const { LaunchTemplateVersions } = await ec2.send(
    new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: template.LaunchTemplateId, Versions: [template.Version!] }),
  );
  const userData = Buffer.from(LaunchTemplateVersions?.[0]?.LaunchTemplateData?.UserData ?? "", "base64").toString("utf8");
  const values: Record<string, string> = {};
  for (const [, name, value] of userData.matchAll(/^([A-Z][A-Z0-9_]*)='([^']*)'$/gm)) values[name] = value;
  // The boot script names the region REGION.
  values.AWS_REGION = values.REGION;
  const required: (keyof DeployedAppSettings)[] = [
    "DB_HOST",
    "DB_PORT",
    "DB_NAME",
    "DB_SECRET_ARN",
    "AWS_REGION",
    "VPC_CIDR",
    "APP_BUCKET",
    "APP_KEY",
    "APP_VERSION_ID",
    "APP_SHA256",
  ];
  const missing = required.filter((name) => !values[name]);
  if (missing.length > 0) throw new Error(`the launch template's user data has no ${missing.join(", ")}`);
  return values as unknown as DeployedAppSettings;
}

/** The app served on loopback: its URL, what it runs in the background, and what stands in for what. */
export interface ServedApp {
  readonly url: string;
  readonly processes: BackgroundProcess[];
  /** Lines for the reader: each setting the local app takes from the deployed environment, and each stand-in. */
  readonly notes: string[];
}

/**
 * Serves the app as a server of the deployed environment would: the
 * artifact the launch template names, downloaded from the emulator's S3 and
 * checked against its SHA-256 (the boot script's fetch_app), under PHP's
 * built-in server; its settings file as the boot script writes it, but for
 * the database, which is a MariaDB on 127.0.0.1 requiring TLS in place of
 * RDS. The app user's password is put into its secret in the emulator's
 * Secrets Manager, as the secret's first rotation does on AWS, and the app
 * reads it from there.
 */
export async function serveApp(options: {
  readonly directory: string;
  readonly emulator: EmulatorEndpoint;
  readonly tools: AppTools;
  readonly deployed: DeployedAppSettings;
  /** The certificate MariaDB speaks TLS with (for 127.0.0.1), and the CA the app verifies it against. */
  readonly tls: { readonly caFile: string; readonly certificateFile: string; readonly keyFile: string };
  /** Records each process as soon as it runs, so a failure later leaves nothing a teardown cannot find. */
  readonly started: (process: BackgroundProcess) => void;
}): Promise<ServedApp> {
  const { directory, emulator, tools, deployed, tls } = options;
  fs.mkdirSync(directory, { recursive: true });

  const appDirectory = path.join(directory, "app");
  await fetchApp(emulator, deployed, appDirectory, tools.tar);

  const database = await startDatabase(path.join(directory, "mariadb"), tools, tls, options.started);
  const username = "inventory_app";
  const password = crypto.randomBytes(18).toString("base64url");
  await database.sql(
    `CREATE DATABASE IF NOT EXISTS \`${deployed.DB_NAME.replace(/`/g, "")}\`;
     CREATE USER IF NOT EXISTS '${username}'@'127.0.0.1' IDENTIFIED BY '${password}' REQUIRE SSL;
     ALTER USER '${username}'@'127.0.0.1' IDENTIFIED BY '${password}';
     GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER ON \`${deployed.DB_NAME.replace(/`/g, "")}\`.* TO '${username}'@'127.0.0.1';`,
  );
  await new SecretsManagerClient(emulator.clientConfig()).send(
    new PutSecretValueCommand({ SecretId: deployed.DB_SECRET_ARN, SecretString: JSON.stringify({ username, password }) }),
  );

  const cacheDirectory = path.join(directory, "cache");
  fs.mkdirSync(cacheDirectory, { recursive: true, mode: 0o700 });
  const settingsFile = path.join(directory, "app.ini");
  const settings: Record<string, string> = {
    db_host: "127.0.0.1",
    db_port: String(database.port),
    db_name: deployed.DB_NAME,
    db_secret_arn: deployed.DB_SECRET_ARN,
    aws_region: deployed.AWS_REGION,
    db_tls_ca: tls.caFile,
    secrets_endpoint: emulator.endpoint,
    cache_dir: cacheDirectory,
    instance_id: "local",
    availability_zone: "local",
    vpc_cidr: deployed.VPC_CIDR,
  };
  fs.writeFileSync(
    settingsFile,
    `${Object.entries(settings)
      .map(([key, value]) => `${key} = "${value}"`)
      .join("\n")}\n`,
    { mode: 0o600 },
  );

  const port = await freePort();
  const www = path.join(appDirectory, "www");
  const php = startBackground(
    "php -S (the app)",
    tools.php,
    ["-d", `openssl.cafile=${emulator.caFile}`, "-S", `127.0.0.1:${port}`, "-t", www, path.join(www, "index.php")],
    {
      // The emulator's keys, and a closed metadata endpoint: nothing reaches 169.254.169.254 or real AWS.
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        INVENTORY_APP_SETTINGS: settingsFile,
        AWS_ACCESS_KEY_ID: emulator.clientConfig().credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: emulator.clientConfig().credentials.secretAccessKey,
        AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://127.0.0.1:9",
      },
      logFile: path.join(directory, "php.log"),
      mark: www,
    },
  );
  options.started(php);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`the app at ${url}`, php, async () => (await httpStatus(`${url}/health`)) === 200);

  return {
    url,
    processes: [php, database.process],
    notes: [
      `the app: version ${deployed.APP_VERSION_ID} of s3://${deployed.APP_BUCKET}/${deployed.APP_KEY}, SHA-256 checked, as the launch template names it`,
      `its settings: ${path.relative(process.cwd(), settingsFile)}, the boot script's: db_name, the secret's ARN, the region and the VPC range as deployed`,
      `the database: MariaDB on 127.0.0.1:${database.port} (TLS required) stands in for RDS at ${deployed.DB_HOST}:${deployed.DB_PORT}`,
      `the app user's password: put into ${deployed.DB_SECRET_ARN.split(":").pop()} in the emulator's Secrets Manager, where the app reads it`,
    ],
  };
}

/** The boot script's fetch_app: that object version, unpacked only if its SHA-256 matches. */
async function fetchApp(emulator: EmulatorEndpoint, deployed: DeployedAppSettings, target: string, tar: string): Promise<void> {
  const s3 = new S3Client(emulator.clientConfig());
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: deployed.APP_BUCKET, Key: deployed.APP_KEY, VersionId: deployed.APP_VERSION_ID }));
  const bytes = Buffer.from(await Body!.transformToByteArray());
  const sha256 = crypto.createHash("sha256").update(bytes).digest("hex");
  if (sha256 !== deployed.APP_SHA256) throw new Error(`refusing app version ${deployed.APP_VERSION_ID}: SHA-256 ${sha256}, not ${deployed.APP_SHA256}`);
  const archive = path.join(path.dirname(target), "inventory-app.tar");
  fs.writeFileSync(archive, bytes);
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(target, { recursive: true });
  await run(tar, ["-xf", archive, "-C", target, "--no-same-owner"]);
}

/** A MariaDB of its own on 127.0.0.1, requiring TLS of every TCP client as RDS does (require_secure_transport). */
async function startDatabase(
  directory: string,
  tools: AppTools,
  tls: MariaDbTls,
  started: (process: BackgroundProcess) => void,
): Promise<{ port: number; process: BackgroundProcess; sql(statements: string): Promise<string> }> {
  fs.mkdirSync(directory, { recursive: true });
  const port = await freePort();
  const { dataDirectory, socket, install, server: serverArguments } = mariaDbCommandLines({ directory, port, tls });
  await run(tools["mariadb-install-db"], install, { timeout: 120_000 }).catch((error: { stderr?: string; message: string }) => {
    throw new Error(`mariadb-install-db failed: ${error.stderr ?? error.message}`);
  });
  const server = startBackground("mariadbd (the app's database)", tools.mariadbd, serverArguments, {
    env: process.env,
    logFile: path.join(directory, "mariadbd.log"),
    mark: dataDirectory,
  });
  started(server);
  const sql = async (statements: string) =>
    (await run(tools.mariadb, ["--no-defaults", `--socket=${socket}`, "--user=root", "--batch", "--skip-column-names", "-e", statements])).stdout.trim();
  await waitFor("MariaDB", server, async () => fs.existsSync(socket) && (await sql("SELECT 1")) === "1");
  return { port, process: server, sql };
}

async function waitFor(what: string, started: BackgroundProcess, ready: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready().catch(() => false)) return;
    if (!isRunning(started)) throw new Error(`${what} stopped while starting; its log: ${started.logFile}`);
    if (Date.now() > deadline) throw new Error(`${what} was not ready after ${timeoutMs / 1000} s; its log: ${started.logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The HTTP status of a GET. */
export function httpStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { timeout: 10_000 }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      })
      .on("error", reject);
  });
}
