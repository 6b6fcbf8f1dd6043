import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runFailover, type FailoverRunResult } from "../../src/failover/failover-run";
import { requireCommands } from "../support/require-commands";
import { APP_DIRECTORY } from "../support/run-php";

// The app while its database fails over: the code of npm run failover-bench on
// a shorter load. MariaDB is killed mid-load (every connection cut) and started
// again a few seconds later on the same data and port; PHP keeps running. The
// timings are the bench's to report; this asserts what must hold on any
// machine: no acknowledged write lost, a 503 with Retry-After (never a 500 or
// PHP's own text) while the database is away, and 200 again without a restart.

let result: FailoverRunResult;

beforeAll(async () => {
  const tools = requireCommands(["php", "mariadbd", "mariadb-install-db", "mariadb", "openssl"], { phpExtensions: ["pdo_mysql"] });
  result = await runFailover({
    appDirectory: APP_DIRECTORY,
    tools: tools as Parameters<typeof runFailover>[0]["tools"],
    directory: fs.mkdtempSync(path.join(os.tmpdir(), "inventory-failover-test-")),
    ratePerSecond: 40,
    durationSeconds: 14,
    concurrency: 16,
    writeShare: 0.4,
    takeDownAtSeconds: 3,
    downSeconds: 3,
    takeDown: "kill",
    phpWorkers: 4,
    requestTimeoutMs: 15_000,
  });
}, 120_000);

describe("the app while its database is killed and started again", () => {
  it("holds every write it acknowledged with a 303, before and after the outage", () => {
    const acknowledged = result.records.filter((record) => record.kind === "write" && record.status === 303);
    expect(acknowledged.filter((record) => record.startMs < result.outage.downAtMs).length).toBeGreaterThan(0);
    expect(acknowledged.filter((record) => record.startMs >= result.outage.upAtMs).length).toBeGreaterThan(0);
    expect(result.acknowledgedWrites).toBe(acknowledged.length);
    expect(result.missingWrites).toStrictEqual([]);
    expect(result.acknowledgedWritesPresent).toBe(acknowledged.length);
  });

  it("answers 503 with Retry-After while the database is away: no 500, no unanswered request, no PHP or driver text", () => {
    const during = result.records.filter((record) => record.startMs >= result.outage.downAtMs && record.startMs < result.outage.upAtMs);
    const unavailable = during.filter((record) => record.status === 503);
    // The outage was seen: most of what started while the database was away.
    expect(unavailable.length).toBeGreaterThan(during.length / 2);
    const failed = result.records.filter((record) => record.status < 200 || record.status >= 400);
    expect(failed.filter((record) => record.status !== 503).map((record) => record.status)).toStrictEqual([]);
    expect(failed.filter((record) => !record.retryAfter)).toStrictEqual([]);
    expect(result.records.filter((record) => record.errorText)).toStrictEqual([]);
    expect(result.phpLog).not.toMatch(/PHP (Fatal error|Parse error)|Uncaught/);
  });

  it("answers 200 again once the database is back, without PHP being restarted", () => {
    const after = result.records.filter((record) => record.startMs >= result.outage.upAtMs);
    expect(after.filter((record) => record.kind === "read" && record.status === 200).length).toBeGreaterThan(0);
    // Past the first second back, every request succeeds: each opens a connection of its own, none keeps a dead one.
    const settled = after.filter((record) => record.startMs >= result.outage.upAtMs + 1000);
    expect(settled.length).toBeGreaterThan(0);
    expect(settled.filter((record) => record.status !== 200 && record.status !== 303).map((record) => record.status)).toStrictEqual([]);
    expect(result.finalStatus).toBe(200);
  });
});
