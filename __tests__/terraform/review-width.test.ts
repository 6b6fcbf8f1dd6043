import { REVIEW_WIDTH, wrapLine } from "../../src/terraform/review-width";

// The review's long lines are cut where a reader expects a break, each
// following line indented under the first, and nothing is lost.

describe("a line wider than the review", () => {
  it("is cut after the last comma that fits in its last two fifths, the rest indented four more", () => {
    expect(wrapLine("  one, two, three four, five", 20)).toEqual(["  one, two, three", "      four, five"]);
  });
  it("is cut at the last space when no comma fits late enough", () => {
    expect(wrapLine("  a, bbbbbbbbbbbb cccccc dddd", 20)).toEqual(["  a, bbbbbbbbbbbb", "      cccccc dddd"]);
  });
  it("is cut at the width when it has no space (a long value)", () => {
    expect(wrapLine(`  ${"x".repeat(30)}`, 20)).toEqual([`  ${"x".repeat(18)}`, `      ${"x".repeat(12)}`]);
  });
  it("keeps every word, in order, each line at most REVIEW_WIDTH wide", () => {
    const words = Array.from({ length: 80 }, (_, index) => `word${index},`);
    const lines = wrapLine(`  ${words.join(" ")}`);
    // 629 characters of words and spaces: 118 on the first line, at most 114 on each after it.
    expect(lines.length).toBe(6);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(REVIEW_WIDTH);
    expect(lines.join(" ").split(/\s+/).filter(Boolean)).toEqual(words);
  });
});

it("a line that fits is left as it is", () => {
  expect(wrapLine("  short, line", 20)).toEqual(["  short, line"]);
});
