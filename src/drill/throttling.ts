import type { Clock } from "./clock";

/**
 * Error codes AWS answers when a caller goes over its API rate: Auto Scaling,
 * ELB and RDS say `Throttling`, newer JSON APIs `ThrottlingException`, EC2
 * `RequestLimitExceeded`.
 */
const THROTTLING_ERROR_CODES: ReadonlySet<string> = new Set(["ThrottlingException", "Throttling", "RequestLimitExceeded"]);

/** True for an AWS error saying "slow down" (the SDK v3 puts the code in `name`; older shapes use `Code`/`code`). */
export function isThrottlingError(error: unknown): boolean {
  return throttlingCode(error) !== undefined;
}

function throttlingCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { name, Code, code } = error as { name?: unknown; Code?: unknown; code?: unknown };
  return [name, Code, code].find((value): value is string => typeof value === "string" && THROTTLING_ERROR_CODES.has(value));
}

/** An AWS call made through the drill: retried while throttled, cancelled by Ctrl-C. */
export type AwsCaller = <T>(send: (abortSignal: AbortSignal) => Promise<T>) => Promise<T>;

export interface ThrottlingRetryOptions {
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** Clock time after which a throttled call is given up (the error is rethrown): the drill's own deadline. */
  readonly giveUpAt: number;
  /** Wait before the first retry; it doubles each time. @default 1000 */
  readonly firstDelayMs?: number;
  /** Longest wait between two tries. @default 20000 */
  readonly maxDelayMs?: number;
  /** Told about each retry, so the user sees why the drill went quiet. */
  readonly onRetry?: (code: string, delayMs: number) => void;
}

/**
 * Runs `operation`, retrying it for as long as AWS throttles it and the
 * deadline allows. The SDK retries throttling a few times already (with
 * jitter); this outer loop is for a drill that runs for many minutes in an
 * account where other tools share the API rate, where giving up after the
 * SDK's three tries would end the drill in the middle of a failover. The
 * delay is plain exponential: the drill is a single caller, so jitter would
 * buy nothing and make the timeline harder to test.
 *
 * Other errors, and any error once `signal` has aborted, are rethrown as they are.
 */
export async function retryThrottled<T>(operation: () => Promise<T>, options: ThrottlingRetryOptions): Promise<T> {
  const firstDelayMs = options.firstDelayMs ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 20000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const code = throttlingCode(error);
      if (code === undefined || options.signal.aborted) throw error;
      const delayMs = Math.min(firstDelayMs * 2 ** attempt, maxDelayMs);
      if (options.clock.now() + delayMs > options.giveUpAt) throw error;
      options.onRetry?.(code, delayMs);
      await options.clock.sleep(delayMs, options.signal);
      if (options.signal.aborted) throw error;
    }
  }
}
