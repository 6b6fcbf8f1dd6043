import * as fs from "node:fs";
import * as path from "node:path";
import type { EmulatorEndpoint } from "./aws-emulator";
import { gapOverrides, type StackConfiguration } from "./emulator-gaps";

/** The override file that points the AWS provider (and the state) at the emulator. */
export const EMULATOR_OVERRIDE_FILE = "zz_emulator_override.tf.json";
/** The override file of the emulator gaps that need the configuration changed (see emulator-gaps.ts). */
export const GAPS_OVERRIDE_FILE = "zz_emulator_gaps_override.tf.json";

/**
 * Where a stack's state lives in the emulator:
 * - `local`: a file in the stack folder (the bootstrap stack, whose state
 *   cannot live in the bucket it creates);
 * - `init-flags`: the stack's own S3 backend, pointed at the emulator by
 *   `-backend-config` at `terraform init` (the caller passes
 *   `emulator.backendConfig()`);
 * - `override`: the same, written into the override file, for a caller that
 *   does not run `init` itself (`cdktf deploy`). Terraform replaces a backend
 *   block of an override file as a whole, so it holds the synthesized
 *   settings too.
 */
export type EmulatedBackend = "local" | "init-flags" | "override";

/**
 * Writes the emulator's override files into a synthesized stack folder: the
 * provider (and the backend) pointed at the emulator, and every emulator gap's
 * change to the configuration. The stack's own cdk.tf.json stays as
 * synthesized. Returns that configuration.
 */
export function writeEmulatorOverrides(directory: string, emulator: EmulatorEndpoint, backend: EmulatedBackend): StackConfiguration {
  const configuration = JSON.parse(fs.readFileSync(path.join(directory, "cdk.tf.json"), "utf8")) as StackConfiguration & {
    terraform?: { backend?: Record<string, Record<string, unknown>> };
  };
  const override: Record<string, unknown> = { provider: { aws: emulator.providerOverride() } };
  if (backend === "local") override.terraform = { backend: { local: { path: "terraform.tfstate" } } };
  if (backend === "override") {
    const s3 = configuration.terraform?.backend?.s3;
    if (!s3) throw new Error(`${path.join(directory, "cdk.tf.json")} has no S3 backend to point at the emulator`);
    override.terraform = { backend: { s3: { ...s3, ...emulator.backendConfig() } } };
  }
  fs.writeFileSync(path.join(directory, EMULATOR_OVERRIDE_FILE), `${JSON.stringify(override, null, 2)}\n`);
  const gaps = gapOverrides(configuration);
  const gapsFile = path.join(directory, GAPS_OVERRIDE_FILE);
  if (gaps) fs.writeFileSync(gapsFile, `${JSON.stringify(gaps, null, 2)}\n`);
  else fs.rmSync(gapsFile, { force: true });
  return configuration;
}
