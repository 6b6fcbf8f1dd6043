// Brings the app bundles up to date once, before the suites start: the tests
// that run commands in a copy of the project (ProjectCopy) copy .cache/run
// with it, so they reuse these bundles instead of each building its own.
const { execFileSync } = require("node:child_process");
const path = require("node:path");

module.exports = () => {
  const root = path.resolve(__dirname, "..");
  execFileSync(process.execPath, ["scripts/run.mjs", "--build-only", "main.ts", "scripts/plan.ts", "scripts/diagram.ts"], { cwd: root, stdio: "inherit" });
};
