import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { FisClient } from "@aws-sdk/client-fis";
import { RDSClient } from "@aws-sdk/client-rds";
import * as fs from "node:fs";
import * as https from "node:https";
import * as path from "node:path";
import { type AppProber, httpProber } from "./app-probe";
import { type DrillArguments, USAGE, UsageError, parseDrillArguments } from "./arguments";
import { type Clock, systemClock } from "./clock";
import { runDatabaseDrill } from "./database-drill";
import { type DrillRuntime, type DrillStatus, errorMessage } from "./drill";
import { runInstanceDrill } from "./instance-drill";
import { runZoneDrill } from "./zone-drill";
import { LiveConsole, type OutputStream } from "./live-console";
import { type CommandRunner, StackOutputsError, type StackOutputs, readStackOutputs } from "./stack-outputs";

/** The AWS clients of one region. */
export interface DrillClients {
  readonly autoScaling: AutoScalingClient;
  readonly loadBalancing: ElasticLoadBalancingV2Client;
  readonly rds: RDSClient;
  readonly cloudWatch: CloudWatchClient;
  readonly fis: FisClient;
}

/**
 * Clients with the SDK's default credential chain (environment, profile, SSO,
 * instance role ...) and endpoints (AWS_ENDPOINT_URL ...), trusting the
 * certificates of AWS_CA_BUNDLE as the AWS CLI does: the JavaScript SDK reads
 * that variable only from a profile, so a TLS-inspecting proxy or a local
 * emulator would otherwise fail every request.
 */
export function defaultClients(region: string, variables: NodeJS.ProcessEnv = process.env): DrillClients {
  // The SDK warns on every run that its 2027 releases will need Node.js 22; the project supports Node.js 20.19 on (package.json engines).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const config = { region, ...trustedCertificates(variables) };
  return {
    autoScaling: new AutoScalingClient(config),
    loadBalancing: new ElasticLoadBalancingV2Client(config),
    rds: new RDSClient(config),
    cloudWatch: new CloudWatchClient(config),
    fis: new FisClient(config),
  };
}

/** The request handler settings that make the clients trust AWS_CA_BUNDLE's certificates, if it is set. */
function trustedCertificates(variables: NodeJS.ProcessEnv): { requestHandler?: { httpsAgent: https.Agent } } {
  const bundle = variables.AWS_CA_BUNDLE;
  if (bundle === undefined || bundle === "") return {};
  let ca: Buffer;
  try {
    ca = fs.readFileSync(bundle);
  } catch (error) {
    throw new Error(`AWS_CA_BUNDLE: cannot read ${bundle} (${(error as NodeJS.ErrnoException).code}); point it at a PEM file of the certificates to trust`, {
      cause: error,
    });
  }
  return { requestHandler: { httpsAgent: new https.Agent({ ca, keepAlive: true }) } };
}

export const EXIT_CODES = { success: 0, failure: 1, usage: 2, interrupted: 130 } as const;

const EXIT_CODE_OF: Readonly<Record<DrillStatus, number>> = {
  planned: EXIT_CODES.success,
  recovered: EXIT_CODES.success,
  refused: EXIT_CODES.failure,
  "timed-out": EXIT_CODES.failure,
  failed: EXIT_CODES.failure,
  // 128 + SIGINT, what a shell reports for a Ctrl-C'd program.
  interrupted: EXIT_CODES.interrupted,
};

/** Everything the command takes from its surroundings; `main.ts` passes the real ones, tests fakes. */
export interface DrillCommandContext {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** Aborted on Ctrl-C. */
  readonly signal: AbortSignal;
  /** Folder relative `--outputs-file` paths start from (where the user typed the command). */
  readonly cwd: string;
  /** Folder of `cdktf.json`, above `cdktf.out/`. */
  readonly projectRoot: string;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Runs `terraform output -json`. @default execFileRunner */
  readonly runCommand?: CommandRunner;
  /** Environment of the `terraform` process. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default defaultClients */
  readonly createClients?: (region: string) => DrillClients;
  /** @default httpProber(appUrl) */
  readonly createProber?: (appUrl: string) => AppProber;
  /** Time between two app requests. @default 1000 */
  readonly probeIntervalMs?: number;
  /** Wall-clock time, for the alarm history's window. @default () => new Date() */
  readonly currentDate?: () => Date;
}

