// npm run plan [-- --env NAME] [--live]: synthesizes, then plans one
// environment and prints a one-screen review. Offline by default (no AWS
// credentials, no network, an empty local state: what the environment would
// create); with --live against the environment's own backend and AWS, with the
// default credential chain (what a change would do to what is deployed:
// replacements and destructions first). The plan, its JSON and the review are
// kept in plan-review/<env>/ (plan-review/<env>/live/ for a live review).
//
// Synthesis runs in this process (what `cdktf synth` runs, without the CLI
// around it). Terraform works in a folder kept per environment under
// .cache/terraform/review/, initialised again only when the providers, the
// lock file or the backend change. Terraform needs two commands, each loading
// the AWS provider: one plan, whose output is the text plan, and
// `terraform show -json` of that same saved plan (Terraform's JSON plan comes
// from no other command; `plan -json` streams progress, not values).
import * as fs from "node:fs";
import * as path from "node:path";
import { SettingsError } from "../src/config/load";
import { projectRoot } from "../src/config/project-root";
import { type SynthesizedStack, synthesize } from "../src/synthesize";
import { reviewPlan } from "../src/terraform/plan-review";
import { LockTimeoutError } from "../src/system/exclusive-lock";
import { KeptWorkspace } from "../src/terraform/kept-workspace";
import { TerraformError, TerraformNotFoundError } from "../src/terraform/terraform-cli";

const USAGE = "usage: npm run plan [-- --env NAME] [--live]";

function parseArguments(args: string[]): { environment: string; live: boolean } {
  let environment = "default";
  let live = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === "--live") live = true;
    else if (arg === "--env" && args[index + 1]) environment = args[++index];
    else if (arg.startsWith("--env=")) environment = arg.slice("--env=".length);
    else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new SettingsError(`unknown argument "${arg}"; ${USAGE}`);
  }
  return { environment, live };
}

/**
 * A local backend's path is relative to the stack's folder in cdktf.out; the
 * live review plans in a folder of its own, so it names the same file by its
 * absolute path.
 */
function localStatePath(stack: SynthesizedStack): Record<string, unknown> | undefined {
  if (stack.settings.state.backend !== "local") return undefined;
  const document = JSON.parse(fs.readFileSync(path.join(stack.directory, "cdk.tf.json"), "utf8")) as {
    terraform?: { backend?: { local?: { path?: unknown } } };
  };
  const relative = document.terraform?.backend?.local?.path;
  return typeof relative === "string" ? { path: path.resolve(stack.directory, relative) } : undefined;
}

async function main(): Promise<void> {
  const { environment, live } = parseArguments(process.argv.slice(2));
  const root = projectRoot();
  const [stack] = synthesize({ projectRoot: root, variables: { ...process.env, INVENTORY_ENV: environment } });
  const cacheDirectory = path.join(root, ".cache", "terraform");
  const workspace = await KeptWorkspace.open(stack.directory, {
    cacheDirectory,
    directory: path.join(cacheDirectory, live ? "review-live" : "review", environment),
    // Live: the stack's own backend and provider settings, as `cdktf diff` would use them.
    localBackend: !live,
    offline: !live,
    backendConfig: live ? localStatePath(stack) : undefined,
    lock: { onWait: (holder) => console.error(`Waiting for another review of ${environment} (process ${holder.pid}) to finish...`) },
  });
  try {
    const init = await workspace.initIfChanged();
    console.log(`Terraform: ${init.initialised ? "initialised" : "reusing"} ${path.relative(process.cwd(), workspace.directory)} (${init.reason})\n`);
    const result = await workspace.plan(live ? { refresh: true, lock: true } : {});
    const plan = await workspace.showJson(result.planFile);
    const summary = /^(Plan: .*|No changes\..*)$/m.exec(result.text)?.[0] ?? "Plan: (no summary from terraform)";
    const mode = live ? `live, against its ${stack.settings.state.backend} state and AWS` : "offline, -refresh=false";
    const review = reviewPlan(plan, `Plan review of ${stack.stackName} (environment ${environment}, region ${stack.settings.region}, ${mode})`, summary);

    const outputDirectory = path.join(root, "plan-review", environment, ...(live ? ["live"] : []));
    fs.mkdirSync(outputDirectory, { recursive: true });
    const saved: Record<string, string | Buffer> = {
      "plan.tfplan": fs.readFileSync(result.planFile),
      "plan.json": `${JSON.stringify(plan, null, 2)}\n`,
      "plan.txt": result.text,
      "review.txt": `${review.text}\n`,
    };
    for (const [name, content] of Object.entries(saved)) {
      const file = path.join(outputDirectory, name);
      fs.writeFileSync(file, content);
      // A live plan holds the deployed state's values: readable by its owner only.
      fs.chmodSync(file, 0o600);
    }
    console.log(review.text);
    console.log(`\nSaved: ${path.relative(process.cwd(), outputDirectory)}/{plan.tfplan,plan.json,plan.txt,review.txt}`);
  } finally {
    workspace.release();
  }
}

main().catch((error: unknown) => {
  if (error instanceof SettingsError) console.error(`Invalid settings: ${error.message}`);
  else if (error instanceof TerraformNotFoundError || error instanceof TerraformError || error instanceof LockTimeoutError) console.error(error.message);
  else throw error;
  process.exitCode = 1;
});
