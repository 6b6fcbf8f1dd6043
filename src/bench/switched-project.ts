import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * A throwaway copy of the project moved to CDK Terrain (cdktn) exactly as
 * docs/cdk-terrain.md says: the package.json change is read from the page and
 * applied as written, then npm installs what it names. The checkout itself,
 * its package.json and its lock file are never touched.
 */

/** The page that says how to move the project to CDK Terrain; its package.json change is the one applied here. */
export const CDK_TERRAIN_DOC = "docs/cdk-terrain.md";

/** What synthesis reads: the app command's runner and the app, its settings, and the Inventory app it embeds. */
const PROJECT_ENTRIES = ["main.ts", "cdktf.json", "package.json", "tsconfig.json", "src", "scripts", "app", "environments"];

/** The development tools a synthesis runs besides the CLI: esbuild bundles the app for scripts/run.mjs. */
const SYNTHESIS_TOOLS = ["esbuild"];

/**
 * npm install, lean: no audit or funding requests, metadata from npm's cache when it has it, no install scripts (synthesis
 * needs none). From the checkout's lock file, as a user's switch would be: every package the change leaves alone keeps its
 * locked version (the rotation function's bundle, built from mysql2 and its dependencies, stays byte for byte the same).
 */
const NPM_INSTALL = ["install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts", "--loglevel=error"];

export interface PackageJson {
  engines?: { node?: string };
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  overrides?: Record<string, unknown>;
  [key: string]: unknown;
}

/** What a command printed. */
export interface CommandOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** The command of the CLI that goes with the library installed as `cdktf` in `projectRoot`: `cdktf` for HashiCorp's, `cdktn` for CDK Terrain's. */
export function cdkCommand(projectRoot: string): "cdktf" | "cdktn" {
  const { name } = JSON.parse(fs.readFileSync(require.resolve("cdktf/package.json", { paths: [projectRoot] }), "utf8")) as { name: string };
  if (name !== "cdktf" && name !== "cdktn") throw new Error(`the package installed as cdktf is ${name}, neither cdktf nor cdktn`);
  return name;
}

/** The package.json change of docs/cdk-terrain.md: the unified diff in its first ```diff block that changes package.json. */
export function documentedPackageChange(projectRoot: string): string {
  const page = fs.readFileSync(path.join(projectRoot, CDK_TERRAIN_DOC), "utf8");
  for (const [, block] of page.matchAll(/^```diff\n([\s\S]*?)^```$/gm)) {
    if (/^\+\+\+ b\/package\.json$/m.test(block)) return block;
  }
  throw new Error(`${CDK_TERRAIN_DOC} has no \`\`\`diff block for package.json`);
}

/**
 * `text` with the hunks of a unified diff applied. Each hunk is found by its
 * content (its context and removed lines, which must occur exactly once), not
 * by its line numbers, so a change elsewhere in the file does not stop it,
 * as with `git apply`; a hunk whose lines are gone does.
 */
export function applyUnifiedDiff(text: string, diff: string, fileName: string): string {
  const hunks: { before: string[]; after: string[] }[] = [];
  for (const line of diff.replace(/\n$/, "").split("\n")) {
    if (line.startsWith("@@")) hunks.push({ before: [], after: [] });
    else if (hunks.length === 0 || line.startsWith("\\"))
      continue; // the diff --git, ---, +++ header; "\ No newline at end of file"
    else if (line.startsWith("-")) hunks[hunks.length - 1].before.push(line.slice(1));
    else if (line.startsWith("+")) hunks[hunks.length - 1].after.push(line.slice(1));
    else {
      hunks[hunks.length - 1].before.push(line.slice(1));
      hunks[hunks.length - 1].after.push(line.slice(1));
    }
  }
  if (hunks.length === 0) throw new Error(`the change to ${fileName} has no hunks`);
  // A newline in front, so that a hunk's first line matches only a whole line, the file's first included.
  const changed = hunks.reduce((current, hunk, index) => {
    const before = `\n${hunk.before.join("\n")}\n`;
    const at = current.indexOf(before);
    if (at < 0 || current.indexOf(before, at + 1) >= 0) {
      throw new Error(
        `hunk ${index + 1} of the change to ${fileName} does not apply: its lines ${at < 0 ? "are not in" : "occur more than once in"} ` +
          `${fileName}:${before.trimEnd()}`,
      );
    }
    return `${current.slice(0, at)}\n${hunk.after.join("\n")}\n${current.slice(at + before.length)}`;
  }, `\n${text}`);
  return changed.slice(1);
}

/**
 * The package.json of the switched copy: the project's with the documented
 * change applied, and of the development tools only those synthesis runs
 * (esbuild, and whatever the change adds: the CLI). The test runner, the type
 * checker and the browser driver play no part in synthesis; the project's
 * dependencies all stay. When this Node.js is older than the change's
 * `engines.node`, the Node.js binary package of that major version for this
 * platform joins the tools: it puts a `node` into node_modules/.bin, which
 * npx and npm scripts run first.
 */
