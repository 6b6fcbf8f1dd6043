import type { Clock } from "../../../src/drill/clock";

/**
 * A clock whose time moves only when everything the drill runs is waiting on
 * it: when nothing tracked is in flight and at least one sleep is pending, it
 * jumps to the earliest wake-up. A fifteen-minute drill runs in milliseconds,
 * and the order of polls and app requests is the same on every run.
 *
 * Real I/O (an HTTP request to a local server) must go through `track`, so
 * that time stands still while it is in flight, as it would in a drill where
 * a request takes a few milliseconds.
 */
export class VirtualClock implements Clock {
  private time = 0;
  private busy = 0;
  private sleepers: { wakeAt: number; order: number; wake: () => void }[] = [];
  private order = 0;
  private tickScheduled = false;

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const sleeper = {
        wakeAt: this.time + Math.max(0, ms),
        order: this.order++,
        wake: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((other) => other !== sleeper);
        sleeper.wake();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.sleepers.push(sleeper);
      this.scheduleTick();
    });
  }

  /** Holds time still until `work` settles. */
  track<T>(work: Promise<T>): Promise<T> {
    this.busy++;
    return work.finally(() => {
      this.busy--;
      this.scheduleTick();
    });
  }

  private scheduleTick(): void {
    if (this.tickScheduled) return;
    this.tickScheduled = true;
    // setImmediate runs after every pending promise callback: by then each
    // loop of the drill is either sleeping or waiting on tracked I/O.
    setImmediate(() => {
      this.tickScheduled = false;
      if (this.busy > 0 || this.sleepers.length === 0) return;
      const wakeAt = Math.min(...this.sleepers.map((sleeper) => sleeper.wakeAt));
      const due = this.sleepers.filter((sleeper) => sleeper.wakeAt === wakeAt).sort((a, b) => a.order - b.order);
      this.sleepers = this.sleepers.filter((sleeper) => sleeper.wakeAt !== wakeAt);
      this.time = Math.max(this.time, wakeAt);
      due.forEach((sleeper) => sleeper.wake());
      this.scheduleTick();
    });
  }
}
