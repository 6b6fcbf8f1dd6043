import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalMariaDb, type MariaDbCommands } from "../system/local-mariadb";
import { startPhpServer, type PhpServer } from "../system/php-server";
import { makeLoopbackCertificates } from "../system/tls-certificates";
import { openSession, runLoad, type RequestRecord } from "./load";
import { SecretStandIn } from "./secret-stand-in";
import { type FailoverSummary, type Outage, summarize } from "./summary";

/** How the database goes away: SIGKILL (a crash: every connection cut) or a clean shutdown. */
export type TakeDown = "kill" | "stop";

export interface FailoverRunOptions {
  /** The app to serve (a folder laid out as app/). */
  readonly appDirectory: string;
  /** Paths of php, mariadbd, mariadb-install-db, mariadb and openssl. */
  readonly tools: MariaDbCommands & { readonly php: string; readonly openssl: string };
  /** A scratch folder for the database, certificates and settings; removed afterwards. */
  readonly directory: string;
  readonly ratePerSecond: number;
  readonly durationSeconds: number;
  /** Requests in flight at most. */
  readonly concurrency: number;
  /** The share of requests that add an item, from 0 to 1. */
  readonly writeShare: number;
  /** Seconds into the load when the database goes down. */
  readonly takeDownAtSeconds: number;
  /** Seconds it stays down before it is started again. */
  readonly downSeconds: number;
  readonly takeDown: TakeDown;
  /** PHP built-in server workers (PHP_CLI_SERVER_WORKERS). */
  readonly phpWorkers: number;
  /** Milliseconds the load's client waits for an answer before it counts none. */
  readonly requestTimeoutMs: number;
  /** Progress lines for a person. */
  readonly progress?: (line: string) => void;
}

export interface FailoverRunResult {
  readonly records: RequestRecord[];
  readonly notSent: number;
  readonly outage: Outage;
  readonly summary: FailoverSummary;
  /** Writes answered 303, and how many of those the database holds afterwards. */
  readonly acknowledgedWrites: number;
  readonly acknowledgedWritesPresent: number;
  /** Names of acknowledged writes the database does not hold. */
  readonly missingWrites: string[];
  /** Writes the app did not acknowledge (a 503, no answer) that the database holds all the same. */
  readonly unacknowledgedWritesPresent: number;
  /** The app's status for GET / once the load is over, with no restart of PHP. */
  readonly finalStatus: number;
  /** The PHP server's output (its error log). */
  readonly phpLog: string;
}

const DB_NAME = "inventory_failover";
const DB_USER = "inventory_app";
const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:inventory-failover";

/**
 * The app under PHP's built-in server against a MariaDB of its own on
 * loopback (TLS required, as RDS does), a bounded load of reads and writes,
 * and the database taken down mid-load as a failover does, then started
 * again on the same data and port. Afterwards the database is asked which
 * acknowledged writes it holds. Everything runs on 127.0.0.1 and stops at
 * the end.
 */
