import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { Testing } from "cdktf";
import { CiAccessStack, ciAccessProps } from "../../src/ci-access/ci-access-stack";
import { PROJECT_ROOT, settingsFor } from "../support/stacks";

// The pipeline users copy (examples/ci/github-actions.yml): every npm script
// it runs exists, each job assumes the role meant for it, and only the
// deploy job, on the default branch, deploys.

const workflow = parse(fs.readFileSync(path.join(PROJECT_ROOT, "examples", "ci", "github-actions.yml"), "utf8"));
const scripts = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
const steps = (job: string): any[] => workflow.jobs[job].steps;
const runs = (job: string): string[] => steps(job).flatMap((step) => (typeof step.run === "string" ? [step.run] : []));

it("every `npm run <script>` and `npm test` it calls is a script of package.json", () => {
  const called = Object.keys(workflow.jobs).flatMap((job) =>
    runs(job).flatMap((command) => [...command.matchAll(/\bnpm (?:run(?: --[\w-]+)* ([\w:-]+)|(test))\b/g)].map((match) => match[1] ?? match[2])),
  );
  expect(called.length).toBeGreaterThanOrEqual(5);
  expect(called.filter((script) => !(script in scripts))).toStrictEqual([]);
});

it("a pull request runs the tests, synthesizes, reviews the plan as Markdown with the plan role, and posts it", () => {
  expect(Object.keys(workflow.on)).toEqual(["pull_request", "push"]);
  expect(runs("test")).toContain("npm test");
  expect(workflow.jobs.plan.if).toBe("github.event_name == 'pull_request'");
  expect(workflow.jobs.plan.needs).toBe("test");
  expect(workflow.jobs.plan.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
  expect(runs("plan")).toEqual([
    "npm ci",
    "npm run synth",
    'npm run --silent plan -- --env "$INVENTORY_ENV" --live --lock=false --format markdown --json > plan-review.md',
  ]);
  const credentials = steps("plan").find((step) => String(step.uses).startsWith("aws-actions/configure-aws-credentials"));
  expect(credentials.with["role-to-assume"]).toBe("${{ vars.AWS_PLAN_ROLE_ARN }}");
  const comment = steps("plan").find((step) => String(step.uses).startsWith("actions/github-script"));
  expect(comment.with.script).toContain('fs.readFileSync("plan-review.md"');
  expect(comment.with.script).toContain("createComment");
});

it("a pull request's artifacts hold the reviews and Terraform's text plan, never the plan files, which hold secrets in clear, and say why", () => {
  const text = fs.readFileSync(path.join(PROJECT_ROOT, "examples", "ci", "github-actions.yml"), "utf8");
  for (const job of Object.keys(workflow.jobs)) {
    for (const step of steps(job).filter((candidate) => String(candidate.uses).startsWith("actions/upload-artifact"))) {
      const paths = String(step.with.path).trim().split("\n");
      expect(paths).toEqual(["plan-review/**/review.md", "plan-review/**/review.txt", "plan-review/**/plan.txt"]);
      // Each pattern names its files: none can take plan.tfplan or plan.json, wherever the review keeps them.
      expect(paths.some((pattern) => path.matchesGlob("plan-review/default/live/review.md", pattern))).toBe(true);
      for (const kept of ["plan-review/default/plan.tfplan", "plan-review/default/live/plan.json"]) {
        expect(paths.filter((pattern) => path.matchesGlob(kept, pattern))).toStrictEqual([]);
      }
    }
  }
  expect(steps("plan").filter((step) => String(step.uses).startsWith("actions/upload-artifact"))).toHaveLength(1);
  expect(text).toMatch(
    /# Only the reviews and Terraform's text plan leave the job: they print sensitive values as \(sensitive\)\.\n.*plan\.tfplan and plan\.json hold/,
  );
});

it("the pull request's plan leaves the state lock alone, which its role may not write; the deploy job's plan locks", () => {
  const reviews = (job: string) => runs(job).filter((command) => /\bnpm run (--silent )?plan\b/.test(command));
  expect(reviews("plan").map((command) => command.match(/--lock=\w+/g))).toEqual([["--lock=false"]]);
  expect(reviews("deploy").map((command) => command.match(/--lock=\w+/g))).toEqual([null]);
});

it("only a push to the default branch deploys, with the deploy role", () => {
  expect(workflow.on.push).toEqual({ branches: ["main"] });
  expect(workflow.jobs.deploy.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
  expect(workflow.jobs.deploy.permissions["id-token"]).toBe("write");
  const credentials = steps("deploy").find((step) => String(step.uses).startsWith("aws-actions/configure-aws-credentials"));
  expect(credentials.with["role-to-assume"]).toBe("${{ vars.AWS_DEPLOY_ROLE_ARN }}");
  expect(runs("deploy").at(-1)).toBe('npm run deploy -- "inventory-$INVENTORY_ENV" --auto-approve');
  for (const job of ["test", "plan"]) expect(runs(job).filter((command) => /deploy|apply/.test(command))).toStrictEqual([]);
  // No job but the plan and deploy jobs can get an OIDC token; the workflow's default is read-only.
  expect(workflow.permissions).toEqual({ contents: "read" });
  expect(workflow.jobs.test.permissions).toBeUndefined();
});

it("the variables it reads are the ones the inventory-ci-access stack outputs", () => {
  const text = fs.readFileSync(path.join(PROJECT_ROOT, "examples", "ci", "github-actions.yml"), "utf8");
  const variables = new Set([...text.matchAll(/vars\.([A-Z_]+)/g)].map((match) => match[1]));
  const props = ciAccessProps([settingsFor("default", { ci: { accountId: "123456789012", githubActions: { repository: "acme/x" } } })])!;
  const outputs = JSON.parse(Testing.synth(new CiAccessStack(Testing.app(), "ci", props))).output;
  expect([...variables].sort()).toEqual(Object.keys(outputs.github_actions_default.value.repository_variables).sort());
});
