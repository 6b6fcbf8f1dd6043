// npm run mutate [-- <folder or file>...] [--report | --list]: mutation testing of
// the sources the unit suites guard. StrykerJS (stryker.config.mjs) mutates one
// file per run against the unit suites that exercise its folder, each run with
// its own incremental file under .cache/stryker/, so an interrupted run keeps
// every file it finished and the next run tests again only what changed.
// Each file's last run is kept in reports/mutation/ (committed): its source's
// and suites' digests, its counts and its undetected mutants. From those the
// command prints the mutation score per folder, writes each file's figures and
// every undetected mutant to reports/mutation.md, and the score table between
// the markers of docs/testing.md, with the date and the commit reported.
//   npm run mutate                          policy, then constructs
//   npm run mutate -- config                one folder
//   npm run mutate -- src/policy/report.ts  one file
//   npm run mutate -- --report              only the report, from the results kept
//   npm run mutate -- constructs --list     each file and the suites its mutants run, nothing mutated
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
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
/** Each file's last run, one JSON file per source file (see `keepRun`). */
const KEPT = "reports/mutation";
const START = "<!-- mutation:start (written by npm run mutate) -->";
const END = "<!-- mutation:end -->";
/** Statuses that count as detected, and those that count against the score (Stryker's own definition). */
const DETECTED = ["Killed", "Timeout"];
const UNDETECTED = ["Survived", "NoCoverage"];

/** A mutant as Stryker's JSON report gives it. */
interface Mutant {
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly status: string;
  readonly location: { readonly start: { readonly line: number; readonly column: number } };
}
/** The parts of Stryker's JSON report (mutation-testing-report-schema) read here. */
interface StrykerReport {
  readonly files: Readonly<Record<string, { readonly source: string; readonly mutants: readonly Mutant[] }>>;
  readonly testFiles?: Readonly<Record<string, { readonly source?: string }>>;
}
/** A file's last run as reports/mutation/ keeps it. */
interface KeptRun {
  readonly file: string;
  /** The SHA-256 of the file's source as it ran. */
  readonly source: string;
  /** When the run ended (its report's time), to the second. */
  readonly measured: string;
  /** How long the run took, in whole minutes, when this command ran it (null for a run it took in afterwards). */
  readonly minutes: number | null;
  /** The suites the run had, each with the SHA-256 of its text as it ran. */
  readonly suites: Readonly<Record<string, string>>;
  /** How many mutants ended in each of Stryker's statuses. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Every mutant no test detected (survived, or reached by no test), in source order. */
  readonly undetected: readonly { line: number; column: number; mutator: string; replacement: string; status: string }[];
}
interface FileResult {
  readonly file: string;
  readonly run: KeptRun | undefined;
  /** The file changed since its run: its figures are left out. */
  readonly stale: boolean;
  /** Its suites changed since its run (added, removed or edited): its figures count, marked. */
  readonly suitesChanged: boolean;
}

/** The project's root, set by `runMutate` for the helpers below. */
let root = "";
/** Each file's imports, read once per `runMutate` (the suites of every file are found from them). */
let imports = new Map<string, string[]>();

