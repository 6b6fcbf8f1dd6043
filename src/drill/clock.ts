/**
 * Time as the drill sees it. The drills only read time and wait through this,
 * so a test can run a fifteen-minute drill on a virtual clock in milliseconds.
 */
export interface Clock {
  /** Milliseconds since an arbitrary origin; only differences mean anything. */
  now(): number;
  /**
   * Waits `ms`, or less when `signal` aborts. It then resolves rather than
   * rejects, so a Ctrl-C is not an error to catch: callers check `signal.aborted`.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock: monotonic, so a wall-clock jump (NTP, DST) cannot fake a recovery time. */
export const systemClock: Clock = {
  now: () => performance.now(),
  sleep(ms, signal) {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", finish);
        resolve();
      };
      const timer = setTimeout(finish, Math.max(0, ms));
      signal?.addEventListener("abort", finish, { once: true });
    });
  },
};
