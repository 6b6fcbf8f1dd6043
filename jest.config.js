/**
 * `npm test`: every suite but the few that apply a stack into the AWS
 * emulator (jest.emulator-suites.js names them, and `npm run test:all` runs
 * them with the rest; jest.all.config.js).
 *
 * Jest runs the TypeScript sources through ts-jest in transpile-only mode
 * (tsconfig's isolatedModules); __tests__/typecheck.test.ts type-checks the
 * whole project once with tsc, as `npm run typecheck` does, instead of once
 * per test file.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }], "/node_modules/@hpcc-js/.+\\.js$": "<rootDir>/__tests__/esm-to-cjs.js" },
  // Packages are CommonJS and left alone, but for the ES-module-only Graphviz build (see __tests__/esm-to-cjs.js).
  transformIgnorePatterns: ["/node_modules/(?!@hpcc-js/)"],
  moduleFileExtensions: ["ts", "js", "json"],
  globalSetup: "<rootDir>/__tests__/global-setup.js",
  testSequencer: "<rootDir>/__tests__/sequencer.js",
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
  testTimeout: 120000,
  // Two cores: one worker per core; the Terraform suites spend most of their time in terraform itself.
  maxWorkers: 2,
  // How long a worker may take to end once its suites are done before Jest kills it and warns that it "failed to
  // exit gracefully". No handle is left open then (its event loop is empty within milliseconds of being told to
  // end), but Node's own teardown of a worker that synthesized stacks (its V8 heap, hundreds of MB) takes about
  // 0.4 s on two busy cores, against Jest's default of 0.5 s. A handle that really leaks keeps a worker alive for
  // good, and is still reported, after this.
  workerGracefulExitTimeout: 5000,
  testPathIgnorePatterns: ["/node_modules/", ...require("./jest.emulator-suites").map((suite) => `<rootDir>/__tests__/${suite}\\.test\\.ts$`)],
};
