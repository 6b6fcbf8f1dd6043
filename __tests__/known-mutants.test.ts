import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "./support/stacks";

// Wrong changes that once passed the whole suite, each made in a copy of the
// project: the suites that should notice run against the copy, and must fail,
// by the names of the tests that notice. The copies run side by side, one Jest
// process each, with what those suites read and nothing else.

interface Mutant {
  /** What the change breaks, as the test names it. */
  readonly name: string;
  /** The file changed, from the project's root. */
  readonly file: string;
  /** Text that occurs exactly once in the file, and what it becomes. */
  readonly from: string;
  readonly to: string;
  /** The suites that should notice, from the project's root. */
  readonly suites: readonly string[];
  /** Full names of tests that must fail. */
  readonly failing: readonly string[];
}

const MUTANTS: readonly Mutant[] = [
  {
    name: "CKV2_AWS_6 no longer reads restrict_public_buckets",
    file: "src/policy/controls/storage.ts",
    from: `["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]`,
    to: `["block_public_acls", "block_public_policy", "ignore_public_acls"]`,
    suites: ["__tests__/policy/controls-catch-violations.test.ts"],
    failing: [
      "every inventory control notices when its protection is broken CKV2_AWS_6 fails with public buckets not restricted",
      "the state controls, on a stand-in for the bootstrap stack CKV2_AWS_6 fails with public buckets not restricted",
    ],
  },
  {
    name: "the private subnets' Tier tag renamed",
    file: "src/constructs/network/network.ts",
    from: `tags: { Name: names.privateSubnet(index), Tier: "private" }`,
    to: `tags: { Name: names.privateSubnet(index), Layer: "private" }`,
    suites: ["__tests__/constructs/network.test.ts", "__tests__/stacks/inventory-stack.test.ts"],
    failing: [
      "Network creates Private Subnet 1 10.0.2.0/23 in us-west-2a, tier private, with no automatic public IPs",
      "Network tags two subnets public and two private, and no other subnet",
      "Network with IPv6 (for a dual-stack load balancer) " +
        "asks for an Amazon-provided IPv6 range and gives each public subnet a /64 of it, without automatic addresses",
      "InventoryStack wiring (default environment: the lab's final state) sends each private subnet's default route to the NAT gateway in its own zone",
    ],
  },
  {
    name: "t3.micro priced ten times its list price",
    file: "src/terraform/cost-prices.ts",
    from: `"t3.micro": 0.0104,`,
    to: `"t3.micro": 0.104,`,
    suites: ["__tests__/cost/cost.test.ts"],
    failing: [
      "the repository's environments prices the app servers' hours at t3.micro's list price",
      "the repository's environments " +
        "lab-start: one NAT gateway and address, a Single-AZ db.t3.micro with 20 GiB, two t3.micro, the load balancer and its addresses, the monitoring",
    ],
  },
  {
    name: "lab-start given a database name of its own (the upgrade would replace the database)",
    file: "environments/lab-start.json",
    from: `"multiAz": false,`,
    to: `"multiAz": false,\n    "databaseName": "labinventory",`,
    suites: ["__tests__/stacks/inventory-stack.test.ts"],
    failing: [
      "the lab's upgrade (lab-start moved to the final settings) keeps its database " +
        "sets the same value before and after for every argument that would replace the instance",
      "lab-start differs from the final state exactly where the lab's challenges change things " +
        "in NAT gateways (and their alarms), private route tables, Multi-AZ, the DB group's rule and the DB's size (and its alarms), and nowhere else",
    ],
  },
];

/** What the suites above read: the sources, the app and settings they synthesize, and the test setup. */
const COPIED = [
  "package.json",
  "cdktf.json",
  "tsconfig.json",
  "jest.config.js",
  "jest.emulator-suites.js",
  "src",
  "app",
  "environments",
  "policy",
  "__tests__/support",
];
const TEST_SETUP = ["__tests__/setup.ts", "__tests__/sequencer.js", "__tests__/esm-to-cjs.js"];

