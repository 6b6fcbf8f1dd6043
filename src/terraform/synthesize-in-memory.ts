import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type App, type TerraformStack, Testing } from "cdktf";
import type { TerraformDocument } from "./document";

/**
 * The Terraform JSON of a stack built on an app of its own, read in memory
 * (the policy suite and the CI access report synthesize this way). cdktf makes
 * an app's output folder as the app is built, and `Testing.app()` would leave
 * one in the system's temp folder per call: this one is removed once the
 * stack is synthesized.
 */
export function synthesizeInMemory(build: (app: App) => TerraformStack): TerraformDocument {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-synth-"));
  try {
    return JSON.parse(Testing.synth(build(Testing.app({ outdir })))) as TerraformDocument;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
