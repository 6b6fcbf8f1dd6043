import { ENVIRONMENT_NAME } from "../config/load";

export const DRILL_ACTIONS = ["instance", "database", "zone"] as const;
export type DrillActionName = (typeof DRILL_ACTIONS)[number];

/** How long each drill waits for recovery by default: an instance takes minutes to boot and pass health checks, a failover can take longer. */
export const DEFAULT_TIMEOUT_SECONDS: Readonly<Record<DrillActionName, number>> = { instance: 900, database: 1800, zone: 3600 };
/** Often enough to see each step, far below the API rate limits. */
export const DEFAULT_INTERVAL_SECONDS = 5;

export interface DrillArguments {
  readonly action: DrillActionName;
  /** `--env`: the environment, whose stack is `inventory-<env>`. */
  readonly environment: string;
  /** `--yes`: really make the change. */
  readonly execute: boolean;
  /** `--outputs-file`: read outputs from this file instead of `terraform output -json`. */
  readonly outputsFile?: string;
  /** `--zone`: the zone the zone drill loses. @default the database primary's */
  readonly zone?: string;
  readonly timeoutSeconds: number;
  readonly intervalSeconds: number;
}

export type ParsedCommandLine = { readonly help: true } | { readonly help: false; readonly arguments: DrillArguments };

/** A command line the drill does not understand. The message is one line and names the culprit. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export const USAGE = `Usage: npm run drill -- <instance|database|zone> --env NAME [--yes] [options]

Availability drill against a deployed environment (stack inventory-NAME).
Without --yes it only says what it would do and changes nothing.

Actions:
  instance   terminate one in-service app server (desired capacity unchanged) and
             watch the Auto Scaling group replace it until the targets are healthy again
  database   reboot the Multi-AZ database with forced failover and watch it
             until it is available again, in the standby's AZ
  zone       start the environment's AWS FIS power interruption of one zone (its app
             servers stopped, its subnets cut off, launches there failing, the database
             failed over when its primary is there) and follow it until it ends

Options:
  --env NAME            environment to drill (required)
  --yes                 really terminate / fail over / lose the zone
  --zone ZONE           zone to lose (zone only; default: the database primary's)
  --outputs-file FILE   stack outputs from FILE (cdktf deploy --outputs-file FILE)
                        instead of terraform output -json in cdktf.out/stacks/inventory-NAME
  --interval SECONDS    time between two looks at AWS (default ${DEFAULT_INTERVAL_SECONDS})
  --timeout SECONDS     give up waiting for recovery after this long
                        (default ${DEFAULT_TIMEOUT_SECONDS.instance} for instance, ${DEFAULT_TIMEOUT_SECONDS.database} for database,
                        ${DEFAULT_TIMEOUT_SECONDS.zone} for zone)
  -h, --help            show this help

While it watches, the drill requests the app URL about once a second and counts
the requests that fail. Ctrl-C stops watching (it does not undo the change).
Exit status: 0 recovered or dry run, 1 refused, failed or timed out,
2 bad command line, 130 interrupted.
`;

const VALUE_OPTIONS = ["--env", "--outputs-file", "--interval", "--timeout", "--zone"] as const;
type ValueOption = (typeof VALUE_OPTIONS)[number];

/** Parses the arguments after `npm run drill --`. Throws `UsageError`. */
export function parseDrillArguments(argv: readonly string[]): ParsedCommandLine {
  if (argv.includes("--help") || argv.includes("-h")) return { help: true };
  const values = new Map<ValueOption, string>();
  const positionals: string[] = [];
  let execute = false;
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    if (!argument.startsWith("-")) {
      positionals.push(argument);
      continue;
    }
    const [name, inlineValue] = splitOption(argument);
    if (name === "--yes") {
      if (inlineValue !== undefined) throw new UsageError(`--yes takes no value`);
      execute = true;
      continue;
    }
    if (!isValueOption(name)) throw new UsageError(`unknown option ${name}`);
    if (values.has(name)) throw new UsageError(`${name} given twice`);
    const value = inlineValue ?? argv[++index];
    if (value === undefined || (inlineValue === undefined && value.startsWith("-"))) throw new UsageError(`${name} needs a value`);
    values.set(name, value);
  }

  const [action, ...extra] = positionals;
  if (action === undefined) throw new UsageError(`missing action: instance, database or zone`);
  if (!isAction(action)) throw new UsageError(`unknown action "${action}": expected instance, database or zone`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const environment = values.get("--env");
  if (environment === undefined) throw new UsageError(`missing --env NAME (the environment whose stack inventory-NAME to drill)`);
  if (!ENVIRONMENT_NAME.test(environment)) {
    throw new UsageError(`--env "${environment}" is not an environment name (2-24 lower-case letters, digits and hyphens, starting with a letter)`);
  }
  const zone = values.get("--zone");
  if (zone !== undefined && action !== "zone") throw new UsageError(`--zone is for the zone action only`);
  if (zone !== undefined && !/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]$/.test(zone)) {
    throw new UsageError(`--zone "${zone}" is not an availability zone name like us-west-2a`);
  }
  return {
    help: false,
    arguments: {
      action,
      environment,
      execute,
      outputsFile: values.get("--outputs-file"),
      zone,
      timeoutSeconds: seconds(values, "--timeout") ?? DEFAULT_TIMEOUT_SECONDS[action],
      intervalSeconds: seconds(values, "--interval") ?? DEFAULT_INTERVAL_SECONDS,
    },
  };
}

function splitOption(argument: string): [string, string | undefined] {
  const equals = argument.indexOf("=");
  return equals > 0 && argument.startsWith("--") ? [argument.slice(0, equals), argument.slice(equals + 1)] : [argument, undefined];
}

function isValueOption(name: string): name is ValueOption {
  return (VALUE_OPTIONS as readonly string[]).includes(name);
}

function isAction(name: string): name is DrillActionName {
  return (DRILL_ACTIONS as readonly string[]).includes(name);
}

function seconds(values: ReadonlyMap<ValueOption, string>, name: ValueOption): number | undefined {
  const text = values.get(name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0) throw new UsageError(`${name} needs a positive number of seconds, got "${text}"`);
  return value;
}
