import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runMutate } from "../../src/bench/mutate";

// What npm run mutate keeps of a run and reports from it, in a project made
// here: a run Stryker reported on this machine becomes the committed record
// of reports/mutation/, the report reads the records alone (as a clone does),
// a file changed since its run is left out, one whose suites changed is
// marked, and only a newer run replaces the one kept.

const SOURCE = "export const limit = (n: number) => n > 3;\n";
const SUITE = 'import { limit } from "../../src/policy/limit";\n\nit("limits", () => expect(limit(4)).toBe(true));\n';
// sha256sum of SOURCE and SUITE.
const SOURCE_SHA = "53216722c6b2408f0d9b58694fed7f73a53e50d1598d8afb42fe3fa8139be761";
const SUITE_SHA = "cbf15b6c2158a8cdaf5b84142949de1d8354b5601be5054779486b7125df48cf";

const mutant = (status: string, line: number, column: number, mutatorName: string, replacement: string) => ({
  id: `${line}:${column}:${status}`,
  mutatorName,
  replacement,
  status,
  location: { start: { line, column }, end: { line, column: column + 1 } },
});
const strykerReport = (source: string, statuses: string[]) => ({
  schemaVersion: "1.0",
  files: {
    "src/policy/limit.ts": {
      language: "typescript",
      source,
      mutants: [
        ...statuses.map((status, index) => mutant(status, 1, 40 + index, "EqualityOperator", "n >= 3")),
        mutant("Survived", 1, 37, "ConditionalExpression", "true"),
        mutant("NoCoverage", 1, 44, "NumericLiteral", "\n  4"),
      ],
    },
  },
  testFiles: { "__tests__/policy/limit.test.ts": { source: SUITE, tests: [{ id: "0", name: "limits" }] } },
});

let project: string;
let log: jest.SpyInstance;
const write = (file: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
  fs.writeFileSync(path.join(project, file), text);
};
const read = (file: string) => fs.readFileSync(path.join(project, file), "utf8");
/** A run Stryker reported on this machine, written at `when`. */
const reportRun = (when: string, report: object) => {
  write(".cache/stryker/reports/src__policy__limit.json", JSON.stringify(report));
  fs.utimesSync(path.join(project, ".cache/stryker/reports/src__policy__limit.json"), new Date(when), new Date(when));
};
const folderRow = (folder: string) =>
  read("reports/mutation.md")
    .split("\n")
    .find((line) => line.startsWith(`| ${folder} |`));
const fileRow = (file: string) =>
  read("reports/mutation.md")
    .split("\n")
    .find((line) => line.startsWith(`| ${file} |`));

beforeEach(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), "mutate-report-"));
  write("src/policy/limit.ts", SOURCE);
  write("src/policy/unmeasured.ts", "export const unmeasured = 1;\n");
  write("src/constructs/none.ts", "export {};\n");
  write("src/stacks/stack.ts", "export {};\n");
  write("__tests__/policy/limit.test.ts", SUITE);
  write("docs/testing.md", "# Testing\n\n<!-- mutation:start (written by npm run mutate) -->\nold\n<!-- mutation:end -->\n\nAfter.\n");
  execFileSync("git", ["init", "-q"], { cwd: project });
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "start"], { cwd: project });
  log = jest.spyOn(console, "log").mockImplementation(() => undefined);
});
afterEach(() => {
  log.mockRestore();
  fs.rmSync(project, { recursive: true, force: true });
});

