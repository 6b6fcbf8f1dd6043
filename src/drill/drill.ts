import { type AlarmWatch, alarmReport, readAlarmChanges } from "./alarm-report";
import { type AppProber, AppMonitor, describeTally } from "./app-probe";
import type { Clock } from "./clock";
import type { LiveConsole } from "./live-console";
import { type AwsCaller, isThrottlingError, retryThrottled } from "./throttling";
import { Timeline, formatDuration, formatElapsed, formatEvent } from "./timeline";

/** What both drills need from the outside world; everything here is injected so tests need no AWS and no waiting. */
export interface DrillRuntime {
  readonly clock: Clock;
  /** Aborted by Ctrl-C: every loop and AWS call of the drill stops on it. */
  readonly signal: AbortSignal;
  readonly console: LiveConsole;
  /** The app's URL (stack output `app_url`), for messages; `prober` is what requests it. */
  readonly appUrl: string;
  readonly prober: AppProber;
  /** Time between two app requests ("about once a second"). */
  readonly probeIntervalMs: number;
  /** Time between two looks at AWS. */
  readonly pollIntervalMs: number;
  /** How long the drill waits for recovery before it gives up. */
  readonly timeoutMs: number;
  /** True with `--yes`; otherwise the drill only says what it would do. */
  readonly execute: boolean;
  /** Wall-clock time, for the alarm history's window (`clock` is monotonic and its origin arbitrary). */
  readonly currentDate: () => Date;
  /** The environment's alarms, whose state changes the drill reports at the end; unset for a stack deployed without them. */
  readonly alarms?: AlarmWatch;
}

/**
 * How a drill ended. `planned`: a dry run. `refused`: a safety check said no
 * before anything changed. `recovered`: the change was made and the system
 * healed. `timed-out`, `interrupted` (Ctrl-C), `failed` (an AWS error) may
 * leave the change in progress.
 */
export type DrillStatus = "planned" | "refused" | "recovered" | "timed-out" | "interrupted" | "failed";

/**
 * Makes the drill's AWS caller. `note` tells the user about throttling (it
 * can make the drill go quiet for a while); `giveUpAt` is the clock time
 * after which throttling is no longer waited out.
 */
export function awsCaller(runtime: DrillRuntime, giveUpAt: number, note: (text: string) => void): AwsCaller {
  return (send) =>
    retryThrottled(() => send(runtime.signal), {
      clock: runtime.clock,
      signal: runtime.signal,
      giveUpAt,
      onRetry: (code, delayMs) => note(`AWS throttled a request (${code}); retrying in ${formatDuration(delayMs)}`),
    });
}

/** One look at the system under drill. */
export interface Observation {
  /** True once the system is back to where it was before the drill. */
  readonly done: boolean;
  /** Its state in a few words, for the progress line and the final messages. */
  readonly summary: string;
  /** Why it can no longer recover (an experiment stopped by its stop condition): the drill ends as failed. @default none */
  readonly failure?: string;
}

/** The part that differs between drills; `watchDrill` does the rest. */
export interface DrillAction {
  /** Makes the drill's one change (at t+0). */
  act(call: AwsCaller, timeline: Timeline): Promise<void>;
  /** Looks at AWS, adds what changed since the last look to the timeline. */
  observe(call: AwsCaller, timeline: Timeline): Promise<Observation>;
  /** The result line once `observe` said done. */
  describeRecovery(recoveryMs: number): string;
  /** Lines after the result of a recovered drill (e.g. where the database is now). */
  details?(): string[];
  /** What goes on without the drill when it stops early ("the group goes on replacing i-..."). */
  readonly leftRunning: string;
}

/**
 * Runs a drill from t+0: probes the app, makes the change, then looks at AWS
 * every poll interval until the action says done, the timeout passes, AWS
 * fails, or Ctrl-C. Whatever the ending, the probing stops and the result is
 * printed with what the app's users saw; nothing is left running.
 */