/** `npm run mutate`: returns the exit code (2 for an argument that names nothing to mutate). */
export function runMutate(args: readonly string[], projectRoot: string): number {
  root = projectRoot;
  imports = new Map();
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
          env: {
            ...process.env,
            MUTATE_FILE: file,
            MUTATE_SUITES: suitesFor(file, target).join(","),
            MUTATE_INCREMENTAL_FILE: incrementalFile(file),
            MUTATE_REPORT_FILE: runReportFile(file),
          },
        });
        console.log(`== ${file}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
        if (result.status !== 0) {
          console.error(`Stryker failed on ${file} (exit ${result.status ?? result.signal}); the report leaves it out`);
          exitCode = 1;
        } else keepRun(file, Date.now() - started);
      }
    }
  }

  const folders = [...new Set([...DEFAULT_TARGETS, ...runs.map(({ name }) => name)])].map((name) => TARGETS[name]);
  // Every run this machine reported, the ones just made and any made before (an earlier `npm run mutate` in
  // another checkout whose .cache/stryker/reports was copied here), newer than the run kept.
  const taken = folders.flatMap((target) => sourceFiles(target.folder)).filter((file) => keepRun(file));
  if (taken.length > 0) console.log(`kept the runs of ${taken.join(", ")} in ${KEPT}/`);
  const results = folders.flatMap((target) => sourceFiles(target.folder).map((file) => readResult(file, target)));
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
  let found = imports.get(file);
  if (!found) {
    const text = fs.readFileSync(path.join(root, file), "utf8");
    found = [...text.matchAll(/from "(\.{1,2}\/[^"]+)"/g)].map((match) => {
      const imported = path.join(path.dirname(file), match[1]);
      return fs.existsSync(path.join(root, imported, "index.ts")) ? `${imported}/index.ts` : `${imported}.ts`;
    });
    imports.set(file, found);
  }
  return found;
}

function sourceFiles(folder: string): string[] {
  return fs
    .readdirSync(path.join(root, folder), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => `${folder}/${file}`)
    .sort();
}

/** Where a file's last run is kept: in the repository, so a clone reports what was measured before it. */
const keptPath = (file: string) => path.join(root, KEPT, `${slug(file)}.json`);
/** Where Stryker keeps a file's incremental results, and writes a run's report: on this machine only (git ignores .cache/). */
const incrementalFile = (file: string) => path.join(".cache", "stryker", "incremental", `${slug(file)}.json`);
const runReportFile = (file: string) => path.join(".cache", "stryker", "reports", `${slug(file)}.json`);
const runReportPath = (file: string) => path.join(root, runReportFile(file));
const slug = (file: string) => file.replace(/\.ts$/, "").replaceAll("/", "__");
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * Takes in the run of `file` that Stryker reported on this machine when it is newer than the one kept: its source's
 * and its suites' digests, each status's count and every undetected mutant. Returns whether it did.
 */
function keepRun(file: string, took?: number): boolean {
  const reportFile = runReportPath(file);
  if (!fs.existsSync(reportFile)) return false;
  const measured = fs
    .statSync(reportFile)
    .mtime.toISOString()
    .replace(/\.\d+Z$/, "Z");
  const kept = readKept(file);
  if (kept && kept.measured >= measured) return false;
  const report = JSON.parse(fs.readFileSync(reportFile, "utf8")) as StrykerReport;
  const result = report.files[file];
  if (!result) return false;
  const statuses: Record<string, number> = {};
  for (const mutant of result.mutants) statuses[mutant.status] = (statuses[mutant.status] ?? 0) + 1;
  const run: KeptRun = {
    file,
    source: sha256(result.source),
    measured,
    minutes: took === undefined ? null : Math.round(took / 60000),
    suites: Object.fromEntries(
      Object.entries(report.testFiles ?? {})
        .map(([suite, { source }]): [string, string] => [path.relative(root, path.resolve(root, suite)), sha256(source ?? "")])
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
    statuses: Object.fromEntries(Object.entries(statuses).sort(([a], [b]) => a.localeCompare(b))),
    undetected: result.mutants
      .filter((mutant) => UNDETECTED.includes(mutant.status))
      .map((mutant) => ({
        line: mutant.location.start.line,
        column: mutant.location.start.column,
        mutator: mutant.mutatorName,
        // One line, at most 100 characters: enough to find the mutant in the source.
        replacement: (mutant.replacement ?? "").replace(/\s+/g, " ").slice(0, 100),
        status: mutant.status,
      }))
      .sort((a, b) => a.line - b.line || a.column - b.column || a.mutator.localeCompare(b.mutator) || a.replacement.localeCompare(b.replacement)),
  };
  fs.mkdirSync(path.dirname(keptPath(file)), { recursive: true });
  fs.writeFileSync(keptPath(file), `${JSON.stringify(run, null, 2)}\n`);
  return true;
}

function readKept(file: string): KeptRun | undefined {
  return fs.existsSync(keptPath(file)) ? (JSON.parse(fs.readFileSync(keptPath(file), "utf8")) as KeptRun) : undefined;
}

function readResult(file: string, target: Target): FileResult {
  const run = readKept(file);
  if (!run) return { file, run: undefined, stale: false, suitesChanged: false };
  const suites = suitesFor(file, target);
  const suitesChanged =
    suites.length !== Object.keys(run.suites).length || suites.some((suite) => run.suites[suite] !== sha256(fs.readFileSync(path.join(root, suite), "utf8")));
  return { file, run, stale: run.source !== sha256(fs.readFileSync(path.join(root, file), "utf8")), suitesChanged };
}

/** Detected, undetected, survived, no coverage and other (errors, ignored) mutants of some runs. */
function tally(runs: readonly KeptRun[]) {
  const sum = (statuses: readonly string[]) => runs.reduce((total, run) => total + statuses.reduce((n, status) => n + (run.statuses[status] ?? 0), 0), 0);
  const all = runs.reduce((total, run) => total + Object.values(run.statuses).reduce((n, each) => n + each, 0), 0);
  const detected = sum(DETECTED);
  const undetected = sum(UNDETECTED);
  return {
    all,
    detected,
    score: detected + undetected === 0 ? "-" : `${((100 * detected) / (detected + undetected)).toFixed(1)}%`,
    survived: sum(["Survived"]),
    noCoverage: sum(["NoCoverage"]),
    other: all - detected - undetected,
  };
}

function scoreTable(targets: readonly Target[], all: readonly FileResult[]): string {
  const rows = targets.map((target) => {
    const files = all.filter((result) => result.file.startsWith(`${target.folder}/`));
    const measured = files.flatMap(({ run, stale }) => (run && !stale ? [run] : []));
    const { detected, score, survived, noCoverage, other } = tally(measured);
    return `| ${target.folder} | ${measured.length} of ${files.length} | ${score} | ${detected} | ${survived} | ${noCoverage} | ${other} |`;
  });
  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
  return [
    `Reported ${new Date().toISOString().slice(0, 10)} at commit ${commit}, from each file's last run, kept in ${KEPT}/ ` +
      "(a file changed since its run is left out until it runs again).",
    "",
    "| folder | files measured | mutation score | killed or timed out | survived | no coverage | other (errors, ignored) |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

/** One row per file: its figures, when it ran and for how long, and whether it or its suites changed since. */
function fileTable(all: readonly FileResult[]): string[] {
  const rows = all.map(({ file, run, stale, suitesChanged }) => {
    if (!run) return `| ${file} | - | - | - | - | - | - | - | not measured |`;
    const { all: mutants, score, detected, survived, noCoverage } = tally([run]);
    const state = stale ? "changed since its run: left out" : suitesChanged ? "its suites changed since its run" : "";
    return `| ${file} | ${mutants} | ${score} | ${detected} | ${survived} | ${noCoverage} | ${run.measured.slice(0, 10)} | ${run.minutes ?? "-"} | ${state} |`;
  });
  return [
    "| file | mutants | score | killed or timed out | survived | no coverage | measured | minutes | |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ];
}

function survivorReport(table: string, all: readonly FileResult[]): string {
  const lines = ["# Mutation testing", "", "Written by `npm run mutate`; do not edit.", "", table, "", "## Files", "", ...fileTable(all), ""];
  lines.push("## Surviving mutants", "");
  for (const { file, run, stale } of all) {
    if (!run || stale || run.undetected.length === 0) continue;
    lines.push(`### ${file}`, "");
    // A double-backtick code span, so a replacement holding a backtick (a template literal) reads as written.
    for (const mutant of run.undetected) lines.push(`- ${mutant.line}:${mutant.column} ${mutant.mutator} (${mutant.status}): \`\` ${mutant.replacement} \`\``);
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
