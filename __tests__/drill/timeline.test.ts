import { Timeline, type TimelineEvent, formatDuration, formatElapsed, formatEvent } from "../../src/drill/timeline";
import { VirtualClock } from "./support/virtual-clock";

test("events carry the time since t+0 and are handed on as they happen", async () => {
  const clock = new VirtualClock();
  await clock.sleep(30_000);
  const seen: TimelineEvent[] = [];
  const timeline = new Timeline(clock, clock.now(), (event) => seen.push(event));
  timeline.add("terminated i-0aaa");
  await clock.sleep(12_400);
  timeline.add("i-0ccc launched");
  expect(timeline.events).toEqual([
    { elapsedMs: 0, text: "terminated i-0aaa" },
    { elapsedMs: 12_400, text: "i-0ccc launched" },
  ]);
  expect(seen).toEqual(timeline.events);
  expect(timeline.events.map(formatEvent)).toEqual(["t+0s: terminated i-0aaa", "t+12s: i-0ccc launched"]);
});

test("times read as whole seconds, durations as minutes once long", () => {
  expect(formatElapsed(4_600)).toBe("t+5s");
  expect(formatDuration(95_000)).toBe("95s");
  expect(formatDuration(900_000)).toBe("15m");
  expect(formatDuration(1_845_000)).toBe("30m 45s");
});
