// npm run local [-- --env NAME]: deploys an environment into moto, the AWS API
// emulator, on this machine, with no AWS account or credentials: starts moto
// on 127.0.0.1 (TLS, a throwaway CA) in the background, synthesizes, points
// the stacks at it with override files (the provider, the state backend, and
// the emulator's known gaps, src/emulator/emulator-gaps.ts), bootstraps the
// state bucket (inventory-state), deploys the environment with the real
// `cdktf deploy`, prints its outputs, and serves the Inventory app on
// 127.0.0.1 with a MariaDB, with the settings the deployed launch template
// gives its servers (--no-app leaves it out). Run again with the same --env, it
// deploys the change into the running emulator.
// npm run local -- --walk: the lab's sequence, lab-start and then each of its
// challenges as its own step (src/emulator/lab-walk.ts), each step's review
// printed before it is applied, and refused if it would replace the database,
// the load balancer, the group or the VPC; --step NAME deploys lab-start with
// the steps through NAME, as a learner runs one step alone.
// npm run local:down: stops everything it started and removes its folder.
// docs/local.md is the user's page; scripts/local.ts wires this to the process.
import { spawn } from "node:child_process";
import { DescribeKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { GetBucketPolicyCommand, S3Client } from "@aws-sdk/client-s3";
import { Console } from "node:console";
import * as fs from "node:fs";
import * as path from "node:path";
import { SettingsError } from "../config/load";
import { STATE_BOOTSTRAP_STACK } from "../stacks/state-bootstrap-stack";
import { type SynthesizedStack, synthesize } from "../synthesize";
import { EmulatorEndpoint, motoServerArguments, motoServerEnvironment, motoServerExecutable } from "./aws-emulator";
import { EMULATOR_GAPS } from "./emulator-gaps";
import { deployedAppSettings, findAppTools, serveApp } from "./local-app";
import { LAB_START_ENVIRONMENT, LAB_STEPS, labSettings, statefulReplacements } from "./lab-walk";
import { LocalSession, type LocalSessionRecord } from "./local-session";
import { writeEmulatorOverrides } from "./stack-overrides";
import { type BackgroundProcess, isRunning, startBackground, stopBackground } from "../system/background-process";
import { findExecutable } from "../system/executables";
import { freePort } from "../system/free-port";
import { makeLoopbackCertificates } from "../system/tls-certificates";
import { reviewPlan } from "../terraform/plan-review";
import type { TerraformPlanJson } from "../terraform/plan-json";
import { runTerraform, terraformBinary, terraformEnvironment } from "../terraform/terraform-cli";
import type { CommandProcess } from "../system/command-process";

const USAGE = "usage: npm run local [-- --env NAME | --walk | --step NAME] [--no-app]   |   npm run local:down";
/** The lab's final state: everything the emulator applies (src/emulator/emulator-gaps.ts lists what it adapts). */
const DEFAULT_ENVIRONMENT = "default";

/** Where the command prints, and the process it runs for. */
export interface LocalCommandContext extends CommandProcess {
  /** The project's folder: environments/, app/, node_modules/ and the session's .cache/local/. */
  readonly projectRoot: string;
}

/** What the steps of a run print to, and the process's folder and variables. */
interface Run {
  readonly io: Console;
  readonly cwd: string;
  readonly variables: NodeJS.ProcessEnv;
}

/** A problem that stops the command before it starts anything: one line each, naming what to do. */
class UsageError extends Error {
  override readonly name = "UsageError";
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

interface Arguments {
  readonly command: "up" | "down";
  readonly environment: string;
  /** Serve the app on loopback after the deploy. */
  readonly app: boolean;
  /** lab-start with the lab's steps through this one applied. */
  readonly step?: string;
  /** The lab's sequence: lab-start, then each step, each reviewed before it is applied. */
  readonly walk: boolean;
}

function parseArguments(args: string[]): Arguments | "help" {
  let command: Arguments["command"] = "up";
  let environment = DEFAULT_ENVIRONMENT;
  let app = true;
  let walk = false;
  let step: string | undefined;
  const problems: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === "down" && index === 0) command = "down";
    else if (arg === "--env" || arg.startsWith("--env=")) {
      const value = arg === "--env" ? args[++index] : arg.slice("--env=".length);
      if (!value || value.startsWith("--")) problems.push(`--env needs an environment name (a file in environments/, without .json); ${USAGE}`);
      else environment = value;
    } else if (arg === "--step" || arg.startsWith("--step=")) {
      const value = arg === "--step" ? args[++index] : arg.slice("--step=".length);
      if (!value || !LAB_STEPS.some((candidate) => candidate.name === value))
        problems.push(`--step needs one of the lab's steps: ${LAB_STEPS.map((candidate) => candidate.name).join(", ")}; ${USAGE}`);
      else step = value;
    } else if (arg === "--walk") walk = true;
    else if (arg === "--no-app") app = false;
    else if (arg === "--help" || arg === "-h") return "help";
    else problems.push(`unknown argument "${arg}"; ${USAGE}`);
  }
  if (command === "down" && args.length > 1) problems.push(`npm run local:down takes no arguments; ${USAGE}`);
  if ((walk || step) && environment !== DEFAULT_ENVIRONMENT && environment !== LAB_START_ENVIRONMENT)
    problems.push(`--walk and --step apply the lab's steps to ${LAB_START_ENVIRONMENT}, not to --env ${environment}`);
  if (walk && step) problems.push("--walk applies every step; --step applies the steps through one: choose one");
  if (problems.length > 0) throw new UsageError(problems);
  return { command, environment: walk || step ? LAB_START_ENVIRONMENT : environment, app, walk, step };
}