/** `text` with `from` replaced by `to`; throws, naming the file, unless `from` occurs exactly once. */
function mutate(text: string, mutant: Mutant): string {
  const occurrences = text.split(mutant.from).length - 1;
  if (occurrences !== 1) throw new Error(`${mutant.file}: "${mutant.from}" occurs ${occurrences} times, not once: the source moved, update this mutant`);
  return text.replace(mutant.from, () => mutant.to);
}

interface JestReport {
  numRuntimeErrorTestSuites: number;
  numPassedTests: number;
  testResults: { assertionResults: { fullName: string; status: string }[] }[];
}

/** Copies what the mutant's suites read, applies the mutant, runs the suites there; the exit status and Jest's report. */
async function runMutant(mutant: Mutant): Promise<{ status: number | null; output: string; report: JestReport }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-mutant-"));
  try {
    for (const entry of [...COPIED, ...TEST_SETUP, ...mutant.suites]) {
      fs.cpSync(path.join(PROJECT_ROOT, entry), path.join(root, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(root, "node_modules"), "dir");
    const file = path.join(root, mutant.file);
    fs.writeFileSync(file, mutate(fs.readFileSync(file, "utf8"), mutant));
    // The project's Jest settings, without the global setup: it bundles the commands, which these suites do not run.
    fs.writeFileSync(path.join(root, "jest.mutant.config.js"), 'module.exports = { ...require("./jest.config"), globalSetup: undefined };\n');
    const reportFile = path.join(root, "report.json");
    const jest = path.join(root, "node_modules", "jest", "bin", "jest.js");
    const args = [
      jest,
      "--config",
      "jest.mutant.config.js",
      "--ci",
      "--maxWorkers=1",
      "--json",
      "--outputFile",
      reportFile,
      "--runTestsByPath",
      ...mutant.suites,
    ];
    const { status, output } = await new Promise<{ status: number | null; output: string }>((resolve) =>
      execFile(process.execPath, args, { cwd: root, encoding: "utf8", timeout: 600_000, maxBuffer: 64 * 2 ** 20 }, (error, stdout, stderr) =>
        resolve({ status: error ? (typeof error.code === "number" ? error.code : null) : 0, output: `${stdout}${stderr}` }),
      ),
    );
    if (!fs.existsSync(reportFile)) throw new Error(`Jest wrote no report for "${mutant.name}":\n${output}`);
    return { status, output, report: JSON.parse(fs.readFileSync(reportFile, "utf8")) };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

describe("wrong changes, each made in a copy of the project, fail the tests that guard against them", () => {
  // Started together: each run is a Jest process of its own, and most of their time is loading cdktf and synthesizing.
  const runs = new Map<string, ReturnType<typeof runMutant>>();
  beforeAll(() => {
    for (const mutant of MUTANTS) {
      const run = runMutant(mutant);
      run.catch(() => undefined); // Reported by the mutant's own test.
      runs.set(mutant.name, run);
    }
  });

  it.each(MUTANTS.map((mutant) => [mutant.name, mutant] as const))(
    "%s",
    async (_name, mutant) => {
      const { status, output, report } = await runs.get(mutant.name)!;
      const failed = report.testResults.flatMap((suite) => suite.assertionResults.filter((test) => test.status === "failed").map((test) => test.fullName));
      // The suites ran (none failed to load, more of their tests passed than failed), and the ones named failed;
      // Jest's own output is shown when not.
      const missed = mutant.failing.filter((name) => !failed.includes(name));
      const outcome = { status, loadFailures: report.numRuntimeErrorTestSuites, mostPassed: report.numPassedTests > failed.length, missed };
      const expected = { status: 1, loadFailures: 0, mostPassed: true, missed: [] };
      expect({ ...outcome, output: JSON.stringify(outcome) === JSON.stringify(expected) ? "" : output }).toStrictEqual({ ...expected, output: "" });
    },
    600_000,
  );

  it("refuses a mutant whose text is not in the file exactly once", () => {
    const [mutant] = MUTANTS;
    expect(() => mutate("nothing to change", mutant)).toThrow(
      `${mutant.file}: "${mutant.from}" occurs 0 times, not once: the source moved, update this mutant`,
    );
    expect(() => mutate(`${mutant.from}${mutant.from}`, mutant)).toThrow(/occurs 2 times, not once/);
  });
});
