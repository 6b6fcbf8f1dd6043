import { PassThrough } from "node:stream";
import { failedTests, runBench, suiteSentence, suiteSummary, type JestJson } from "../../src/bench/bench";

// What npm run bench says of npm test: its time over the require("cdktf") floor, against the target of
// at most 2,100 times, and its three longest suites, from Jest's JSON results.

const ROOT = "/project";
const suite = (name: string, seconds: number) => ({ name: `${ROOT}/__tests__/${name}.test.ts`, startTime: 1_000, endTime: 1_000 + seconds * 1000 });
const JEST: JestJson = {
  numPassedTestSuites: 4,
  numTotalTestSuites: 4,
  numPassedTests: 40,
  numTotalTests: 41,
  testResults: [suite("lint", 74.3), suite("terraform/plan-command", 390.25), suite("docs/commands", 301), suite("typecheck", 28.9)],
};

describe("npm run bench's figures of npm test", () => {
  it("gives the suite's time over the floor, within a target of 2,100 times, and the three longest suites, longest first", () => {
    expect(suiteSummary(JEST, 546, 0.27, ROOT)).toEqual({
      seconds: 546,
      floorSeconds: 0.27,
      overFloor: 2022,
      target: 2100,
      withinTarget: true,
      suites: { passed: 4, total: 4 },
      tests: { passed: 40, total: 41 },
      longest: [
        { suite: "__tests__/terraform/plan-command.test.ts", seconds: 390.3 },
        { suite: "__tests__/docs/commands.test.ts", seconds: 301 },
        { suite: "__tests__/lint.test.ts", seconds: 74.3 },
      ],
      everySuite: [
        { suite: "__tests__/terraform/plan-command.test.ts", seconds: 390.3 },
        { suite: "__tests__/docs/commands.test.ts", seconds: 301 },
        { suite: "__tests__/lint.test.ts", seconds: 74.3 },
        { suite: "__tests__/typecheck.test.ts", seconds: 28.9 },
      ],
    });
  });

  it("names each failed test of a failed run, with the first lines of why, and a suite that failed outside its tests", () => {
    const failed: JestJson = {
      ...JEST,
      numPassedTestSuites: 2,
      testResults: [
        { ...suite("lint", 74.3), assertionResults: [{ fullName: "lint passes", status: "passed", failureMessages: [] }] },
        {
          ...suite("terraform/plan-command", 390.25),
          message: "summary of the suite's failures",
          assertionResults: [
            { fullName: "npm run plan prints the review", status: "passed", failureMessages: [] },
            {
              fullName: "npm run plan runs two reviews",
              status: "failed",
              failureMessages: ["Error: expect(received).toBe(expected)\n\nExpected: 0\nReceived: 1\n  at one\n  at two\n  at three\n  at four"],
            },
          ],
        },
        { ...suite("docs/commands", 301), message: "Test suite failed to run\n\n  ENOENT: no such file", assertionResults: [] },
        suite("typecheck", 28.9),
      ],
    };
    expect(failedTests(failed, ROOT)).toEqual([
      "  __tests__/terraform/plan-command.test.ts > npm run plan runs two reviews",
      "    Error: expect(received).toBe(expected)",
      "    Expected: 0",
      "    Received: 1",
      "      at one",
      "      at two",
      "      at three",
      "  __tests__/docs/commands.test.ts",
      "    Test suite failed to run",
      "      ENOENT: no such file",
    ]);
    expect(failedTests(JEST, ROOT)).toStrictEqual([]);
  });

  it("says when the suite is over the target, and by how much", () => {
    const summary = suiteSummary(JEST, 1235.2, 0.27, ROOT);
    expect([summary.overFloor, summary.withinTarget]).toEqual([4575, false]);
    expect(suiteSentence(summary)).toBe(
      'npm test took 1235.2 s (4/4 suites, 40/41 tests passing): 4575x the require("cdktf") floor of 0.27 s, against a target of ' +
        "at most 2100x (over it). Longest suites: __tests__/terraform/plan-command.test.ts 390.3 s, " +
        "__tests__/docs/commands.test.ts 301.0 s, __tests__/lint.test.ts 74.3 s.",
    );
  });

  it("refuses an argument it does not know with its usage and exit code 2, before measuring anything", async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let printed = "";
    stderr.on("data", (chunk) => (printed += chunk));
    const code = await runBench(["--suites"], { stdout, stderr, cwd: ROOT, variables: {}, projectRoot: ROOT });
    expect({ code, printed }).toEqual({
      code: 2,
      printed: "usage: npm run bench [-- --runs N] [--suite]  (N >= 1, default 5; --suite: only the floor and npm test)\n",
    });
  });
});