/** The tools a local deploy runs, or every one that is missing with how to get it. */
function requireTools(
  run: Run,
  root: string,
  withApp: boolean,
): { moto: string; openssl: string; cdktf: string; app?: ReturnType<typeof findAppTools>["tools"] } {
  const problems: string[] = [];
  const attempt = <T>(find: () => T): T | undefined => {
    try {
      return find();
    } catch (error) {
      problems.push((error as Error).message);
      return undefined;
    }
  };
  const moto = attempt(() => motoServerExecutable());
  const openssl = findExecutable("openssl", (run.variables.PATH ?? "").split(path.delimiter));
  if (!openssl) problems.push("openssl is not on PATH: install it (Debian: apt-get install openssl); it makes the emulator's TLS certificate");
  attempt(() => terraformBinary());
  const cdktf = path.join(root, "node_modules", ".bin", "cdktf");
  if (!fs.existsSync(cdktf)) problems.push(`${path.relative(root, cdktf)} is missing: run npm ci in ${root}`);
  const app = withApp ? findAppTools() : undefined;
  problems.push(...(app?.problems ?? []));
  if (problems.length > 0) throw new UsageError(problems);
  return { moto: moto!, openssl: openssl!, cdktf, app: app?.tools };
}

/** Starts moto in the background, records it in the session, and waits until it answers. */
async function startEmulator(session: LocalSession, tools: { moto: string; openssl: string }, environment: string): Promise<LocalSessionRecord> {
  const directory = session.path("emulator");
  fs.mkdirSync(directory, { recursive: true });
  // Thirty days: a local deploy may stay up longer than a test's.
  const certificates = await makeLoopbackCertificates(directory, tools.openssl, 30);
  const port = await freePort();
  const started = startBackground("moto_server", tools.moto, motoServerArguments(port, certificates), {
    env: motoServerEnvironment(),
    logFile: path.join(directory, "moto.log"),
    mark: certificates.certificateFile,
  });
  const record: LocalSessionRecord = { environment, emulator: { port, caFile: certificates.caFile, process: started } };
  session.write(record);
  const emulator = new EmulatorEndpoint(port, certificates.caFile, directory);
  const deadline = Date.now() + 60_000;
  while (!(await emulator.answers())) {
    if (!isRunning(started)) throw new Error(`moto_server stopped while starting; its log: ${started.logFile}`);
    if (Date.now() > deadline) throw new Error(`moto_server did not answer within 60 s; its log: ${started.logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await emulator.configure({ lambda: { use_docker: false } });
  return record;
}

/** Terminal control sequences cdktf prints even with --no-color (colours, cursor moves, line clears). */
const TERMINAL_CONTROL = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, "g");
/** The lines of cdktf's output worth a reader's screen: the plan's and the apply's summaries, and every error. */
const SUMMARY_LINE = /(Plan: \d+ to add|No changes\.|Apply complete!|Error:|error:)/;

/**
 * Runs the real `cdktf deploy` of one stack from the session's synthesis.
 * Its whole output goes to `logFile`; the summary lines (and, on failure,
 * the log's tail) to the screen, each under the stack's name as cdktf
 * prints it.
 */
function cdktfDeploy(
  run: Run,
  root: string,
  cdktf: string,
  outdir: string,
  stack: string,
  options: { variables: NodeJS.ProcessEnv; logFile: string; extra?: string[] },
): Promise<void> {
  const args = ["deploy", stack, "--skip-synth", "--skip-provider-lock", "--auto-approve", "--no-color", "--output", outdir, ...(options.extra ?? [])];
  run.io.log(`$ cdktf ${args.join(" ")}    (whole output: ${path.relative(run.cwd, options.logFile)})`);
  return new Promise((resolve, reject) => {
    const child = spawn(cdktf, args, { cwd: root, env: options.variables, stdio: ["ignore", "pipe", "pipe"] });
    const log = fs.createWriteStream(options.logFile, { flags: "a" });
    const tail: string[] = [];
    // A line per stream: a chunk of stderr never splits a line of stdout. Each summary is printed under the
    // stack's name whether or not cdktf's own prefix came in the same write as the line.
    const lineReader = () => {
      let pending = "";
      return (chunk: Buffer) => {
        const lines = (pending + chunk.toString("utf8").replace(TERMINAL_CONTROL, "")).split("\n");
        pending = lines.pop()!;
        for (const line of lines) {
          log.write(`${line}\n`);
          tail.push(line);
          if (tail.length > 40) tail.shift();
          if (SUMMARY_LINE.test(line)) run.io.log(`  ${stack}  ${line.trim().replace(stackPrefix, "")}`);
        }
      };
    };
    const stackPrefix = new RegExp(`^${stack.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s+`);
    const [takeOut, takeErr] = [lineReader(), lineReader()];
    child.stdout.on("data", takeOut);
    child.stderr.on("data", takeErr);
    child.on("error", reject);
    child.on("close", (code) => {
      takeOut(Buffer.from("\n"));
      takeErr(Buffer.from("\n"));
      log.end();
      if (code === 0) resolve();
      else reject(new Error(`cdktf deploy ${stack} failed (exit ${code}). The end of its output:\n${tail.join("\n")}\nAll of it: ${options.logFile}`));
    });
  });
}

/**
 * Resolves once the emulator holds what the environment's S3 backend uses:
 * the state bucket, its policy, and the key the state is encrypted with. Rejects if the
 * bootstrap's deploy ends (failed) first.
 */
async function stateBackendReady(emulator: EmulatorEndpoint, stack: SynthesizedStack, bootstrapping: Promise<void>): Promise<void> {
  let ended = false;
  void bootstrapping.then(
    () => (ended = true),
    () => (ended = true),
  );
  const s3 = new S3Client(emulator.clientConfig({ maxAttempts: 1 }));
  const kms = new KMSClient(emulator.clientConfig({ maxAttempts: 1 }));
  const configuration = JSON.parse(fs.readFileSync(path.join(stack.directory, "cdk.tf.json"), "utf8")) as {
    terraform: { backend: { s3: { bucket: string; kms_key_id?: string } } };
  };
  const { bucket, kms_key_id: key } = configuration.terraform.backend.s3;
  const ready = async () => {
    await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }));
    if (key) await kms.send(new DescribeKeyCommand({ KeyId: key }));
  };
  for (;;) {
    try {
      await ready();
      return;
    } catch {
      if (ended) return bootstrapping;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** The outputs `cdktf deploy --outputs-file` wrote for a stack, as name -> value. */
function readOutputs(file: string, stackName: string): Record<string, unknown> {
  const all = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, Record<string, unknown>>;
  return all[stackName] ?? {};
}

function printOutputs(run: Run, stack: SynthesizedStack, outputs: Record<string, unknown>): void {
  run.io.log(`\nOutputs of ${stack.stackName} (environment ${stack.environment}), in the emulator:`);
  const width = Math.max(...Object.keys(outputs).map((name) => name.length));
  for (const [name, value] of Object.entries(outputs).sort(([a], [b]) => a.localeCompare(b))) {
    run.io.log(`  ${name.padEnd(width)}  ${typeof value === "string" ? value : JSON.stringify(value)}`);
  }
}

const NOT_EMULATED = [
  "What the emulator does not run:",
  "  - instances: the Auto Scaling group and launch template exist, but no server boots; the app's boot script is tested in",
  "    __tests__/aws/boot-script.test.ts and the app itself in __tests__/app/inventory-e2e.test.ts;",
  "  - the release's instance refresh: the release function is invoked but no code runs (moto has no StartInstanceRefresh);",
  "    what it does is tested against a model of AWS's refresh in __tests__/functions/app-release.test.ts;",
  "  - the app user's secret rotation: left out of the emulator's copy; its steps are tested against MariaDB in",
  "    __tests__/functions/app-user-rotation.test.ts.",
];

/** Synthesizes the environment (lab-start with the steps through `step`, when given) into the session, every setting checked. */
function synthesizeInto(run: Run, root: string, session: LocalSession, environment: string, step: string | undefined): SynthesizedStack {
  let projectView = root;
  if (step !== undefined) {
    // The repository's environments, with lab-start's file as the step leaves it; the app and the functions as they are.
    projectView = session.path("project");
    fs.rmSync(projectView, { recursive: true, force: true });
    fs.mkdirSync(path.join(projectView, "environments"), { recursive: true });
    for (const file of fs.readdirSync(path.join(root, "environments")).filter((name) => name.endsWith(".json")))
      fs.copyFileSync(path.join(root, "environments", file), path.join(projectView, "environments", file));
    const settings = labSettings(path.join(root, "environments"), step);
    fs.writeFileSync(path.join(projectView, "environments", `${LAB_START_ENVIRONMENT}.json`), `${JSON.stringify(settings, null, 2)}\n`);
    fs.symlinkSync(path.join(root, "app"), path.join(projectView, "app"), "dir");
  }
  const [stack] = synthesize({ projectRoot: projectView, outdir: session.path("out"), variables: { ...run.variables, INVENTORY_ENV: environment } });
  if (stack.settings.state.backend !== "s3") {
    throw new UsageError([
      `--env ${environment}: its state.backend is "${stack.settings.state.backend}"; a local deploy keeps the state in the emulator's S3 bucket: ` +
        `choose an environment with state.bucket set (default, lab-start)`,
    ]);
  }
  return stack;
}