describe("npm run mutate -- --report", () => {
  it("keeps the run this machine reported: digests, time, counts per status and each undetected mutant in source order", () => {
    reportRun("2026-12-01T10:00:00.250Z", strykerReport(SOURCE, ["Killed", "Killed", "Timeout", "CompileError"]));
    expect(runMutate(["--report"], project)).toBe(0);
    expect(JSON.parse(read("reports/mutation/src__policy__limit.json"))).toStrictEqual({
      file: "src/policy/limit.ts",
      source: SOURCE_SHA,
      measured: "2026-12-01T10:00:00Z",
      // Taken in from a run this command did not make: its time is not known.
      minutes: null,
      suites: { "__tests__/policy/limit.test.ts": SUITE_SHA },
      statuses: { CompileError: 1, Killed: 2, NoCoverage: 1, Survived: 1, Timeout: 1 },
      undetected: [
        { line: 1, column: 37, mutator: "ConditionalExpression", replacement: "true", status: "Survived" },
        { line: 1, column: 44, mutator: "NumericLiteral", replacement: " 4", status: "NoCoverage" },
      ],
    });
  });

  it("reports from the kept runs alone, as a clone without .cache/ does: folder figures, each file, each undetected mutant", () => {
    reportRun("2026-12-01T10:00:00Z", strykerReport(SOURCE, ["Killed", "Killed", "Timeout", "CompileError"]));
    expect(runMutate(["--report"], project)).toBe(0);
    fs.rmSync(path.join(project, ".cache"), { recursive: true });
    fs.rmSync(path.join(project, "reports/mutation.md"));
    expect(runMutate(["--report"], project)).toBe(0);
    expect(folderRow("src/policy")).toBe("| src/policy | 1 of 2 | 60.0% | 3 | 1 | 1 | 1 |");
    expect(folderRow("src/constructs")).toBe("| src/constructs | 0 of 1 | - | 0 | 0 | 0 | 0 |");
    expect(fileRow("src/policy/limit.ts")).toBe("| src/policy/limit.ts | 6 | 60.0% | 3 | 1 | 1 | 2026-12-01 | - |  |");
    expect(fileRow("src/policy/unmeasured.ts")).toBe("| src/policy/unmeasured.ts | - | - | - | - | - | - | - | not measured |");
    const report = read("reports/mutation.md");
    expect(report.slice(report.indexOf("## Surviving mutants"))).toBe(
      [
        "## Surviving mutants",
        "",
        "### src/policy/limit.ts",
        "",
        "- 1:37 ConditionalExpression (Survived): `` true ``",
        "- 1:44 NumericLiteral (NoCoverage): ``  4 ``",
        "",
        "",
      ].join("\n"),
    );
    const doc = read("docs/testing.md").split("\n");
    expect(doc[3]).toMatch(/^Reported \d{4}-\d\d-\d\d at commit [0-9a-f]{7,}, from each file's last run, kept in reports\/mutation\/ /);
    expect([...doc.slice(0, 3), ...doc.slice(4)]).toStrictEqual([
      "# Testing",
      "",
      "<!-- mutation:start (written by npm run mutate) -->",
      "",
      "| folder | files measured | mutation score | killed or timed out | survived | no coverage | other (errors, ignored) |",
      "| --- | --- | --- | --- | --- | --- | --- |",
      "| src/policy | 1 of 2 | 60.0% | 3 | 1 | 1 | 1 |",
      "| src/constructs | 0 of 1 | - | 0 | 0 | 0 | 0 |",
      "<!-- mutation:end -->",
      "",
      "After.",
      "",
    ]);
  });

  it("leaves out a file changed since its run, and marks one whose suites changed but counts it", () => {
    reportRun("2026-12-01T10:00:00Z", strykerReport(SOURCE, ["Killed"]));
    expect(runMutate(["--report"], project)).toBe(0);
    write("__tests__/policy/limit.test.ts", `${SUITE}it("limits at 3", () => expect(limit(3)).toBe(false));\n`);
    expect(runMutate(["--report"], project)).toBe(0);
    expect(folderRow("src/policy")).toBe("| src/policy | 1 of 2 | 33.3% | 1 | 1 | 1 | 0 |");
    expect(fileRow("src/policy/limit.ts")).toBe("| src/policy/limit.ts | 3 | 33.3% | 1 | 1 | 1 | 2026-12-01 | - | its suites changed since its run |");

    write("src/policy/limit.ts", SOURCE.replace("> 3", ">= 4"));
    expect(runMutate(["--report"], project)).toBe(0);
    expect(folderRow("src/policy")).toBe("| src/policy | 0 of 2 | - | 0 | 0 | 0 | 0 |");
    expect(fileRow("src/policy/limit.ts")).toBe("| src/policy/limit.ts | 3 | 33.3% | 1 | 1 | 1 | 2026-12-01 | - | changed since its run: left out |");
    expect(read("reports/mutation.md")).not.toContain("### src/policy/limit.ts");
  });

  it("replaces the kept run with a newer one only", () => {
    reportRun("2026-12-01T10:00:00Z", strykerReport(SOURCE, ["Killed"]));
    expect(runMutate(["--report"], project)).toBe(0);
    reportRun("2026-11-30T10:00:00Z", strykerReport(SOURCE, ["Killed", "Killed", "Killed"]));
    expect(runMutate(["--report"], project)).toBe(0);
    expect(JSON.parse(read("reports/mutation/src__policy__limit.json")).statuses).toStrictEqual({ Killed: 1, NoCoverage: 1, Survived: 1 });
    reportRun("2026-12-02T10:00:00Z", strykerReport(SOURCE, ["Killed", "Killed", "Killed"]));
    expect(runMutate(["--report"], project)).toBe(0);
    expect(JSON.parse(read("reports/mutation/src__policy__limit.json"))).toMatchObject({
      measured: "2026-12-02T10:00:00Z",
      statuses: { Killed: 3, NoCoverage: 1, Survived: 1 },
    });
  });

  it("keeps a run it makes, with its time, and says so when Stryker fails, keeping nothing new", () => {
    // A stand-in for Stryker that writes the report of a run of the file it is given, and fails when told to.
    write(
      "node_modules/.bin/stryker",
      `#!/bin/sh\n[ -n "$FAIL" ] && exit 3\nmkdir -p .cache/stryker/reports && cp report.json .cache/stryker/reports/src__policy__limit.json\n`,
    );
    fs.chmodSync(path.join(project, "node_modules/.bin/stryker"), 0o755);
    write("report.json", JSON.stringify(strykerReport(SOURCE, ["Killed"])));
    const errors = jest.spyOn(console, "error").mockImplementation(() => undefined);
    process.env.FAIL = "1";
    try {
      expect(runMutate([path.join(project, "src/policy/limit.ts")], project)).toBe(1);
    } finally {
      delete process.env.FAIL;
    }
    expect(errors).toHaveBeenCalledWith("Stryker failed on src/policy/limit.ts (exit 3); the report leaves it out");
    errors.mockRestore();
    expect(fs.existsSync(path.join(project, "reports/mutation/src__policy__limit.json"))).toBe(false);
    expect(runMutate([path.join(project, "src/policy/limit.ts")], project)).toBe(0);
    expect(JSON.parse(read("reports/mutation/src__policy__limit.json"))).toMatchObject({ minutes: 0, statuses: { Killed: 1, NoCoverage: 1, Survived: 1 } });
    expect(fileRow("src/policy/limit.ts")).toMatch(/^\| src\/policy\/limit\.ts \| 3 \| 33\.3% \| 1 \| 1 \| 1 \| \d{4}-\d\d-\d\d \| 0 \| {2}\|$/);
  });
});
