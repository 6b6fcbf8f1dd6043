/** Asserts that `pattern` matches every value of `taken` and none of `refused`, naming the values that break it. */
export function expectPatternSplits(pattern: RegExp, taken: readonly string[], refused: readonly string[]): void {
  expect(taken.filter((value) => !pattern.test(value))).toStrictEqual([]);
  expect(refused.filter((value) => pattern.test(value))).toStrictEqual([]);
}
