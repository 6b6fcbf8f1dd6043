import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient, CloudWatchServiceException, DescribeAlarmHistoryCommand } from "@aws-sdk/client-cloudwatch";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { RDSClient } from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import { alarmReport } from "../../src/drill/alarm-report";
import { ALARM_NAMES, DRILL_DATE, alarmHistory, stateUpdate } from "./support/aws-answers";
import { type Harness, startHarness } from "./support/drill-harness";
import { FAILOVER_OUTAGE, REPLACEMENT_OUTAGE, answerFailover, answerFailoverAlarms, answerReplacement, answerReplacementAlarms } from "./support/scenarios";

// The drills report what the environment's alarms did while they ran, from
// CloudWatch's alarm history over the drill's window, so the lab's
// availability test also shows the monitoring worked.

const autoScaling = mockClient(AutoScalingClient);
const loadBalancing = mockClient(ElasticLoadBalancingV2Client);
const rds = mockClient(RDSClient);
const cloudWatch = mockClient(CloudWatchClient);

let harness: Harness | undefined;
beforeEach(() => {
  for (const client of [autoScaling, loadBalancing, rds, cloudWatch]) client.reset();
  answerReplacement(autoScaling, loadBalancing);
  answerFailover(rds);
});
afterEach(() => harness?.close());

async function drill(action: "instance" | "database", options: { alarmNames?: readonly string[] | null; yes?: boolean } = {}) {
  harness = await startHarness((n) => (action === "instance" ? REPLACEMENT_OUTAGE : FAILOVER_OUTAGE)[n] ?? 200, { alarmNames: options.alarmNames });
  return harness.run([action, ...(options.yes === false ? [] : ["--yes"])]);
}

const historyCalls = () => cloudWatch.commandCalls(DescribeAlarmHistoryCommand).map((call) => call.args[0].input);

describe("the instance drill's alarm report", () => {
  test("asks for the state updates of metric alarms over exactly the drill's window, t+0 to its end", async () => {
    answerReplacementAlarms(cloudWatch);
    const run = await drill("instance");
    expect(run.code).toBe(0);
    expect(historyCalls()).toEqual([
      {
        AlarmTypes: ["MetricAlarm"],
        HistoryItemType: "StateUpdate",
        StartDate: DRILL_DATE,
        EndDate: new Date(DRILL_DATE.getTime() + 15_000),
        ScanBy: "TimestampAscending",
        MaxRecords: 100,
        NextToken: undefined,
      },
    ]);
  });

  test("reports the environment's alarm that fired, at its time since t+0, and leaves out another environment's", async () => {
    answerReplacementAlarms(cloudWatch);
    const run = await drill("instance");
    expect(run.stdout).toContain(
      [
        "",
        "Alarms that changed state from t+0s to t+15s (CloudWatch alarm history, 15 alarms watched):",
        "  t+9s: Inventory-App healthy hosts below desired OK -> ALARM",
        "  Still in ALARM at the end: Inventory-App healthy hosts below desired; an alarm returns to OK once its metric is back for its evaluation periods.",
        "",
      ].join("\n"),
    );
    expect(run.stdout).not.toContain("staging-");
    // Said before the drill starts, so nobody is surprised by the look at CloudWatch.
    expect(run.stdout).toContain("Then report which of the environment's 15 alarms changed state meanwhile (CloudWatch alarm history).\n");
  });

  test("reads every page of the history", async () => {
    cloudWatch
      .on(DescribeAlarmHistoryCommand)
      .resolvesOnce(alarmHistory([stateUpdate("Inventory-App healthy hosts below desired", 6, "OK", "ALARM")], "page-2"))
      .resolvesOnce(alarmHistory([stateUpdate("Inventory-App healthy hosts below desired", 14, "ALARM", "OK")]));
    const run = await drill("instance");
    expect(historyCalls().map((input) => input.NextToken)).toStrictEqual([undefined, "page-2"]);
    expect(run.stdout).toContain(
      "  t+6s: Inventory-App healthy hosts below desired OK -> ALARM\n  t+14s: Inventory-App healthy hosts below desired ALARM -> OK\n",
    );
    expect(run.stdout).toContain("  1 fired and recovered during the drill.\n");
  });

  test("says so when no alarm changed state, and why that can be right", async () => {
    cloudWatch.on(DescribeAlarmHistoryCommand).resolves(alarmHistory([]));
    const run = await drill("instance");
    expect(run.stdout).toContain(
      "Alarms: none of the environment's 15 alarms changed state from t+0s to t+15s (CloudWatch alarm history).\n" +
        "  Alarms judge minutes of data: a recovery within an alarm's evaluation periods stays below it.\n",
    );
  });

  test("waits out throttling of the history, saying so", async () => {
    cloudWatch
      .on(DescribeAlarmHistoryCommand)
      .rejectsOnce(new CloudWatchServiceException({ name: "Throttling", $fault: "client", $metadata: {}, message: "Rate exceeded" }))
      .resolves(alarmHistory([stateUpdate("Inventory-App healthy hosts below desired", 9, "OK", "ALARM")]));
    const run = await drill("instance");
    expect(run.stdout).toContain("AWS throttled a request (Throttling); retrying in 1s\n");
    expect(run.stdout).toContain("  t+9s: Inventory-App healthy hosts below desired OK -> ALARM\n");
  });

  test("a history it may not read is said in one line, and the drill's result stands", async () => {
    cloudWatch.on(DescribeAlarmHistoryCommand).rejects(
      new CloudWatchServiceException({
        name: "AccessDenied",
        $fault: "client",
        $metadata: {},
        message: "User is not authorized to perform: cloudwatch:DescribeAlarmHistory",
      }),
    );
    const run = await drill("instance");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "Alarms: the alarm history could not be read (AccessDenied: User is not authorized to perform: cloudwatch:DescribeAlarmHistory); " +
        "the drill's result above stands.\n",
    );
  });

  test("a dry run does not read the history", async () => {
    answerReplacementAlarms(cloudWatch);
    const run = await drill("instance", { yes: false });
    expect(run.code).toBe(0);
    expect(historyCalls()).toStrictEqual([]);
    expect(run.stdout).not.toContain("Alarms");
  });

  test("a stack deployed before it had alarms (no alarm_names output) is drilled as before, without the report", async () => {
    answerReplacementAlarms(cloudWatch);
    const run = await drill("instance", { alarmNames: null });
    expect(run.code).toBe(0);
    expect(historyCalls()).toStrictEqual([]);
    expect(run.stdout).not.toContain("alarm");
  });
});

