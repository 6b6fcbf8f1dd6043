// npm run mutate [-- <folder or file>...] [--report | --list]: mutation testing of
// the sources the unit suites guard. StrykerJS (stryker.config.mjs) mutates one
// file per run against the unit suites that exercise its folder, each run with
// its own incremental file under .cache/stryker/, so an interrupted run keeps
// every file it finished and the next run tests again only what changed.
// Then it prints the mutation score per folder, writes every surviving mutant
// to reports/mutation.md, and the score table between the markers of
// docs/testing.md, with the date and the commit measured.
//   npm run mutate                          policy, then constructs
//   npm run mutate -- config                one folder
//   npm run mutate -- src/policy/report.ts  one file
//   npm run mutate -- --report              only the report, from the results kept
//   npm run mutate -- constructs --list     each file and the suites its mutants run, nothing mutated
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

interface Target {
  /** The folder mutated, from the project's root. */
  readonly folder: string;
  /** The unit suites that import it; the others cannot kill its mutants and would only lengthen each run. */
  readonly suites: readonly string[];
}

const TARGETS: Readonly<Record<string, Target>> = {
  policy: { folder: "src/policy", suites: ["__tests__/policy/**/*.test.ts", "__tests__/ci-access/**/*.test.ts"] },
  constructs: { folder: "src/constructs", suites: ["__tests__/constructs/**/*.test.ts", "__tests__/stacks/**/*.test.ts"] },
  config: { folder: "src/config", suites: ["__tests__/config/**/*.test.ts"] },
};
const DEFAULT_TARGETS = ["policy", "constructs"];
const DOC = "docs/testing.md";
const REPORT = "reports/mutation.md";
const START = "<!-- mutation:start (written by npm run mutate) -->";
const END = "<!-- mutation:end -->";
/** Statuses that count as detected, and those that count against the score (Stryker's own definition). */
const DETECTED = new Set(["Killed", "Timeout"]);
const UNDETECTED = new Set(["Survived", "NoCoverage"]);

interface Mutant {
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly status: string;
  readonly location: { readonly start: { readonly line: number; readonly column: number } };
}
interface FileResult {
  readonly file: string;
  /** The file changed since it was measured: its figures are left out. */
  readonly stale: boolean;
  readonly mutants: readonly Mutant[];
}

/** The project's root, set by `runMutate` for the helpers below. */
let root = "";

