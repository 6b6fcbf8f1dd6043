import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import { ENVIRONMENT_SELECTOR, loadEnvironments, SettingsError } from "./config/load";
import type { EnvironmentSettings } from "./config/schema";
import { inventoryStackName } from "./config/names";
import { CI_ACCESS_STACK, CiAccessStack, ciAccessProps, stateRoleNames } from "./ci-access/ci-access-stack";
import { InventoryStack } from "./stacks/inventory-stack";
import { blocksForUntypedAttributes, unquoteReferenceLists } from "./terraform/hcl-output";
import { STATE_BOOTSTRAP_STACK, StateBootstrapStack, type StateBootstrapStackProps } from "./stacks/state-bootstrap-stack";

/** The process variables that select every environment. */
const ALL = { [ENVIRONMENT_SELECTOR]: "" };

export interface SynthesizeOptions {
  /** The project folder (holds environments/ and app/). */
  readonly projectRoot: string;
  /** Where to write. @default CDKTF_OUTDIR (what cdktf's CLI passes), else "cdktf.out" */
  readonly outdir?: string;
  /** Write HCL (cdk.tf) instead of JSON; the CLI's --hcl sets SYNTH_HCL_OUTPUT. @default false */
  readonly hcl?: boolean;
  /** Process environment: INVENTORY_ENV and the setting overrides. @default process.env */
  readonly variables?: NodeJS.ProcessEnv;
}

export interface SynthesizedStack {
  readonly environment: string;
  readonly stackName: string;
  /** Folder of the stack's Terraform configuration. */
  readonly directory: string;
  readonly settings: EnvironmentSettings;
}

/**
 * Loads and validates every environment, then builds and synthesizes one
 * stack per environment. Nothing is written unless everything succeeds: the
 * settings of each environment and across environments are checked first,
 * and the stacks are built and synthesized into a folder of their own, whose
 * files are copied into `outdir` only once the whole synthesis is done. A bad
 * setting, a construct refusing its props, or an address collision leaves
 * `outdir` as it was (or absent).
 */
