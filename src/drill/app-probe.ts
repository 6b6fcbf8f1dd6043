import * as http from "node:http";
import * as https from "node:https";
import type { Clock } from "./clock";
import { type Timeline, formatElapsed } from "./timeline";

/** One request to the app, as a user would have seen it. */
export interface ProbeResult {
  readonly ok: boolean;
  /** `HTTP 200`, `HTTP 503`, `timed out`, `connection refused` ...: what is counted per kind of failure. */
  readonly outcome: string;
}

/** Asks the app whether it answers. Injected, so tests can stand a local server in for the load balancer. */
export interface AppProber {
  /** Resolves (never rejects) with the outcome; `signal` cancels a request that is no longer wanted. */
  probe(signal: AbortSignal): Promise<ProbeResult>;
}

export interface HttpProberOptions {
  /** A request with no complete answer within this long counts as failed. @default 5000 */
  readonly timeoutMs?: number;
}

/**
 * Requests `url` the way a new visitor would: a fresh connection each time
 * (`agent: false`), so every probe goes through the load balancer's routing
 * instead of riding a kept-alive connection. Anything but 2xx is a failure,
 * redirects included: `app_url` is the address users are given, and the app
 * answers it with its page, not with a redirect.
 */
export function httpProber(url: string, options: HttpProberOptions = {}): AppProber {
  const target = new URL(url);
  const timeoutMs = options.timeoutMs ?? 5000;
  const transport = target.protocol === "https:" ? https : http;
  return {
    probe(signal) {
      return new Promise<ProbeResult>((resolve) => {
        const timeout = AbortSignal.timeout(timeoutMs);
        let settled = false;
        const settle = (result: ProbeResult) => {
          if (settled) return;
          settled = true;
          resolve(result);
        };
        const failure = (error: unknown): ProbeResult => ({ ok: false, outcome: timeout.aborted ? "timed out" : describeConnectionError(error) });
        const request = transport.get(
          target,
          { agent: false, signal: AbortSignal.any([signal, timeout]), headers: { "user-agent": "inventory-drill", "cache-control": "no-cache" } },
          (response) => {
            const status = response.statusCode ?? 0;
            // The whole body must arrive: a server dying mid-answer failed that user too.
            response.on("error", (error) => settle(failure(error)));
            response.on("end", () => settle({ ok: status >= 200 && status < 300, outcome: `HTTP ${status}` }));
            response.resume();
          },
        );
        request.on("error", (error) => settle(failure(error)));
      });
    },
  };
}

const CONNECTION_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection reset",
  ETIMEDOUT: "timed out",
  ENOTFOUND: "DNS lookup failed",
  EAI_AGAIN: "DNS lookup failed",
  EHOSTUNREACH: "host unreachable",
};

function describeConnectionError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") return CONNECTION_ERRORS[code] ?? code;
  return error instanceof Error ? error.message : String(error);
}

/** What the app's users saw during the drill. */
export interface AppTally {
  readonly requests: number;
  readonly failed: number;
  /** Failed requests per outcome (`HTTP 502` -> 3), in the order first seen. */
  readonly failures: ReadonlyMap<string, number>;
  /** Elapsed time (from t+0) of the first and the last failed request. */
  readonly firstFailureMs?: number;
  readonly lastFailureMs?: number;
}

export interface AppMonitorOptions {
  readonly prober: AppProber;
  readonly clock: Clock;
  /** Time between the starts of two requests. */
  readonly intervalMs: number;
  /** Where failures starting and ending are recorded. */
  readonly timeline: Timeline;
}

/**
 * Requests the app about once per interval, from `start()` to `stop()`, and
 * counts what failed. Requests start on a fixed rhythm: a slow answer delays
 * the next request only while it lasts, so a hanging app is still sampled
 * about once per interval (and each hang counts as one failure).
 */
export class AppMonitor {
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;
  private requests = 0;
  private failed = 0;
  private readonly failures = new Map<string, number>();
  private firstFailureMs: number | undefined;
  private lastFailureMs: number | undefined;
  /** Failed requests since the last success: 0 while the app answers. */
  private failuresInARow = 0;

  constructor(private readonly options: AppMonitorOptions) {}

  start(): void {
    this.running ??= this.run();
  }

  /** Stops probing (a request in flight is cancelled and not counted) and returns the final tally. */
  async stop(): Promise<AppTally> {
    this.stopping.abort();
    await this.running;
    return this.tally();
  }

  tally(): AppTally {
    return {
      requests: this.requests,
      failed: this.failed,
      failures: new Map(this.failures),
      firstFailureMs: this.firstFailureMs,
      lastFailureMs: this.lastFailureMs,
    };
  }

  private async run(): Promise<void> {
    const { prober, clock, intervalMs, timeline } = this.options;
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      const startedAt = clock.now();
      // A prober is not supposed to reject; if one does, that request failed, the drill goes on.
      const result = await prober
        .probe(signal)
        .catch((error: unknown): ProbeResult => ({ ok: false, outcome: error instanceof Error ? error.message : String(error) }));
      if (signal.aborted) break;
      this.record(result, startedAt - timeline.startedAt);
      await clock.sleep(startedAt + intervalMs - clock.now(), signal);
    }
  }

  private record(result: ProbeResult, elapsedMs: number): void {
    const { timeline } = this.options;
    this.requests++;
    if (result.ok) {
      // Only the edges go on the timeline: one line per outage, not one per failed second.
      if (this.failuresInARow > 0) timeline.add(`app answers again (after ${plural(this.failuresInARow, "failed request")})`);
      this.failuresInARow = 0;
      return;
    }
    this.failed++;
    this.failures.set(result.outcome, (this.failures.get(result.outcome) ?? 0) + 1);
    this.firstFailureMs ??= elapsedMs;
    this.lastFailureMs = elapsedMs;
    if (this.failuresInARow === 0) timeline.add(`app request failed: ${result.outcome}`);
    this.failuresInARow++;
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** `3 of 96 requests failed (2 HTTP 502, 1 timed out), from t+4s to t+9s`, or that none did. */
export function describeTally(tally: AppTally): string {
  if (tally.requests === 0) return "no request was made";
  if (tally.failed === 0) return `all ${tally.requests} requests answered 2xx`;
  const kinds = [...tally.failures].map(([outcome, count]) => `${count} ${outcome}`).join(", ");
  const window =
    tally.firstFailureMs === tally.lastFailureMs
      ? `at ${formatElapsed(tally.firstFailureMs ?? 0)}`
      : `from ${formatElapsed(tally.firstFailureMs ?? 0)} to ${formatElapsed(tally.lastFailureMs ?? 0)}`;
  return `${tally.failed} of ${tally.requests} requests failed (${kinds}), ${window}`;
}
