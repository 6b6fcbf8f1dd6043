import * as net from "node:net";
import { type AppProber, AppMonitor, type ProbeResult, describeTally, httpProber } from "../../src/drill/app-probe";
import { Timeline, formatEvent } from "../../src/drill/timeline";
import { type FakeAnswer, type FakeApp, startFakeApp } from "./support/fake-app";
import { VirtualClock } from "./support/virtual-clock";

describe("httpProber", () => {
  let app: FakeApp;
  const answers: FakeAnswer[] = [];
  beforeAll(async () => {
    app = await startFakeApp((n) => answers[n - 1] ?? 200);
  });
  afterAll(() => app.close());
  beforeEach(() => {
    answers.length = 0;
  });

  // The prober's own 5 s timeout unless a test wants a short one: a loopback
  // answer can take far longer than 100 ms on a busy 2-core machine, and a probe
  // that gave up early would leave its answer to the next one.
  async function probeOnce(answer: FakeAnswer, timeoutMs?: number): Promise<ProbeResult> {
    answers[app.requests()] = answer;
    return httpProber(app.url, timeoutMs === undefined ? {} : { timeoutMs }).probe(new AbortController().signal);
  }

  test("a 2xx answer is a success", async () => {
    await expect(probeOnce(200)).resolves.toEqual({ ok: true, outcome: "HTTP 200" });
    await expect(probeOnce(204)).resolves.toEqual({ ok: true, outcome: "HTTP 204" });
  });

  test("any other status fails, redirects included", async () => {
    await expect(probeOnce(502)).resolves.toEqual({ ok: false, outcome: "HTTP 502" });
    await expect(probeOnce(301)).resolves.toEqual({ ok: false, outcome: "HTTP 301" });
  });

  test("no answer within the timeout fails as timed out", async () => {
    await expect(probeOnce("hang", 50)).resolves.toEqual({ ok: false, outcome: "timed out" });
  });

  test("a dropped connection fails as connection reset", async () => {
    await expect(probeOnce("reset")).resolves.toEqual({ ok: false, outcome: "connection reset" });
  });

  test("a closed port fails as connection refused", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, "127.0.0.1", () => {
        const { port: free } = server.address() as net.AddressInfo;
        server.close(() => resolve(free));
      });
    });
    await expect(httpProber(`http://127.0.0.1:${port}/`).probe(new AbortController().signal)).resolves.toEqual({ ok: false, outcome: "connection refused" });
  });

  test("each probe is a new connection, so every request goes through the load balancer's routing", async () => {
    const requestsBefore = app.requests();
    const connectionsBefore = app.connections();
    const prober = httpProber(app.url);
    for (let i = 0; i < 3; i++) await expect(prober.probe(new AbortController().signal)).resolves.toEqual({ ok: true, outcome: "HTTP 200" });
    expect(app.requests() - requestsBefore).toBe(3);
    expect(app.connections() - connectionsBefore).toBe(3);
  });
});

/** A prober that answers from a script, instantly. */
function scriptedProber(outcomes: readonly (string | Error)[]): AppProber & { calls: number } {
  const prober = {
    calls: 0,
    probe: (): Promise<ProbeResult> => {
      const outcome = outcomes[prober.calls++] ?? "HTTP 200";
      return outcome instanceof Error ? Promise.reject(outcome) : Promise.resolve({ ok: outcome === "HTTP 200", outcome });
    },
  };
  return prober;
}

describe("AppMonitor", () => {
  test("requests once per interval until stopped and counts failures by kind", async () => {
    const clock = new VirtualClock();
    const timeline = new Timeline(clock, clock.now());
    const prober = scriptedProber(["HTTP 200", "HTTP 502", "HTTP 502", "timed out", "HTTP 200", "HTTP 500"]);
    const monitor = new AppMonitor({ prober, clock, intervalMs: 1000, timeline });
    monitor.start();
    await clock.sleep(7500);
    const tally = await monitor.stop();
    // Requests at t+0 .. t+7.
    expect(tally.requests).toBe(8);
    expect(tally.failed).toBe(4);
    expect([...tally.failures]).toEqual([
      ["HTTP 502", 2],
      ["timed out", 1],
      ["HTTP 500", 1],
    ]);
    expect(tally.firstFailureMs).toBe(1000);
    expect(tally.lastFailureMs).toBe(5000);
    expect(timeline.events.map(formatEvent)).toEqual([
      "t+1s: app request failed: HTTP 502",
      "t+4s: app answers again (after 3 failed requests)",
      "t+5s: app request failed: HTTP 500",
      "t+6s: app answers again (after 1 failed request)",
    ]);
    expect(describeTally(tally)).toBe("4 of 8 requests failed (2 HTTP 502, 1 timed out, 1 HTTP 500), from t+1s to t+5s");
    const callsAfterStop = prober.calls;
    await clock.sleep(5000);
    expect(prober.calls).toBe(callsAfterStop);
  });

  test("a request still in flight when stopped is cancelled and not counted", async () => {
    const clock = new VirtualClock();
    const timeline = new Timeline(clock, clock.now());
    let cancelled = false;
    const prober: AppProber = {
      probe: (signal) =>
        new Promise((resolve) => {
          signal.addEventListener("abort", () => {
            cancelled = true;
            resolve({ ok: false, outcome: "cancelled" });
          });
        }),
    };
    const monitor = new AppMonitor({ prober, clock, intervalMs: 1000, timeline });
    monitor.start();
    const tally = await monitor.stop();
    expect(cancelled).toBe(true);
    expect(tally).toMatchObject({ requests: 0, failed: 0 });
  });

  test("a prober that throws counts as a failed request instead of ending the drill", async () => {
    const clock = new VirtualClock();
    const timeline = new Timeline(clock, clock.now());
    const monitor = new AppMonitor({ prober: scriptedProber([new Error("boom")]), clock, intervalMs: 1000, timeline });
    monitor.start();
    await clock.sleep(1500);
    const tally = await monitor.stop();
    expect(tally).toMatchObject({ requests: 2, failed: 1 });
    expect([...tally.failures]).toEqual([["boom", 1]]);
  });
});

describe("describeTally", () => {
  test("says when every request succeeded, or none was made", () => {
    expect(describeTally({ requests: 12, failed: 0, failures: new Map() })).toBe("all 12 requests answered 2xx");
    expect(describeTally({ requests: 0, failed: 0, failures: new Map() })).toBe("no request was made");
  });

  test("a single failure has one time", () => {
    expect(describeTally({ requests: 9, failed: 1, failures: new Map([["HTTP 503", 1]]), firstFailureMs: 4000, lastFailureMs: 4000 })).toBe(
      "1 of 9 requests failed (1 HTTP 503), at t+4s",
    );
  });
});
