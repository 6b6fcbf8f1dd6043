// StrykerJS, as `npm run mutate` (src/bench/mutate.ts) runs it: one source file
// per run, so every finished file keeps its results (and its incremental file)
// however long the whole run is. The driver says what to run in the
// environment: MUTATE_FILE, the file to mutate; MUTATE_SUITES, the unit suites
// (comma-separated globs) that exercise its folder; MUTATE_INCREMENTAL_FILE
// and MUTATE_REPORT_FILE, where the file's incremental results and its run's
// report go.
const { MUTATE_FILE: file, MUTATE_SUITES: suites, MUTATE_INCREMENTAL_FILE: incrementalFile, MUTATE_REPORT_FILE: reportFile } = process.env;
if (!file || !suites || !incrementalFile || !reportFile) {
  throw new Error("MUTATE_FILE, MUTATE_SUITES, MUTATE_INCREMENTAL_FILE and MUTATE_REPORT_FILE are not all set: run `npm run mutate`, which sets them");
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "jest",
  jest: {
    projectType: "custom",
    configFile: "jest.unit.config.js",
    config: {
      testMatch: suites.split(",").map((suite) => `<rootDir>/${suite}`),
      // The sources too, so Jest's --findRelatedTests follows a suite's imports through them: with only __tests__ (the
      // suites' root) it finds only the suites that import the mutated file itself.
      roots: ["<rootDir>/__tests__", "<rootDir>/src"],
      // The app bundles (__tests__/global-setup.js) are for suites that run commands in a copy of the project, none of these.
      globalSetup: undefined,
    },
    // A mutant runs only the suites that import its file, and in them only the tests that reached it.
    enableFindRelatedTests: true,
  },
  coverageAnalysis: "perTest",
  // No TypeScript checker: it would build a TypeScript program per mutant on two shared cores; a mutant that
  // does not type-check but runs is reported like any other (ts-jest transpiles without type checking).
  checkers: [],
  // Two cores, shared: one test process.
  concurrency: 1,
  // A new test process every 20 mutants: Jest run again and again in one process keeps much of what each run
  // loaded (in a control's run of 216 mutants it grew past 2 GB while its mutants slowed from seconds to half a
  // minute each). Starting one costs a few seconds.
  maxTestRunnerReuse: 20,
  mutate: [file],
  // Kept between runs (git ignores .cache/): only mutants whose file or covering tests changed run again. A static
  // mutant (run by every test) keeps its result when only a test changed: delete the file to run it again.
  incremental: true,
  incrementalFile,
  tempDirName: ".cache/stryker/tmp",
  cleanTempDir: "always",
  reporters: ["progress-append-only", "clear-text", "json"],
  jsonReporter: { fileName: reportFile },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false, reportScoreTable: true },
  ignorePatterns: ["/cdktf.out", "/plan-review", "/bench-results", "/reports", "/.cache/stryker"],
  // cdktf synthesis in a suite's describe blocks, on a loaded machine: be patient before calling a mutant a timeout.
  timeoutMS: 60000,
  thresholds: { high: 90, low: 80, break: null },
};