describe("the database drill's alarm report", () => {
  test("reports the app's 5xx alarm firing during the failover and recovering", async () => {
    answerFailoverAlarms(cloudWatch);
    const run = await drill("database");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "  t+10s: Inventory-LB app 5xx rate OK -> ALARM\n  t+14s: Inventory-LB app 5xx rate ALARM -> OK\n  1 fired and recovered during the drill.\n",
    );
  });
});

describe("alarmReport", () => {
  const end = new Date(DRILL_DATE.getTime() + 300_000);
  const change = (alarmName: string, seconds: number, from: string, to: string) => ({
    alarmName,
    at: new Date(DRILL_DATE.getTime() + seconds * 1000),
    from,
    to,
  });

  test("counts alarms that fired and recovered apart from those still firing, by each alarm's last change", () => {
    expect(
      alarmReport(
        [
          change(ALARM_NAMES[0], 190, "OK", "ALARM"),
          change(ALARM_NAMES[4], 200, "OK", "ALARM"),
          change(ALARM_NAMES[4], 260, "ALARM", "OK"),
          change(ALARM_NAMES[7], 280, "INSUFFICIENT_DATA", "OK"),
        ],
        15,
        DRILL_DATE,
        end,
      ),
    ).toEqual([
      "Alarms that changed state from t+0s to t+300s (CloudWatch alarm history, 15 alarms watched):",
      "  t+190s: Inventory-App healthy hosts below desired OK -> ALARM",
      "  t+200s: Inventory-LB app 5xx rate OK -> ALARM",
      "  t+260s: Inventory-LB app 5xx rate ALARM -> OK",
      "  t+280s: Inventory-DB CPU INSUFFICIENT_DATA -> OK",
      "  1 fired and recovered during the drill.",
      "  Still in ALARM at the end: Inventory-App healthy hosts below desired; an alarm returns to OK once its metric is back for its evaluation periods.",
    ]);
  });
});