/**
 * The review of what deploying the synthesized stack would change in the
 * emulator, printed before it is applied: Terraform's plan against the state
 * there, read by the project's plan review. Refuses a change that replaces
 * or destroys a stateful resource (src/emulator/lab-walk.ts).
 */
async function reviewChange(run: Run, stack: SynthesizedStack, variables: NodeJS.ProcessEnv, title: string): Promise<void> {
  const terraform = (args: string[]) => runTerraform(args, { cwd: stack.directory, environment: variables, timeoutMs: 10 * 60_000 });
  await terraform(["init", "-input=false", "-no-color"]);
  const planFile = path.join(stack.directory, "review.tfplan");
  const { stdout } = await terraform(["plan", "-input=false", "-no-color", "-lock-timeout=60s", `-out=${planFile}`]);
  const plan = JSON.parse((await terraform(["show", "-json", planFile])).stdout) as TerraformPlanJson;
  fs.rmSync(planFile, { force: true });
  const summary = /^(Plan: .*|No changes\..*)$/m.exec(stdout)?.[0] ?? "Plan: (no summary from terraform)";
  run.io.log(`\n${reviewPlan(plan, `Review of "${title}" (${stack.stackName}, against its state in the emulator)`, summary).text}\n`);
  const stateful = statefulReplacements(plan);
  if (stateful.length > 0) {
    throw new Error(`"${title}" would replace or destroy stateful resources, so it is not applied:\n${stateful.map((line) => `  ${line}`).join("\n")}`);
  }
}

