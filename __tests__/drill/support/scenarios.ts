import { type AutoScalingClient, DescribeAutoScalingGroupsCommand, TerminateInstanceInAutoScalingGroupCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeTargetHealthCommand, type ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { type CloudWatchClient, DescribeAlarmHistoryCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeDBInstancesCommand, type RDSClient, RebootDBInstanceCommand } from "@aws-sdk/client-rds";
import type { AwsClientStub, AwsStub } from "aws-sdk-client-mock";
import { GetExperimentCommand, StartExperimentCommand } from "@aws-sdk/client-fis";
import { DB_IDENTIFIER, GROUP_NAME, alarmHistory, database, experiment, group, stateUpdate, targets } from "./aws-answers";
import type { FakeAnswer } from "./fake-app";

/** The drills as the lab sees them, shared by the drill suites and the sample in docs/drill.md. */

export const HEALTHY_GROUP = group(2, [
  ["i-0aaa", "us-west-2a", "InService"],
  ["i-0bbb", "us-west-2b", "InService"],
]);
export const HEALTHY_TARGETS = targets([
  ["i-0aaa", "healthy"],
  ["i-0bbb", "healthy"],
]);

/**
 * The lab's replacement, one answer per look (every 5 s): the check before
 * the drill, then i-0aaa terminating while still healthy in the target group
 * (t+0), a replacement pending (t+5), in service but still in its initial
 * health checks (t+10), healthy (t+15).
 */
export function answerReplacement(autoScaling: AwsClientStub<AutoScalingClient>, loadBalancing: AwsClientStub<ElasticLoadBalancingV2Client>): void {
  autoScaling
    .on(DescribeAutoScalingGroupsCommand)
    .resolvesOnce(HEALTHY_GROUP)
    .resolvesOnce(
      group(2, [
        ["i-0aaa", "us-west-2a", "Terminating"],
        ["i-0bbb", "us-west-2b", "InService"],
      ]),
    )
    .resolvesOnce(
      group(2, [
        ["i-0aaa", "us-west-2a", "Terminating"],
        ["i-0bbb", "us-west-2b", "InService"],
        ["i-0ccc", "us-west-2a", "Pending"],
      ]),
    )
    .resolves(
      group(2, [
        ["i-0bbb", "us-west-2b", "InService"],
        ["i-0ccc", "us-west-2a", "InService"],
      ]),
    );
  loadBalancing
    .on(DescribeTargetHealthCommand)
    .resolvesOnce(HEALTHY_TARGETS)
    .resolvesOnce(HEALTHY_TARGETS)
    .resolvesOnce(
      targets([
        ["i-0aaa", "draining"],
        ["i-0bbb", "healthy"],
      ]),
    )
    .resolvesOnce(
      targets([
        ["i-0aaa", "draining"],
        ["i-0bbb", "healthy"],
        ["i-0ccc", "initial"],
      ]),
    )
    .resolves(
      targets([
        ["i-0bbb", "healthy"],
        ["i-0ccc", "healthy"],
      ]),
    );
  autoScaling.on(TerminateInstanceInAutoScalingGroupCommand).resolves({
    Activity: { ActivityId: "a-1", AutoScalingGroupName: GROUP_NAME, Cause: "drill", StartTime: new Date(), StatusCode: "InProgress" },
  });
}

/** Request 1 is the check before the drill; the drill's own requests go out at t+0, t+1 ... so request n is at t+(n-2). */
export const REPLACEMENT_OUTAGE: Readonly<Record<number, FakeAnswer>> = { 5: 503, 6: 502, 7: "reset" };

/** Before the drill, then one answer per look (every 5 s): rebooting at t+0 .. t+10, back at t+15 with the primary in the other AZ. */
export function answerFailover(rds: AwsClientStub<RDSClient>): void {
  rds
    .on(DescribeDBInstancesCommand)
    .resolvesOnce(database("available", "us-west-2a", "us-west-2b"))
    .resolvesOnce(database("rebooting", "us-west-2a", "us-west-2b"))
    .resolvesOnce(database("rebooting", "us-west-2a", "us-west-2b"))
    .resolvesOnce(database("rebooting", "us-west-2b", "us-west-2a"))
    .resolves(database("available", "us-west-2b", "us-west-2a"));
  rds.on(RebootDBInstanceCommand).resolves({ DBInstance: { DBInstanceIdentifier: DB_IDENTIFIER, DBInstanceStatus: "rebooting" } });
}

/** The app's database connections fail for a while during the failover (t+7 .. t+10). */
export const FAILOVER_OUTAGE: Readonly<Record<number, FakeAnswer>> = { 9: 500, 10: 500, 11: 500, 12: "reset", 20: 500 };

/**
 * What the alarm history says of the replacement: the healthy hosts alarm
 * fired while one server was missing and had not recovered yet when the
 * fleet was whole again (an alarm needs its evaluation periods of good data
 * first). An alarm of another environment in the same region changed too;
 * the drill reports only its own environment's.
 */
export function answerReplacementAlarms(cloudWatch: AwsClientStub<CloudWatchClient>): void {
  cloudWatch
    .on(DescribeAlarmHistoryCommand)
    .resolves(
      alarmHistory([stateUpdate("staging-Inventory-DB CPU", 2, "OK", "ALARM"), stateUpdate("Inventory-App healthy hosts below desired", 9, "OK", "ALARM")]),
    );
}

/** The failover as the alarms saw it: the app's 5xx rate fired while MySQL was away, and recovered. */
export function answerFailoverAlarms(cloudWatch: AwsClientStub<CloudWatchClient>): void {
  cloudWatch
    .on(DescribeAlarmHistoryCommand)
    .resolves(alarmHistory([stateUpdate("Inventory-LB app 5xx rate", 10, "OK", "ALARM"), stateUpdate("Inventory-LB app 5xx rate", 14, "ALARM", "OK")]));
}

/**
 * The FIS client's stub. The registry's only @aws-sdk/client-fis (3.523) is built on older @smithy types than the
 * other clients, which aws-sdk-client-mock's client type cannot match: its stub is typed by its calls alone.
 */
export type FisStub = AwsStub<any, any, any>;
/** The FIS commands the zone drill sends, as the stub takes them (see `FisStub`). */
export const FIS_COMMANDS = {
  start: StartExperimentCommand as any,
  get: GetExperimentCommand as any,
};

const ALL_RUNNING = {
  "stop-app-servers": "running",
  "cut-off-zone-subnets": "running",
  "fail-launches-in-zone": "running",
  "fail-over-database": "running",
} as const;

/**
 * Losing us-west-2a, where the database's primary is, as FIS answers it: the
 * check before the drill (the database), the experiment initiating at t+0,
 * every action running at the first look, the failover done at t+5, and the
 * experiment completed at t+15.
 */
export function answerZoneLoss(fis: FisStub, rds: AwsClientStub<RDSClient>): void {
  rds.on(DescribeDBInstancesCommand).resolves(database("available", "us-west-2a", "us-west-2b"));
  fis.on(FIS_COMMANDS.start).resolves(experiment("initiating"));
  fis
    .on(FIS_COMMANDS.get)
    .resolvesOnce(experiment("running", undefined, ALL_RUNNING))
    .resolvesOnce(experiment("running", undefined, { ...ALL_RUNNING, "fail-over-database": "completed" }))
    .resolvesOnce(experiment("running", undefined, { ...ALL_RUNNING, "fail-over-database": "completed" }))
    .resolves(
      experiment("completed", "Experiment completed.", {
        "stop-app-servers": "completed",
        "cut-off-zone-subnets": "completed",
        "fail-launches-in-zone": "completed",
        "fail-over-database": "completed",
      }),
    );
}

/** The same zone, but the load balancer's 5xx rate fires at t+8: FIS stops the experiment (stopping at t+10, stopped at t+15). */
export function answerZoneStoppedByAlarm(fis: FisStub, rds: AwsClientStub<RDSClient>): void {
  rds.on(DescribeDBInstancesCommand).resolves(database("available", "us-west-2a", "us-west-2b"));
  fis.on(FIS_COMMANDS.start).resolves(experiment("initiating"));
  fis
    .on(FIS_COMMANDS.get)
    .resolvesOnce(experiment("running", undefined, ALL_RUNNING))
    .resolvesOnce(experiment("running", undefined, ALL_RUNNING))
    .resolvesOnce(experiment("stopping", "Experiment stopped by stop condition.", ALL_RUNNING))
    .resolves(
      experiment("stopped", "Experiment stopped by stop condition.", {
        "stop-app-servers": "stopped",
        "cut-off-zone-subnets": "stopped",
        "fail-launches-in-zone": "stopped",
        "fail-over-database": "completed",
      }),
    );
}

/** The zone's app servers stop answering at once; the load balancer stops sending them requests after its checks fail (t+2 .. t+4). */
export const ZONE_OUTAGE: Readonly<Record<number, FakeAnswer>> = { 4: 502, 5: "reset", 6: 503 };

/** The zone's loss as the alarms saw it: the healthy hosts alarm fired, and the app's 5xx rate fired and recovered. */
export function answerZoneAlarms(cloudWatch: AwsClientStub<CloudWatchClient>): void {
  cloudWatch
    .on(DescribeAlarmHistoryCommand)
    .resolves(
      alarmHistory([
        stateUpdate("Inventory-App healthy hosts below desired", 3, "OK", "ALARM"),
        stateUpdate("Inventory-LB app 5xx rate", 4, "OK", "ALARM"),
        stateUpdate("Inventory-LB app 5xx rate", 12, "ALARM", "OK"),
      ]),
    );
}
