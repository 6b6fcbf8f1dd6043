/**
 * `npm run test:unit`: every suite that needs neither root, Debian packages,
 * the AWS emulator nor Terraform, so it runs on any OS with Node.js and
 * `npm ci` alone. `npm test` runs these and the ones below.
 * @type {import('jest').Config}
 */
const base = require("./jest.config");

/** Suites left out beside the emulator's, each for what it needs. */
const NEEDS_MORE = [
  // PHP, MariaDB and Chromium (Debian packages): the Inventory app end to end.
  "<rootDir>/__tests__/app/",
  // MariaDB and moto_server: the database app user's rotation function against a real database and the emulator.
  "<rootDir>/__tests__/functions/",
  // pip and moto_server: the emulator's install checked (the lifecycle suite beside it is one of the emulator's suites).
  "<rootDir>/__tests__/lifecycle/",
  // Terraform against local S3 and DynamoDB stand-ins: the S3 backend and its locks.
  "<rootDir>/__tests__/state/",
  // Terraform: the examples validated.
  "<rootDir>/__tests__/examples/",
  // npm install into a copy, and Terraform: the move to CDK Terrain followed.
  "<rootDir>/__tests__/cdk-terrain/same-stacks\\.test\\.ts$",
  // bash, shellcheck, PHP and Terraform: the boot script checked and decoded.
  "<rootDir>/__tests__/aws/boot-script\\.test\\.ts$",
  // Terraform: validation, plans, the kept review folder, the plan file reader, the runner and npm run synth:hcl's formatting.
  "<rootDir>/__tests__/terraform/(environments|plan-command|kept-workspace|saved-plan|runner|hcl-command)\\.test\\.ts$",
  // Terraform: every command the README and help give, run as written where it runs offline.
  "<rootDir>/__tests__/docs/commands\\.test\\.ts$",
  // Terraform: the CI access stack validated and planned.
  "<rootDir>/__tests__/ci-access/ci-access-terraform\\.test\\.ts$",
  // moto_server: the drill's AWS clients over TLS, with and without AWS_CA_BUNDLE.
  "<rootDir>/__tests__/drill/aws-clients\\.test\\.ts$",
];

// npm test's own exclusions (the suites that apply a stack into the AWS emulator, jest.emulator-suites.js), then these.
module.exports = { ...base, testPathIgnorePatterns: [...base.testPathIgnorePatterns, ...NEEDS_MORE] };
