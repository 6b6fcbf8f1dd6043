import { type AutoScalingClient, DescribeAutoScalingGroupsCommand, TerminateInstanceInAutoScalingGroupCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeTargetHealthCommand, type ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { type CloudWatchClient, DescribeAlarmHistoryCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeDBInstancesCommand, type RDSClient, RebootDBInstanceCommand } from "@aws-sdk/client-rds";
import type { AwsClientStub } from "aws-sdk-client-mock";
import { DB_IDENTIFIER, GROUP_NAME, alarmHistory, database, group, stateUpdate, targets } from "./aws-answers";
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
