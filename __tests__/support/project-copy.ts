import { execFile, spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "./stacks";

const PROJECT_ENTRIES = ["main.ts", "cdktf.json", "package.json", "tsconfig.json", "src", "scripts", "app", "environments"];
// The bundles scripts/run.mjs built; with timestamps kept they are still fresh in the copy.
const BUNDLE_CACHE = ".cache/run";

/**
 * Copies the bundle cache, flat, with timestamps. Another suite may be bundling a command into it right now: it
 * writes a `<bundle>.<pid>.tmp` file (and its `.tmp.map`), renames it into place and drops the old code cache, so a
 * file listed a moment ago may be gone. Those are left out; the copy bundles again what it lacks.
 */
function copyBundleCache(source: string, target: string): void {
  if (!fs.existsSync(source)) return;
  fs.mkdirSync(target, { recursive: true });
  for (const name of fs.readdirSync(source)) {
    if (/\.tmp(\.map)?$/.test(name)) continue;
    try {
      fs.cpSync(path.join(source, name), path.join(target, name), { preserveTimestamps: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
}

/** No AWS credentials from anywhere (variables, profiles, files): a machine with no account, as the offline commands need. */
export const NO_AWS_CREDENTIALS: NodeJS.ProcessEnv = {
  AWS_ACCESS_KEY_ID: "",
  AWS_SECRET_ACCESS_KEY: "",
  AWS_SESSION_TOKEN: "",
  AWS_PROFILE: "",
  AWS_CONFIG_FILE: "/nonexistent",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent",
};

/** A throwaway copy of the project (node_modules linked, not copied) to run commands in without touching the checkout. */
export class ProjectCopy {
  readonly root: string;

  /** `extraEntries`: more of the project's files and folders to copy, such as the docs a command checks. */
  constructor(extraEntries: readonly string[] = []) {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-project-"));
    for (const entry of [...PROJECT_ENTRIES, ...extraEntries]) {
      const source = path.join(PROJECT_ROOT, entry);
      if (fs.existsSync(source)) fs.cpSync(source, path.join(this.root, entry), { recursive: true, preserveTimestamps: true });
    }
    copyBundleCache(path.join(PROJECT_ROOT, BUNDLE_CACHE), path.join(this.root, BUNDLE_CACHE));
    fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(this.root, "node_modules"), "dir");
  }

  path(...parts: string[]): string {
    return path.join(this.root, ...parts);
  }

  write(relativePath: string, content: string): void {
    fs.writeFileSync(this.path(relativePath), content);
  }

  read(relativePath: string): string {
    return fs.readFileSync(this.path(relativePath), "utf8");
  }

  exists(relativePath: string): boolean {
    return fs.existsSync(this.path(relativePath));
  }

  /** Runs a command in the copy with a clean, offline-friendly environment: `base` (this process's by default) plus `variables`. */
  run(command: string, args: string[], variables: NodeJS.ProcessEnv = {}, base: NodeJS.ProcessEnv = process.env): SpawnSyncReturns<string> {
    return spawnSync(command, args, {
      cwd: this.root,
      encoding: "utf8",
      env: { ...base, CHECKPOINT_DISABLE: "1", CDKTF_DISABLE_PLUGIN_CACHE_ENV: "1", FORCE_COLOR: "0", ...variables },
      timeout: 120_000,
    });
  }

  /** `run`, without blocking this process: for a command that runs beside other work of the test. */
  runAsync(
    command: string,
    args: string[],
    variables: NodeJS.ProcessEnv = {},
    base: NodeJS.ProcessEnv = process.env,
  ): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        command,
        args,
        {
          cwd: this.root,
          encoding: "utf8",
          env: { ...base, CHECKPOINT_DISABLE: "1", CDKTF_DISABLE_PLUGIN_CACHE_ENV: "1", FORCE_COLOR: "0", ...variables },
          timeout: 300_000,
          maxBuffer: 64 * 2 ** 20,
        },
        (error, stdout, stderr) => resolve({ status: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
      );
    });
  }

  remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
