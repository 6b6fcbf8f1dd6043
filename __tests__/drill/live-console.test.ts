import { LiveConsole } from "../../src/drill/live-console";
import { MemoryStream } from "./support/memory-stream";

describe("LiveConsole on a terminal", () => {
  test("rewrites the progress line in place with \\r and keeps event lines above it", () => {
    const stream = new MemoryStream(true, 80);
    const out = new LiveConsole(stream);
    out.progress("t+0s  1/2 healthy");
    out.progress("t+5s  1/2 healthy");
    out.line("t+7s: i-0ccc launched");
    out.progress("t+10s  2/2 healthy");
    out.clearProgress();
    out.line("Recovered in 10s.");
    expect(stream.text).toBe(
      "\rt+0s  1/2 healthy\x1b[K" +
        "\rt+5s  1/2 healthy\x1b[K" +
        // The event clears the live line, prints, and draws the live line again under it.
        "\r\x1b[Kt+7s: i-0ccc launched\n\rt+5s  1/2 healthy\x1b[K" +
        "\rt+10s  2/2 healthy\x1b[K" +
        "\r\x1b[KRecovered in 10s.\n",
    );
  });

  test("cuts a progress line to less than the terminal width, so it never wraps", () => {
    const stream = new MemoryStream(true, 12);
    const out = new LiveConsole(stream);
    out.progress("t+5s  group 1 InService, 1 Pending");
    out.progress("t+6s  short");
    expect(stream.text).toBe("\rt+5s  grou…\x1b[K\rt+6s  short\x1b[K");
  });
});

describe("LiveConsole in a pipe or log file", () => {
  test("prints progress as plain lines, only when it says something new", () => {
    const stream = new MemoryStream(false);
    const out = new LiveConsole(stream);
    out.progress("t+0s  1/2 healthy", "1/2 healthy");
    out.progress("t+5s  1/2 healthy", "1/2 healthy");
    out.line("t+7s: i-0ccc launched");
    out.progress("t+10s  2/2 healthy", "2/2 healthy");
    out.clearProgress();
    expect(stream.text).toBe("t+0s  1/2 healthy\nt+7s: i-0ccc launched\nt+10s  2/2 healthy\n");
    expect(stream.text).not.toContain("\r");
  });
});