/** `npm run mutate`: returns the exit code (2 for an argument that names nothing to mutate). */
export function runMutate(args: readonly string[], projectRoot: string): number {
  root = projectRoot;
  let exitCode = 0;
  const reportOnly = args.includes("--report");
  const listOnly = args.includes("--list");
  const asked = args.filter((arg) => !arg.startsWith("--"));
  let runs: { name: string; target: Target; files: string[] }[];
  try {
    runs = (asked.length > 0 ? asked : DEFAULT_TARGETS).map(resolveTarget);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    return 2;
  }

  if (listOnly) {
    for (const { target, files } of runs) for (const file of files) console.log(`${file}: ${suitesFor(file, target).join(", ")}`);
    return 0;
  }
  if (!reportOnly) {
    for (const { target, files } of runs) {
      for (const file of files) {
        const started = Date.now();
        console.log(`\n== ${file} (suites: ${suitesFor(file, target).join(", ")})`);
        const result = spawnSync(path.join(root, "node_modules", ".bin", "stryker"), ["run", "stryker.config.mjs"], {
          cwd: root,
          stdio: "inherit",
          env: { ...process.env, MUTATE_FILE: file, MUTATE_SUITES: suitesFor(file, target).join(",") },
        });
        console.log(`== ${file}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
        if (result.status !== 0) {
          console.error(`Stryker failed on ${file} (exit ${result.status ?? result.signal}); the report leaves it out`);
          exitCode = 1;
        }
      }
    }
  }

  const folders = [...new Set([...DEFAULT_TARGETS, ...runs.map(({ name }) => name)])].map((name) => TARGETS[name]);
  const results = folders.flatMap((target) => sourceFiles(target.folder).map(readResult));
  const table = scoreTable(folders, results);
  console.log(`\n${table}`);
  fs.mkdirSync(path.join(root, path.dirname(REPORT)), { recursive: true });
  fs.writeFileSync(path.join(root, REPORT), survivorReport(table, results));
  if (!writeDocSection(table)) return 1;
  console.log(`wrote ${REPORT} and the mutation section of ${DOC}`);
  return exitCode;
}

/** An argument that names neither a folder nor a file to mutate. */
class UsageError extends Error {}

function resolveTarget(arg: string): { name: string; target: Target; files: string[] } {
  const byName = TARGETS[arg];
  if (byName) return { name: arg, target: byName, files: sourceFiles(byName.folder) };
  const file = path.relative(root, path.resolve(arg));
  const name = Object.keys(TARGETS).find((key) => file.startsWith(`${TARGETS[key].folder}/`));
  if (!name || !file.endsWith(".ts") || !fs.existsSync(path.join(root, file))) {
    throw new UsageError(`npm run mutate: ${arg} is neither a folder (${Object.keys(TARGETS).join(", ")}) nor a .ts file in one of theirs`);
  }
  return { name, target: TARGETS[name], files: [file] };
}

/**
 * The suites about the file and about what builds it: those that import the
 * file, or a module of its folder, a construct or a stack that imports it (a
 * construct's defaults are often asserted where another construct or the
 * bootstrap stack uses them; a control is run through the controls' index),
 * where there are any. The inventory stack's suites (those that import it)
 * are left out: they synthesize every environment once per mutant, minutes
 * per file on two shared cores, and its constructs' own suites hold what it
 * builds. A file no suite reaches this way runs against all of its folder's
 * suites.
 */
function suitesFor(file: string, target: Target): readonly string[] {
  const builders = [...new Set([target.folder, "src/constructs", "src/stacks"])]
    .flatMap((folder) => sourceFiles(folder))
    .filter((source) => source !== INVENTORY_STACK && importsOf(source).includes(file));
  const reached = new Set([file, ...builders]);
  const suites = fs
    .readdirSync(path.join(root, "__tests__"), { recursive: true, encoding: "utf8" })
    .filter((suite) => suite.endsWith(".test.ts"))
    .map((suite) => `__tests__/${suite}`)
    .filter((suite) => target.suites.some((glob) => suite.startsWith(glob.slice(0, glob.indexOf("*")))))
    .filter((suite) => {
      const imports = importsOf(suite);
      return imports.some((imported) => reached.has(imported)) && !imports.includes(INVENTORY_STACK);
    });
  return suites.length > 0 ? suites.sort() : target.suites;
}

/** The stack of every environment's resources, which the mutated files' suites leave out (see `suitesFor`). */
const INVENTORY_STACK = "src/stacks/inventory-stack.ts";

/** The project's .ts files that `file` imports by a relative path (a folder's being its index.ts), from the project's root. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), "utf8");
  return [...text.matchAll(/from "(\.{1,2}\/[^"]+)"/g)].map((match) => {
    const imported = path.join(path.dirname(file), match[1]);
    return fs.existsSync(path.join(root, imported, "index.ts")) ? `${imported}/index.ts` : `${imported}.ts`;
  });
}

function sourceFiles(folder: string): string[] {
  return fs
    .readdirSync(path.join(root, folder), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => `${folder}/${file}`)
    .sort();
}

function readResult(file: string): FileResult {
  const reportFile = path.join(root, ".cache", "stryker", "reports", `${file.replace(/\.ts$/, "").replaceAll("/", "__")}.json`);
  if (!fs.existsSync(reportFile)) return { file, stale: true, mutants: [] };
  const report = JSON.parse(fs.readFileSync(reportFile, "utf8")) as { files: Record<string, { source: string; mutants: Mutant[] }> };
  const measured = report.files[file];
  if (!measured) return { file, stale: true, mutants: [] };
  return { file, stale: measured.source !== fs.readFileSync(path.join(root, file), "utf8"), mutants: measured.mutants };
}

function count(mutants: readonly Mutant[], statuses: ReadonlySet<string>): number {
  return mutants.filter((mutant) => statuses.has(mutant.status)).length;
}

function scoreTable(targets: readonly Target[], all: readonly FileResult[]): string {
  const rows = targets.map((target) => {
    const files = all.filter((result) => result.file.startsWith(`${target.folder}/`));
    const measured = files.filter((result) => !result.stale);
    const mutants = measured.flatMap((result) => result.mutants);
    const detected = count(mutants, DETECTED);
    const undetected = count(mutants, UNDETECTED);
    const score = detected + undetected === 0 ? "-" : `${((100 * detected) / (detected + undetected)).toFixed(1)}%`;
    const survived = count(mutants, new Set(["Survived"]));
    const noCoverage = count(mutants, new Set(["NoCoverage"]));
    const other = mutants.length - detected - undetected;
    return `| ${target.folder} | ${measured.length} of ${files.length} | ${score} | ${detected} | ${survived} | ${noCoverage} | ${other} |`;
  });
  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
  return [
    `Reported ${new Date().toISOString().slice(0, 10)} at commit ${commit}, from each file's last run ` +
      "(a file changed since its run is left out until it runs again).",
    "",
    "| folder | files measured | mutation score | killed or timed out | survived | no coverage | other (errors, ignored) |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

function survivorReport(table: string, all: readonly FileResult[]): string {
  const lines = ["# Mutation testing", "", "Written by `npm run mutate`; do not edit.", "", table, "", "## Surviving mutants", ""];
  for (const result of all.filter((each) => !each.stale)) {
    const survivors = result.mutants
      .filter((mutant) => UNDETECTED.has(mutant.status))
      .sort((a, b) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column);
    if (survivors.length === 0) continue;
    lines.push(`### ${result.file}`, "");
    for (const mutant of survivors) {
      const replacement = (mutant.replacement ?? "").replace(/\s+/g, " ").slice(0, 100);
      // A double-backtick code span, so a replacement holding a backtick (a template literal) reads as written.
      lines.push(`- ${mutant.location.start.line}:${mutant.location.start.column} ${mutant.mutatorName} (${mutant.status}): \`\` ${replacement} \`\``);
    }
    lines.push("");
  }
  return `${lines.join("\n")}\n`;
}

/** Writes the table between the markers of docs/testing.md; false when they are missing. */
function writeDocSection(table: string): boolean {
  const doc = path.join(root, DOC);
  const text = fs.readFileSync(doc, "utf8");
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) {
    console.error(`${DOC} has no ${START} ... ${END} section to write the table into`);
    return false;
  }
  fs.writeFileSync(doc, `${text.slice(0, start + START.length)}\n${table}\n${text.slice(end)}`);
  return true;
}
