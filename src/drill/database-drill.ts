import { DescribeDBInstancesCommand, type RDSClient, RebootDBInstanceCommand } from "@aws-sdk/client-rds";
import { type DrillStatus, type DrillRuntime, type Observation, appProblem, awsCaller, endOfPlan, watchDrill, watchPlanLines } from "./drill";
import type { AwsCaller } from "./throttling";
import { formatDuration } from "./timeline";

export interface DatabaseDrillProps {
  readonly runtime: DrillRuntime;
  readonly rds: RDSClient;
  /** Stack output `db_instance_identifier`. */
  readonly dbInstanceIdentifier: string;
}

/** The database at one moment. */
export interface DatabaseSnapshot {
  /** `available`, `rebooting` ... */
  readonly status: string;
  readonly multiAz: boolean;
  /** Where the primary runs. */
  readonly availabilityZone: string;
  /** Where the standby runs (Multi-AZ only). */
  readonly secondaryAvailabilityZone: string | undefined;
}

/**
 * Reboots the Multi-AZ database with forced failover, so the standby becomes
 * the primary as it would if the primary's AZ failed, and watches until the
 * database is available again. Without `runtime.execute` it stops after
 * saying what it would do.
 */
export async function runDatabaseDrill(props: DatabaseDrillProps): Promise<DrillStatus> {
  const { runtime, dbInstanceIdentifier: id } = props;
  const out = runtime.console;
  const call = awsCaller(runtime, runtime.clock.now() + runtime.timeoutMs, (text) => out.line(text));

  const before = await lookAtDatabase(call, props);
  out.line(
    `  Database ${id}: ${before.status}, ${before.multiAz ? "Multi-AZ" : "Single-AZ"}, primary in ${before.availabilityZone}` +
      (before.secondaryAvailabilityZone ? `, standby in ${before.secondaryAvailabilityZone}` : ""),
  );
  if (!before.multiAz) {
    out.line(`Refusing: ${id} is not Multi-AZ, so it has no standby to fail over to and a reboot would only take it down. Make it Multi-AZ and deploy first.`);
    return "refused";
  }
  const problems: string[] = [];
  if (before.status !== "available") problems.push(`${id} is ${before.status}, not available`);
  const app = await appProblem(runtime);
  if (app) problems.push(app);
  if (problems.length > 0) {
    out.line(`Refusing: ${problems.join("; ")}. Run the drill once it is healthy.`);
    return "refused";
  }
  out.line(`  App ${runtime.appUrl}: answers 2xx`);

  out.line();
  out.line(
    `${runtime.execute ? "Plan:" : "Would"} reboot ${id} with forced failover (RebootDBInstance, ForceFailover), ` +
      `so the standby in ${before.secondaryAvailabilityZone ?? "the other AZ"} becomes the primary;`,
  );
  out.line(
    `  then look at the database every ${formatDuration(runtime.pollIntervalMs)} until it is available again (timeout ${formatDuration(runtime.timeoutMs)}),`,
  );
  for (const line of watchPlanLines(runtime)) out.line(line);
  const planned = endOfPlan(runtime, "it does not stop the failover");
  if (planned) return planned;

  let previous = before;
  let rebooted = false;
  // RDS reports `available` again only after the failover; until the drill has seen another status, `available` is the old state.
  let sawUnavailable = false;
  return watchDrill(runtime, {
    async act(awsCall, timeline) {
      const response = await awsCall((abortSignal) =>
        props.rds.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: id, ForceFailover: true }), { abortSignal }),
      );
      rebooted = true;
      const status = response.DBInstance?.DBInstanceStatus;
      timeline.add(`reboot with failover requested${status ? `; ${id} is ${status}` : ""}`);
      if (status) {
        // Already on the timeline: the next look reports only what changes after this.
        previous = { ...previous, status };
        if (status !== "available") sawUnavailable = true;
      }
    },
    async observe(awsCall, timeline): Promise<Observation> {
      const now = await lookAtDatabase(awsCall, props);
      if (now.status !== previous.status) timeline.add(`${id} ${previous.status} -> ${now.status}`);
      if (now.availabilityZone !== previous.availabilityZone) timeline.add(`primary now in ${now.availabilityZone} (was ${previous.availabilityZone})`);
      previous = now;
      if (now.status !== "available") sawUnavailable = true;
      const done = sawUnavailable && now.status === "available";
      return { done, summary: `${id} ${now.status}, primary in ${now.availabilityZone}` };
    },
    describeRecovery: (recoveryMs) => `Failed over in ${formatDuration(recoveryMs)}: ${id} is available again.`,
    details() {
      const after = previous;
      const moved = after.availabilityZone !== before.availabilityZone;
      return [
        `Availability zone: primary ${before.availabilityZone} -> ${after.availabilityZone}, ` +
          `standby ${before.secondaryAvailabilityZone ?? "none"} -> ${after.secondaryAvailabilityZone ?? "none"}.`,
        ...(moved ? [] : [`Warning: the primary did not change AZ, so RDS did not fail over; look at the database's events in the RDS console.`]),
      ];
    },
    get leftRunning() {
      return rebooted ? `RDS goes on with the failover without the drill.` : `${id} may not have been rebooted; look at it before running the drill again.`;
    },
  });
}

/** The database as RDS describes it now. */
export async function lookAtDatabase(call: AwsCaller, props: Pick<DatabaseDrillProps, "rds" | "dbInstanceIdentifier">): Promise<DatabaseSnapshot> {
  const answer = await call((abortSignal) =>
    props.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: props.dbInstanceIdentifier }), { abortSignal }),
  );
  const instance = answer.DBInstances?.[0];
  if (!instance) throw new Error(`database ${props.dbInstanceIdentifier} not found (stack outputs out of date, or another region?)`);
  return {
    status: instance.DBInstanceStatus ?? "unknown",
    multiAz: instance.MultiAZ === true,
    availabilityZone: instance.AvailabilityZone ?? "unknown AZ",
    secondaryAvailabilityZone: instance.SecondaryAvailabilityZone,
  };
}
