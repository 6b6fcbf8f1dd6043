import { DescribeDBInstancesCommand, RDSClient, RebootDBInstanceCommand } from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import { APP_URL, DB_IDENTIFIER, database, throttlingError } from "./support/aws-answers";
import { type Harness, startHarness } from "./support/drill-harness";
import { FAILOVER_OUTAGE, answerFailover } from "./support/scenarios";

const rds = mockClient(RDSClient);

let harness: Harness;
beforeEach(async () => {
  rds.reset();
  harness = await startHarness((n) => FAILOVER_OUTAGE[n] ?? 200);
});
afterEach(() => harness.close());

describe("database drill with --yes", () => {
  test("reboots with forced failover, reports the AZ before and after, the time taken and the app's failed requests", async () => {
    answerFailover(rds);
    const run = await harness.run(["database", "--yes"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const reboots = rds.commandCalls(RebootDBInstanceCommand);
    expect(reboots).toHaveLength(1);
    expect(reboots[0].args[0].input).toEqual({ DBInstanceIdentifier: DB_IDENTIFIER, ForceFailover: true });
    expect(rds.commandCalls(DescribeDBInstancesCommand)[0].args[0].input).toEqual({ DBInstanceIdentifier: DB_IDENTIFIER });
    expect(run.stdout).toContain("  Database inventory-db: available, Multi-AZ, primary in us-west-2a, standby in us-west-2b\n");
    expect(run.stdout).toContain("t+0s: reboot with failover requested; inventory-db is rebooting\n");
    expect(run.stdout).not.toContain("available -> rebooting");
    expect(run.stdout).toContain("t+10s: primary now in us-west-2b (was us-west-2a)\n");
    expect(run.stdout).toContain("t+15s: inventory-db rebooting -> available\n");
    expect(run.stdout).toContain("Failed over in 15s: inventory-db is available again.\n");
    expect(run.stdout).toContain("Availability zone: primary us-west-2a -> us-west-2b, standby us-west-2b -> us-west-2a.\n");
    expect(run.stdout).not.toContain("Warning");
    // t+7 .. t+10 failed (three 500s, a dropped connection); t+18 came after recovery and was never made.
    expect(run.stdout).toContain(`App ${APP_URL}: 4 of 15 requests failed (3 HTTP 500, 1 connection reset), from t+7s to t+10s.\n`);
  });

  test("warns when the primary did not change AZ", async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce(database("available", "us-west-2a", "us-west-2b"))
      .resolvesOnce(database("rebooting", "us-west-2a", "us-west-2b"))
      .resolves(database("available", "us-west-2a", "us-west-2b"));
    rds.on(RebootDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: "rebooting" } });
    const run = await harness.run(["database", "--yes"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Availability zone: primary us-west-2a -> us-west-2a, standby us-west-2b -> us-west-2b.\n");
    expect(run.stdout).toContain("Warning: the primary did not change AZ, so RDS did not fail over; look at the database's events in the RDS console.\n");
  });

  test("an 'available' before RDS has shown the reboot is not taken for recovery", async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce(database("available", "us-west-2a", "us-west-2b"))
      .resolvesOnce(database("available", "us-west-2a", "us-west-2b"))
      .resolvesOnce(database("rebooting", "us-west-2a", "us-west-2b"))
      .resolves(database("available", "us-west-2b", "us-west-2a"));
    // An answer without the new status: the drill must wait to see the reboot itself.
    rds.on(RebootDBInstanceCommand).resolves({});
    const run = await harness.run(["database", "--yes"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("t+5s: inventory-db available -> rebooting\n");
    expect(run.stdout).toContain("Failed over in 10s: inventory-db is available again.\n");
  });

  test("throttled looks are retried and the failover still completes", async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce(database("available", "us-west-2a", "us-west-2b"))
      .rejectsOnce(throttlingError("Throttling"))
      .rejectsOnce(throttlingError("Throttling"))
      .resolves(database("available", "us-west-2b", "us-west-2a"));
    rds
      .on(RebootDBInstanceCommand)
      .rejectsOnce(throttlingError("ThrottlingException"))
      .resolves({ DBInstance: { DBInstanceStatus: "rebooting" } });
    const run = await harness.run(["database", "--yes"]);
    expect(run.code).toBe(0);
    expect(rds.commandCalls(RebootDBInstanceCommand)).toHaveLength(2);
    // Reboot retried at t+1; the look at t+1 throttled twice (retries at t+2, t+4).
    expect(run.stdout).toContain("t+0s: AWS throttled a request (ThrottlingException); retrying in 1s\n");
    expect(run.stdout).toContain("t+2s: AWS throttled a request (Throttling); retrying in 2s\n");
    expect(run.stdout).toContain("Failed over in 4s: inventory-db is available again.\n");
  });

  test("a database that never comes back times out with a non-zero exit", async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce(database("available", "us-west-2a", "us-west-2b"))
      .resolves(database("rebooting", "us-west-2a", "us-west-2b"));
    rds.on(RebootDBInstanceCommand).resolves({ DBInstance: { DBInstanceStatus: "rebooting" } });
    const run = await harness.run(["database", "--yes", "--timeout", "40", "--interval", "20"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "Timed out after 40s, not recovered: inventory-db rebooting, primary in us-west-2a. RDS goes on with the failover without the drill.\n",
    );
  });
});

describe("database drill safety", () => {
  test("refuses a database that is not Multi-AZ, without rebooting it", async () => {
    rds.on(DescribeDBInstancesCommand).resolves(database("available", "us-west-2a", undefined, false));
    rds.on(RebootDBInstanceCommand).resolves({});
    const run = await harness.run(["database", "--yes"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("  Database inventory-db: available, Single-AZ, primary in us-west-2a\n");
    expect(run.stdout).toContain(
      "Refusing: inventory-db is not Multi-AZ, so it has no standby to fail over to and a reboot would only take it down. Make it Multi-AZ and deploy first.\n",
    );
    expect(rds.commandCalls(RebootDBInstanceCommand)).toHaveLength(0);
  });

  test("refuses a database that is not available", async () => {
    rds.on(DescribeDBInstancesCommand).resolves(database("modifying", "us-west-2a", "us-west-2b"));
    const run = await harness.run(["database", "--yes"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("Refusing: inventory-db is modifying, not available. Run the drill once it is healthy.\n");
    expect(rds.commandCalls(RebootDBInstanceCommand)).toHaveLength(0);
  });

  test("without --yes it says what it would do and calls no mutating API", async () => {
    answerFailover(rds);
    const run = await harness.run(["database"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Database drill: inventory-default in us-west-2 (dry run)\n");
    expect(run.stdout).toContain(
      "Would reboot inventory-db with forced failover (RebootDBInstance, ForceFailover), so the standby in us-west-2b becomes the primary;\n",
    );
    expect(run.stdout).toContain("Dry run: nothing was changed. Add --yes to run the drill.\n");
    expect(rds.calls().map((call) => call.args[0].constructor.name)).toEqual(["DescribeDBInstancesCommand"]);
    expect(harness.app.requests()).toBe(1);
  });

  test("Ctrl-C while watching prints what happened so far and exits 130", async () => {
    answerFailover(rds);
    const interrupt = new AbortController();
    let looks = 0;
    rds.on(DescribeDBInstancesCommand).callsFake(() => {
      looks++;
      if (looks === 3) interrupt.abort();
      return database(looks === 1 ? "available" : "rebooting", "us-west-2a", "us-west-2b");
    });
    const run = await harness.run(["database", "--yes"], { signal: interrupt.signal });
    expect(run.code).toBe(130);
    expect(run.stdout).toContain(
      "Interrupted at t+5s before recovery: inventory-db rebooting, primary in us-west-2a. RDS goes on with the failover without the drill.\n",
    );
    expect(run.stdout).toContain(`App ${APP_URL}: all 5 requests answered 2xx.\n`);
    expect(looks).toBe(3);
  });
});