export function synthesize(options: SynthesizeOptions): SynthesizedStack[] {
  const directory = path.join(options.projectRoot, "environments");
  const environments = loadEnvironments({ directory, variables: options.variables });
  // Every environment's roles and state readers, whichever one is selected: a stack holding only some would destroy the others'.
  const everyEnvironment = loadEnvironments({ directory, variables: { ...(options.variables ?? process.env), ...ALL } });
  const ciAccess = ciAccessProps(everyEnvironment);
  const bootstrap = stateBootstrapProps(everyEnvironment, stateRoleNames(ciAccess));
  const outdir = options.outdir ?? process.env.CDKTF_OUTDIR ?? "cdktf.out";
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-synth-"));
  try {
    const stagedOutdir = path.join(staging, "out");
    const hclOutput = withHclSetting(options.hcl, () => {
      // Stack traces on every construct cost a third of the synthesis time and show up nowhere in the output.
      const app = new App({ outdir: stagedOutdir, hclOutput: options.hcl, stackTraces: false });
      for (const settings of environments) {
        new InventoryStack(app, inventoryStackName(settings.environment), { settings, appDirectory: path.join(options.projectRoot, "app") });
      }
      if (bootstrap) new StateBootstrapStack(app, STATE_BOOTSTRAP_STACK, bootstrap);
      if (ciAccess) new CiAccessStack(app, CI_ACCESS_STACK, ciAccess);
      app.synth();
      if (app.hclOutput) {
        for (const stack of fs.readdirSync(path.join(stagedOutdir, "stacks"))) {
          const file = path.join(stagedOutdir, "stacks", stack, "cdk.tf");
          fs.writeFileSync(file, blocksForUntypedAttributes(unquoteReferenceLists(fs.readFileSync(file, "utf8"))));
        }
      }
      return app.hclOutput;
    });
    publish(stagedOutdir, outdir, hclOutput);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return environments.map((settings) => {
    const stackName = inventoryStackName(settings.environment);
    return { environment: settings.environment, stackName, directory: path.join(outdir, "stacks", stackName), settings };
  });
}

/**
 * Copies a finished synthesis into `outdir`, file by file: a stack folder
 * keeps what Terraform put there (`.terraform`, the lock file) when cdktf
 * deployed from it. A stack folder holds one format: a cdk.tf.json left
 * beside a new cdk.tf (or the reverse) would double every definition. HCL
 * output keeps cdktf's metadata in metadata.json, which JSON output carries
 * inline. `assets/` (the functions' code, the app's archive) is the synthesis's own: replaced as
 * a whole, so no older zip or archive lingers beside the new one.
 */
function publish(stagedOutdir: string, outdir: string, hclOutput: boolean): void {
  const stale = [...(hclOutput ? ["cdk.tf.json"] : ["cdk.tf", "metadata.json"]), "assets"];
  for (const stack of fs.readdirSync(path.join(stagedOutdir, "stacks"))) {
    const directory = path.join(outdir, "stacks", stack);
    fs.mkdirSync(directory, { recursive: true });
    for (const file of stale) fs.rmSync(path.join(directory, file), { recursive: true, force: true });
    fs.cpSync(path.join(stagedOutdir, "stacks", stack), directory, { recursive: true });
  }
  fs.copyFileSync(path.join(stagedOutdir, "manifest.json"), path.join(outdir, "manifest.json"));
}

/**
 * The bootstrap stack creates the one bucket (and lock table, and key) the S3
 * environments share; environments that name different ones, or different
 * administrators of the key, would need a bootstrap each, which this project
 * does not guess at. The CI roles of every environment may use the key.
 */
function stateBootstrapProps(
  environments: EnvironmentSettings[],
  ciRoles: { readonly plan: string[]; readonly deploy: string[] },
): StateBootstrapStackProps | undefined {
  const s3 = environments.filter((settings) => settings.state.backend === "s3");
  if (s3.length === 0) return undefined;
  const [first] = s3;
  const describe = (settings: EnvironmentSettings) =>
    `bucket ${settings.state.bucket} in ${settings.state.region}${settings.state.lockTable ? `, lock table ${settings.state.lockTable}` : ""}`;
  const other = s3.find((settings) => describe(settings) !== describe(first));
  if (other) {
    throw new SettingsError(
      `${other.environment}.json: state: ${describe(other)} differs from ${first.environment}.json's ${describe(first)}; ` +
        `the ${STATE_BOOTSTRAP_STACK} stack creates one state bucket and lock table for all environments`,
    );
  }
  const administrators = (settings: EnvironmentSettings) => JSON.stringify(settings.state.administratorArns ?? "the default");
  const otherAdministrators = s3.find((settings) => administrators(settings) !== administrators(first));
  if (otherAdministrators) {
    throw new SettingsError(
      `${otherAdministrators.environment}.json: state.administratorArns: ${administrators(otherAdministrators)} differs from ` +
        `${first.environment}.json's ${administrators(first)}; the ${STATE_BOOTSTRAP_STACK} stack creates one key for all environments`,
    );
  }
  return {
    bucketName: first.state.bucket!,
    region: first.state.region,
    lockTable: first.state.lockTable,
    administratorArns: first.state.administratorArns,
    planRoleNames: ciRoles.plan,
    deployRoleNames: ciRoles.deploy,
  };
}

/**
 * cdktf 0.21 names the file after `App.hclOutput` but each stack picks its
 * writer from the SYNTH_HCL_OUTPUT variable alone (read when the stack is
 * constructed), so `hclOutput: true` by itself writes JSON into cdk.tf. The
 * CLI's --hcl sets the variable; an explicit choice here sets it for the
 * duration of the synthesis and restores it after.
 */
export function withHclSetting<T>(hcl: boolean | undefined, run: () => T): T {
  if (hcl === undefined) return run();
  const previous = process.env.SYNTH_HCL_OUTPUT;
  process.env.SYNTH_HCL_OUTPUT = String(hcl);
  try {
    return run();
  } finally {
    if (previous === undefined) delete process.env.SYNTH_HCL_OUTPUT;
    else process.env.SYNTH_HCL_OUTPUT = previous;
  }
}
