import { AutoScalingServiceException, type DescribeAutoScalingGroupsCommandOutput } from "@aws-sdk/client-auto-scaling";
import type { DescribeTargetHealthCommandOutput } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { AlarmHistoryItem, DescribeAlarmHistoryCommandOutput } from "@aws-sdk/client-cloudwatch";
import type { DescribeDBInstancesCommandOutput } from "@aws-sdk/client-rds";
import type { Experiment } from "@aws-sdk/client-fis";

/** What AWS answers for the drill's resources, written compactly. Names follow the lab. */
export const REGION = "us-west-2";
export const GROUP_NAME = "Inventory-ASG";
export const TARGET_GROUP_ARN = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/Inventory-App/0123456789abcdef";
export const DB_IDENTIFIER = "inventory-db";
export const APP_URL = "http://Inventory-LB-123.us-west-2.elb.amazonaws.com";
/** When the drills start (t+0 of the virtual clock), for the alarm history's window. */
export const DRILL_DATE = new Date("2026-11-20T10:00:00Z");
/** Stack output `alarm_names` of the default environment. */
export const ALARM_NAMES = [
  "Inventory-App healthy hosts below desired",
  "Inventory-App unhealthy hosts",
  "Inventory-ASG in-service instances below desired",
  "Inventory-LB load balancer 5xx rate",
  "Inventory-LB app 5xx rate",
  "Inventory-LB p95 response time",
  "Inventory-LB rejected connections",
  "Inventory-DB CPU",
  "Inventory-DB free storage",
  "Inventory-DB freeable memory",
  "Inventory-DB connections near the maximum",
  "NAT Gateway 1 port allocation errors",
  "NAT Gateway 1 dropped packets",
  "NAT Gateway 2 port allocation errors",
  "NAT Gateway 2 dropped packets",
];

/** An instance of the group: `[id, az, lifecycle]`, optionally with the group's health (default Healthy). */
export type InstanceRow = readonly [id: string, az: string, lifecycle: string, health?: string];

export function group(desired: number, instances: readonly InstanceRow[]): Partial<DescribeAutoScalingGroupsCommandOutput> {
  return {
    AutoScalingGroups: [
      {
        AutoScalingGroupName: GROUP_NAME,
        MinSize: 2,
        MaxSize: 4,
        DesiredCapacity: desired,
        DefaultCooldown: 300,
        AvailabilityZones: ["us-west-2a", "us-west-2b"],
        HealthCheckType: "ELB",
        CreatedTime: new Date("2026-11-20T10:00:00Z"),
        Instances: instances.map(([InstanceId, AvailabilityZone, LifecycleState, HealthStatus = "Healthy"]) => ({
          InstanceId,
          AvailabilityZone,
          LifecycleState: LifecycleState as never,
          HealthStatus,
          ProtectedFromScaleIn: false,
        })),
      },
    ],
  };
}

/** Targets of the target group: `[instance id, state]`. */
export function targets(rows: readonly (readonly [id: string, state: string])[]): Partial<DescribeTargetHealthCommandOutput> {
  return {
    TargetHealthDescriptions: rows.map(([Id, State]) => ({
      Target: { Id, Port: 80 },
      HealthCheckPort: "80",
      TargetHealth: { State: State as never },
    })),
  };
}

export function database(status: string, zone: string, standbyZone: string | undefined, multiAz = true): Partial<DescribeDBInstancesCommandOutput> {
  return {
    DBInstances: [
      {
        DBInstanceIdentifier: DB_IDENTIFIER,
        DBInstanceStatus: status,
        Engine: "mysql",
        MultiAZ: multiAz,
        AvailabilityZone: zone,
        SecondaryAvailabilityZone: standbyZone,
      },
    ],
  };
}

/** The error AWS answers when over the API rate (the code is the error's `name`, as the SDK builds it). */
export function throttlingError(code: "Throttling" | "ThrottlingException" | "RequestLimitExceeded"): AutoScalingServiceException {
  return new AutoScalingServiceException({ name: code, $fault: "client", $metadata: { httpStatusCode: 400 }, message: "Rate exceeded" });
}

/** A state update of an alarm, `seconds` after t+0, as DescribeAlarmHistory answers it. */
export function stateUpdate(alarmName: string, seconds: number, from: string, to: string): AlarmHistoryItem {
  return {
    AlarmName: alarmName,
    AlarmType: "MetricAlarm",
    Timestamp: new Date(DRILL_DATE.getTime() + seconds * 1000),
    HistoryItemType: "StateUpdate",
    HistorySummary: `Alarm updated from ${from} to ${to}`,
    HistoryData: JSON.stringify({ version: "1.0", oldState: { stateValue: from }, newState: { stateValue: to } }),
  };
}

export function alarmHistory(items: AlarmHistoryItem[], nextToken?: string): Partial<DescribeAlarmHistoryCommandOutput> {
  return { AlarmHistoryItems: items, NextToken: nextToken };
}

/** Stack output `rehearsal_templates` of the default environment: FIS experiment template ids by scenario. */
export const REHEARSAL_TEMPLATES = {
  "zone:us-west-2a": "EXT1a2b3c4d5e6f7",
  "zone:us-west-2b": "EXT7f6e5d4c3b2a1",
  instance: "EXT0000instance1",
  database: "EXT0000database1",
};
export const EXPERIMENT_ID = "EXPa1b2c3d4e5f6g7h8";

/** The power interruption's actions, as the zone's template names them. */
export const ZONE_ACTIONS = ["stop-app-servers", "cut-off-zone-subnets", "fail-launches-in-zone", "fail-over-database"] as const;

/**
 * An experiment as GetExperiment (and StartExperiment) answers it: its state, and each action's
 * (`[status, reason?]`; an action left out is pending).
 */
export function experiment(status: string, reason?: string, actions: Partial<Record<(typeof ZONE_ACTIONS)[number], string>> = {}): { experiment: Experiment } {
  return {
    experiment: {
      id: EXPERIMENT_ID,
      experimentTemplateId: REHEARSAL_TEMPLATES["zone:us-west-2a"],
      state: { status: status as never, reason },
      actions: Object.fromEntries(ZONE_ACTIONS.map((name) => [name, { actionId: name, state: { status: (actions[name] ?? "pending") as never } }])),
      stopConditions: [
        { source: "aws:cloudwatch:alarm", value: "arn:aws:cloudwatch:us-west-2:123456789012:alarm:Inventory-LB load balancer 5xx rate" },
        { source: "aws:cloudwatch:alarm", value: "arn:aws:cloudwatch:us-west-2:123456789012:alarm:Inventory-LB app 5xx rate" },
      ],
    },
  };
}
