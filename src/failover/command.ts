import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findExecutable } from "../system/executables";
import { type FailoverRunOptions, type FailoverRunResult, runFailover, type TakeDown } from "./failover-run";
import type { PhaseSummary } from "./summary";

/** The command's settings, each with its flag, default and bounds: a bounded load on loopback. */
const SETTINGS = {
  ratePerSecond: { flag: "--rate", default: 300, min: 1, max: 1000, what: "requests a second" },
  durationSeconds: { flag: "--duration", default: 60, min: 5, max: 300, what: "seconds of load" },
  concurrency: { flag: "--concurrency", default: 32, min: 1, max: 256, what: "requests open at most" },
  writeShare: { flag: "--writes", default: 0.3, min: 0, max: 1, what: "share of requests that add an item" },
  takeDownAtSeconds: { flag: "--down-at", default: 20, min: 1, max: 299, what: "seconds into the load when the database goes down" },
  downSeconds: { flag: "--down-for", default: 5, min: 0, max: 120, what: "seconds the database stays down" },
  phpWorkers: { flag: "--workers", default: 8, min: 1, max: 64, what: "PHP built-in server workers" },
} as const;
type NumericSetting = keyof typeof SETTINGS;

const USAGE =
  "usage: npm run failover-bench -- [--rate N] [--duration S] [--concurrency N] [--writes SHARE] " +
  "[--down-at S] [--down-for S] [--workers N] [--take-down kill|stop]";
/** The load's client gives up on an answer after this long: well past the app's 5 s deadline, so a hung request shows. */
const REQUEST_TIMEOUT_MS = 15_000;
const TOOLS = { php: "php-cli", mariadbd: "mariadb-server", "mariadb-install-db": "mariadb-server", mariadb: "mariadb-server", openssl: "openssl" };

/** The run's settings from the command line, or one problem per bad argument. */
export function parseFailoverArguments(args: readonly string[]): {
  settings?: Omit<FailoverRunOptions, "appDirectory" | "tools" | "directory">;
  problems: string[];
} {
  const values: Record<string, number> = Object.fromEntries(Object.entries(SETTINGS).map(([name, setting]) => [name, setting.default]));
  let takeDown: TakeDown = "kill";
  const problems: string[] = [];
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    const name = (Object.keys(SETTINGS) as NumericSetting[]).find((key) => SETTINGS[key].flag === flag);
    if (flag === "--take-down") {
      if (value === "kill" || value === "stop") takeDown = value;
      else problems.push(`--take-down must be kill (SIGKILL, as a crash) or stop (a clean shutdown), not ${value ?? "nothing"}`);
    } else if (name === undefined) {
      problems.push(`unknown argument ${flag}. ${USAGE}`);
    } else {
      const { min, max, what } = SETTINGS[name];
      const number = Number(value);
      if (value === undefined || value.trim() === "" || !Number.isFinite(number) || number < min || number > max) {
        problems.push(`${flag} (${what}) must be a number from ${min} to ${max}, not ${value ?? "nothing"}`);
      } else values[name] = number;
    }
  }
  if (values.takeDownAtSeconds + values.downSeconds >= values.durationSeconds) {
    problems.push(
      `--down-at plus --down-for (${values.takeDownAtSeconds + values.downSeconds} s) must end before --duration ` +
        `(${values.durationSeconds} s): the load must see the app after the database is back`,
    );
  }
  if (problems.length > 0) return { problems };
  return {
    settings: { ...(values as Record<NumericSetting, number>), takeDown, requestTimeoutMs: REQUEST_TIMEOUT_MS, progress: (line) => console.log(line) },
    problems,
  };
}

