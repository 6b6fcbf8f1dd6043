import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readSavedResourceChanges } from "../../src/terraform/saved-plan";
import { copyStackFolder } from "../../src/terraform/stack-workspace";
import type { ResourceChange, TerraformPlanJson } from "../../src/terraform/plan-json";
import { runTerraform, terraformEnvironment, type TerraformResult } from "../../src/terraform/terraform-cli";
import { type NumberShapes, numberShapesOf, type ProvidersSchema } from "../../src/terraform/value-numbers";
import type { AwsEmulator } from "../support/aws-emulator";
import { TERRAFORM_CACHE } from "../support/terraform";
import type { StackConfiguration } from "../../src/emulator/emulator-gaps";
import { writeEmulatorOverrides } from "../../src/emulator/stack-overrides";

/** Longest a single Terraform command may take here; the provider's own waiters take a minute or two against the emulator. */
const COMMAND_TIMEOUT_MS = 8 * 60_000;

export interface PlanOutcome {
  readonly planFile: string;
  readonly text: string;
  readonly json: TerraformPlanJson;
  /** The resource changes as the review reads them from the plan file (src/terraform/saved-plan.ts), or why it could not. */
  readonly fromPlanFile: ResourceChange[] | string;
}

/**
 * A synthesized stack applied for real into the AWS emulator: a working
 * folder Terraform keeps for the stack's whole life (its `.terraform` and,
 * with the stack's own S3 backend, state in the emulator's bucket), loaded
 * with a new synthesis whenever the settings or the app change.
 */
export class EmulatedStack {
  readonly directory: string;
  private readonly environment: NodeJS.ProcessEnv;
  private numberShapes?: NumberShapes;

  private constructor(
    readonly name: string,
    private readonly emulator: AwsEmulator,
    private readonly backend: "local" | "synthesized",
  ) {
    this.directory = fs.mkdtempSync(path.join(os.tmpdir(), `emulated-${name}-`));
    this.environment = terraformEnvironment(TERRAFORM_CACHE, emulator.awsVariables());
  }

  /**
   * `backend: "local"` keeps the state in the working folder (the bootstrap
   * stack, whose state cannot live in the bucket it creates); `"synthesized"`
   * uses the stack's own backend block, pointed at the emulator at init.
   */
  static create(name: string, emulator: AwsEmulator, backend: "local" | "synthesized"): EmulatedStack {
    return new EmulatedStack(name, emulator, backend);
  }

  /** Replaces the configuration with a synthesized stack folder's, plus the emulator's overrides. */
  load(stackDirectory: string): StackConfiguration {
    for (const entry of fs.readdirSync(this.directory)) {
      if (entry.endsWith(".tf.json") || entry.endsWith(".tf") || entry === "assets")
        fs.rmSync(path.join(this.directory, entry), { recursive: true, force: true });
    }
    copyStackFolder(stackDirectory, this.directory);
    return writeEmulatorOverrides(this.directory, this.emulator, this.backend === "local" ? "local" : "init-flags");
  }

  run(args: string[], timeoutMs = COMMAND_TIMEOUT_MS): Promise<TerraformResult> {
    return runTerraform(args, { cwd: this.directory, environment: this.environment, timeoutMs });
  }

  async init(): Promise<void> {
    const args = ["init", "-input=false", "-no-color", "-reconfigure"];
    if (this.backend === "synthesized") {
      const file = path.join(this.directory, "emulator-backend.hcl");
      // JSON literals are HCL expressions: strings, booleans and objects alike.
      fs.writeFileSync(
        file,
        Object.entries(this.emulator.backendConfig())
          .map(([key, value]) => `${key} = ${JSON.stringify(value)}\n`)
          .join(""),
      );
      args.push(`-backend-config=${file}`);
    }
    await this.run(args);
  }

  /**
   * A real plan (refreshing against the emulator), saved, with its JSON. It
   * locks the state unless `lock` is false (a plan beside another command
   * that holds the lock; applying the saved plan still takes the lock).
   */
  async plan(name: string, options: { lock?: boolean } = {}): Promise<PlanOutcome> {
    const planFile = path.join(this.directory, `${name}.tfplan`);
    const lock = options.lock === false ? ["-lock=false"] : ["-lock-timeout=0s"];
    const { stdout } = await this.run(["plan", "-input=false", "-no-color", ...lock, `-out=${planFile}`]);
    const { stdout: json } = await this.run(["show", "-json", planFile]);
    this.numberShapes ??= numberShapesOf(JSON.parse((await this.run(["providers", "schema", "-json"])).stdout) as ProvidersSchema);
    const reading = readSavedResourceChanges(planFile, this.numberShapes);
    return { planFile, text: stdout, json: JSON.parse(json) as TerraformPlanJson, fromPlanFile: "changes" in reading ? reading.changes : reading.unsupported };
  }

  /** Applies a saved plan, or plans and applies in one go. */
  apply(planFile?: string): Promise<TerraformResult> {
    return this.run(["apply", "-input=false", "-no-color", "-lock-timeout=0s", ...(planFile ? [planFile] : ["-auto-approve"])]);
  }

  destroy(): Promise<TerraformResult> {
    return this.run(["destroy", "-input=false", "-no-color", "-lock-timeout=0s", "-auto-approve"]);
  }

  async stateAddresses(): Promise<string[]> {
    const { stdout } = await this.run(["state", "list"]);
    return stdout.split("\n").filter((line) => line.trim() !== "");
  }

  /** A second working folder of the same configuration and backend, as another person's checkout would be. */
  sibling(name: string): EmulatedStack {
    const other = new EmulatedStack(name, this.emulator, this.backend);
    for (const entry of fs.readdirSync(this.directory)) {
      if (entry.endsWith(".tf.json") || entry === "assets" || entry === ".terraform.lock.hcl")
        fs.cpSync(path.join(this.directory, entry), path.join(other.directory, entry), { recursive: true });
    }
    return other;
  }

  remove(): void {
    fs.rmSync(this.directory, { recursive: true, force: true });
  }
}
