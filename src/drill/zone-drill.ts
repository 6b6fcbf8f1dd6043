import { type FisClient, GetExperimentCommand, StartExperimentCommand, type Experiment } from "@aws-sdk/client-fis";
import type { RDSClient } from "@aws-sdk/client-rds";
import { lookAtDatabase } from "./database-drill";
import { type DrillRuntime, type DrillStatus, type Observation, appProblem, awsCaller, endOfPlan, watchDrill, watchPlanLines } from "./drill";
import { formatDuration } from "./timeline";

export interface ZoneDrillProps {
  readonly runtime: DrillRuntime;
  readonly fis: FisClient;
  readonly rds: RDSClient;
  /** Stack output `db_instance_identifier`: the zone defaults to its primary's. */
  readonly dbInstanceIdentifier: string;
  /** Stack output `rehearsal_templates`: experiment template ids by scenario (`zone:<zone>`, ...). */
  readonly templates: Readonly<Record<string, string>>;
  /** `--zone`: the zone to lose. @default the database primary's zone, so both tiers lose their zone */
  readonly zone?: string;
}

/** FIS's experiment states that end an experiment. */
const ENDED = new Set(["completed", "stopped", "failed", "cancelled"]);

/**
 * Loses a zone for real: starts the environment's AWS FIS "power
 * interruption" experiment template of that zone (the app servers there
 * stopped, the zone's subnets cut off, the group's launches there failing,
 * the database failed over when its primary is there), follows the
 * experiment until it ends, and reports what the app's users saw and which
 * alarms changed state. An experiment that FIS stops because a stop
 * condition's alarm fired ends the drill as failed. Without
 * `runtime.execute` it stops after saying what it would do.
 */
export async function runZoneDrill(props: ZoneDrillProps): Promise<DrillStatus> {
  const { runtime, dbInstanceIdentifier: id } = props;
  const out = runtime.console;
  const call = awsCaller(runtime, runtime.clock.now() + runtime.timeoutMs, (text) => out.line(text));

  const database = await lookAtDatabase(call, props);
  out.line(
    `  Database ${id}: ${database.status}, primary in ${database.availabilityZone}` +
      (database.secondaryAvailabilityZone ? `, standby in ${database.secondaryAvailabilityZone}` : " (no standby)"),
  );
  const zone = props.zone ?? database.availabilityZone;
  const zones = Object.keys(props.templates)
    .filter((scenario) => scenario.startsWith("zone:"))
    .map((scenario) => scenario.slice("zone:".length));
  const templateId = props.templates[`zone:${zone}`];
  if (templateId === undefined) {
    out.line(`Refusing: the stack has no zone rehearsal for ${zone} (it has ${zones.length > 0 ? zones.join(", ") : "none"}). Pass --zone with one of them.`);
    return "refused";
  }
  const app = await appProblem(runtime);
  if (app) {
    out.line(`Refusing: ${app}. Run the drill once it is healthy.`);
    return "refused";
  }
  out.line(`  App ${runtime.appUrl}: answers 2xx`);

  out.line();
  const primaryThere = zone === database.availabilityZone;
  out.line(`${runtime.execute ? "Plan:" : "Would"} start AWS FIS experiment template ${templateId} (StartExperiment): a power interruption in ${zone}:`);
  out.line(`  the app servers in ${zone} stopped, the environment's subnets in ${zone} cut off, the group's launches in ${zone} failing,`);
  out.line(
    primaryThere
      ? `  and ${id} rebooted with failover, its primary being in ${zone};`
      : `  and ${id} left alone, its primary being in ${database.availabilityZone};`,
  );
  out.line(
    `  then follow the experiment every ${formatDuration(runtime.pollIntervalMs)} (GetExperiment) ` +
      `until it ends (timeout ${formatDuration(runtime.timeoutMs)}); ` +
      "FIS stops it as soon as a stop condition's alarm fires,",
  );
  for (const line of watchPlanLines(runtime)) out.line(line);
  out.line(
    `To move the load balancer's traffic out of ${zone} meanwhile (docs/operations.md): aws arc-zonal-shift start-zonal-shift ` +
      `--resource-identifier LOAD_BALANCER_ARN --away-from ZONE_ID_OF_${zone} --expires-in 1h --comment "zone rehearsal"`,
  );
  const planned = endOfPlan(runtime, "it does not stop the experiment (aws fis stop-experiment --id ID does)");
  if (planned) return planned;

  let experimentId: string | undefined;
  let last: Experiment | undefined;
  return watchDrill(runtime, {
    async act(awsCall, timeline) {
      const response = await awsCall((abortSignal) =>
        props.fis.send(new StartExperimentCommand({ experimentTemplateId: templateId, tags: { Zone: zone } }), { abortSignal }),
      );
      experimentId = response.experiment?.id;
      if (experimentId === undefined) throw new Error(`FIS started no experiment from ${templateId}`);
      last = response.experiment;
      timeline.add(`experiment ${experimentId} started; ${last?.state?.status ?? "pending"}`);
    },
    async observe(awsCall, timeline): Promise<Observation> {
      const answer = await awsCall((abortSignal) => props.fis.send(new GetExperimentCommand({ id: experimentId }), { abortSignal }));
      const now = answer.experiment;
      if (!now) throw new Error(`experiment ${experimentId} not found`);
      const status = now.state?.status ?? "unknown";
      const before = last?.state?.status;
      if (status !== before) timeline.add(`experiment ${before ?? "started"} -> ${status}${now.state?.reason ? ` (${now.state.reason})` : ""}`);
      for (const [name, action] of Object.entries(now.actions ?? {})) {
        const previous = last?.actions?.[name]?.state?.status;
        const current = action.state?.status;
        if (current && current !== previous) timeline.add(`${name} ${previous ?? "pending"} -> ${current}`);
      }
      last = now;
      const summary = `experiment ${status}`;
      if (status === "stopped") return { done: false, summary, failure: `FIS stopped experiment ${experimentId}: ${stopReason(now)}` };
      if (status === "failed") return { done: false, summary, failure: `experiment ${experimentId} failed: ${now.state?.reason ?? "no reason given"}` };
      return { done: ENDED.has(status), summary };
    },
    describeRecovery: (recoveryMs) => `Zone ${zone} lost and back in ${formatDuration(recoveryMs)}: experiment ${experimentId} completed.`,
    details: () => actionLines(last),
    get leftRunning() {
      if (experimentId === undefined) return `No experiment may have started; look at AWS FIS before running the drill again.`;
      return last?.state?.status && ENDED.has(last.state.status)
        ? `FIS has undone what it could (the subnets' network, the stopped servers).`
        : `The experiment goes on without the drill: aws fis stop-experiment --id ${experimentId} stops it.`;
    },
  });
}

/** Why FIS stopped the experiment, in the drill's words. */
function stopReason(experiment: Experiment): string {
  const reason = experiment.state?.reason ?? "";
  if (/stop condition/i.test(reason)) return `a stop condition's alarm fired (${reason})`;
  return reason || "FIS gave no reason (a stop condition's alarm, or aws fis stop-experiment)";
}

function actionLines(experiment: Experiment | undefined): string[] {
  const actions = Object.entries(experiment?.actions ?? {});
  if (actions.length === 0) return [];
  return [`Actions: ${actions.map(([name, action]) => `${name} ${action.state?.status ?? "unknown"}`).join(", ")}.`];
}
