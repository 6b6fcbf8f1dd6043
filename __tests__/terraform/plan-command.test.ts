import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { costReview } from "../../src/terraform/cost-review";
import { reviewPlan } from "../../src/terraform/plan-review";
import { KeptWorkspace } from "../../src/terraform/kept-workspace";
import { readSavedPlan } from "../../src/terraform/saved-plan";
import type { TerraformPlanJson } from "../../src/terraform/plan-json";
import type { NumberShapes } from "../../src/terraform/value-numbers";
import { readableChanges, referencedResources } from "../support/plan-json";
import { NO_AWS_CREDENTIALS, ProjectCopy } from "../support/project-copy";
import { planned, planStack, synthesizedResourceCount, synthesizeEnvironment } from "../support/terraform";

// `npm run plan` as a user runs it on a fresh clone: no AWS credentials, no
// network, in a throwaway copy of the project. Its plan of the default
// environment, from the JSON cdktf synthesizes, is also what the HCL output
// must plan to, value for value.
const offline = NO_AWS_CREDENTIALS;

/**
 * Terraform's own rendering of a plan: every planned resource by address with
 * every planned attribute value (or "known after apply"), and the outputs.
 * The progress lines before it (in whatever order data sources finished) and
 * the lines naming the plan file are left out.
 */
function plannedChanges(planText: string): string {
  const start = planText.indexOf("Terraform used the selected providers");
  expect(start).toBeGreaterThanOrEqual(0);
  return planText
    .slice(start)
    .split("\n")
    .filter((line) => !line.includes(".tfplan"))
    .join("\n");
}

interface BackgroundReview {
  /** What it printed to stderr so far. */
  readonly stderr: () => string;
  readonly done: Promise<{ status: number | null; stdout: string; stderr: string }>;
}

