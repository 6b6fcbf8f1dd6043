/**
 * `npm run test:all`, the whole suite (the README's, which `.ci/run` runs):
 * what `npm test` runs and the suites that apply a stack into the AWS emulator
 * (jest.emulator-suites.js), in one run, the longest first (__tests__/sequencer.js).
 * @type {import('jest').Config}
 */
module.exports = { ...require("./jest.config"), testPathIgnorePatterns: ["/node_modules/"] };
