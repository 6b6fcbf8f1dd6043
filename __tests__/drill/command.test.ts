import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { USAGE } from "../../src/drill/arguments";
import { type DrillCommandContext, runDrillCommand } from "../../src/drill/command";
import { MemoryStream } from "./support/memory-stream";

/** Runs the command with nothing real behind it: creating AWS clients or a prober, or running terraform, fails the test. */
async function run(argv: string[], context: Partial<DrillCommandContext> = {}) {
  const stdout = new MemoryStream();
  const stderr = new MemoryStream();
  const createClients = jest.fn(() => {
    throw new Error("no AWS client should be created");
  });
  const code = await runDrillCommand(argv, {
    stdout,
    stderr,
    signal: new AbortController().signal,
    cwd: root,
    projectRoot: root,
    createClients,
    runCommand: () => Promise.reject(new Error("terraform should not run")),
    ...context,
  });
  return { code, stdout: stdout.text, stderr: stderr.text, createClients };
}

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "drill-command-"));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

test("--help prints the usage and exits 0", async () => {
  const result = await run(["--help"]);
  expect(result).toMatchObject({ code: 0, stdout: USAGE, stderr: "" });
});

test.each([
  [["instance", "--env", "dev", "--force"], "drill: unknown option --force (see --help)\n"],
  [[], "drill: missing action: instance, database or zone (see --help)\n"],
  [["failover", "--env", "dev"], 'drill: unknown action "failover": expected instance, database or zone (see --help)\n'],
])("%j is a one-line error with exit 2, before anything is read or called", async (argv, message) => {
  const result = await run(argv);
  expect(result.code).toBe(2);
  expect(result.stderr).toBe(message);
  expect(result.stdout).toBe("");
  expect(result.createClients).not.toHaveBeenCalled();
});

test("without cdktf.out or an outputs file it says to deploy first, exit 1", async () => {
  const result = await run(["instance", "--env", "dev"]);
  expect(result.code).toBe(1);
  expect(result.stderr).toBe(
    `drill: no ${path.join("cdktf.out", "stacks", "inventory-dev")}: run cdktf deploy inventory-dev first (or pass --outputs-file FILE)\n`,
  );
  expect(result.createClients).not.toHaveBeenCalled();
});

test("an output the action needs is named before any AWS client exists; relative --outputs-file starts from cwd", async () => {
  fs.mkdirSync(path.join(root, "deploy"));
  fs.writeFileSync(
    path.join(root, "deploy", "outputs.json"),
    JSON.stringify({
      "inventory-dev": { app_url: "http://Inventory-LB-123.us-west-2.elb.amazonaws.com", region: "us-west-2", autoscaling_group_name: "Inventory-ASG" },
    }),
  );
  const result = await run(["database", "--env", "dev", "--outputs-file", "outputs.json"], { cwd: path.join(root, "deploy") });
  expect(result.code).toBe(1);
  expect(result.stderr).toBe(
    `drill: outputs file ${path.join(root, "deploy", "outputs.json")} has no output "db_instance_identifier" for inventory-dev; ` +
      `deploy a version of the stack that has it (cdktf deploy inventory-dev)\n`,
  );
  expect(result.createClients).not.toHaveBeenCalled();
});
