// npm run plan [-- --env NAME] [--live [--lock=false]] [--format markdown] [--compare ENV] [--json] [--verbose]: synthesizes,
// then plans one environment and prints a one-screen review (every alarm and charge, and each type added, with
// --verbose, and always in the kept review.txt). Offline by default (no AWS
// credentials, no network, an empty local state: what the environment would
// create); with --live against the environment's own backend and AWS, with the
// default credential chain (what a change would do to what is deployed:
// replacements and destructions first); a live plan locks the state as
// Terraform's own does, unless --lock=false (a pull request's plan, whose role
// may read the state but not write its lock). The plan, its text and the review are
// kept in plan-review/<env>/ (plan-review/<env>/live/ for a live review);
// --json adds Terraform's JSON plan (`terraform show -json`) as plan.json.
// Every review ends with the estimated fixed monthly cost; --compare ENV
// prices another environment's synthesized configuration beside it and shows
// the monthly change. --format markdown prints the review as a pull request
// comment (only the Markdown on stdout) and keeps it as review.md.
//
// Synthesis runs in this process (what `cdktf synth` runs, without the CLI
// around it). Terraform works in a folder kept per environment under
// .cache/terraform/review/, initialised again only when the providers, the
// lock file or the backend change. Terraform runs one command, the plan,
// whose output is the text plan; the review reads the values from the saved
// plan file itself (src/terraform/saved-plan.ts), not through a second
// command that loads the AWS provider again (`terraform show -json`, which
// it falls back to for a plan file it cannot read, saying why).
// scripts/plan.ts wires this to the process.
import { Console } from "node:console";
import * as fs from "node:fs";
import * as path from "node:path";
import { ENVIRONMENT_SELECTOR, loadEnvironments, SettingsError, settingsErrorText } from "../config/load";
import { type SynthesizedStack, synthesize } from "../synthesize";
import { documentResources } from "./cost";
import type { TerraformDocument } from "./document";
import { costReview } from "./cost-review";
import { reviewPlan } from "./plan-review";
import { reviewMarkdown } from "./plan-review-markdown";
import { LockTimeoutError } from "../system/exclusive-lock";
import { KeptWorkspace } from "./kept-workspace";
import { TerraformError, TerraformNotFoundError } from "./terraform-cli";
import type { CommandProcess } from "../system/command-process";

const USAGE = "usage: npm run plan [-- --env NAME] [--live [--lock=false]] [--format text|markdown] [--compare ENV] [--json] [--verbose]";
const FORMATS = ["text", "markdown"] as const;

interface PlanArguments {
  readonly environment: string;
  readonly live: boolean;
  readonly lock: boolean;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly format: (typeof FORMATS)[number];
  readonly compare?: string;
}

