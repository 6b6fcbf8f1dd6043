import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { FisClient } from "@aws-sdk/client-fis";
import { DescribeDBInstancesCommand, RDSClient, RebootDBInstanceCommand } from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import { APP_URL, EXPERIMENT_ID, REHEARSAL_TEMPLATES, database, experiment, throttlingError } from "./support/aws-answers";
import { type Harness, startHarness } from "./support/drill-harness";
import { FIS_COMMANDS, type FisStub, ZONE_OUTAGE, answerZoneAlarms, answerZoneLoss, answerZoneStoppedByAlarm } from "./support/scenarios";

const fis: FisStub = mockClient(FisClient as never);
const rds = mockClient(RDSClient);
const cloudWatch = mockClient(CloudWatchClient);

let harness: Harness;
beforeEach(async () => {
  fis.reset();
  rds.reset();
  cloudWatch.reset();
  harness = await startHarness((n) => ZONE_OUTAGE[n] ?? 200);
});
afterEach(() => harness.close());

describe("zone drill with --yes", () => {
  test("starts the primary's zone's experiment, follows it to the end and reports recovery, the app's failed requests and the alarms", async () => {
    answerZoneLoss(fis, rds);
    answerZoneAlarms(cloudWatch);
    const run = await harness.run(["zone", "--yes"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const starts = fis.commandCalls(FIS_COMMANDS.start);
    expect(starts).toHaveLength(1);
    expect(starts[0].args[0].input).toEqual({ experimentTemplateId: REHEARSAL_TEMPLATES["zone:us-west-2a"], tags: { Zone: "us-west-2a" } });
    expect(fis.commandCalls(FIS_COMMANDS.get).map((call) => call.args[0].input)).toEqual(Array(4).fill({ id: EXPERIMENT_ID }));
    // FIS fails the database over; the drill itself never reboots it.
    expect(rds.commandCalls(RebootDBInstanceCommand)).toHaveLength(0);
    expect(run.stdout).toContain("Zone drill: inventory-default in us-west-2\n");
    expect(run.stdout).toContain("  Database inventory-db: available, primary in us-west-2a, standby in us-west-2b\n");
    expect(run.stdout).toContain("  and inventory-db rebooted with failover, its primary being in us-west-2a;\n");
    expect(run.stdout).toContain(`t+0s: experiment ${EXPERIMENT_ID} started; initiating\n`);
    expect(run.stdout).toContain("t+0s: experiment initiating -> running\n");
    expect(run.stdout).toContain("t+0s: stop-app-servers pending -> running\n");
    expect(run.stdout).toContain("t+5s: fail-over-database running -> completed\n");
    expect(run.stdout).toContain("t+15s: experiment running -> completed (Experiment completed.)\n");
    expect(run.stdout).toContain(`Zone us-west-2a lost and back in 15s: experiment ${EXPERIMENT_ID} completed.\n`);
    expect(run.stdout).toContain(
      "Actions: stop-app-servers completed, cut-off-zone-subnets completed, fail-launches-in-zone completed, fail-over-database completed.\n",
    );
    // Requests at t+2 .. t+4 failed (a 502, a dropped connection, a 503); one a second from t+0 to t+14.
    expect(run.stdout).toContain(`App ${APP_URL}: 3 of 15 requests failed (1 HTTP 502, 1 connection reset, 1 HTTP 503), from t+2s to t+4s.\n`);
    expect(run.stdout).toContain("  t+3s: Inventory-App healthy hosts below desired OK -> ALARM\n");
    expect(run.stdout).toContain("  t+12s: Inventory-LB app 5xx rate ALARM -> OK\n");
  });

  test("an experiment FIS stops because a stop condition's alarm fired ends the drill as failed, and still reports the app and the alarms", async () => {
    answerZoneStoppedByAlarm(fis, rds);
    answerZoneAlarms(cloudWatch);
    const run = await harness.run(["zone", "--yes"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("t+10s: experiment running -> stopping (Experiment stopped by stop condition.)\n");
    expect(run.stdout).toContain("t+15s: experiment stopping -> stopped (Experiment stopped by stop condition.)\n");
    expect(run.stdout).toContain(
      `Stopped at t+15s: FIS stopped experiment ${EXPERIMENT_ID}: a stop condition's alarm fired (Experiment stopped by stop condition.). ` +
        "FIS has undone what it could (the subnets' network, the stopped servers).\n",
    );
    expect(run.stdout).not.toContain("lost and back");
    expect(run.stdout).toContain(`App ${APP_URL}: 3 of 15 requests failed`);
    expect(run.stdout).toContain("  t+4s: Inventory-LB app 5xx rate OK -> ALARM\n");
  });

  test("--zone loses another zone than the primary's: the database is left alone", async () => {
    answerZoneLoss(fis, rds);
    const run = await harness.run(["zone", "--yes", "--zone", "us-west-2b"]);
    expect(run.code).toBe(0);
    expect(fis.commandCalls(FIS_COMMANDS.start)[0].args[0].input).toEqual({
      experimentTemplateId: REHEARSAL_TEMPLATES["zone:us-west-2b"],
      tags: { Zone: "us-west-2b" },
    });
    expect(run.stdout).toContain("  and inventory-db left alone, its primary being in us-west-2a;\n");
  });

  test("a throttled start is retried once FIS lets it", async () => {
    answerZoneLoss(fis, rds);
    fis.on(FIS_COMMANDS.start).rejectsOnce(throttlingError("ThrottlingException")).resolves(experiment("initiating"));
    const run = await harness.run(["zone", "--yes"]);
    expect(run.code).toBe(0);
    expect(fis.commandCalls(FIS_COMMANDS.start)).toHaveLength(2);
    expect(run.stdout).toContain("t+0s: AWS throttled a request (ThrottlingException); retrying in 1s\n");
  });

  test("Ctrl-C while following says the experiment goes on and how to stop it", async () => {
    answerZoneLoss(fis, rds);
    const interrupt = new AbortController();
    let looks = 0;
    fis.on(FIS_COMMANDS.get).callsFake(() => {
      looks++;
      if (looks === 2) interrupt.abort();
      return experiment("running");
    });
    const run = await harness.run(["zone", "--yes"], { signal: interrupt.signal });
    expect(run.code).toBe(130);
    expect(run.stdout).toContain(
      "Interrupted at t+5s before recovery: experiment running. " +
        `The experiment goes on without the drill: aws fis stop-experiment --id ${EXPERIMENT_ID} stops it.\n`,
    );
  });
});

describe("zone drill safety and dry run", () => {
  test("without --yes it says what it would do, offers the zonal shift, and starts nothing", async () => {
    answerZoneLoss(fis, rds);
    const run = await harness.run(["zone"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        "Zone drill: inventory-default in us-west-2 (dry run)",
        "  Database inventory-db: available, primary in us-west-2a, standby in us-west-2b",
        `  App ${APP_URL}: answers 2xx`,
        "",
        `Would start AWS FIS experiment template ${REHEARSAL_TEMPLATES["zone:us-west-2a"]} (StartExperiment): a power interruption in us-west-2a:`,
        "  the app servers in us-west-2a stopped, the environment's subnets in us-west-2a cut off, the group's launches in us-west-2a failing,",
        "  and inventory-db rebooted with failover, its primary being in us-west-2a;",
        "  then follow the experiment every 5s (GetExperiment) until it ends (timeout 60m); FIS stops it as soon as a stop condition's alarm fires,",
        "  while requesting the app every 1s and counting the requests that fail.",
        "Then report which of the environment's 15 alarms changed state meanwhile (CloudWatch alarm history).",
        "To move the load balancer's traffic out of us-west-2a meanwhile (docs/operations.md): aws arc-zonal-shift start-zonal-shift " +
          '--resource-identifier LOAD_BALANCER_ARN --away-from ZONE_ID_OF_us-west-2a --expires-in 1h --comment "zone rehearsal"',
        "Dry run: nothing was changed. Add --yes to run the drill.",
        "",
      ].join("\n"),
    );
    expect(fis.calls()).toHaveLength(0);
    expect(rds.calls().map((call) => call.args[0].constructor.name)).toEqual(["DescribeDBInstancesCommand"]);
    expect(harness.app.requests()).toBe(1);
  });

  test("refuses a zone the stack has no rehearsal for, naming those it has", async () => {
    answerZoneLoss(fis, rds);
    const run = await harness.run(["zone", "--yes", "--zone", "us-west-2c"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("Refusing: the stack has no zone rehearsal for us-west-2c (it has us-west-2a, us-west-2b). Pass --zone with one of them.\n");
    expect(fis.calls()).toHaveLength(0);
  });

  test("refuses while the app does not answer, without starting the experiment", async () => {
    await harness.close();
    harness = await startHarness(() => 503);
    answerZoneLoss(fis, rds);
    const run = await harness.run(["zone", "--yes"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("Refusing: the app at");
    expect(fis.calls()).toHaveLength(0);
  });

  test("a stack without the rehearsal is told to turn it on, before any AWS call", async () => {
    await harness.close();
    harness = await startHarness(() => 200, { rehearsalTemplates: null });
    rds.on(DescribeDBInstancesCommand).resolves(database("available", "us-west-2a", "us-west-2b"));
    const run = await harness.run(["zone", "--yes"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/has no output "rehearsal_templates" for inventory-default; turn on zoneResilience\.rehearsal in its environment and deploy/);
    expect(rds.calls()).toHaveLength(0);
  });
});
