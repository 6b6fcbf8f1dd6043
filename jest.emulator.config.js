/**
 * `npm run test:emulator`: only the suites that apply a stack into the AWS emulator
 * (jest.emulator-suites.js), which `npm test` leaves out.
 * @type {import('jest').Config}
 */
module.exports = {
  ...require("./jest.config"),
  testPathIgnorePatterns: ["/node_modules/"],
  testMatch: require("./jest.emulator-suites").map((suite) => `<rootDir>/__tests__/${suite}.test.ts`),
};