/** The emulator of the session, started if it is not running; refuses a session of another environment. */
async function emulatorFor(run: Run, session: LocalSession, tools: { moto: string; openssl: string }, environment: string): Promise<LocalSessionRecord> {
  let record = session.read();
  if (record && !LocalSession.emulatorRunning(record)) {
    // The machine restarted, or moto was stopped by hand: what it held is gone, and so is the state it kept.
    await session.tearDown();
    record = undefined;
  }
  if (record && record.environment !== environment) {
    throw new UsageError([
      `--env ${environment}: environment ${record.environment} is already deployed in the local emulator (one environment at a time: ` +
        `moto gives every DB instance the same resource id); run npm run local:down first, or npm run local -- --env ${record.environment}`,
    ]);
  }
  if (record) return record;
  run.io.log("Starting moto, the AWS API emulator, on 127.0.0.1...");
  return startEmulator(session, tools, environment);
}

/**
 * Deploys one synthesis of the environment into the session's emulator:
 * the state bootstrap when it is new, the review first when the
 * environment is already there, then `cdktf deploy`. Returns the outputs.
 */
async function deployStack(
  run: Run,
  root: string,
  session: LocalSession,
  tools: { cdktf: string },
  emulator: EmulatorEndpoint,
  stack: SynthesizedStack,
  title: string,
): Promise<Record<string, unknown>> {
  const outdir = session.path("out");
  const bootstrapDirectory = path.join(outdir, "stacks", STATE_BOOTSTRAP_STACK);
  const bootstrapped = fs.existsSync(path.join(bootstrapDirectory, "terraform.tfstate"));
  writeEmulatorOverrides(bootstrapDirectory, emulator, "local");
  writeEmulatorOverrides(stack.directory, emulator, "override");
  const variables: NodeJS.ProcessEnv = {
    ...terraformEnvironment(session.path("terraform"), emulator.awsVariables()),
    // No call home from cdktf or Terraform, and the provider from the mirror (terraformEnvironment), not a plugin cache.
    CHECKPOINT_DISABLE: "1",
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: "1",
    FORCE_COLOR: "0",
  };
  const logFile = session.path("deploy.log");
  const outputsFile = session.path("outputs.json");
  if (bootstrapped) {
    await reviewChange(run, stack, variables, title);
    await cdktfDeploy(run, root, tools.cdktf, outdir, stack.stackName, { variables, logFile, extra: ["--outputs-file", outputsFile] });
  } else {
    // The bootstrap's apply ends with the state bucket's lifecycle rules, which the provider waits a minute to read back; the
    // environment needs only the bucket, its policy and the state key, so its deploy starts once they exist.
    const bootstrapping = cdktfDeploy(run, root, tools.cdktf, outdir, STATE_BOOTSTRAP_STACK, { variables, logFile: session.path("deploy-state.log") });
    bootstrapping.catch(() => undefined);
    await stateBackendReady(emulator, stack, bootstrapping);
    await cdktfDeploy(run, root, tools.cdktf, outdir, stack.stackName, { variables, logFile, extra: ["--outputs-file", outputsFile] });
    await bootstrapping;
  }
  const outputs = readOutputs(outputsFile, stack.stackName);
  printOutputs(run, stack, outputs);
  return outputs;
}