export async function runFailover(options: FailoverRunOptions): Promise<FailoverRunResult> {
  const say = options.progress ?? (() => undefined);
  const { tools, directory } = options;
  fs.mkdirSync(directory, { recursive: true });
  let database: LocalMariaDb | undefined;
  let secrets: SecretStandIn | undefined;
  let app: PhpServer | undefined;
  try {
    const certificates = await makeLoopbackCertificates(path.join(directory, "tls"), tools.openssl);
    database = await LocalMariaDb.start({ directory: path.join(directory, "mariadb"), commands: tools, tls: certificates });
    const password = crypto.randomBytes(18).toString("base64url");
    await database.sql(
      `CREATE DATABASE ${DB_NAME};
       CREATE USER '${DB_USER}'@'127.0.0.1' IDENTIFIED BY '${password}' REQUIRE SSL;
       GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER ON ${DB_NAME}.* TO '${DB_USER}'@'127.0.0.1';`,
    );
    secrets = await SecretStandIn.start({ username: DB_USER, password });
    const settingsFile = path.join(directory, "app.ini");
    const settings = {
      db_host: database.host,
      db_port: String(database.port),
      db_name: DB_NAME,
      db_secret_arn: SECRET_ARN,
      aws_region: "eu-west-1",
      db_tls_ca: certificates.caFile,
      secrets_endpoint: secrets.endpoint,
      cache_dir: path.join(directory, "cache"),
      instance_id: "failover-run",
      availability_zone: "local",
    };
    fs.writeFileSync(
      settingsFile,
      Object.entries(settings)
        .map(([key, value]) => `${key} = "${value}"\n`)
        .join(""),
      { mode: 0o600 },
    );
    app = await startPhpServer({
      php: tools.php,
      appDirectory: options.appDirectory,
      workers: options.phpWorkers,
      // Keys of no account: the stand-in takes any signature, and nothing else is called.
      env: { INVENTORY_APP_SETTINGS: settingsFile, AWS_ACCESS_KEY_ID: "AKIDFAILOVERRUN00000", AWS_SECRET_ACCESS_KEY: "failover-run-not-a-secret" },
    });
    // The first page makes the tables and the form key; then one session per request in flight.
    const sessions = [];
    for (let i = 0; i < Math.min(options.concurrency, 16); i++) sessions.push(await openSession(app.url));

    say(
      `load: ${options.ratePerSecond} requests/s for ${options.durationSeconds} s (${Math.round(options.writeShare * 100)}% writes, ` +
        `at most ${options.concurrency} open), PHP with ${options.phpWorkers} workers; the database goes down (${options.takeDown}) at ` +
        `${options.takeDownAtSeconds} s for ${options.downSeconds} s`,
    );
    const loadStart = performance.now();
    const itemPrefix = `failover-${crypto.randomBytes(4).toString("hex")}-`;
    const loading = runLoad({
      url: app.url,
      ratePerSecond: options.ratePerSecond,
      durationSeconds: options.durationSeconds,
      concurrency: options.concurrency,
      writeShare: options.writeShare,
      sessions,
      itemPrefix,
      timeoutMs: options.requestTimeoutMs,
    });
    const restarting = (async (): Promise<Outage> => {
      await sleep(options.takeDownAtSeconds * 1000);
      const downAtMs = performance.now() - loadStart;
      await database.takeDown(options.takeDown);
      say(`database down (${options.takeDown}) at ${(downAtMs / 1000).toFixed(1)} s`);
      await sleep(options.downSeconds * 1000 - (performance.now() - loadStart - downAtMs));
      await database.startAgain();
      const upAtMs = performance.now() - loadStart;
      say(`database answering again at ${(upAtMs / 1000).toFixed(1)} s`);
      return { downAtMs, upAtMs };
    })();
    // Both are awaited together: a failed restart must not leave the load's rejection unhandled, nor the reverse.
    const [{ records, notSent }, outage] = await Promise.all([loading, restarting]);

    const stored = new Set((await database.sql(`SELECT name FROM ${DB_NAME}.items WHERE name LIKE '${itemPrefix}%'`)).split("\n").filter(Boolean));
    const writes = records.filter((record) => record.itemName !== undefined);
    const acknowledged = writes.filter((record) => record.status === 303).map((record) => record.itemName!);
    const missingWrites = acknowledged.filter((name) => !stored.has(name));
    const finalStatus = (await fetch(`${app.url}/`)).status;
    return {
      records,
      notSent,
      outage,
      summary: summarize(records, outage),
      acknowledgedWrites: acknowledged.length,
      acknowledgedWritesPresent: acknowledged.length - missingWrites.length,
      missingWrites,
      unacknowledgedWritesPresent: writes.filter((record) => record.status !== 303 && stored.has(record.itemName!)).length,
      finalStatus,
      phpLog: app.process.output,
    };
  } finally {
    for (const step of [() => app?.process.stop(), () => secrets?.stop(), () => database?.stop()]) await step()?.catch(() => undefined);
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