/** `npm run failover-bench`: runs it, prints the report, writes it as JSON to bench-results/. Returns the exit code. */
export async function runFailoverBench(args: readonly string[], projectRoot: string): Promise<number> {
  const { settings, problems } = parseFailoverArguments(args);
  const searchPath = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/local/sbin", "/usr/sbin", "/sbin"];
  const tools: Record<string, string> = {};
  for (const [command, debianPackage] of Object.entries(TOOLS)) {
    const found = findExecutable(command, searchPath);
    if (found) tools[command] = found;
    else problems.push(`${command} is not on PATH: install it (Debian: apt-get install ${debianPackage}), or run bash scripts/install-test-deps.sh as root`);
  }
  if (!settings || problems.length > 0) {
    for (const problem of problems) console.error(`failover-bench: ${problem}`);
    return 2;
  }
  const result = await runFailover({
    ...settings,
    appDirectory: path.join(projectRoot, "app"),
    tools: tools as FailoverRunOptions["tools"],
    directory: fs.mkdtempSync(path.join(os.tmpdir(), "inventory-failover-")),
  });
  const report = failoverReport(settings, result);
  console.log(report.text);
  const resultsDirectory = path.join(projectRoot, "bench-results");
  fs.mkdirSync(resultsDirectory, { recursive: true });
  const file = path.join(resultsDirectory, `failover-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ settings: { ...settings, progress: undefined }, ...report.document }, null, 2)}\n`);
  console.log(`written to ${path.relative(projectRoot, file)}`);
  return report.ok ? 0 : 1;
}

/** The figures a person reads, and whether the app rode it out: no acknowledged write lost, only 503s with Retry-After, 200 again. */
export function failoverReport(
  settings: Pick<FailoverRunOptions, "ratePerSecond" | "durationSeconds">,
  result: FailoverRunResult,
): { text: string; document: object; ok: boolean } {
  const { summary, outage } = result;
  const seconds = (ms: number | null) => (ms === null ? "-" : `${(ms / 1000).toFixed(2)} s`);
  const milliseconds = (ms: number | null) => (ms === null ? "-" : `${Math.round(ms)} ms`);
  const statuses = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([status, count]) => `${status === "0" ? "no answer" : status}: ${count}`)
      .join(", ");
  const row = (name: string, phase: PhaseSummary) =>
    [
      `  ${name.padEnd(7)} ${String(phase.requests).padStart(6)}`,
      `p50 ${milliseconds(phase.p50Ms).padStart(7)}`,
      `p99 ${milliseconds(phase.p99Ms).padStart(7)}`,
      `max ${milliseconds(phase.maxMs).padStart(7)}`,
      statuses(phase.statuses),
    ].join("  ");
  const window = summary.errorWindow;
  const problems = [
    ...(result.missingWrites.length > 0 ? [`${result.missingWrites.length} acknowledged writes are missing from the database`] : []),
    ...(summary.otherFailures > 0 ? [`${summary.otherFailures} answers were neither 2xx, 3xx nor 503`] : []),
    ...(summary.unavailableWithoutRetryAfter > 0 ? [`${summary.unavailableWithoutRetryAfter} answers of 503 had no Retry-After`] : []),
    ...(summary.errorText > 0 ? [`${summary.errorText} answers showed PHP or driver error text`] : []),
    ...(result.finalStatus !== 200 ? [`the app answered ${result.finalStatus} after the load, not 200`] : []),
  ];
  const sent = result.records.length;
  const text = [
    `sent ${sent} requests in ${settings.durationSeconds} s (${(sent / settings.durationSeconds).toFixed(0)}/s of ${settings.ratePerSecond}/s asked; ` +
      `${result.notSent} not sent, the open-request limit reached)`,
    `database down at ${seconds(outage.downAtMs)}, answering again at ${seconds(outage.upAtMs)} (${seconds(outage.upAtMs - outage.downAtMs)} away)`,
    window
      ? `error window: ${seconds(window.lengthMs)}, from ${seconds(window.fromMs)} to ${seconds(window.toMs)} ` +
        `after the database went down (${window.requests} requests)`
      : "error window: none, every answer was 2xx or 3xx",
    `first 200 after the database was back: ${seconds(summary.firstOkAfterUpMs)} later (PHP not restarted)`,
    "latency by when a request started:",
    row("before", summary.before),
    row("during", summary.during),
    row("after", summary.after),
    `statuses: ${statuses(summary.statuses)}`,
    `acknowledged writes (303): ${result.acknowledgedWrites}, in the database afterwards: ${result.acknowledgedWritesPresent}; ` +
      `unacknowledged writes the database holds all the same: ${result.unacknowledgedWritesPresent}`,
    problems.length > 0
      ? `FAILED: ${problems.join("; ")}`
      : "rode it out: no acknowledged write lost, only 503 with Retry-After while away, 200 again without a restart",
  ].join("\n");
  const { records: _records, phpLog: _phpLog, ...document } = result;
  return { text, document, ok: problems.length === 0 };
}
