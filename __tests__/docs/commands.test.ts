import * as fs from "node:fs";
import * as path from "node:path";
import { NO_AWS_CREDENTIALS, ProjectCopy } from "../support/project-copy";
import { PROJECT_ROOT } from "../support/stacks";

// Every command the front page (README.md) and `cat help` give, run as written
// in a throwaway copy of the project when it runs offline; the others are
// listed below with the reason. A command in neither list fails, and so does
// a listed one the docs no longer give.

/** The words a command starts with, after any `NAME=value` assignments. */
const COMMAND_WORDS = new Set(["aws", "cat", "cd", "git", "npm", "npx", "sed", "terraform"]);

function isCommand(text: string): boolean {
  const first = text
    .trim()
    .split(/\s+/)
    .find((word) => !/^[A-Z_][A-Z0-9_]*=/.test(word));
  return first !== undefined && COMMAND_WORDS.has(first);
}

const FENCE = /^```(\w*)\n([\s\S]*?)^```$/gm;

/** Every line of the `sh` blocks (without its trailing comment), and every inline code span that is a command. */
function readmeCommands(markdown: string): string[] {
  const found: string[] = [];
  for (const [, language, body] of markdown.matchAll(FENCE)) {
    if (language !== "sh") continue;
    for (const line of body.split("\n")) {
      const command = line.replace(/\s+#\s.*$/, "").trim();
      if (command) found.push(command);
    }
  }
  for (const [, code] of markdown.replace(FENCE, "").matchAll(/`([^`\n]+)`/g)) {
    if (isCommand(code)) found.push(code);
  }
  return found;
}

/** `help` gives a command at the start of an indented line, its description after two or more spaces. */
function helpCommands(text: string): string[] {
  return text
    .split("\n")
    .map((line) => /^ {2,}(\S.*?)(?: {2,}|$)/.exec(line)?.[1])
    .filter((command): command is string => command !== undefined && isCommand(command));
}

/** Run as written, in this order (the ones that write go after the checks that read the same files). */
const RUN: readonly string[] = [
  "cat help",
  "npx cdktf synth",
  "INVENTORY_ENV=lab-start npx cdktf synth",
  "npm run synth:hcl",
  "npm run docs -- --check",
  "npm run diagram -- --check",
  "npm run diagram",
  "npm run plan",
  "npm run plan -- --env lab-start",
  "npm run plan -- --compare lab-start",
  "npm run --silent plan -- --format markdown > review.md",
  `sed 's/"lab-start-"/"staging-"/' environments/lab-start.json > environments/staging.json`,
];

const NEEDS_AWS = "needs AWS credentials and a deployed environment's state";
const NAMED_IN_PROSE = "a Terraform command named in prose, run in a deployed stack's folder";
const LOCAL = "starts the AWS emulator and deploys into it; the local deploy's own suite runs it";
const DRILL = "reads a deployed environment's outputs and calls AWS even as a dry run; __tests__/drill runs it against AWS mocks";

/** Not run here, each with the reason. */
const NOT_RUN: Readonly<Record<string, string>> = {
  "npm ci": "replaces node_modules, which the copy shares with the checkout; .ci/run runs it on a clean clone",
  "npm ci && npx cdktf synth": "npm ci as above; its synth runs on its own here",
  "npm run test:all": "the whole suite, this test among them; .ci/run runs it",
  "npm test": "the whole suite but the emulator's, this test among them; npm run test:all runs it",
  "npm run test:emulator": "the suites that deploy into the AWS emulator, which npm run test:all runs",
  "npm run test:unit": "the unit suites, which npm test runs",
  "npm run typecheck": "__tests__/typecheck.test.ts runs the same tsc --noEmit",
  "npm run lint": "__tests__/lint.test.ts runs the same ESLint and Prettier check",
  "npm run bench": "minutes: it runs the lifecycle suite and the whole test suite",
  "npm run local": LOCAL,
  "npm run local -- --walk": LOCAL,
  "npm run local:down": LOCAL,
  "npm run plan -- --env default --live": `${NEEDS_AWS}; the lifecycle suite runs --live reviews against the AWS emulator`,
  "npx cdktf deploy inventory-state": NEEDS_AWS,
  "npx cdktf deploy inventory-default": NEEDS_AWS,
  "npx cdktf diff inventory-default": NEEDS_AWS,
  "npx cdktf output inventory-default": NEEDS_AWS,
  "npx cdktf destroy inventory-lab-start": NEEDS_AWS,
  "cd cdktf.out/stacks/inventory-default && terraform force-unlock LOCK_ID": "needs a lock held in a deployed environment's backend",
  "terraform output": NAMED_IN_PROSE,
  "terraform force-unlock": NAMED_IN_PROSE,
  "terraform state push": NAMED_IN_PROSE,
  "git revert RELEASE_COMMIT": "rewrites the checkout; RELEASE_COMMIT stands for the user's own commit",
  "npm run drill -- instance --env default": DRILL,
  "npm run drill -- database --env default": DRILL,
  "npm run drill -- zone --env default": DRILL,
  "aws arc-zonal-shift start-zonal-shift": NEEDS_AWS,
  "npm run failover-bench": "runs PHP and MariaDB under load for a minute; __tests__/app/failover.test.ts runs the same code on a shorter load",
};

const README = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
const HELP = fs.readFileSync(path.join(PROJECT_ROOT, "help"), "utf8");
const COMMANDS = new Set([...readmeCommands(README), ...helpCommands(HELP)]);

describe("the commands README.md and help give", () => {
  it("is a front page: at most 250 lines, with a table of the 12 most common tasks", () => {
    expect(README.split("\n").length).toBeLessThanOrEqual(250);
    const section = README.slice(README.indexOf("## Common tasks\n"), README.indexOf("\n## ", README.indexOf("## Common tasks\n") + 1));
    const rows = section.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| task |") && !line.startsWith("| ---"));
    expect(rows).toHaveLength(12);
  });

  it("are each run below or listed with the reason they are not", () => {
    expect(RUN.filter((command) => command in NOT_RUN)).toStrictEqual([]);
    expect([...COMMANDS].filter((command) => !RUN.includes(command) && !(command in NOT_RUN))).toStrictEqual([]);
    expect([...RUN, ...Object.keys(NOT_RUN)].filter((command) => !COMMANDS.has(command))).toStrictEqual([]);
    expect(COMMANDS.size).toBe(RUN.length + Object.keys(NOT_RUN).length);
  });

  describe("run as written, offline, in a copy of the project", () => {
    let project: ProjectCopy;

    beforeAll(() => {
      project = new ProjectCopy(["README.md", "help", "docs", "schema", "policy"]);
    });

    afterAll(() => project.remove());

    it.each(RUN)(
      "%s",
      (command) => {
        const result = project.run("bash", ["-c", command], NO_AWS_CREDENTIALS);
        expect({ command, status: result.status, stderr: result.status === 0 ? "" : result.stderr }).toEqual({ command, status: 0, stderr: "" });
      },
      300_000,
    );

    it("adds an environment that synthesizes on its own", () => {
      expect(project.exists("environments/staging.json")).toBe(true);
      const synth = project.run(process.execPath, ["scripts/run.mjs", "main.ts"], { INVENTORY_ENV: "staging", CDKTF_OUTDIR: project.path("staging-out") });
      expect({ status: synth.status, stderr: synth.stderr }).toEqual({ status: 0, stderr: "" });
      expect(fs.readdirSync(project.path("staging-out", "stacks")).sort()).toEqual(["inventory-staging", "inventory-state"]);
    });
  });
});