export function switchedPackageJson(original: string, change: string, node: { version: string; platform: string; arch: string } = process): PackageJson {
  const before = JSON.parse(original) as PackageJson;
  const after = JSON.parse(applyUnifiedDiff(original, change, "package.json")) as PackageJson;
  const added = Object.keys(after.devDependencies ?? {}).filter((name) => !(name in (before.devDependencies ?? {})));
  const tools = Object.fromEntries(Object.entries(after.devDependencies ?? {}).filter(([name]) => SYNTHESIS_TOOLS.includes(name) || added.includes(name)));
  const needed = nodeRequirement(after.engines?.node);
  if (needed && compareVersions(node.version.replace(/^v/, ""), needed) < 0) {
    if (node.platform !== "linux" && node.platform !== "darwin")
      throw new Error(`the switched project needs Node.js ${needed} or newer; this is ${node.version}`);
    tools[`node-${node.platform}-${node.arch}`] = `^${needed}`;
  }
  return { ...after, devDependencies: tools };
}

/** The version an `engines.node` of the form `>=X.Y[.Z]` asks for, as X.Y.Z. */
function nodeRequirement(engines: string | undefined): string | undefined {
  if (engines === undefined) return undefined;
  const match = /^>=\s*(\d+)\.(\d+)(?:\.(\d+))?$/.exec(engines.trim());
  if (!match) throw new Error(`engines.node "${engines}" of the switched package.json is not of the form >=X.Y`);
  return `${match[1]}.${match[2]}.${match[3] ?? 0}`;
}

function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((version) => version.split(".").map(Number));
  for (let index = 0; index < 3; index++) if (x[index] !== y[index]) return (x[index] ?? 0) - (y[index] ?? 0);
  return 0;
}

/** The copy of the project, switched and installed. */
export class SwitchedProject {
  private constructor(readonly root: string) {}

  /** Copies the project into a new temporary folder, applies the documented change and installs it (about 10 s, most of it unpacking packages). */
  static async create(projectRoot: string): Promise<SwitchedProject> {
    const project = new SwitchedProject(fs.mkdtempSync(path.join(os.tmpdir(), "inventory-cdktn-")));
    try {
      for (const entry of PROJECT_ENTRIES) fs.cpSync(path.join(projectRoot, entry), project.path(entry), { recursive: true });
      const packageJson = switchedPackageJson(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8"), documentedPackageChange(projectRoot));
      fs.writeFileSync(project.path("package.json"), `${JSON.stringify(packageJson, null, 2)}\n`);
      fs.copyFileSync(path.join(projectRoot, "package-lock.json"), project.path("package-lock.json"));
      await project.run("npm", NPM_INSTALL);
      return project;
    } catch (error) {
      project.remove();
      throw error;
    }
  }

  path(...parts: string[]): string {
    return path.join(this.root, ...parts);
  }

  /** Name and version of the package installed as `cdktf`, as a module of `fromPackage` resolves it (the project's own, when not given). */
  coreLibrary(fromPackage?: string): { name: string; version: string; directory: string } {
    const from = fromPackage ? path.dirname(require.resolve(`${fromPackage}/package.json`, { paths: [this.root] })) : this.root;
    const manifest = require.resolve("cdktf/package.json", { paths: [from] });
    const { name, version } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { name: string; version: string };
    return { name, version, directory: fs.realpathSync(path.dirname(manifest)) };
  }

  /** The environment commands run with in the copy: its node_modules/.bin first (the CLI, and Node.js when the copy brought one), no checkpoint calls. */
  environment(variables: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      PATH: [this.path("node_modules", ".bin"), process.env.PATH].join(path.delimiter),
      CHECKPOINT_DISABLE: "1",
      CDKTF_DISABLE_PLUGIN_CACHE_ENV: "1",
      FORCE_COLOR: "0",
      ...variables,
    };
  }

  /** Runs a command in the copy; rejects with the end of its output when it fails. */
  run(command: string, args: string[], variables: NodeJS.ProcessEnv = {}): Promise<CommandOutput> {
    const line = [command, ...args].join(" ");
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { cwd: this.root, env: this.environment(variables), stdio: ["ignore", "pipe", "pipe"] });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
      child.on("error", (error) => reject(new Error(`${line} could not start: ${error.message}`)));
      child.on("close", (code) => {
        const output = { stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") };
        if (code === 0) resolve(output);
        else
          reject(new Error(`${line} failed (exit ${code}) in ${this.root}:\n${`${output.stderr}\n${output.stdout}`.trim().split("\n").slice(-20).join("\n")}`));
      });
    });
  }

  remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
