import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ExclusiveLock, type ExclusiveLockOptions } from "../system/exclusive-lock";
import { copyStackFolder, REVIEW_OVERRIDE_FILE, reviewOverride, StackWorkspace, type StackWorkspaceOptions } from "./stack-workspace";
import { terraformEnvironment } from "./terraform-cli";
import type { NumberShapes } from "./value-numbers";

/** What the last successful `terraform init` of a kept folder was run on, as hashes (backend settings may hold secrets). */
export const INIT_RECORD_FILE = "init-inputs.json";
const LOCK_FILE = ".terraform.lock.hcl";
/** Where the installed providers' values hold numbers (from their schema), kept until the next init, which removes it. */
export const NUMBER_SHAPES_FILE = "provider-numbers.json";
/** Files of the folder itself; everything else is the stack's configuration and is replaced on every run. */
const OWN_ENTRIES = new Set([".terraform", LOCK_FILE, REVIEW_OVERRIDE_FILE, INIT_RECORD_FILE, NUMBER_SHAPES_FILE, "backend-config.hcl"]);

export interface KeptWorkspaceOptions extends StackWorkspaceOptions {
  /** The folder kept between runs, one per environment and kind of run, e.g. `<project>/.cache/terraform/review/<env>`. */
  readonly directory: string;
  /** Settings added to the stack's backend block at init, as for `StackWorkspace.init`; a change initialises again. */
  readonly backendConfig?: Record<string, unknown>;
  /**
   * How to wait for another run that holds the folder, or the folder's lock
   * already held (from `reserve`). @default 10 minutes, polling every 100 ms
   */
  readonly lock?: ExclusiveLockOptions | ExclusiveLock;
}

/** Whether `initIfChanged` ran `terraform init`, and why (or why not). */
export interface InitOutcome {
  readonly initialised: boolean;
  readonly reason: string;
}

/** What decides whether a kept folder's `.terraform` still fits; each value a hash or a short identity, never a secret. */
interface InitInputs {
  /** The terraform binary: path, size and modification time. */
  readonly terraform: string;
  /** The CLI configuration Terraform installs providers by (the offline mirror's, or the user's). */
  readonly cliConfig: string;
  /** Required providers, required Terraform version and module sources. */
  readonly providers: string;
  /** The configuration's backend or cloud block. */
  readonly backend: string;
  readonly override: string;
  readonly backendConfig: string;
}

interface InitRecord extends InitInputs {
  /** The lock file as init left it. */
  readonly lockFile: string;
}

const CHANGE_REASONS: Record<keyof InitRecord, string> = {
  terraform: "terraform itself changed",
  cliConfig: "the Terraform CLI configuration changed",
  providers: "the configuration's providers or modules changed",
  backend: "the configuration's backend changed",
  override: "the review override changed",
  backendConfig: "the backend settings changed",
  lockFile: "the lock file changed",
};

/**
 * A stack's Terraform working folder kept between runs, so a run pays for
 * `terraform init` only when what init depends on changed: the providers and
 * modules the configuration requires, its backend, the override, the backend
 * settings, the lock file, terraform itself or its CLI configuration. What
 * the last init ran on is recorded beside `.terraform`; any difference, a
 * missing record, lock file or installed provider initialises again, so a
 * stale folder is never planned in. The lock file stays in the folder, and
 * Terraform checks the installed provider against its checksums on every
 * command, as in any initialised folder.
 *
 * One run at a time uses the folder: `open` waits for another run's lock
 * (`<directory>.lock`) and `release` gives it up, so two reviews of the same
 * environment run one after the other instead of overwriting each other's
 * configuration, init and plan (and, with `reserve`, their synthesis).
 *
 * Every run replaces the configuration with the stack folder's and drops
 * anything else a previous run left (state, plans), so a plan against the
 * local backend always starts from an empty state.
 */
export class KeptWorkspace extends StackWorkspace {
  private constructor(
    directory: string,
    environment: NodeJS.ProcessEnv,
    private readonly lock: ExclusiveLock,
    private readonly backendConfig: Record<string, unknown> | undefined,
  ) {
    super(directory, environment);
  }

