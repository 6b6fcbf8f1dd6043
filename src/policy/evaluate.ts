import * as fs from "node:fs";
import * as path from "node:path";
import { loadEnvironments, parseSettings } from "../config/load";
import type { EnvironmentSettings } from "../config/schema";
import { inventoryStackName } from "../config/names";
import { InventoryStack } from "../stacks/inventory-stack";
import { type Control, type Finding, formatFinding, type Target } from "./control";
import { conditionHolds, describeCondition, EXCEPTIONS_FILE, type PolicyException } from "./exceptions";
import type { TerraformDocument } from "../terraform/document";
import { synthesizeInMemory } from "../terraform/synthesize-in-memory";

/**
 * Checks controls against targets and settles each result with the
 * exceptions file: met, waived by an exception, failed, or met while an
 * exception still waives it (stale, which fails too).
 */

/** The inventory variant with every optional control turned on, so those are proven to pass, not only waived. */
export const HARDENED = "hardened";
/** The default environment on a name of its own (`loadBalancer.domain`), so the HTTPS controls are proven met without a certificate made elsewhere. */
export const DOMAIN = "domain";
/** The name and zone of the domain variant: example.com is reserved for examples, and synthesis never looks the zone up. */
export const EXAMPLE_DOMAIN = { name: "inventory.example.com", hostedZoneId: "Z0123456789EXAMPLE0AB" } as const;
/** The state bootstrap stack (S3 state bucket and DynamoDB lock table). */
export const STATE_BOOTSTRAP = "state-bootstrap";
export const STATE_TARGETS: readonly string[] = [STATE_BOOTSTRAP];

/** A stand-in ACM certificate for the hardened variant: synthesis never looks it up. */
const EXAMPLE_CERTIFICATE = "arn:aws:acm:{region}:123456789012:certificate/00000000-0000-4000-8000-000000000000";

export type Outcome =
  | { readonly status: "met" }
  | { readonly status: "waived"; readonly exception: PolicyException; readonly findings: readonly Finding[] }
  | { readonly status: "failed"; readonly findings: readonly Finding[]; readonly notes: readonly string[] }
  | { readonly status: "stale"; readonly exception: PolicyException };

export interface Evaluation {
  readonly control: Control;
  readonly target: string;
  readonly outcome: Outcome;
}

/** One control against one target, settled with the exceptions. */
export function evaluate(control: Control, target: Target, exceptions: readonly PolicyException[]): Evaluation {
  const findings = control.check(target);
  const exception = exceptions.find((candidate) => candidate.control === control.id && candidate.environments.includes(target.name));
  const settle = (outcome: Outcome): Evaluation => ({ control, target: target.name, outcome });
  if (!exception) return settle(findings.length === 0 ? { status: "met" } : { status: "failed", findings, notes: [] });
  if (!conditionHolds(exception, target.settings)) {
    if (findings.length === 0) return settle({ status: "stale", exception });
    return settle({
      status: "failed",
      findings,
      notes: [`${EXCEPTIONS_FILE} waives ${control.id} in ${target.name} only while ${describeCondition(exception).replace(/`/g, "")}`],
    });
  }
  const covered = exception.resources ? findings.filter((finding) => exception.resources!.includes(finding.address)) : findings;
  const uncovered = findings.filter((finding) => !covered.includes(finding));
  if (uncovered.length > 0) {
    return settle({
      status: "failed",
      findings: uncovered,
      notes: [`${EXCEPTIONS_FILE} waives ${control.id} in ${target.name} for ${exception.resources!.join(", ")} only`],
    });
  }
  return settle(covered.length === 0 ? { status: "stale", exception } : { status: "waived", exception, findings: covered });
}

export function evaluateAll(controls: readonly Control[], targets: readonly Target[], exceptions: readonly PolicyException[]): Evaluation[] {
  return targets.flatMap((target) => controls.map((control) => evaluate(control, target, exceptions)));
}

/** Why an evaluation fails its test, or undefined when it passes (met or waived). */
export function failureOf(evaluation: Evaluation): string | undefined {
  const { outcome, control, target } = evaluation;
  if (outcome.status === "failed") return [...outcome.findings.map(formatFinding), ...outcome.notes].join("\n");
  if (outcome.status === "stale")
    return (
      `${control.id} is met in ${target}, but ${EXCEPTIONS_FILE} still waives it there ("${outcome.exception.reason.slice(0, 60)}...")` +
      `: remove ${target} from that exception`
    );
  return undefined;
}

/** Exceptions (per environment) that waived nothing among these evaluations: the suite fails on each. */
export function unusedExceptions(exceptions: readonly PolicyException[], evaluations: readonly Evaluation[], targetNames: readonly string[]): string[] {
  const unused: string[] = [];
  for (const exception of exceptions) {
    for (const environment of exception.environments.filter((name) => targetNames.includes(name))) {
      const used = evaluations.some(
        (evaluation) => evaluation.target === environment && evaluation.outcome.status === "waived" && evaluation.outcome.exception === exception,
      );
      if (!used) unused.push(`${exception.control} in ${environment}`);
    }
  }
  return unused;
}

// ---------------------------------------------------------------- inventory targets

/** Synthesizes an environment's inventory stack, as `cdktf synth` would write it. */
export function synthInventory(root: string, settings: EnvironmentSettings): TerraformDocument {
  return synthesizeInMemory((app) => new InventoryStack(app, inventoryStackName(settings.environment), { settings, appDirectory: path.join(root, "app") }));
}

/** The default environment with every optional protection turned on: a certificate, access logs, Enhanced Monitoring. */
export function hardenedSettings(root: string): EnvironmentSettings {
  const raw = JSON.parse(fs.readFileSync(path.join(root, "environments", "default.json"), "utf8"));
  const region = raw.region ?? "us-west-2";
  return parseSettings(HARDENED, {
    ...raw,
    loadBalancer: {
      ...raw.loadBalancer,
      certificateArn: EXAMPLE_CERTIFICATE.replace("{region}", region),
      deletionProtection: true,
      accessLogs: { ...raw.loadBalancer?.accessLogs, enabled: true },
    },
    database: {
      ...raw.database,
      multiAz: true,
      monitoringIntervalSeconds: 60,
      backups: { ...raw.database?.backups, enabled: true, copyRegion: region === "us-east-1" ? "us-west-2" : "us-east-1", vaultLock: true },
    },
    network: { ...raw.network, flowLogs: { ...raw.network?.flowLogs, enabled: true } },
  });
}

/**
 * The default environment with `loadBalancer.domain` set (its own
 * certificate, validated in the zone) and `network.ipv6` on (a dual-stack load
 * balancer, so the name gets an AAAA record too); nothing else changed.
 */
export function domainSettings(root: string): EnvironmentSettings {
  const raw = JSON.parse(fs.readFileSync(path.join(root, "environments", "default.json"), "utf8"));
  return parseSettings(DOMAIN, { ...raw, network: { ...raw.network, ipv6: true }, loadBalancer: { ...raw.loadBalancer, domain: EXAMPLE_DOMAIN } });
}

/** Every environment file's stack, plus the hardened and domain variants. */
export function inventoryTargets(root: string): Target[] {
  const environments = loadEnvironments({ directory: path.join(root, "environments"), variables: {} });
  return [...environments, hardenedSettings(root), domainSettings(root)].map((settings) => ({
    name: settings.environment,
    scope: "inventory" as const,
    region: settings.region,
    settings,
    document: synthInventory(root, settings),
  }));
}
