import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { synthesize, type SynthesizedStack } from "../../src/synthesize";
import { type PlanResult, StackWorkspace } from "../../src/terraform/stack-workspace";
import { type Diagnostic, formatDiagnostic } from "../../src/terraform/terraform-cli";
import { PROJECT_ROOT } from "./stacks";

export const TERRAFORM_CACHE = path.join(PROJECT_ROOT, ".cache", "terraform");

/** Synthesizes one environment of the repository, as JSON or HCL, into a fresh temporary folder. */
export function synthesizeEnvironment(environment: string, format: "json" | "hcl"): SynthesizedStack & { outdir: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `inventory-${format}-`));
  const [stack] = synthesize({ projectRoot: PROJECT_ROOT, outdir: path.join(outdir, "out"), hcl: format === "hcl", variables: { INVENTORY_ENV: environment } });
  return { ...stack, outdir };
}

/** How many resources a synthesized stack folder's cdk.tf.json declares: the N of the `Plan: N to add` its plan must print. */
export function synthesizedResourceCount(stackDirectory: string): number {
  const document = JSON.parse(fs.readFileSync(path.join(stackDirectory, "cdk.tf.json"), "utf8")) as { resource: Record<string, object> };
  return Object.values(document.resource).reduce((sum, byName) => sum + Object.keys(byName).length, 0);
}

/** An offline plan of one synthesized stack, or the error that stopped it, kept so each test can report it. */
export type PlanRun = { readonly plan: PlanResult } | { readonly error: Error };

/** `terraform init` and an offline `terraform plan`, in a throwaway copy of the stack folder. */
export async function planStack(stackDirectory: string): Promise<PlanRun> {
  let workspace: StackWorkspace | undefined;
  try {
    workspace = StackWorkspace.create(stackDirectory, { cacheDirectory: TERRAFORM_CACHE });
    await workspace.init();
    return { plan: await workspace.plan() };
  } catch (error) {
    return { error: error as Error };
  } finally {
    workspace?.remove();
  }
}

/** The plan, or the run's error (Terraform's own message) thrown so the test fails with it. */
export function planned(run: PlanRun): PlanResult {
  if ("error" in run) throw run.error;
  return run.plan;
}

/** Validation diagnostics as Terraform words them, so a failing test shows Terraform's message and where it is. */
export function readable(diagnostics: readonly Diagnostic[] | undefined): string[] {
  if (diagnostics === undefined) throw new Error("this stack was not validated");
  return diagnostics.map(formatDiagnostic);
}
