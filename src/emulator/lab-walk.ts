import * as fs from "node:fs";
import * as path from "node:path";
import type { TerraformPlanJson } from "../terraform/plan-json";
import { replacements } from "../terraform/plan-changes";

/** The environment the lab starts from, whose settings each step changes. */
export const LAB_START_ENVIRONMENT = "lab-start";

/** One step of the lab after its start: a change of settings, applied on top of the steps before it. */
export interface LabStep {
  /** What `--step` names it by. */
  readonly name: string;
  /** The lab's words for it. */
  readonly title: string;
  /** The settings it changes, as an environment file would hold them. */
  readonly settings: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/**
 * The lab's challenges, in its order, each as the settings it changes on
 * environments/lab-start.json. After the last one the environment holds the
 * lab's final settings (environments/default.json's), under lab-start's
 * names and state.
 */
export const LAB_STEPS: readonly LabStep[] = [
  {
    name: "database-ha",
    title: "Make the database highly available (Multi-AZ) and scale it (double the class and the storage)",
    settings: { database: { multiAz: true, instanceClass: "db.t3.small", allocatedStorageGiB: 40 } },
  },
  {
    name: "nat-per-az",
    title: "A second NAT gateway, so each private subnet leaves through the NAT gateway of its own zone",
    settings: { network: { natStrategy: "per-az" } },
  },
  {
    name: "database-from-app",
    title: "Update the database's security group: MySQL from the app servers' group only, not the whole VPC",
    settings: { database: { ingressFrom: "app-security-group" } },
  },
  {
    name: "database-backups",
    title: "Back the database up with AWS Backup, into a vault of its own key, and restore the latest backup every week to prove it",
    settings: { database: { backups: { enabled: true } } },
  },
  {
    name: "zone-resilience",
    title: "Beyond the lab: traffic leaves a sick zone (zonal shift, cross-zone, slow start, launch before terminate), and losing one is rehearsed (AWS FIS)",
    settings: { zoneResilience: { zonalShift: true, crossZone: true, slowStartSeconds: 60, launchBeforeTerminate: true, rehearsal: { enabled: true } } },
  },
];

/** The resources a step must never replace or destroy: the data, the entry point, the fleet and the network they live in. */
export const STATEFUL_TYPES = ["aws_db_instance", "aws_lb", "aws_autoscaling_group", "aws_vpc"] as const;

/** lab-start's settings with the steps up to and including `through` applied (none when undefined). */
export function labSettings(environmentsDirectory: string, through?: string): Record<string, unknown> {
  const settings = JSON.parse(fs.readFileSync(path.join(environmentsDirectory, `${LAB_START_ENVIRONMENT}.json`), "utf8")) as Record<string, unknown>;
  if (through === undefined) return settings;
  const last = LAB_STEPS.findIndex((step) => step.name === through);
  if (last < 0) throw new Error(`--step ${through}: no such step; the lab's steps: ${LAB_STEPS.map((step) => step.name).join(", ")}`);
  for (const step of LAB_STEPS.slice(0, last + 1)) {
    for (const [section, values] of Object.entries(step.settings)) {
      const current = settings[section];
      settings[section] = { ...(typeof current === "object" && current !== null ? current : {}), ...values };
    }
  }
  return settings;
}

/** The stateful resources a plan replaces or destroys, as "address (actions)" lines: empty for a step that keeps them. */
export function statefulReplacements(plan: TerraformPlanJson): string[] {
  const destroyed = (plan.resource_changes ?? [])
    .filter((change) => change.mode === "managed" && change.change.actions.join() === "delete")
    .map((change) => ({ address: change.address, type: change.type, actions: change.change.actions }));
  return [...replacements(plan), ...destroyed]
    .filter((change) => (STATEFUL_TYPES as readonly string[]).includes(change.type))
    .map((change) => `${change.address} (${change.actions.join(", then ")})`);
}
