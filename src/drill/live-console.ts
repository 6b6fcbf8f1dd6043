/** Where the drill writes: `process.stdout` in real life, a string buffer in tests. */
export interface OutputStream {
  write(text: string): unknown;
  /** True on a terminal: the progress line is then rewritten in place. */
  readonly isTTY?: boolean;
  /** Terminal width; a progress line longer than this would wrap and `\r` could no longer rewrite it. */
  readonly columns?: number;
}

const CLEAR_TO_END_OF_LINE = "\x1b[K";

/**
 * Lines that stay (timeline events, results) plus one live progress line. On
 * a terminal the progress line is rewritten in place with `\r`; in a log file
 * or CI output it is printed as a plain line, and only when it says something
 * new, so a fifteen-minute drill does not leave hundreds of identical lines.
 */
export class LiveConsole {
  private shownProgress: string | undefined;
  private lastProgressKey: string | undefined;

  constructor(private readonly stream: OutputStream) {}

  /** Prints a line that stays, above the live progress line (which is redrawn under it). */
  line(text = ""): void {
    const progress = this.shownProgress;
    this.clearProgress();
    this.stream.write(`${text}\n`);
    if (progress !== undefined) this.drawProgress(progress);
  }

  /**
   * Shows the live status. `key` is what must change for a non-terminal to get
   * a new line (the status without its ever-changing clock).
   */
  progress(text: string, key: string = text): void {
    if (this.stream.isTTY) {
      this.drawProgress(text);
    } else if (key !== this.lastProgressKey) {
      this.stream.write(`${text}\n`);
    }
    this.lastProgressKey = key;
  }

  /** Removes the live line, so what follows starts at the beginning of a clean line. */
  clearProgress(): void {
    if (this.shownProgress === undefined) return;
    this.stream.write(`\r${CLEAR_TO_END_OF_LINE}`);
    this.shownProgress = undefined;
  }

  private drawProgress(text: string): void {
    // One column short of the width: a line filling the last column leaves some terminals about to wrap.
    const width = this.stream.columns;
    const fitted = width !== undefined && width > 1 && text.length >= width ? `${text.slice(0, width - 2)}…` : text;
    this.stream.write(`\r${fitted}${CLEAR_TO_END_OF_LINE}`);
    this.shownProgress = fitted;
  }
}
