import type { RequestRecord } from "./load";

/** When the database went down and when it answered again, in milliseconds from the load's start. */
export interface Outage {
  readonly downAtMs: number;
  readonly upAtMs: number;
}

export interface PhaseSummary {
  readonly requests: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
  /** Requests by status ("0" for no answer). */
  readonly statuses: Record<string, number>;
}

export interface FailoverSummary {
  /** Requests started before the database went down, while it was down, and after it answered again. */
  readonly before: PhaseSummary;
  readonly during: PhaseSummary;
  readonly after: PhaseSummary;
  readonly statuses: Record<string, number>;
  /**
   * From the start of the first request answered other than 2xx or 3xx to the end of the last one,
   * in milliseconds from the database going down; null when every answer was 2xx or 3xx.
   */
  readonly errorWindow: { readonly fromMs: number; readonly toMs: number; readonly lengthMs: number; readonly requests: number } | null;
  /** Answers of 503 without Retry-After, and answers other than 2xx, 3xx and 503. */
  readonly unavailableWithoutRetryAfter: number;
  readonly otherFailures: number;
  /** Answers whose body held a PHP error's or the driver's text. */
  readonly errorText: number;
  /** Milliseconds from the database answering again to the end of the app's first 200 for a request started after that. */
  readonly firstOkAfterUpMs: number | null;
}

/** Whether a status is a success for the load: the page (2xx) or a write's redirect (3xx). */
export function succeeded(status: number): boolean {
  return status >= 200 && status < 400;
}

/** The value below which `share` (0 to 1) of the sorted values lie: nearest rank. */
export function percentile(sorted: readonly number[], share: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))];
}

export function summarize(records: readonly RequestRecord[], outage: Outage): FailoverSummary {
  const failures = records.filter((record) => !succeeded(record.status));
  const firstOk = records.filter((record) => record.startMs >= outage.upAtMs && record.status === 200).sort((a, b) => a.endMs - b.endMs)[0];
  return {
    before: phase(records.filter((record) => record.startMs < outage.downAtMs)),
    during: phase(records.filter((record) => record.startMs >= outage.downAtMs && record.startMs < outage.upAtMs)),
    after: phase(records.filter((record) => record.startMs >= outage.upAtMs)),
    statuses: countStatuses(records),
    errorWindow:
      failures.length === 0
        ? null
        : {
            fromMs: Math.min(...failures.map((record) => record.startMs)) - outage.downAtMs,
            toMs: Math.max(...failures.map((record) => record.endMs)) - outage.downAtMs,
            lengthMs: Math.max(...failures.map((record) => record.endMs)) - Math.min(...failures.map((record) => record.startMs)),
            requests: failures.length,
          },
    unavailableWithoutRetryAfter: failures.filter((record) => record.status === 503 && !record.retryAfter).length,
    otherFailures: failures.filter((record) => record.status !== 503).length,
    errorText: records.filter((record) => record.errorText).length,
    firstOkAfterUpMs: firstOk ? firstOk.endMs - outage.upAtMs : null,
  };
}

function phase(records: readonly RequestRecord[]): PhaseSummary {
  const latencies = records.map((record) => record.endMs - record.startMs).sort((a, b) => a - b);
  return {
    requests: records.length,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.length > 0 ? latencies[latencies.length - 1] : null,
    statuses: countStatuses(records),
  };
}

function countStatuses(records: readonly RequestRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of records) counts[record.status] = (counts[record.status] ?? 0) + 1;
  return counts;
}
