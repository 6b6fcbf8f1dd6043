import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { synthesize, type SynthesizedStack } from "../../src/synthesize";
import { type PlanResult, StackWorkspace } from "../../src/terraform/stack-workspace";
import type { Diagnostic } from "../../src/terraform/terraform-cli";
import { PROJECT_ROOT } from "./stacks";

export const TERRAFORM_CACHE = path.join(PROJECT_ROOT, ".cache", "terraform");

/** Synthesizes one environment of the repository, as JSON or HCL, into a fresh temporary folder. */
export function synthesizeEnvironment(environment: string, format: "json" | "hcl"): SynthesizedStack & { outdir: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `inventory-${format}-`));
  const [stack] = synthesize({ projectRoot: PROJECT_ROOT, outdir: path.join(outdir, "out"), hcl: format === "hcl", variables: { INVENTORY_ENV: environment } });
  return { ...stack, outdir };
}

/** The outcome of init + validate + plan of one synthesized stack; errors are kept so each test can report them. */
export interface TerraformRun {
  readonly warnings?: Diagnostic[];
  readonly plan?: PlanResult;
  readonly error?: Error;
}

/** Runs terraform init, validate and optionally an offline plan, in a throwaway copy of the stack folder. */
export async function initValidatePlan(stackDirectory: string, options: { plan: boolean }): Promise<TerraformRun> {
  let workspace: StackWorkspace | undefined;
  try {
    workspace = StackWorkspace.create(stackDirectory, { cacheDirectory: TERRAFORM_CACHE });
    await workspace.init();
    const warnings = await workspace.validate();
    const plan = options.plan ? await workspace.plan() : undefined;
    return { warnings, plan };
  } catch (error) {
    return { error: error as Error };
  } finally {
    workspace?.remove();
  }
}

/** Throws the run's error (Terraform's own message) so the test fails with it. */
export function succeeded(run: TerraformRun): Omit<TerraformRun, "error"> & { warnings: Diagnostic[] } {
  if (run.error) throw run.error;
  return run as Omit<TerraformRun, "error"> & { warnings: Diagnostic[] };
}
