/**
 * The suites that apply a stack into the AWS emulator (moto) with Terraform:
 * most of their time is the AWS provider's waiters (a minute and more per
 * database, however fast the emulator answers) and moto answering in Python.
 * `npm test` leaves them out, so it stays the few minutes it takes to check
 * everything else; `npm run test:emulator` runs them alone, and `npm run
 * test:all` (the README's whole suite, which `.ci/run` runs) runs them beside
 * the rest. Each is a path under `__tests__/`, without `.test.ts`.
 */
module.exports = [
  // lab-start applied, re-planned, moved to the final settings, released and destroyed.
  "lifecycle/environment-lifecycle",
  // npm run local -- --walk: lab-start and the lab's steps, each applied in turn.
  "local/lab-walk",
  // npm run local: the default environment deployed, the app served on loopback, then local:down.
  "local/local-deploy",
  // lab-start applied and destroyed by the CI deploy role under IAM enforcement.
  "ci-access/deploy-role-emulator",
  // The CI access stack applied, its roles assumed, re-planned and destroyed.
  "ci-access/ci-access-emulator",
  // A listener applied, then its client secret changed in the state and reviewed offline and live.
  "terraform/sensitive-review",
];