export async function watchDrill(runtime: DrillRuntime, action: DrillAction): Promise<DrillStatus> {
  const { clock, signal, console: out } = runtime;
  // A Ctrl-C during the checks must not be followed by the change.
  signal.throwIfAborted();
  const timeline = new Timeline(clock, clock.now(), (event) => out.line(formatEvent(event)));
  const deadline = timeline.startedAt + runtime.timeoutMs;
  const call = awsCaller(runtime, deadline, (text) => timeline.add(text));
  const monitor = new AppMonitor({ prober: runtime.prober, clock, intervalMs: runtime.probeIntervalMs, timeline });

  let status: DrillStatus;
  let result: string;
  let last: Observation | undefined;
  const startedAt = runtime.currentDate();
  monitor.start();
  try {
    await action.act(call, timeline);
    for (;;) {
      if (signal.aborted) break;
      last = await action.observe(call, timeline);
      const tally = monitor.tally();
      // A log gets a new line when the state or the failure count changes, not for every request made.
      out.progress(
        `${formatElapsed(timeline.elapsedMs())}  ${last.summary} | app ${tally.failed}/${tally.requests} failed`,
        `${last.summary} | ${tally.failed}`,
      );
      if (last.done || last.failure !== undefined || clock.now() >= deadline || signal.aborted) break;
      await clock.sleep(Math.min(runtime.pollIntervalMs, deadline - clock.now()), signal);
    }
    if (signal.aborted) {
      status = "interrupted";
      result = interruptedLine(timeline, last, action);
    } else if (last?.failure !== undefined) {
      status = "failed";
      result = `Stopped at ${formatElapsed(timeline.elapsedMs())}: ${last.failure}. ${action.leftRunning}`;
    } else if (last?.done) {
      status = "recovered";
      result = action.describeRecovery(timeline.elapsedMs());
    } else {
      status = "timed-out";
      result = `Timed out after ${formatDuration(runtime.timeoutMs)}, not recovered: ${last?.summary ?? "no answer from AWS"}. ${action.leftRunning}`;
    }
  } catch (error) {
    if (signal.aborted) {
      status = "interrupted";
      result = interruptedLine(timeline, last, action);
    } else if (isThrottlingError(error)) {
      status = "timed-out";
      result = `Timed out after ${formatDuration(runtime.timeoutMs)}: AWS kept throttling the drill's requests. ${action.leftRunning}`;
    } else {
      status = "failed";
      result = `Stopped at ${formatElapsed(timeline.elapsedMs())}: ${errorMessage(error)}. ${action.leftRunning}`;
    }
  }
  const app = await monitor.stop();
  out.clearProgress();
  out.line();
  out.line(result);
  if (status === "recovered") action.details?.().forEach((line) => out.line(line));
  out.line(`App ${runtime.appUrl}: ${describeTally(app)}.`);
  // After a Ctrl-C the user wants out, not another look at AWS.
  if (runtime.alarms && status !== "interrupted") await reportAlarms(runtime, runtime.alarms, startedAt);
  return status;
}

/** What the alarms said while the drill ran; a history that cannot be read is told, and changes nothing of the drill's result. */
async function reportAlarms(runtime: DrillRuntime, alarms: AlarmWatch, startedAt: Date): Promise<void> {
  const out = runtime.console;
  const endedAt = runtime.currentDate();
  out.line();
  try {
    const call = awsCaller(runtime, runtime.clock.now() + ALARM_HISTORY_PATIENCE_MS, (text) => out.line(text));
    const changes = await readAlarmChanges(alarms, call, startedAt, endedAt);
    for (const line of alarmReport(changes, alarms.alarmNames.length, startedAt, endedAt)) out.line(line);
  } catch (error) {
    out.line(`Alarms: the alarm history could not be read (${errorMessage(error)}); the drill's result above stands.`);
  }
}

/** How long throttling of the alarm history is waited out once the drill is over. */
const ALARM_HISTORY_PATIENCE_MS = 60_000;

/** The plan's lines every drill shares: the app requested meanwhile, and the alarm report when the stack has alarms. */
export function watchPlanLines(runtime: DrillRuntime): string[] {
  return [
    `  while requesting the app every ${formatDuration(runtime.probeIntervalMs)} and counting the requests that fail.`,
    ...(runtime.alarms
      ? [`Then report which of the environment's ${runtime.alarms.alarmNames.length} alarms changed state meanwhile (CloudWatch alarm history).`]
      : []),
  ];
}

/**
 * The plan's end: a dry run stops here ("planned"); a drill that goes on says
 * what Ctrl-C leaves running, and returns undefined.
 */
export function endOfPlan(runtime: DrillRuntime, ctrlC: string): "planned" | undefined {
  const out = runtime.console;
  if (!runtime.execute) {
    out.line(`Dry run: nothing was changed. Add --yes to run the drill.`);
    return "planned";
  }
  out.line(`Ctrl-C stops watching; ${ctrlC}.`);
  out.line();
  return undefined;
}

function interruptedLine(timeline: Timeline, last: Observation | undefined, action: DrillAction): string {
  return `Interrupted at ${formatElapsed(timeline.elapsedMs())} before recovery${last ? `: ${last.summary}` : ""}. ${action.leftRunning}`;
}

/** The message of an AWS SDK error, with its code when the message alone would not say what failed. */
export function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.message.split("\n")[0];
  return error.name && error.name !== "Error" && !message.includes(error.name) ? `${error.name}: ${message}` : message;
}

/** Checks the app answers before a drill: otherwise its failures could not be told from the drill's. */
export async function appProblem(runtime: DrillRuntime): Promise<string | undefined> {
  const first = await runtime.prober.probe(runtime.signal);
  // A request cut short by Ctrl-C says nothing about the app.
  runtime.signal.throwIfAborted();
  if (first.ok) return undefined;
  return `the app at ${runtime.appUrl} does not answer 2xx before the drill (${first.outcome}), so the drill could not tell its failures from the app's`;
}