/** Runs `drill <action> --env NAME ...` and returns the process exit code. Never rejects. */
export async function runDrillCommand(argv: readonly string[], context: DrillCommandContext): Promise<number> {
  const fail = (message: string, code: number = EXIT_CODES.failure) => {
    context.stderr.write(`drill: ${message}\n`);
    return code;
  };
  let drillArguments: DrillArguments;
  try {
    const parsed = parseDrillArguments(argv);
    if (parsed.help) {
      context.stdout.write(USAGE);
      return EXIT_CODES.success;
    }
    drillArguments = parsed.arguments;
  } catch (error) {
    if (error instanceof UsageError) return fail(`${error.message} (see --help)`, EXIT_CODES.usage);
    throw error;
  }

  let clients: DrillClients | undefined;
  try {
    const outputs = await readStackOutputs({
      environment: drillArguments.environment,
      outputsFile: drillArguments.outputsFile === undefined ? undefined : path.resolve(context.cwd, drillArguments.outputsFile),
      projectRoot: context.projectRoot,
      runCommand: context.runCommand,
      env: context.env,
    });
    const region = outputs.get("region");
    const appUrl = outputs.get("app_url");
    // Every output the action needs is read before AWS is touched, so a missing one costs nothing.
    const drill = drillFor(drillArguments, outputs);
    const alarmNames = outputs.optionalList("alarm_names");

    clients = (context.createClients ?? ((clientRegion) => defaultClients(clientRegion, context.env)))(region);
    const out = new LiveConsole(context.stdout);
    const runtime: DrillRuntime = {
      clock: context.clock ?? systemClock,
      signal: context.signal,
      console: out,
      appUrl,
      prober: (context.createProber ?? ((url) => httpProber(url)))(appUrl),
      probeIntervalMs: context.probeIntervalMs ?? 1000,
      pollIntervalMs: drillArguments.intervalSeconds * 1000,
      timeoutMs: drillArguments.timeoutSeconds * 1000,
      execute: drillArguments.execute,
      currentDate: context.currentDate ?? (() => new Date()),
      alarms: alarmNames && alarmNames.length > 0 ? { cloudWatch: clients.cloudWatch, alarmNames } : undefined,
    };
    out.line(`${DRILL_TITLES[drillArguments.action]} drill: ${outputs.stack} in ${region}${drillArguments.execute ? "" : " (dry run)"}`);
    return EXIT_CODE_OF[await drill(runtime, clients)];
  } catch (error) {
    // Ctrl-C before t+0 (while reading outputs or checking the fleet): nothing was changed.
    if (context.signal.aborted) return fail(`interrupted before the drill changed anything`, EXIT_CODES.interrupted);
    if (error instanceof StackOutputsError) return fail(error.message);
    return fail(errorMessage(error));
  } finally {
    clients?.autoScaling.destroy();
    clients?.loadBalancing.destroy();
    clients?.rds.destroy();
    clients?.cloudWatch.destroy();
    clients?.fis.destroy();
  }
}

type Drill = (runtime: DrillRuntime, clients: DrillClients) => Promise<DrillStatus>;

const DRILL_TITLES: Readonly<Record<DrillArguments["action"], string>> = { instance: "Instance", database: "Database", zone: "Zone" };

function drillFor(drillArguments: DrillArguments, outputs: StackOutputs): Drill {
  if (drillArguments.action === "instance") {
    const autoScalingGroupName = outputs.get("autoscaling_group_name");
    const targetGroupArn = outputs.get("target_group_arn");
    return (runtime, clients) =>
      runInstanceDrill({ runtime, autoScaling: clients.autoScaling, loadBalancing: clients.loadBalancing, autoScalingGroupName, targetGroupArn });
  }
  const dbInstanceIdentifier = outputs.get("db_instance_identifier");
  if (drillArguments.action === "zone") {
    const templates = outputs.map("rehearsal_templates");
    return (runtime, clients) => runZoneDrill({ runtime, fis: clients.fis, rds: clients.rds, dbInstanceIdentifier, templates, zone: drillArguments.zone });
  }
  return (runtime, clients) => runDatabaseDrill({ runtime, rds: clients.rds, dbInstanceIdentifier });
}
