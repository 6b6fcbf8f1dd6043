import type { OutputStream } from "../../../src/drill/live-console";

/** An output stream that keeps what was written, as a terminal (`isTTY`) or as a pipe. */
export class MemoryStream implements OutputStream {
  text = "";

  constructor(
    readonly isTTY = false,
    readonly columns?: number,
  ) {}

  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }

  lines(): string[] {
    return this.text.split("\n").filter((line) => line !== "");
  }
}
