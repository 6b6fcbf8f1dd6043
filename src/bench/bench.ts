// npm run bench [-- --runs N]: how long synthesis takes, measured, not
// guessed. Runs the default environment's synthesis every way it can be run,
// side by side, plus the CLI's synth end to end, the same two on CDK Terrain
// (a copy of the project switched as docs/cdk-terrain.md says), the offline
// plan review (text, Markdown, and with --json) beside the bare `terraform
// plan` of the same folder (the floor a review can approach), the lifecycle
// suite against the AWS emulator, and npm test (every suite but the emulator's)
// with its longest suites and its ratio to the floor of any Node.js command
// here (`require("cdktf")`, measured in the same run). `--suite` measures only
// that last part. Prints a table and writes it as JSON to bench-results/
// (ignored by git).
// scripts/bench.ts wires this to the process.
import { execFileSync, spawnSync } from "node:child_process";
import { Console } from "node:console";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { terraformEnvironment } from "../terraform/terraform-cli";
import { cdkCommand, SwitchedProject } from "./switched-project";
import type { CommandProcess } from "../system/command-process";

const GNU_TIME = "/usr/bin/time";
/** What the baseline imports on purpose; the project itself never does (__tests__/performance/deep-imports.test.ts). */
const PROVIDER_PACKAGE_ROOT = "@cdktf/provider-aws";

interface Variant {
  readonly name: string;
  readonly command: string[];
  readonly runs: number;
  /** Run once first, untimed (builds caches the variant relies on, as a user's second synth would). */
  readonly warmUp?: boolean;
  readonly environment?: NodeJS.ProcessEnv;
  /** Where the command runs. @default the project root */
  readonly cwd?: string;
  /** What to keep and say of a failed run, given its whole output, beyond the last lines the failure shows. */
  readonly onFailure?: (output: string) => string;
}

interface Measurement {
  readonly name: string;
  readonly command: string;
  readonly runs: number;
  readonly medianSeconds: number;
  readonly minSeconds: number;
  readonly maxSeconds: number;
  /** Largest resident set of any process of the run (GNU time's %M, the biggest child). */
  readonly peakRssMb: number;
}

/** Where the bench prints, and the process it runs for. */
export interface BenchContext extends CommandProcess {
  /** The project's folder: what is measured, and where bench-results/ is written. */
  readonly projectRoot: string;
}

/** One bench run: its folders, its number of runs and how it prints. */
interface BenchRun {
  readonly root: string;
  readonly runs: number;
  /** The run's throwaway folder. */
  readonly work: string;
  readonly outdir: string;
  readonly bin: (tool: string) => string;
  /** Synthesis of the default environment only, the full topology, into a throwaway folder. */
  readonly synthEnvironment: NodeJS.ProcessEnv;
  /** The CLI of the library the project runs on: cdktf, or cdktn once it is switched to CDK Terrain. */
  readonly cli: "cdktf" | "cdktn";
  readonly io: Console;
  readonly context: BenchContext;
}

const USAGE = "usage: npm run bench [-- --runs N] [--suite]  (N >= 1, default 5; --suite: only the floor and npm test)";
/** npm test may take at most this many times the `require("cdktf")` floor measured in the same run. */
export const SUITE_TARGET_OVER_FLOOR = 2100;
/** The floor: what any command of this project pays before it does anything, loading cdktf. */
const CDKTF_FLOOR = ["node", "-e", 'require("cdktf")'];

