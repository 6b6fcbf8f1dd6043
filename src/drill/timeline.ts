import type { Clock } from "./clock";

/** Something that happened during a drill, `elapsedMs` after the drill's one change (the termination or the reboot). */
export interface TimelineEvent {
  readonly elapsedMs: number;
  readonly text: string;
}

/** `t+12s`: whole seconds, as precise as polling every few seconds can tell. */
export function formatElapsed(elapsedMs: number): string {
  return `t+${Math.round(elapsedMs / 1000)}s`;
}

/** `95s`, or `14m 5s` / `15m` once minutes are easier to read. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds}s`;
  const minutes = `${Math.floor(seconds / 60)}m`;
  return seconds % 60 === 0 ? minutes : `${minutes} ${seconds % 60}s`;
}

export function formatEvent(event: TimelineEvent): string {
  return `${formatElapsed(event.elapsedMs)}: ${event.text}`;
}

/**
 * The drill's record of what happened, with times relative to t+0. Each event
 * is also handed to `onEvent` as it happens, so the user watches the timeline
 * grow instead of reading it only at the end (or never, after a Ctrl-C).
 */
export class Timeline {
  private readonly recorded: TimelineEvent[] = [];

  constructor(
    private readonly clock: Clock,
    /** Clock time of t+0. */
    readonly startedAt: number,
    private readonly onEvent: (event: TimelineEvent) => void = () => undefined,
  ) {}

  get events(): readonly TimelineEvent[] {
    return this.recorded;
  }

  elapsedMs(): number {
    return this.clock.now() - this.startedAt;
  }

  add(text: string): TimelineEvent {
    const event = { elapsedMs: this.elapsedMs(), text };
    this.recorded.push(event);
    this.onEvent(event);
    return event;
  }
}
