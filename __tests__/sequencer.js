// Starts the suites that run Terraform, databases and browsers first, so the
// two workers finish together instead of one waiting on a long suite started
// last. Jest's own ordering needs timings from an earlier run, which a fresh
// clone in CI does not have.
const Sequencer = require("@jest/test-sequencer").default;

const SLOW_FIRST = [
  // Six minutes, mostly waiting on the AWS provider's waiters: every other suite runs beside it.
  "lifecycle/environment-lifecycle",
  // Five minutes: npm run local deploys the default environment into moto, serves the app, and tears it all down.
  "local/local-deploy",
  // Seven to twelve minutes: npm run local -- --walk applies lab-start and the lab's three steps in moto.
  "local/lab-walk",
  "cdk-terrain/same-stacks",
  // Four to five minutes: an environment applied and destroyed in moto under IAM enforcement.
  "ci-access/deploy-role-emulator",
  // Two to three minutes: a listener applied into moto, then four reviews of a plan against its state.
  "terraform/sensitive-review",
  "terraform/plan-command",
  "ci-access/ci-access-emulator",
  "state/s3-backend",
  "docs/commands",
  "app/inventory-e2e",
  "terraform/environments",
  "terraform/kept-workspace",
  "examples/examples",
  "ci-access/ci-access-terraform",
  "config/synth-command",
  // Four Jest runs side by side, each on a copy of the project with one wrong change.
  "known-mutants",
  // Half a minute each: cdktf synth --hcl and terraform fmt in a copy; the drill's clients against moto over TLS.
  "terraform/hcl-command",
  "drill/aws-clients",
  "lint",
  "typecheck",
  "performance/fresh-synth",
  "diagram/command",
  "terraform/runner",
];

const rank = (test) => {
  const index = SLOW_FIRST.findIndex((name) => test.path.includes(`__tests__/${name}.test.ts`));
  return index < 0 ? SLOW_FIRST.length : index;
};

module.exports = class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
  }
};
