import { isThrottlingError, retryThrottled } from "../../src/drill/throttling";
import { throttlingError } from "./support/aws-answers";
import { VirtualClock } from "./support/virtual-clock";

test.each(["Throttling", "ThrottlingException", "RequestLimitExceeded"] as const)("%s is a throttling error", (code) => {
  expect(isThrottlingError(throttlingError(code))).toBe(true);
  expect(isThrottlingError({ Code: code })).toBe(true);
  expect(isThrottlingError({ code })).toBe(true);
});

test("other errors are not", () => {
  expect(isThrottlingError(Object.assign(new Error("denied"), { name: "AccessDenied" }))).toBe(false);
  expect(isThrottlingError(new Error("Throttling"))).toBe(false);
  expect(isThrottlingError("Throttling")).toBe(false);
  expect(isThrottlingError(undefined)).toBe(false);
});

/** An operation that fails with `errors` in turn, then succeeds; it records the clock time of each try. */
function flaky(clock: VirtualClock, errors: Error[]) {
  const tries: number[] = [];
  const operation = (): Promise<string> => {
    tries.push(clock.now());
    const error = errors.shift();
    return error ? Promise.reject(error) : Promise.resolve("done");
  };
  return { operation, tries };
}

describe("retryThrottled", () => {
  test("waits out throttling with doubling delays, capped", async () => {
    const clock = new VirtualClock();
    const { operation, tries } = flaky(clock, [
      throttlingError("Throttling"),
      throttlingError("ThrottlingException"),
      throttlingError("RequestLimitExceeded"),
      throttlingError("Throttling"),
    ]);
    const retries: string[] = [];
    const result = await retryThrottled(operation, {
      clock,
      signal: new AbortController().signal,
      giveUpAt: 60_000,
      maxDelayMs: 3000,
      onRetry: (code, delayMs) => retries.push(`${code} ${delayMs}`),
    });
    expect(result).toBe("done");
    expect(tries).toEqual([0, 1000, 3000, 6000, 9000]);
    expect(retries).toEqual(["Throttling 1000", "ThrottlingException 2000", "RequestLimitExceeded 3000", "Throttling 3000"]);
  });

  test("rethrows any other error at once", async () => {
    const clock = new VirtualClock();
    const denied = Object.assign(new Error("not authorized"), { name: "AccessDenied" });
    const { operation, tries } = flaky(clock, [denied]);
    await expect(retryThrottled(operation, { clock, signal: new AbortController().signal, giveUpAt: 60_000 })).rejects.toBe(denied);
    expect(tries).toEqual([0]);
  });

  test("gives up with the throttling error when the next try would be past the deadline", async () => {
    const clock = new VirtualClock();
    const errors = Array.from({ length: 10 }, () => throttlingError("Throttling"));
    const { operation, tries } = flaky(clock, errors);
    await expect(retryThrottled(operation, { clock, signal: new AbortController().signal, giveUpAt: 10_000 })).rejects.toMatchObject({ name: "Throttling" });
    // Tries at 0, 1, 3, 7 s; the next would be at 15 s.
    expect(tries).toEqual([0, 1000, 3000, 7000]);
  });

  test("stops waiting when aborted (Ctrl-C)", async () => {
    const clock = new VirtualClock();
    const interrupt = new AbortController();
    const { operation, tries } = flaky(clock, [throttlingError("Throttling"), throttlingError("Throttling")]);
    const retrying = retryThrottled(operation, { clock, signal: interrupt.signal, giveUpAt: 60_000, onRetry: () => interrupt.abort() });
    await expect(retrying).rejects.toMatchObject({ name: "Throttling" });
    expect(tries).toEqual([0]);
  });
});