async function up(run: Run, root: string, session: LocalSession, options: Arguments): Promise<void> {
  const { environment } = options;
  const tools = requireTools(run, root, options.app);
  if (options.walk && session.read()) throw new UsageError(["--walk starts from the lab's start in a fresh emulator: run npm run local:down first"]);
  // Everything is synthesized (and every setting checked) before anything starts.
  let stack = synthesizeInto(run, root, session, environment, options.walk ? undefined : options.step);
  let record = await emulatorFor(run, session, tools, environment);
  const emulator = new EmulatorEndpoint(record.emulator.port, record.emulator.caFile, session.path("emulator"));
  run.io.log(`Emulator: ${emulator.endpoint} (log ${path.relative(run.cwd, record.emulator.process.logFile)})`);

  const firstTitle = options.walk ? "the lab's start" : options.step ? `lab-start through step ${options.step}` : `environment ${environment}`;
  if (options.walk) run.io.log(`\n== Step 0: ${firstTitle} (environments/${LAB_START_ENVIRONMENT}.json) ==`);
  let outputs = await deployStack(run, root, session, tools, emulator, stack, firstTitle);
  if (options.walk) {
    for (const [index, step] of LAB_STEPS.entries()) {
      run.io.log(`\n== Step ${index + 1}: ${step.title} (npm run local -- --env ${LAB_START_ENVIRONMENT} --step ${step.name}) ==`);
      run.io.log(`Settings changed: ${JSON.stringify(step.settings)}`);
      stack = synthesizeInto(run, root, session, environment, step.name);
      outputs = await deployStack(run, root, session, tools, emulator, stack, step.title);
    }
  }

  if (record.app) {
    for (const started of record.app.processes) await stopBackground(started);
    record = { ...record, app: undefined };
    session.write(record);
  }
  if (tools.app) {
    run.io.log("\nServing the app on loopback, with the settings the deployed launch template gives its servers...");
    const deployed = await deployedAppSettings(emulator, String(outputs.autoscaling_group_name));
    const processes: BackgroundProcess[] = [];
    const emulatorDirectory = session.path("emulator");
    const served = await serveApp({
      directory: session.path("app"),
      emulator,
      tools: tools.app,
      deployed,
      // The emulator's certificate is for 127.0.0.1 too: the database speaks TLS with it, and the app trusts only its CA.
      tls: { caFile: record.emulator.caFile, certificateFile: path.join(emulatorDirectory, "server.pem"), keyFile: path.join(emulatorDirectory, "server.key") },
      started: (process) => {
        processes.push(process);
        session.write({ ...record, app: { url: "", processes } });
      },
    });
    session.write({ ...record, app: { url: served.url, processes: served.processes } });
    for (const note of served.notes) run.io.log(`  - ${note}`);
    run.io.log(`\nThe app (what the load balancer would serve): ${served.url}/`);
  }
  run.io.log(`\nAdapted for the emulator (${EMULATOR_GAPS.filter((gap) => gap.override !== undefined).length} known gaps, src/emulator/emulator-gaps.ts):`);
  for (const gap of EMULATOR_GAPS.filter((gap) => gap.override !== undefined)) run.io.log(`  - ${gap.id}: ${gap.handling}`);
  run.io.log(`\n${NOT_EMULATED.join("\n")}`);
  run.io.log("\nStop everything with: npm run local:down");
}