/** `npm run plan` in the copy, run asynchronously so two can run at once. */
function reviewInBackground(): BackgroundReview {
  const child = spawn("node", ["scripts/run.mjs", "scripts/plan.ts", "--env", "default"], {
    cwd: project.root,
    env: { ...process.env, CHECKPOINT_DISABLE: "1", ...offline },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return { stderr: () => stderr, done: new Promise((resolve) => child.on("close", (status) => resolve({ status, stdout, stderr }))) };
}

/** Resolves once `condition` holds, polling; rejects after `timeoutMs`. */
async function eventually(condition: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still not the case after ${timeoutMs / 1000} s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What a review prints while the test holds the environment's folder. */
const WAITING_FOR_TEST = `Waiting for another review of default (process ${process.pid}) to finish...`;

let project: ProjectCopy;
let result: ReturnType<ProjectCopy["run"]>;
let firstPlanText: string;
let resourceCount: number;
let concurrent: Awaited<BackgroundReview["done"]>[];
/** Whether the stack folder had a configuration again while both reviews waited for the folder (removed before they started). */
let synthesizedWhileWaiting: boolean;
/** `npm run plan` of the lab's starting point, as a user types it. */
let labStart: ReturnType<ProjectCopy["run"]>;

beforeAll(async () => {
  project = new ProjectCopy();
  result = project.run("node", ["scripts/run.mjs", "scripts/plan.ts", "--env", "default"], offline);
  firstPlanText = project.read("plan-review/default/plan.txt");
  resourceCount = synthesizedResourceCount(project.path("cdktf.out/stacks/inventory-default"));
  // Two more reviews of the same environment at once, as a user and a test run might, started while a third one (this
  // test, holding the environment's folder) is under way: they share the kept folder, and neither synthesizes before its
  // turn, so none rewrites the stack folder in cdktf.out while another copies from it.
  const held = await KeptWorkspace.reserve(project.path(".cache/terraform/review/default"));
  fs.rmSync(project.path("cdktf.out/stacks/inventory-default/cdk.tf.json"));
  const reviews = [reviewInBackground(), reviewInBackground()];
  try {
    await eventually(() => reviews.every((review) => review.stderr().includes(WAITING_FOR_TEST)), "both reviews wait for the folder");
    synthesizedWhileWaiting = fs.existsSync(project.path("cdktf.out/stacks/inventory-default/cdk.tf.json"));
  } finally {
    held.release();
  }
  concurrent = await Promise.all(reviews.map((review) => review.done));
});

// Its own Terraform folder, initialised on this first run.
beforeAll(() => {
  labStart = project.run("npm", ["run", "plan", "--", "--env", "lab-start"], offline);
}, 240_000);

afterAll(() => project.remove());

describe("npm run plan", () => {
  it("prints the review and Terraform's plan line, with one addition per synthesized resource", () => {
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(resourceCount).toBeGreaterThan(40);
    expect(result.stdout).toContain(`Plan: ${resourceCount} to add, 0 to change, 0 to destroy.`);
    for (const section of ["Resources to add", "Network", "Security group rules", "Load balancer", "App tier", "Database", "Warnings"]) {
      expect(result.stdout).toMatch(new RegExp(`^${section}`, "m"));
    }
    // The lab's final state (docs/lab.md): a NAT gateway per zone, the database only from the App group, Multi-AZ.
    expect(result.stdout).toMatch(/NAT gateways: 2 \(in Public Subnet 1, Public Subnet 2\)/);
    expect(result.stdout).toMatch(/inventory-db: mysql 8\.4, db\.t3\.small, 40 GiB gp3, Multi-AZ,/);
    expect(result.stdout).toMatch(/Inventory-DB +in +tcp 3306 +from group Inventory-App/);
    expect(result.stdout).toContain("  ! PUBLIC: Inventory-LB in tcp 80, 443 from 0.0.0.0/0\n");
  });

  it("fits 60 lines of at most 120 columns, for the default environment and the lab's starting point, as npm run plan prints them", () => {
    const shape = (stdout: string) => {
      const lines = stdout.trimEnd().split("\n");
      return { lines: lines.length, widest: Math.max(...lines.map((line) => line.length)) };
    };
    // At npm's own log level, as a user's shell runs it, whatever level the suite itself was started with (npm test --silent).
    const npmDefault = project.run("npm", ["run", "plan"], { ...offline, npm_config_loglevel: "notice" });
    expect([npmDefault.status, npmDefault.stderr]).toEqual([0, ""]);
    // npm's own 4 lines (a blank line, the script's name and command, a blank line) count too.
    expect(npmDefault.stdout).toMatch(/^\n> inventory-ha@[\d.]+ plan\n> node scripts\/run\.mjs scripts\/plan\.ts\n\nTerraform: reusing /);
    expect(shape(npmDefault.stdout).lines).toBeLessThanOrEqual(60);
    expect(shape(npmDefault.stdout).widest).toBeLessThanOrEqual(120);
    expect([labStart.status, labStart.stderr]).toEqual([0, ""]);
    expect(labStart.stdout).toContain("Plan: ");
    expect(shape(labStart.stdout).lines).toBeLessThanOrEqual(60);
    expect(shape(labStart.stdout).widest).toBeLessThanOrEqual(120);
    // The whole review is kept, and the short one says where.
    expect(npmDefault.stdout).toMatch(/^Saved: .*; the full review is review\.txt \(or --verbose\)$/m);
    expect(project.read("plan-review/default/review.txt").split("\n").length).toBeGreaterThan(100);
  });

  it("says which route table and NAT gateway each private subnet uses; only lab-start's Private Subnet 2 leaves through another zone", () => {
    expect(result.stdout).toMatch(/^ {2}Private Subnet 1 +10\.0\.2\.0\/23 us-west-2a -> Private Route Table 1 -> NAT Gateway 1$/m);
    expect(result.stdout).toMatch(/^ {2}Private Subnet 2 +10\.0\.4\.0\/23 us-west-2b -> Private Route Table 2 -> NAT Gateway 2$/m);
    expect(result.stdout).not.toContain("CROSS-ZONE");
    expect(labStart.stdout).toMatch(
      /^ {2}lab-start-Private Subnet 1 +10\.0\.2\.0\/23 us-west-2a -> lab-start-Private Route Table 1 -> lab-start-NAT Gateway 1$/m,
    );
    expect(labStart.stdout).toMatch(
      new RegExp(
        "^ {2}lab-start-Private Subnet 2 +10\\.0\\.4\\.0/23 us-west-2b -> lab-start-Private Route Table 1 -> lab-start-NAT Gateway 1\n" +
          " {4}! CROSS-ZONE: leaves through a NAT gateway in us-west-2a; an outage there cuts it off the internet$",
        "m",
      ),
    );
    expect(labStart.stdout.match(/CROSS-ZONE/g)).toHaveLength(2);
    expect(labStart.stdout).toContain("  ! CROSS-ZONE: lab-start-Private Subnet 2 (us-west-2b) leaves through lab-start-NAT Gateway 1 in us-west-2a\n");
  });

  it("lists the alarm topic, the dashboard and every alarm with its threshold and period, in the full review's Monitoring section", () => {
    expect(result.stdout).toMatch(/^ {2}topic Inventory-Alarms \(encrypted\) notifies no one yet; dashboard Inventory-HA; 17 alarms$/m);
    const full = project.read("plan-review/default/review.txt");
    const section = full.slice(full.indexOf("\nMonitoring\n"), full.indexOf("\nEstimated monthly cost"));
    expect(section).toContain("  topic Inventory-Alarms: encrypted with aws_kms_key.monitoring_topic_key (rotated yearly); notifies no one yet");
    expect(section).toContain("  dashboard Inventory-HA");
    const alarmLines = section.split("\n").filter((line) => line.startsWith("    "));
    // One line per alarm: eleven signals, two for each of the default environment's two NAT gateways, and AWS Backup's
    // failed backup and failed restore jobs.
    expect(alarmLines).toHaveLength(17);
    expect(alarmLines).toContain("    Inventory-App healthy hosts below desired: desired - healthy > 0 for 3 x 60s");
    expect(alarmLines).toContain("    Inventory-DB free storage: FreeStorageSpace Minimum < 4 GiB for 1 x 300s");
    expect(alarmLines).toContain("    NAT Gateway 2 dropped packets: 100 * FILL(dropped, 0) / (from_source + from_destination) > 0.01 for 5 x 60s");
    expect(result.stdout).not.toContain("SILENT:");
  });

  it("initialises Terraform in a folder kept for the environment on its first run", () => {
    expect(result.stdout).toMatch(/^Terraform: initialised \.cache\/terraform\/review\/default \(no earlier init in this folder\)$/m);
    expect(fs.readdirSync(project.path(".cache/terraform/review/default")).sort()).toEqual([
      ".terraform",
      ".terraform.lock.hcl",
      // The app's archive and the rotation function's code, which the configuration names by path.
      "assets",
      "cdk.tf.json",
      "init-inputs.json",
      // Where the provider's values hold numbers, from its schema: what reading the plan file needs, made once per init.
      "provider-numbers.json",
      "review.tfplan",
      "zz_review_override.tf.json",
    ]);
  });

  it("runs two reviews of one environment at once one after the other, each synthesizing in its turn, reusing the folder, to the same plan", () => {
    expect(synthesizedWhileWaiting).toBe(false);
    for (const run of concurrent) {
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(
        /^Terraform: reusing \.cache\/terraform\/review\/default \(providers, lock file and backend unchanged since the last init\)$/m,
      );
      expect(run.stdout).toContain(`Plan: ${resourceCount} to add, 0 to change, 0 to destroy.`);
    }
    // Each found the folder taken by the review under way and said so once, though the second then waited for the first.
    expect(concurrent.map((run) => run.stderr.trim())).toEqual([WAITING_FOR_TEST, WAITING_FOR_TEST]);
    expect(plannedChanges(project.read("plan-review/default/plan.txt"))).toBe(plannedChanges(firstPlanText));
    expect(fs.existsSync(project.path(".cache/terraform/review/default.lock"))).toBe(false);
  });

  it("synthesizes what the app writes when cdktf.json runs it", () => {
    const appCommand = JSON.parse(project.read("cdktf.json")).app as string;
    const synth = project.run("sh", ["-c", appCommand], { INVENTORY_ENV: "default", CDKTF_OUTDIR: project.path("app-out") });
    expect(synth.status).toBe(0);
    expect(project.read("cdktf.out/stacks/inventory-default/cdk.tf.json")).toBe(project.read("app-out/stacks/inventory-default/cdk.tf.json"));
  });

  it("keeps the plan, its text and the review, and leaves no Terraform working data in cdktf.out", () => {
    expect(fs.readdirSync(project.path("plan-review/default")).sort()).toEqual(["plan.tfplan", "plan.txt", "review.md", "review.txt"]);
    expect(result.stdout).toContain("Saved: plan-review/default/{plan.tfplan,plan.txt,review.txt,review.md}");
    expect(fs.readdirSync(project.path("cdktf.out/stacks/inventory-default")).sort()).toEqual(["assets", "cdk.tf.json"]);
  });

  it("--json keeps Terraform's JSON plan too; the review read from the plan file is the one read from that JSON", () => {
    const run = project.run("node", ["scripts/run.mjs", "scripts/plan.ts", "--json"], offline);
    expect([run.status, run.stderr]).toEqual([0, ""]);
    expect(run.stdout).toContain("Saved: plan-review/default/{plan.tfplan,plan.json,plan.txt,review.txt,review.md}");
    const shown = JSON.parse(project.read("plan-review/default/plan.json")) as TerraformPlanJson;
    expect(shown.resource_changes).toHaveLength(resourceCount);

    const shapes = JSON.parse(project.read(".cache/terraform/review/default/provider-numbers.json")) as NumberShapes;
    const reading = readSavedPlan(project.path("plan-review/default/plan.tfplan"), shapes);
    if (reading.unsupported !== undefined) throw new Error(reading.unsupported);
    expect(readableChanges(reading.plan)).toEqual(readableChanges(shown));
    expect(referencedResources(reading.plan)).toEqual(referencedResources(shown));
    // The alarms' thresholds: 0.01 is written as text in the plan file, a number by the provider's schema.
    expect(reading.plan.resource_changes!.find((change) => change.address.endsWith("nat_gateway_1_dropped_packets"))!.change.after).toMatchObject({
      threshold: 0.01,
    });
    const review = (plan: TerraformPlanJson) => [reviewPlan(plan, "heading", "summary").text, costReview(plan, "us-west-2").section];
    expect(review(reading.plan)).toEqual(review(shown));
    expect(run.stdout).toContain(
      reviewPlan(shown, "", "")
        .sections.find((section) => section.title === "Network")!
        .lines.join("\n"),
    );
  });

  it("ends the review with the estimated monthly cost, by type; the full review by resource, and what it leaves out", () => {
    expect(result.stdout).toMatch(/^Estimated monthly cost: \$201\.92 fixed$/m);
    // Two NAT gateways at $32.85; the Multi-AZ db.t3.small ($49.64), its 40 GiB ($9.20) and its password's secret ($0.40).
    expect(result.stdout).toMatch(/^ {2}largest: aws_nat_gateway \$65\.70, aws_db_instance \$59\.24, /m);
    const full = project.read("plan-review/default/review.txt");
    expect(full).toMatch(/aws_nat_gateway\.network_nat_gateway_2 +NAT gateway \(730 h\) +\$32\.85/);
    expect(full).toMatch(/aws_db_instance\.database_instance +RDS mysql db\.t3\.small, Multi-AZ \(730 h\) +\$49\.64/);
    expect(full).toContain("Not included (usage-based): NAT gateway data processing");
    const verbose = project.run("node", ["scripts/run.mjs", "scripts/plan.ts", "--verbose"], offline);
    expect(verbose.status).toBe(0);
    expect(verbose.stdout).toContain(full);
  });

  it("--compare lab-start lists the charges that change and the totals, none that stays", () => {
    const compared = project.run("node", ["scripts/run.mjs", "scripts/plan.ts", "--compare", "lab-start"], offline);
    expect([compared.status, compared.stderr]).toEqual([0, ""]);
    const section = compared.stdout.slice(compared.stdout.indexOf("\nEstimated monthly cost"), compared.stdout.indexOf("\nWarnings"));
    const charges = section.split("\n").filter((line) => /^ +[-+]\$/.test(line));
    // The challenges: the second NAT gateway, its address and its two alarms; the database's class and storage (Multi-AZ);
    // AWS Backup: its key, storage, restore tests and the instance they restore, and its two alarms.
    expect(charges).toHaveLength(12);
    expect(charges).toContain("  +$32.85  aws_nat_gateway.network_nat_gateway_2: NAT gateway (730 h)");
    expect(section).not.toContain("+$0.00");
    expect(section).toContain("  Monthly change from lab-start: +$92.82 ($109.10 -> $201.92).");
    const verbose = project.run("node", ["scripts/run.mjs", "scripts/plan.ts", "--compare", "lab-start", "--verbose"], offline);
    expect(verbose.stdout).toMatch(/^ {2}total +12 charges changed +\$109\.10 +\$201\.92 +\+\$92\.82$/m);
    expect(verbose.stdout).not.toContain("+$0.00");
  });

  it("--format markdown --compare lab-start prints only the Markdown review, with the change from lab-start", () => {
    const markdown = project.run("node", ["scripts/run.mjs", "scripts/plan.ts", "--format", "markdown", "--compare", "lab-start"], offline);
    expect(markdown.status).toBe(0);
    expect(markdown.stdout.startsWith("### Plan review of inventory-default")).toBe(true);
    expect(markdown.stdout.length).toBeLessThanOrEqual(65_536);
    expect(markdown.stdout).toMatch(/^\*\*Plan: \d+ to add, 0 to change, 0 to destroy\.\*\*$/m);
    expect(markdown.stdout).toMatch(/· Monthly change from lab-start: \+\$92\.82 \(\$109\.10 -> \$201\.92\)\./);
    expect(markdown.stdout).toContain("<details><summary>Estimated monthly cost: $201.92 fixed</summary>");
    expect(markdown.stdout).toContain("| aws_nat_gateway.network_nat_gateway_2 | NAT gateway (730 h) | $0.00 | $32.85 | +$32.85 |");
    expect(markdown.stdout).not.toContain("+$0.00");
    // Lines in code blocks are wrapped as in the text review.
    const code = [...markdown.stdout.matchAll(/```text\n([\s\S]*?)```/g)].flatMap((match) => match[1].split("\n"));
    expect(code.length).toBeGreaterThan(40);
    expect(Math.max(...code.map((line) => line.length))).toBeLessThanOrEqual(120);
    // The progress lines go to stderr, so the output can be posted as it is.
    expect(markdown.stdout).not.toContain("Terraform: ");
    expect(markdown.stderr).toContain("Terraform: reusing");
    expect(project.read("plan-review/default/review.md")).toBe(markdown.stdout);
  });

  it("refuses a format, a lock choice without --live or a comparison it does not know in one line", () => {
    const format = project.run("node", ["scripts/run.mjs", "scripts/plan.ts", "--format", "html"], offline);
    expect([format.status, format.stderr.trim()]).toEqual([
      1,
      'Invalid settings: --format: "html" is not one of text, markdown; ' +
        "usage: npm run plan [-- --env NAME] [--live [--lock=false]] [--format text|markdown] [--compare ENV] [--json] [--verbose]",
    ]);
    const lock = project.run("node", ["scripts/run.mjs", "scripts/plan.ts", "--lock=false"], offline);
    expect([lock.status, lock.stderr.trim()]).toEqual([
      1,
      "Invalid settings: --lock goes with --live (an offline review never locks); " +
        "usage: npm run plan [-- --env NAME] [--live [--lock=false]] [--format text|markdown] [--compare ENV] [--json] [--verbose]",
    ]);
    const compare = project.run("node", ["scripts/run.mjs", "scripts/plan.ts", "--compare", "prod"], offline);
    expect([compare.status, compare.stderr.trim()]).toEqual([1, 'Invalid settings: --compare: unknown environment "prod"; known: default, lab-start']);
  });

  it("refuses an unknown environment in one line", () => {
    const unknown = project.run("node", ["scripts/run.mjs", "scripts/plan.ts", "--env", "prod"], offline);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr.trim()).toBe('Invalid settings: INVENTORY_ENV: unknown environment "prod"; known: default, lab-start');
  });
});

describe("the HCL output of the default environment", () => {
  it("plans exactly what npm run plan planned from the JSON: same addresses, same planned values, same outputs", async () => {
    const stack = synthesizeEnvironment("default", "hcl");
    try {
      expect(fs.readdirSync(stack.directory).sort()).toEqual(["assets", "cdk.tf", "metadata.json"]);
      const fromHcl = plannedChanges(planned(await planStack(stack.directory)).text);
      const fromJson = plannedChanges(project.read(path.join("plan-review", "default", "plan.txt")));
      const addresses = (text: string) => [...text.matchAll(/^ {2}# (\S+) will be (created|read during apply)$/gm)].map((match) => match[1]);
      expect(addresses(fromJson).length).toBe(resourceCount);
      expect(addresses(fromHcl)).toEqual(addresses(fromJson));
      expect(fromHcl).toBe(fromJson);
    } finally {
      fs.rmSync(stack.outdir, { recursive: true, force: true });
    }
  });
});
