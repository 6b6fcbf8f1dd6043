import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TerraformPlanJson } from "./plan-json";
import { readSavedPlan } from "./saved-plan";
import { runTerraform, terraformBinary, terraformEnvironment } from "./terraform-cli";
import { type NumberShapes, numberShapesOf, type ProvidersSchema } from "./value-numbers";

/** The override file the workspace adds; Terraform merges `*_override.tf.json` over the stack's own files. */
export const REVIEW_OVERRIDE_FILE = "zz_review_override.tf.json";

export interface StackWorkspaceOptions {
  /** Replace the stack's backend with a local state file inside the workspace, so nothing reaches S3 or Terraform Cloud. @default true */
  readonly localBackend?: boolean;
  /** Keep the AWS provider off the network: dummy credentials and no account, metadata or credential checks. @default true */
  readonly offline?: boolean;
  /** Where the project keeps generated Terraform settings (the mirror CLI config). @default <project>/.cache/terraform */
  readonly cacheDirectory: string;
  /** Process environment Terraform starts from. @default process.env */
  readonly variables?: NodeJS.ProcessEnv;
}

/** What `terraform plan` produced. */
export interface PlanResult {
  /** The binary plan file. */
  readonly planFile: string;
  /** The human-readable plan, as `terraform plan` printed it. */
  readonly text: string;
}

/** A plan's JSON, and where it came from. */
export interface ReadPlan {
  readonly plan: TerraformPlanJson;
  /** The plan file itself, or `terraform show -json` when the file holds something the reader does not know (`fallbackReason`). */
  readonly source: "plan file" | "terraform show -json";
  readonly fallbackReason?: string;
}

/** Copies a synthesized stack folder (cdk.tf.json or cdk.tf, plus assets) into `destination`, without a previous run's working data, state or plans. */
export function copyStackFolder(stackDirectory: string, destination: string): void {
  fs.mkdirSync(destination, { recursive: true });
  for (const entry of fs.readdirSync(stackDirectory)) {
    if (entry === ".terraform" || entry.endsWith(".tfstate") || entry.endsWith(".tfplan")) continue;
    fs.cpSync(path.join(stackDirectory, entry), path.join(destination, entry), { recursive: true });
  }
}

/**
 * A throwaway copy of a synthesized stack folder where Terraform can init,
 * validate and plan without touching cdktf.out or any remote service.
 */
export class StackWorkspace {
  readonly directory: string;
  protected readonly environment: NodeJS.ProcessEnv;
  protected readonly binary: string;

  protected constructor(directory: string, environment: NodeJS.ProcessEnv) {
    this.directory = directory;
    this.environment = environment;
    this.binary = terraformBinary(environment);
  }

  /** Copies `stackDirectory` (cdk.tf.json or cdk.tf, plus assets) into a new temporary folder and adds the review override. */
  static create(stackDirectory: string, options: StackWorkspaceOptions): StackWorkspace {
    const workspace = StackWorkspace.empty(path.basename(stackDirectory), options);
    copyStackFolder(stackDirectory, workspace.directory);
    fs.writeFileSync(path.join(workspace.directory, REVIEW_OVERRIDE_FILE), reviewOverride(options));
    return workspace;
  }

  /** A new, empty temporary folder with Terraform's environment, for a configuration the caller writes into it. */
  static empty(name: string, options: Pick<StackWorkspaceOptions, "cacheDirectory" | "variables">): StackWorkspace {
    const environment = terraformEnvironment(options.cacheDirectory, options.variables);
    return new StackWorkspace(fs.mkdtempSync(path.join(os.tmpdir(), `tf-${name}-`)), environment);
  }

  /** Runs any terraform command in the workspace. */
  run(args: string[]) {
    return runTerraform(args, { cwd: this.directory, environment: this.environment, binary: this.binary });
  }

  /**
   * `terraform init`. `backendConfig` adds settings to the stack's own
   * backend block (a partial configuration, as `-backend-config` does), e.g.
   * endpoints of a local S3 stand-in; the block's bucket, key and locking stay
   * as synthesized. `flags` go to init as they are (`-reconfigure`, `-upgrade`).
   */
  async init(backendConfig?: Record<string, unknown>, flags: readonly string[] = []): Promise<void> {
    const args = ["init", "-input=false", "-no-color", ...flags];
    if (backendConfig) {
      const file = path.join(this.directory, "backend-config.hcl");
      // JSON literals are HCL expressions: strings, booleans and objects alike.
      fs.writeFileSync(
        file,
        Object.entries(backendConfig)
          .map(([key, value]) => `${key} = ${JSON.stringify(value)}\n`)
          .join(""),
      );
      args.push(`-backend-config=${file}`);
    }
    await this.run(args);
  }

  /**
   * `terraform plan`, saved to a plan file. By default an offline plan:
   * `-refresh=false` and the state not locked (a review plan against a
   * throwaway local state). `refresh` reads every resource's real state
   * first (a live review); `lock` locks the state as a real plan does and
   * gives up at once if someone else holds the lock.
   */
  async plan(options: { lock?: boolean; refresh?: boolean; planFileName?: string } = {}): Promise<PlanResult> {
    const planFile = path.join(this.directory, options.planFileName ?? "review.tfplan");
    const lock = options.lock ? ["-lock=true", "-lock-timeout=0s"] : ["-lock=false"];
    const refresh = options.refresh ? [] : ["-refresh=false"];
    const { stdout } = await this.run(["plan", ...refresh, "-input=false", ...lock, "-no-color", `-out=${planFile}`]);
    return { planFile, text: stdout };
  }

  /** `terraform show -json` of a saved plan. Each terraform command loads the large AWS provider, so this is a separate, optional step. */
  async showJson(planFile: string): Promise<TerraformPlanJson> {
    const { stdout } = await this.run(["show", "-json", planFile]);
    return JSON.parse(stdout) as TerraformPlanJson;
  }

  /**
   * A saved plan's resource changes and references, read from the plan file
   * (src/terraform/saved-plan.ts) without another Terraform command, or from
   * `terraform show -json` when the file holds something the reader does not
   * know.
   */
  async readPlan(planFile: string): Promise<ReadPlan> {
    const reading = readSavedPlan(planFile, await this.numberShapes());
    if (reading.unsupported === undefined) return { plan: reading.plan, source: "plan file" };
    return { plan: await this.showJson(planFile), source: "terraform show -json", fallbackReason: reading.unsupported };
  }

  /** Where the configuration's providers hold numbers, from their schema (`terraform providers schema -json`, which loads every provider). */
  async numberShapes(): Promise<NumberShapes> {
    const { stdout } = await this.run(["providers", "schema", "-json"]);
    return numberShapesOf(JSON.parse(stdout) as ProvidersSchema);
  }

  remove(): void {
    fs.rmSync(this.directory, { recursive: true, force: true });
  }
}

/**
 * The override file's content: Terraform merges `*_override.tf.json` over the
 * stack's own files, so the review changes the backend and the provider's
 * network use without touching the synthesized configuration.
 */
export function reviewOverride(options: Pick<StackWorkspaceOptions, "localBackend" | "offline">): string {
  const override: Record<string, unknown> = {};
  if (options.localBackend ?? true) override.terraform = { backend: { local: { path: "terraform.tfstate" } } };
  if (options.offline ?? true) {
    override.provider = {
      aws: {
        access_key: "offline-review",
        secret_key: "offline-review",
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: true,
        // Offline there is no account to check a stack's allowed_account_ids against.
        allowed_account_ids: null,
      },
    };
  }
  return `${JSON.stringify(override, null, 2)}\n`;
}