async function down(run: Run, session: LocalSession): Promise<void> {
  const record = session.read();
  const stopped = await session.tearDown();
  if (!record) run.io.log("No local deploy was running.");
  else
    run.io.log(
      stopped.length > 0 ? `Stopped ${stopped.join(", ")}; removed ${session.directory}.` : `Nothing was still running; removed ${session.directory}.`,
    );
}

/** The environment files there are: an unknown --env stops before anything is synthesized or started. */
function checkEnvironment(root: string, environment: string): void {
  const known = fs
    .readdirSync(path.join(root, "environments"))
    .filter((file) => file.endsWith(".json"))
    .map((file) => file.slice(0, -".json".length))
    .sort();
  if (!known.includes(environment))
    throw new UsageError([`--env ${environment}: there is no environments/${environment}.json; known environments: ${known.join(", ")}`]);
}

/**
 * `npm run local` and `npm run local:down` with the command line's
 * arguments: the exit code once done (0, or 1 after printing why to stderr).
 */
export async function runLocalCommand(args: string[], context: LocalCommandContext): Promise<number> {
  const run: Run = { io: new Console({ stdout: context.stdout, stderr: context.stderr }), cwd: context.cwd, variables: context.variables };
  try {
    const options = parseArguments(args);
    if (options === "help") {
      run.io.log(USAGE);
      return 0;
    }
    const root = context.projectRoot;
    if (options.command === "up") checkEnvironment(root, options.environment);
    const session = new LocalSession(root, context.variables);
    if (options.command === "down") await down(run, session);
    else await up(run, root, session, options);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) for (const problem of error.problems) run.io.error(problem);
    else if (error instanceof SettingsError) run.io.error(`Invalid settings: ${error.message}`);
    else run.io.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
}