  /**
   * Takes the lock of the folder `directory` (waiting for another run) for a
   * run that writes its stack folder before it opens the workspace: a
   * synthesis into cdktf.out. A second run then waits before it rewrites the
   * stack folder, not while the first copies from it. `open` takes the held
   * lock in its options; its `release` gives it up.
   */
  static async reserve(directory: string, options?: ExclusiveLockOptions): Promise<ExclusiveLock> {
    fs.mkdirSync(path.dirname(directory), { recursive: true });
    return ExclusiveLock.acquire(`${directory}.lock`, options);
  }

  /** Takes the folder's lock (waiting for another run) unless held already, then puts `stackDirectory`'s configuration and the override in it. */
  static async open(stackDirectory: string, options: KeptWorkspaceOptions): Promise<KeptWorkspace> {
    const environment = terraformEnvironment(options.cacheDirectory, options.variables);
    fs.mkdirSync(options.directory, { recursive: true });
    const file = `${options.directory}.lock`;
    if (options.lock instanceof ExclusiveLock && options.lock.file !== file)
      throw new Error(`KeptWorkspace.open: the lock held is ${options.lock.file}, not ${file}`);
    const lock = options.lock instanceof ExclusiveLock ? options.lock : await ExclusiveLock.acquire(file, options.lock);
    try {
      const workspace = new KeptWorkspace(options.directory, environment, lock, options.backendConfig);
      for (const entry of fs.readdirSync(options.directory)) {
        if (!OWN_ENTRIES.has(entry)) fs.rmSync(path.join(options.directory, entry), { recursive: true, force: true });
      }
      copyStackFolder(stackDirectory, options.directory);
      fs.writeFileSync(path.join(options.directory, REVIEW_OVERRIDE_FILE), reviewOverride(options));
      return workspace;
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /**
   * `terraform init` when the folder's `.terraform` does not fit the
   * configuration any more, else nothing. Init runs with `-reconfigure` (a
   * changed backend is switched to, never migrated into) and, unless the
   * last init had the same provider requirements, `-upgrade`, so the lock
   * file follows new constraints as it would on a fresh clone. The record is
   * removed before init and written after it succeeds: an init that fails
   * leaves a folder the next run initialises again.
   */
  async initIfChanged(): Promise<InitOutcome> {
    const inputs = this.initInputs();
    const reason = this.reasonToInit(inputs);
    if (reason === undefined) return { initialised: false, reason: "providers, lock file and backend unchanged since the last init" };
    const recordFile = path.join(this.directory, INIT_RECORD_FILE);
    const previous = readRecord(recordFile);
    fs.rmSync(recordFile, { force: true });
    // The schema summary belongs to the providers this init installs: the next plan read makes it again.
    fs.rmSync(path.join(this.directory, NUMBER_SHAPES_FILE), { force: true });
    const providersChanged = previous?.providers !== inputs.providers;
    await this.init(this.backendConfig, ["-reconfigure", ...(providersChanged ? ["-upgrade"] : [])]);
    const record: InitRecord = { ...inputs, lockFile: hashOf(fs.readFileSync(path.join(this.directory, LOCK_FILE))) };
    fs.writeFileSync(recordFile, `${JSON.stringify(record, null, 2)}\n`);
    return { initialised: true, reason };
  }

  /**
   * The providers' number shapes, from the folder when an earlier run since
   * the last init recorded them, else from their schema (one more provider
   * load, once per init), then recorded.
   */
  override async numberShapes(): Promise<NumberShapes> {
    const file = path.join(this.directory, NUMBER_SHAPES_FILE);
    try {
      return JSON.parse(fs.readFileSync(file, "utf8")) as NumberShapes;
    } catch {
      const shapes = await super.numberShapes();
      fs.writeFileSync(file, `${JSON.stringify(shapes)}\n`);
      return shapes;
    }
  }

  /** Gives the folder up to the next run. The folder and its `.terraform` stay. */
  release(): void {
    this.lock.release();
  }

  private reasonToInit(inputs: InitInputs): string | undefined {
    const record = readRecord(path.join(this.directory, INIT_RECORD_FILE));
    if (!record) return "no earlier init in this folder";
    const lockFile = path.join(this.directory, LOCK_FILE);
    if (!fs.existsSync(lockFile)) return "its lock file is missing";
    const current: InitRecord = { ...inputs, lockFile: hashOf(fs.readFileSync(lockFile)) };
    const changed = (Object.keys(CHANGE_REASONS) as (keyof InitRecord)[]).find((key) => record[key] !== current[key]);
    if (changed) return CHANGE_REASONS[changed];
    const missing = lockedProviders(fs.readFileSync(lockFile, "utf8")).find(
      ({ address, version }) => !fs.existsSync(path.join(this.directory, ".terraform", "providers", address, version, terraformPlatform())),
    );
    return missing ? `${missing.address} ${missing.version} is not installed in its .terraform` : undefined;
  }

  private initInputs(): InitInputs {
    const binary = fs.statSync(this.binary);
    const cliConfigFile = this.environment.TF_CLI_CONFIG_FILE;
    const { providers, backend } = initRelevantConfiguration(this.directory);
    return {
      terraform: `${fs.realpathSync(this.binary)} ${binary.size} ${binary.mtimeMs}`,
      cliConfig: hashOf(cliConfigFile && fs.existsSync(cliConfigFile) ? fs.readFileSync(cliConfigFile) : ""),
      providers: hashOf(providers),
      backend: hashOf(backend),
      override: hashOf(fs.readFileSync(path.join(this.directory, REVIEW_OVERRIDE_FILE))),
      backendConfig: hashOf(JSON.stringify(this.backendConfig ?? null)),
    };
  }
}

/**
 * The parts of a stack's configuration `terraform init` acts on. From
 * cdk.tf.json: the `terraform` block's provider and version requirements, the
 * module sources, and the backend or cloud block. A configuration in any other
 * form (cdk.tf) counts as a whole: any change initialises again.
 */
function initRelevantConfiguration(directory: string): { providers: string; backend: string } {
  const jsonFile = path.join(directory, "cdk.tf.json");
  if (!fs.existsSync(jsonFile)) {
    const whole = fs
      .readdirSync(directory)
      .filter((entry) => entry.endsWith(".tf") && !OWN_ENTRIES.has(entry))
      .sort()
      .map((entry) => `${entry}\n${fs.readFileSync(path.join(directory, entry), "utf8")}`)
      .join("\n");
    return { providers: whole, backend: whole };
  }
  const document = JSON.parse(fs.readFileSync(jsonFile, "utf8")) as {
    terraform?: Record<string, unknown>;
    module?: Record<string, { source?: unknown; version?: unknown }>;
  };
  const { backend, cloud, required_providers, required_version } = document.terraform ?? {};
  const modules = Object.entries(document.module ?? {}).map(([name, module]) => [name, module.source, module.version]);
  return { providers: JSON.stringify({ required_providers, required_version, modules }), backend: JSON.stringify({ backend, cloud }) };
}

/** The providers a lock file pins: `provider "registry.terraform.io/hashicorp/aws" { version = "5.100.0" ... }`. */
function lockedProviders(lockFile: string): { address: string; version: string }[] {
  return [...lockFile.matchAll(/^provider "([^"]+)" \{\s*\n\s*version\s*=\s*"([^"]+)"/gm)].map((match) => ({ address: match[1], version: match[2] }));
}

/** Terraform's name for this machine's platform, the last folder of an installed provider (linux_amd64). */
function terraformPlatform(): string {
  const arch: Record<string, string> = { x64: "amd64", ia32: "386", arm64: "arm64", arm: "arm" };
  return `${process.platform === "win32" ? "windows" : process.platform}_${arch[process.arch] ?? process.arch}`;
}

function readRecord(file: string): InitRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as InitRecord;
  } catch {
    return undefined;
  }
}

function hashOf(content: string | Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}