/** `npm run bench` with the command line's arguments: the exit code once done (2 for a bad argument, 1 when a measured command failed). */
export async function runBench(args: string[], context: BenchContext): Promise<number> {
  const io = new Console({ stdout: context.stdout, stderr: context.stderr });
  const root = context.projectRoot;
  const runsArgument = args.indexOf("--runs");
  const runs = runsArgument >= 0 ? Number(args[runsArgument + 1]) : 5;
  const known = new Set(["--runs", "--suite"]);
  const unknown = args.filter((arg, index) => arg.startsWith("--") && !known.has(arg) && args[index - 1] !== "--runs");
  if (!Number.isInteger(runs) || runs < 1 || unknown.length > 0) {
    io.error(USAGE);
    return 2;
  }
  if (!fs.existsSync(GNU_TIME)) {
    io.error(`${GNU_TIME} is missing; it measures peak memory: apt-get install time`);
    return 1;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-bench-"));
  const outdir = path.join(work, "cdktf.out");
  const bench: BenchRun = {
    root,
    runs,
    work,
    outdir,
    bin: (tool) => path.join(root, "node_modules", ".bin", tool),
    synthEnvironment: { INVENTORY_ENV: "default", CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" },
    cli: cdkCommand(root),
    io,
    context,
  };
  try {
    if (args.includes("--suite")) measureSuiteOnly(bench);
    else await measure(bench);
    return 0;
  } catch (error) {
    if (!(error instanceof BenchFailure)) throw error;
    io.error(error.message);
    return 1;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function measure(bench: BenchRun): Promise<void> {
  const { root, runs, work, outdir, bin, synthEnvironment, cli, io, context } = bench;
  /** The folder npm run plan keeps for the default environment: where the floor is measured. */
  const reviewFolder = path.join(root, ".cache", "terraform", "review", "default");
  const terraformCommandEnvironment = terraformEnvironment(path.join(root, ".cache", "terraform"));
  /** The review's own plan, without saving it: what Terraform alone costs. */
  const barePlan = ["terraform", "plan", "-refresh=false", "-lock=false", "-input=false", "-no-color"];

  const { app: appCommand } = JSON.parse(fs.readFileSync(path.join(root, "cdktf.json"), "utf8")) as { app: string };
  const compiled = precompile(bench);
  const rootImportMain = generateRootImportVariant(bench);
  const terrain = await cdkTerrainVariants(bench, appCommand);
  const savedPlan = path.join(work, "floor.tfplan");

  // A nested list is measured in turns, so the plan review and its floor see the same load.
  const variants: (Variant | Variant[])[] = [
    { name: "app as cdktf.json runs it", command: ["sh", "-c", appCommand], runs, warmUp: true, environment: synthEnvironment },
    { name: "ts-node (type-checking)", command: [bin("ts-node"), "main.ts"], runs, environment: synthEnvironment },
    { name: "ts-node --transpile-only", command: [bin("ts-node"), "--transpile-only", "main.ts"], runs, environment: synthEnvironment },
    { name: "precompiled JS (tsc, then node)", command: ["node", compiled], runs, environment: synthEnvironment },
    { name: "baseline: ts-node, provider root import", command: [bin("ts-node"), rootImportMain], runs, environment: synthEnvironment },
    {
      name: `${cli} synth (CLI, end to end)`,
      command: [bin(cli), "synth", "--output", outdir],
      runs: Math.min(runs, 3),
      environment: { CHECKPOINT_DISABLE: "1" },
    },
    ...terrain.variants,
    [
      // The warm-up run initialises the kept folder on a clean clone; the runs after reuse it.
      { name: "npm run plan (offline plan review)", command: ["npm", "run", "--silent", "plan"], runs, warmUp: true },
      { name: "floor: bare terraform plan, same folder", command: barePlan, runs, cwd: reviewFolder, environment: terraformCommandEnvironment },
      {
        name: "terraform plan -out (the review's one command)",
        command: [...barePlan, `-out=${savedPlan}`],
        runs,
        cwd: reviewFolder,
        environment: terraformCommandEnvironment,
      },
      { name: "npm run plan -- --format markdown", command: ["npm", "run", "--silent", "plan", "--", "--format", "markdown"], runs },
      { name: "npm run plan -- --json (+ show -json)", command: ["npm", "run", "--silent", "plan", "--", "--json"], runs },
    ],
    { name: "npm run plan, first run (init)", command: ["sh", "-c", `rm -rf ${reviewFolder} && npm run --silent plan`], runs: Math.min(runs, 3) },
    // The environment's life against the AWS emulator on its own: one of the longest suites, which npm run test:all runs beside the others.
    { name: "lifecycle suite (apply, change, destroy in moto)", command: [bin("jest"), "__tests__/lifecycle/environment-lifecycle.test.ts"], runs: 1 },
  ];

  const results: Measurement[] = [];
  let suite: SuiteMeasurement;
  try {
    for (const group of variants) {
      const inTurns = Array.isArray(group) ? group : [group];
      context.stderr.write(
        `measuring ${inTurns.map((variant) => `${variant.name} (${variant.runs} run${variant.runs > 1 ? "s" : ""})`).join(", in turns with ")}...\n`,
      );
      results.push(...measureInTurns(bench, inTurns));
    }
    suite = measureSuite(bench);
    results.push(...suite.results);
  } finally {
    terrain.project?.remove();
  }

  const appResult = results[0];
  const baseline = results.find((result) => result.name.startsWith("baseline"))!;
  const [review, floor, terraformPart, markdownReview, jsonReview] = [
    "npm run plan (offline",
    "floor:",
    "terraform plan -out",
    "npm run plan -- --format markdown",
    "npm run plan -- --json",
  ].map((prefix) => results.find((result) => result.name.startsWith(prefix))!);
  const ratio = (a: Measurement, b: Measurement) => Number((a.medianSeconds / b.medianSeconds).toFixed(2));
  const report = {
    date: new Date().toISOString(),
    machine: machine(),
    speedupOverBaseline: Number((baseline.medianSeconds / appResult.medianSeconds).toFixed(1)),
    planReview: {
      reviewOverFloor: ratio(review, floor),
      markdownReviewOverFloor: ratio(markdownReview, floor),
      jsonReviewOverFloor: ratio(jsonReview, floor),
      reviewOverTerraformPart: ratio(review, terraformPart),
    },
    suite: suite.summary,
    results,
  };
  const table = formatTable(results);
  io.log(table);
  io.log(
    `\nThe app as cdktf.json runs it is ${report.speedupOverBaseline}x faster than the same app ` +
      `under ts-node with a root import (${os.cpus().length} cores, Node ${process.version}).`,
  );
  io.log(
    `The offline plan review takes ${report.planReview.reviewOverFloor}x the bare terraform plan of its folder ` +
      `(${review.medianSeconds.toFixed(2)} s / ${floor.medianSeconds.toFixed(2)} s), ` +
      `${report.planReview.reviewOverTerraformPart}x the one Terraform command it runs (plan -out: ${terraformPart.medianSeconds.toFixed(2)} s); ` +
      `the Markdown review ${report.planReview.markdownReviewOverFloor}x the floor, ` +
      `the review with --json (Terraform's JSON plan too) ${report.planReview.jsonReviewOverFloor}x.`,
  );
  io.log(suiteSentence(suite.summary));
  writeReport(bench, report, table);
}

/** `npm run bench -- --suite`: the floor and npm test, nothing else. */
function measureSuiteOnly(bench: BenchRun): void {
  const suite = measureSuite(bench);
  const table = formatTable(suite.results);
  bench.io.log(table);
  bench.io.log(suiteSentence(suite.summary));
  writeReport(bench, { date: new Date().toISOString(), machine: machine(), suite: suite.summary, results: suite.results }, table);
}

/** npm test's time, its suites' (the three longest printed) and its ratio to the floor. */
export interface SuiteSummary {
  readonly seconds: number;
  readonly floorSeconds: number;
  readonly overFloor: number;
  readonly target: number;
  readonly withinTarget: boolean;
  readonly suites: { readonly passed: number; readonly total: number };
  readonly tests: { readonly passed: number; readonly total: number };
  readonly longest: readonly { readonly suite: string; readonly seconds: number }[];
  /** Every suite, the longest first: kept in the report's JSON, not printed. */
  readonly everySuite: readonly { readonly suite: string; readonly seconds: number }[];
}

interface SuiteMeasurement {
  readonly results: Measurement[];
  readonly summary: SuiteSummary;
}

/** What `jest --json` writes, as far as the bench reads it. */
export interface JestJson {
  readonly numPassedTestSuites: number;
  readonly numTotalTestSuites: number;
  readonly numPassedTests: number;
  readonly numTotalTests: number;
  readonly testResults: readonly {
    readonly name: string;
    readonly startTime: number;
    readonly endTime: number;
    /** Why the suite failed, when it did: every failed test's message, or an error outside any test. */
    readonly message?: string;
    readonly assertionResults?: readonly { readonly fullName: string; readonly status: string; readonly failureMessages: readonly string[] }[];
  }[];
}

/**
 * npm test once, between two rounds of the `require("cdktf")` floor (the floor's
 * median over both, so a machine that slows or speeds up during the suite weighs on
 * both sides), with Jest's JSON results for the time of each suite.
 */
function measureSuite(bench: BenchRun): SuiteMeasurement {
  const { root, runs, work, context } = bench;
  const floorVariant: Variant = { name: "floor: node -e 'require(\"cdktf\")'", command: CDKTF_FLOOR, runs: runs * 2 };
  const jestJson = path.join(work, "jest.json");
  const suiteVariant: Variant = {
    name: "npm test (every suite but the emulator's)",
    command: ["npm", "test", "--silent", "--", "--json", `--outputFile=${jestJson}`],
    runs: 1,
    onFailure: (output) => keepFailedSuite(bench, jestJson, output),
  };
  context.stderr.write(`measuring the floor (${runs} runs), npm test (1 run), the floor again (${runs} runs)...\n`);
  const floorSamples = Array.from({ length: runs }, () => runOnce(bench, floorVariant));
  const suiteSample = runOnce(bench, suiteVariant);
  floorSamples.push(...Array.from({ length: runs }, () => runOnce(bench, floorVariant)));
  const floor = summarize(bench, floorVariant, floorSamples);
  const whole = summarize(bench, suiteVariant, [suiteSample]);
  const jest = JSON.parse(fs.readFileSync(jestJson, "utf8")) as JestJson;
  return { results: [floor, whole], summary: suiteSummary(jest, whole.medianSeconds, floor.medianSeconds, root) };
}

/**
 * Keeps a failed npm test's Jest results and whole output in
 * bench-results/npm-test-failed-<date>/ (the bench's own folder goes when it
 * ends); says where, and which tests failed.
 */
function keepFailedSuite(bench: BenchRun, jestJson: string, output: string): string {
  const kept = path.join(bench.root, "bench-results", `npm-test-failed-${new Date().toISOString().replace(/[:.]/g, "-")}`);
  fs.mkdirSync(kept, { recursive: true });
  fs.writeFileSync(path.join(kept, "output.txt"), output);
  const jest = fs.existsSync(jestJson) ? (JSON.parse(fs.readFileSync(jestJson, "utf8")) as JestJson) : undefined;
  if (jest) fs.copyFileSync(jestJson, path.join(kept, "jest.json"));
  const failures = jest ? failedTests(jest, bench.root) : ["(Jest wrote no results)"];
  return `\nKept ${path.relative(bench.context.cwd, kept)}/ (${jest ? "jest.json, " : ""}output.txt). Failed:\n${failures.join("\n")}`;
}

/** Each failed test of Jest's results (or failed suite, when it failed outside its tests), with the first lines of why. */
export function failedTests(jest: JestJson, root: string): string[] {
  const firstLines = (message: string) =>
    message
      .split("\n")
      .filter((line) => line.trim() !== "")
      .slice(0, 6)
      .map((line) => `    ${line.trimEnd()}`);
  return jest.testResults.flatMap((result) => {
    const suite = path.relative(root, result.name);
    const failed = (result.assertionResults ?? []).filter((test) => test.status === "failed");
    if (failed.length === 0) return result.message ? [`  ${suite}`, ...firstLines(result.message)] : [];
    return failed.flatMap((test) => [`  ${suite} > ${test.fullName}`, ...firstLines(test.failureMessages.join("\n"))]);
  });
}

/** The suite's figures from Jest's JSON results, the suite's wall time and the floor's. */
export function suiteSummary(jest: JestJson, seconds: number, floorSeconds: number, root: string): SuiteSummary {
  const overFloor = Math.round(seconds / floorSeconds);
  const everySuite = jest.testResults
    .map((result) => ({ suite: path.relative(root, result.name), seconds: Number(((result.endTime - result.startTime) / 1000).toFixed(1)) }))
    .sort((a, b) => b.seconds - a.seconds);
  return {
    seconds,
    floorSeconds,
    overFloor,
    target: SUITE_TARGET_OVER_FLOOR,
    withinTarget: overFloor <= SUITE_TARGET_OVER_FLOOR,
    suites: { passed: jest.numPassedTestSuites, total: jest.numTotalTestSuites },
    tests: { passed: jest.numPassedTests, total: jest.numTotalTests },
    longest: everySuite.slice(0, 3),
    everySuite,
  };
}

/** The suite's line of the report. */
export function suiteSentence(summary: SuiteSummary): string {
  const longest = summary.longest.map((entry) => `${entry.suite} ${entry.seconds.toFixed(1)} s`).join(", ");
  return (
    `npm test took ${summary.seconds.toFixed(1)} s (${summary.suites.passed}/${summary.suites.total} suites, ` +
    `${summary.tests.passed}/${summary.tests.total} tests passing): ${summary.overFloor}x the require("cdktf") floor of ` +
    `${summary.floorSeconds.toFixed(2)} s, against a target of at most ${summary.target}x ` +
    `(${summary.withinTarget ? "within it" : "over it"}). Longest suites: ${longest}.`
  );
}

function machine() {
  return {
    cpus: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverage: os.loadavg().map((value) => Number(value.toFixed(2))),
  };
}

/** Writes the report as JSON to bench-results/, dated, and as latest.json. */
function writeReport(bench: BenchRun, report: { date: string } & Record<string, unknown>, table: string): void {
  const resultsDirectory = path.join(bench.root, "bench-results");
  fs.mkdirSync(resultsDirectory, { recursive: true });
  const file = path.join(resultsDirectory, `bench-${report.date.replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ ...report, table }, null, 2)}\n`);
  fs.copyFileSync(file, path.join(resultsDirectory, "latest.json"));
  bench.io.log(`Written to ${path.relative(bench.context.cwd, file)}`);
}

/** Compiles the project with tsc into the bench folder; returns the compiled main. */
function precompile(bench: BenchRun): string {
  const { root, bin } = bench;
  // Inside the project, so the compiled code finds cdktf.json above it as the sources do.
  const dist = path.join(root, ".cache", "bench", "dist");
  fs.rmSync(dist, { recursive: true, force: true });
  execFileSync(bin("tsc"), ["-p", root, "--outDir", dist], { stdio: "inherit" });
  return path.join(dist, "main.js");
}

/**
 * The same app with the provider package root loaded, as projects that
 * import their resource classes from the package root do: generated from main.ts for
 * this run, never committed.
 */
function generateRootImportVariant(bench: BenchRun): string {
  const { root } = bench;
  const file = path.join(root, ".cache", "bench", "root-import-main.ts");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const main = fs.readFileSync(path.join(root, "main.ts"), "utf8").replace(/from "\.\/src\//g, 'from "../../src/');
  fs.writeFileSync(file, `import "${PROVIDER_PACKAGE_ROOT}";\n${main}`);
  return path.relative(root, file);
}

/**
 * The app and the CLI on CDK Terrain, in a copy of the project switched as
 * docs/cdk-terrain.md says: the app under this Node.js, as beside it for
 * cdktf; the cdktn CLI under the Node.js the copy runs it with (22.19+, which
 * the copy brings along where this one is older). None once the project
 * itself runs on cdktn: its own rows are those.
 */
async function cdkTerrainVariants(bench: BenchRun, appCommand: string): Promise<{ variants: Variant[]; project?: SwitchedProject }> {
  const { root, runs, outdir, synthEnvironment, cli, context } = bench;
  if (cli !== "cdktf") return { variants: [] };
  context.stderr.write("installing a copy of the project switched to CDK Terrain (docs/cdk-terrain.md)...\n");
  const project = await SwitchedProject.create(root);
  const cdktnRuns = Math.min(runs, 3);
  return {
    project,
    variants: [
      { name: "app as cdktf.json runs it, on cdktn", command: ["sh", "-c", appCommand], runs, warmUp: true, environment: synthEnvironment, cwd: project.root },
      {
        name: "cdktn synth (CLI, end to end)",
        command: [project.path("node_modules", ".bin", "cdktn"), "synth", "--output", outdir],
        runs: cdktnRuns,
        warmUp: true,
        environment: project.environment(),
        cwd: project.root,
      },
    ],
  };
}

/** One timed run of a variant: wall seconds and the peak resident set in KB. */
function runOnce(bench: BenchRun, variant: Variant): { seconds: number; kilobytes: number } {
  const { root, work, context } = bench;
  const timing = path.join(work, "time.txt");
  const result = spawnSync(GNU_TIME, ["-f", "%e %M", "-o", timing, ...variant.command], {
    cwd: variant.cwd ?? root,
    env: { ...context.variables, ...variant.environment },
    encoding: "utf8",
    maxBuffer: 64 * 2 ** 20,
  });
  if (result.status !== 0)
    throw new BenchFailure(
      `${variant.name} failed (exit ${result.status}): ${variant.command.join(" ")}\n` +
        `${(result.stderr || result.stdout).trim().split("\n").slice(-15).join("\n")}` +
        (variant.onFailure?.(`${result.stdout}${result.stderr}`) ?? ""),
    );
  const [seconds, kilobytes] = fs.readFileSync(timing, "utf8").trim().split(/\s+/).slice(-2).map(Number);
  return { seconds, kilobytes };
}

/**
 * Variants measured in turns (a run of each, then the next round), after each
 * one's warm-up: variants compared with each other see the same load on a
 * shared machine instead of one getting a quiet minute and the other a busy one.
 */
function measureInTurns(bench: BenchRun, variants: Variant[]): Measurement[] {
  for (const variant of variants) if (variant.warmUp) runOnce(bench, variant);
  const samples = variants.map(() => [] as { seconds: number; kilobytes: number }[]);
  for (let round = 0; round < Math.max(...variants.map((variant) => variant.runs)); round++) {
    variants.forEach((variant, index) => {
      if (round < variant.runs) samples[index].push(runOnce(bench, variant));
    });
  }
  return variants.map((variant, index) => summarize(bench, variant, samples[index]));
}

function summarize(bench: BenchRun, variant: Variant, samples: { seconds: number; kilobytes: number }[]): Measurement {
  const { root, work } = bench;
  const seconds = samples.map((sample) => sample.seconds).sort((a, b) => a - b);
  return {
    name: variant.name,
    command: variant.command
      .join(" ")
      .replaceAll(root + path.sep, "")
      .replaceAll(work + path.sep, ""),
    runs: variant.runs,
    medianSeconds: seconds[Math.floor(seconds.length / 2)],
    minSeconds: seconds[0],
    maxSeconds: seconds[seconds.length - 1],
    peakRssMb: Math.round(Math.max(...samples.map((sample) => sample.kilobytes)) / 1024),
  };
}

function formatTable(results: Measurement[]): string {
  const rows = [
    ["way to run", "runs", "median", "min", "max", "peak RSS"],
    ...results.map((result) => [
      result.name,
      String(result.runs),
      `${result.medianSeconds.toFixed(2)} s`,
      `${result.minSeconds.toFixed(2)} s`,
      `${result.maxSeconds.toFixed(2)} s`,
      `${result.peakRssMb} MB`,
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(" | ")} |`;
  return [
    line(rows[0]),
    `| ${widths.map((width, column) => (column === 0 ? "-".repeat(width) : `${"-".repeat(width - 1)}:`)).join(" | ")} |`,
    ...rows.slice(1).map(line),
  ].join("\n");
}

/** A measured command that failed: its numbers would mean nothing. */
class BenchFailure extends Error {}
