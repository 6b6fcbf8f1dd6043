// npm run plan [-- --env NAME]: synthesizes, then plans one environment
// offline (no AWS credentials, no network) and prints a one-screen review.
// The plan, its JSON and the review are kept in plan-review/<env>/.
import * as fs from "node:fs";
import * as path from "node:path";
import { SettingsError } from "../src/config/load";
import { projectRoot } from "../src/config/project-root";
import { synthesize } from "../src/synthesize";
import { reviewPlan } from "../src/terraform/plan-review";
import { StackWorkspace } from "../src/terraform/stack-workspace";
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
  const workspace = StackWorkspace.create(stack.directory, { cacheDirectory: path.join(root, ".cache", "terraform") });
  try {
    await workspace.init();
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
    workspace.remove();
  }
}

main().catch((error: unknown) => {
  if (error instanceof SettingsError) console.error(`Invalid settings: ${error.message}`);
  else if (error instanceof TerraformNotFoundError || error instanceof TerraformError) console.error(error.message);
  else throw error;
  process.exitCode = 1;
});
