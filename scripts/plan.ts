// npm run plan [-- --env NAME]: synthesizes, then plans one environment
// offline (no AWS credentials, no network) and prints a one-screen review.
// The plan, its JSON and the review are kept in plan-review/<env>/.
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
import { synthesize } from "../src/synthesize";
import { reviewPlan } from "../src/terraform/plan-review";
import { LockTimeoutError } from "../src/system/exclusive-lock";
import { KeptWorkspace } from "../src/terraform/kept-workspace";
import { TerraformError, TerraformNotFoundError } from "../src/terraform/terraform-cli";

const USAGE = "usage: npm run plan [-- --env NAME]";

function parseArguments(args: string[]): { environment: string } {
  let environment = "default";
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === "--env" && args[index + 1]) environment = args[++index];
    else if (arg.startsWith("--env=")) environment = arg.slice("--env=".length);
    else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new SettingsError(`unknown argument "${arg}"; ${USAGE}`);
  }
  return { environment };
}

async function main(): Promise<void> {
  const { environment } = parseArguments(process.argv.slice(2));
  const root = projectRoot();
  const [stack] = synthesize({ projectRoot: root, variables: { ...process.env, INVENTORY_ENV: environment } });
  const cacheDirectory = path.join(root, ".cache", "terraform");
  const workspace = await KeptWorkspace.open(stack.directory, {
    cacheDirectory,
    directory: path.join(cacheDirectory, "review", environment),
    lock: { onWait: (holder) => console.error(`Waiting for another review of ${environment} (process ${holder.pid}) to finish...`) },
  });
  try {
    const init = await workspace.initIfChanged();
    console.log(`Terraform: ${init.initialised ? "initialised" : "reusing"} ${path.relative(process.cwd(), workspace.directory)} (${init.reason})\n`);
    const result = await workspace.plan();
    const plan = await workspace.showJson(result.planFile);
    const summary = /^(Plan: .*|No changes\..*)$/m.exec(result.text)?.[0] ?? "Plan: (no summary from terraform)";
    const review = reviewPlan(plan, `Plan review of ${stack.stackName} (environment ${environment}, region ${stack.settings.region}, offline, -refresh=false)`, summary);

    const outputDirectory = path.join(root, "plan-review", environment);
    fs.mkdirSync(outputDirectory, { recursive: true });
    fs.copyFileSync(result.planFile, path.join(outputDirectory, "plan.tfplan"));
    fs.writeFileSync(path.join(outputDirectory, "plan.json"), `${JSON.stringify(plan, null, 2)}\n`);
    fs.writeFileSync(path.join(outputDirectory, "plan.txt"), result.text);
    fs.writeFileSync(path.join(outputDirectory, "review.txt"), `${review.text}\n`);
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