function parseArguments(args: string[]): PlanArguments | "help" {
  let environment = "default";
  let live = false;
  let lock: boolean | undefined;
  let json = false;
  let verbose = false;
  let format: (typeof FORMATS)[number] = "text";
  let compare: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    const [name, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => inline ?? (args[index + 1] && !args[index + 1].startsWith("--") ? args[++index] : undefined);
    if (arg === "--live") live = true;
    else if (arg === "--json") json = true;
    else if (arg === "--verbose") verbose = true;
    else if (name === "--format") {
      const chosen = value();
      if (!FORMATS.includes(chosen as (typeof FORMATS)[number]))
        throw new SettingsError(`--format: "${chosen ?? ""}" is not one of ${FORMATS.join(", ")}; ${USAGE}`);
      format = chosen as (typeof FORMATS)[number];
    } else if (name === "--lock") {
      const chosen = value();
      if (chosen !== "true" && chosen !== "false") throw new SettingsError(`--lock: "${chosen ?? ""}" is not true or false; ${USAGE}`);
      lock = chosen === "true";
    } else if (name === "--compare") {
      compare = value();
      if (!compare) throw new SettingsError(`--compare needs an environment name; ${USAGE}`);
    } else if (arg === "--env" && args[index + 1]) environment = args[++index];
    else if (arg.startsWith("--env=")) environment = arg.slice("--env=".length);
    else if (arg === "--help" || arg === "-h") return "help";
    else throw new SettingsError(`unknown argument "${arg}"; ${USAGE}`);
  }
  // An offline review plans against a throwaway local state, which it never locks.
  if (lock !== undefined && !live) throw new SettingsError(`--lock goes with --live (an offline review never locks); ${USAGE}`);
  return { environment, live, lock: lock ?? true, json, verbose, format, compare };
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

/** Where the command prints, and the process it runs for. */
export interface PlanCommandContext extends CommandProcess {
  /** The project's folder: environments/, the review's .cache/terraform/ and plan-review/. */
  readonly projectRoot: string;
}

/**
 * `npm run plan` with the command line's arguments: the exit code once done
 * (0, or 1 after printing why to stderr). An error it has no words for is
 * thrown.
 */
export async function runPlanCommand(args: string[], context: PlanCommandContext): Promise<number> {
  const io = new Console({ stdout: context.stdout, stderr: context.stderr });
  try {
    const options = parseArguments(args);
    if (options === "help") io.log(USAGE);
    else await reviewEnvironment(options, context, io);
    return 0;
  } catch (error) {
    if (error instanceof SettingsError) io.error(settingsErrorText(error));
    else if (error instanceof TerraformNotFoundError || error instanceof TerraformError || error instanceof LockTimeoutError) io.error(error.message);
    else throw error;
    return 1;
  }
}

async function reviewEnvironment(
  { environment, live, lock, json, verbose, format, compare }: PlanArguments,
  context: PlanCommandContext,
  io: Console,
): Promise<void> {
  const root = context.projectRoot;
  // With --compare every environment is synthesized (as cdktf synth does), so the other one is priced from its configuration.
  const variables = { ...context.variables, [ENVIRONMENT_SELECTOR]: compare ? "" : environment };
  // The environments are read and checked before anything is locked or written: the review's folder is named after one.
  const known = loadEnvironments({ directory: path.join(root, "environments"), variables }).map((settings) => settings.environment);
  if (!known.includes(environment)) throw new SettingsError(`--env: unknown environment "${environment}"; known: ${known.join(", ")}`);
  if (compare !== undefined && !known.includes(compare)) throw new SettingsError(`--compare: unknown environment "${compare}"; known: ${known.join(", ")}`);
  // Markdown goes to stdout alone, so a pipeline can post it as it is.
  const say = (text: string) => (format === "markdown" ? io.error(text) : io.log(text));
  const cacheDirectory = path.join(root, ".cache", "terraform");
  const directory = path.join(cacheDirectory, live ? "review-live" : "review", environment);
  // One review of an environment at a time from its synthesis on: a second one waits before it rewrites the stack folder
  // in cdktf.out, not while this one copies from it.
  const folderLock = await KeptWorkspace.reserve(directory, {
    onWait: (holder) => io.error(`Waiting for another review of ${environment} (process ${holder.pid}) to finish...`),
  });
  try {
    const stacks = synthesize({ projectRoot: root, variables });
    const [stack, compared] = [environment, compare].map((name) => stacks.find((candidate) => candidate.environment === name));
    if (!stack) throw new Error(`synthesis wrote no stack for environment ${environment}`);
    const workspace = await KeptWorkspace.open(stack.directory, {
      cacheDirectory,
      directory,
      // Live: the stack's own backend and provider settings, as `cdktf diff` would use them.
      localBackend: !live,
      offline: !live,
      backendConfig: live ? localStatePath(stack) : undefined,
      lock: folderLock,
    });
    const init = await workspace.initIfChanged();
    say(`Terraform: ${init.initialised ? "initialised" : "reusing"} ${path.relative(context.cwd, workspace.directory)} (${init.reason})\n`);
    const result = await workspace.plan(live ? { refresh: true, lock } : {});
    const { plan, source, fallbackReason } = await workspace.readPlan(result.planFile);
    if (fallbackReason) io.error(`Read the plan with terraform show -json: ${fallbackReason}`);
    // Terraform's own JSON plan, for tools that take it, only when asked: it holds every value in clear, sensitive ones
    // marked but not hidden (as the plan file does), so it is kept like the plan file, never by default.
    const terraformJson = json ? (source === "terraform show -json" ? plan : await workspace.showJson(result.planFile)) : undefined;
    const summary = /^(Plan: .*|No changes\..*)$/m.exec(result.text)?.[0] ?? "Plan: (no summary from terraform)";
    const mode = live ? `live, against its ${stack.settings.state.backend} state and AWS${lock ? "" : ", -lock=false"}` : "offline, -refresh=false";
    const cost = costReview(
      plan,
      stack.settings.region,
      compared && {
        label: compared.environment,
        resources: documentResources(JSON.parse(fs.readFileSync(path.join(compared.directory, "cdk.tf.json"), "utf8")) as TerraformDocument),
      },
    );
    const review = reviewPlan(plan, `Plan review of ${stack.stackName} (environment ${environment}, region ${stack.settings.region}, ${mode})`, summary, {
      extraSections: [cost.section],
    });
    const outputDirectory = path.join(root, "plan-review", environment, ...(live ? ["live"] : []));
    const markdown = reviewMarkdown(review, { fullReview: `${path.relative(root, outputDirectory)}/review.txt` });

    fs.mkdirSync(outputDirectory, { recursive: true });
    const saved: Record<string, string | Buffer> = {
      "plan.tfplan": fs.readFileSync(result.planFile),
      ...(terraformJson ? { "plan.json": `${JSON.stringify(terraformJson, null, 2)}\n` } : {}),
      "plan.txt": result.text,
      // The whole review, the one --verbose prints: what the short one points at.
      "review.txt": `${review.fullText}\n`,
      "review.md": markdown,
    };
    // A plan.json of an earlier run would not be this plan's.
    if (!terraformJson) fs.rmSync(path.join(outputDirectory, "plan.json"), { force: true });
    for (const [name, content] of Object.entries(saved)) {
      const file = path.join(outputDirectory, name);
      fs.writeFileSync(file, content);
      // The plan files hold the deployed state's values, sensitive ones too: readable by their owner only.
      fs.chmodSync(file, 0o600);
    }
    if (format === "markdown") context.stdout.write(markdown);
    else io.log(verbose ? review.fullText : review.text);
    const kept = path.relative(context.cwd, outputDirectory);
    say(`Saved: ${kept}/{${Object.keys(saved).join(",")}}${verbose ? "" : `; the full review is review.txt (or --verbose)`}`);
  } finally {
    folderLock.release();
  }
}
