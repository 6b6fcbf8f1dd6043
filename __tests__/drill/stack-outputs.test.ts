import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type CommandRunner, StackOutputsError, readStackOutputs } from "../../src/drill/stack-outputs";

const DEPLOYED = {
  app_url: "http://Inventory-LB-123.us-west-2.elb.amazonaws.com",
  autoscaling_group_name: "Inventory-ASG",
  target_group_arn: "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/Inventory-App/0123456789abcdef",
  db_instance_identifier: "inventory-db",
  region: "us-west-2",
};

/** `terraform output -json` wraps every value with its type. */
function terraformJson(values: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { sensitive: false, type: "string", value }])));
}

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "stack-outputs-"));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function stackFolder(stack = "inventory-dev"): string {
  const folder = path.join(root, "cdktf.out", "stacks", stack);
  fs.mkdirSync(folder, { recursive: true });
  return folder;
}

async function failure(promise: Promise<unknown>): Promise<StackOutputsError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(StackOutputsError);
  const message = (error as Error).message;
  expect(message).not.toContain("\n");
  return error as StackOutputsError;
}

describe("from an outputs file (cdktf deploy --outputs-file)", () => {
  function writeOutputs(content: unknown): string {
    const file = path.join(root, "outputs.json");
    fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
    return file;
  }

  test("reads the stack's outputs by name", async () => {
    const file = writeOutputs({ "inventory-prod": { region: "eu-west-1" }, "inventory-dev": DEPLOYED });
    const outputs = await readStackOutputs({ environment: "dev", outputsFile: file, projectRoot: root });
    expect(outputs.stack).toBe("inventory-dev");
    expect(outputs.get("app_url")).toBe(DEPLOYED.app_url);
    expect(outputs.get("autoscaling_group_name")).toBe("Inventory-ASG");
    expect(outputs.get("target_group_arn")).toBe(DEPLOYED.target_group_arn);
    expect(outputs.get("db_instance_identifier")).toBe("inventory-db");
    expect(outputs.get("region")).toBe("us-west-2");
  });

  test("reads the list of alarm names when the stack has it, and nothing when it was deployed without", async () => {
    const names = ["Inventory-App healthy hosts below desired", "Inventory-DB CPU"];
    const withAlarms = await readStackOutputs({
      environment: "dev",
      outputsFile: writeOutputs({ "inventory-dev": { ...DEPLOYED, alarm_names: names } }),
      projectRoot: root,
    });
    expect(withAlarms.optionalList("alarm_names")).toEqual(names);
    const without = await readStackOutputs({ environment: "dev", outputsFile: writeOutputs({ "inventory-dev": DEPLOYED }), projectRoot: root });
    expect(without.optionalList("alarm_names")).toBeUndefined();
  });

  test("a list of alarm names that is not a list of names is refused in one line", async () => {
    const outputs = await readStackOutputs({
      environment: "dev",
      outputsFile: writeOutputs({ "inventory-dev": { ...DEPLOYED, alarm_names: "Inventory-DB CPU" } }),
      projectRoot: root,
    });
    const error = await failure(Promise.resolve().then(() => outputs.optionalList("alarm_names")));
    expect(error.message).toMatch(/^output "alarm_names" of inventory-dev in outputs file .* should be a list of names, got "Inventory-DB CPU"$/);
  });

  test("a missing file says how to write it", async () => {
    const file = path.join(root, "nowhere.json");
    const error = await failure(readStackOutputs({ environment: "dev", outputsFile: file, projectRoot: root }));
    expect(error.message).toBe(`outputs file ${file} does not exist; write it with cdktf deploy inventory-dev --outputs-file ${file}`);
  });

  test("a file without the environment's stack names the stacks it has", async () => {
    const file = writeOutputs({ "inventory-prod": DEPLOYED });
    const error = await failure(readStackOutputs({ environment: "dev", outputsFile: file, projectRoot: root }));
    expect(error.message).toBe(
      `outputs file ${file} has no outputs for inventory-dev (it has inventory-prod); run cdktf deploy inventory-dev --outputs-file ${file} first`,
    );
  });

  test("a file that is not JSON is reported as such", async () => {
    const file = writeOutputs("{ not json");
    const error = await failure(readStackOutputs({ environment: "dev", outputsFile: file, projectRoot: root }));
    expect(error.message).toMatch(new RegExp(`^outputs file ${file} is not valid JSON \\(`));
  });

  test("an absent output is named when a drill asks for it", async () => {
    const { target_group_arn: _absent, ...rest } = DEPLOYED;
    const file = writeOutputs({ "inventory-dev": rest });
    const outputs = await readStackOutputs({ environment: "dev", outputsFile: file, projectRoot: root });
    expect(outputs.get("region")).toBe("us-west-2");
    const error = await failure(Promise.resolve().then(() => outputs.get("target_group_arn")));
    expect(error.message).toBe(
      `outputs file ${file} has no output "target_group_arn" for inventory-dev; deploy a version of the stack that has it (cdktf deploy inventory-dev)`,
    );
  });

  test("values that cannot be right are refused", async () => {
    const file = writeOutputs({ "inventory-dev": { ...DEPLOYED, app_url: "Inventory-LB-123.elb.amazonaws.com", region: "Oregon", autoscaling_group_name: 3 } });
    const outputs = await readStackOutputs({ environment: "dev", outputsFile: file, projectRoot: root });
    expect(() => outputs.get("app_url")).toThrow(
      `output "app_url" of inventory-dev in outputs file ${file} should be an http(s) URL, got "Inventory-LB-123.elb.amazonaws.com"`,
    );
    expect(() => outputs.get("region")).toThrow(`should be an AWS region like us-west-2, got "Oregon"`);
    expect(() => outputs.get("autoscaling_group_name")).toThrow(`should be a non-empty string, got 3`);
  });
});

describe("from terraform output -json in cdktf.out/stacks/inventory-NAME", () => {
  test("runs terraform output -json in the stack's folder and unwraps the values", async () => {
    const folder = stackFolder();
    const calls: { command: string; args: readonly string[]; cwd: string }[] = [];
    const runCommand: CommandRunner = (command, args, options) => {
      calls.push({ command, args, cwd: options.cwd });
      return Promise.resolve({ exitCode: 0, stdout: terraformJson(DEPLOYED), stderr: "" });
    };
    const outputs = await readStackOutputs({ environment: "dev", projectRoot: root, runCommand });
    expect(calls).toEqual([{ command: "terraform", args: ["output", "-json", "-no-color"], cwd: folder }]);
    expect(outputs.get("db_instance_identifier")).toBe("inventory-db");
    expect(outputs.get("app_url")).toBe(DEPLOYED.app_url);
  });

  test("finds terraform on PATH (a fake one here) and reads what it prints", async () => {
    const folder = stackFolder();
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-terraform-"));
    try {
      // The fake records where and how it ran, then prints what a deployed stack would.
      fs.writeFileSync(path.join(bin, "outputs.json"), terraformJson(DEPLOYED));
      fs.writeFileSync(path.join(bin, "terraform"), `#!/bin/sh\necho "$PWD $*" > "${bin}/called"\ncat "${bin}/outputs.json"\n`, { mode: 0o755 });
      const outputs = await readStackOutputs({
        environment: "dev",
        projectRoot: root,
        env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` },
      });
      expect(outputs.get("autoscaling_group_name")).toBe("Inventory-ASG");
      expect(fs.readFileSync(path.join(bin, "called"), "utf8").trim()).toBe(`${fs.realpathSync(folder)} output -json -no-color`);
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  test("without cdktf.out for the stack it says to deploy first", async () => {
    const runCommand = jest.fn<ReturnType<CommandRunner>, Parameters<CommandRunner>>();
    const error = await failure(readStackOutputs({ environment: "dev", projectRoot: root, runCommand }));
    expect(error.message).toBe(`no ${path.join("cdktf.out", "stacks", "inventory-dev")}: run cdktf deploy inventory-dev first (or pass --outputs-file FILE)`);
    expect(runCommand).not.toHaveBeenCalled();
  });

  test("a stack with no outputs in its state says to deploy first", async () => {
    stackFolder();
    const runCommand: CommandRunner = () => Promise.resolve({ exitCode: 0, stdout: "{}\n", stderr: "" });
    const error = await failure(readStackOutputs({ environment: "dev", projectRoot: root, runCommand }));
    expect(error.message).toBe(
      `inventory-dev has no outputs (terraform output -json in ${path.join("cdktf.out", "stacks", "inventory-dev")} ` +
        `printed none); run cdktf deploy inventory-dev first`,
    );
  });

  test("a failing terraform is reported with its own error, without colour codes or CLI configuration warnings", async () => {
    stackFolder();
    // What terraform 1.11 printed to stderr for `terraform output -json` in a stack folder never initialised, colour codes and all.
    const stderr = fs.readFileSync(path.join(__dirname, "support", "terraform-output-uninitialised.stderr"), "utf8");
    expect(stderr).toContain(`${String.fromCharCode(27)}[31m`);
    const runCommand: CommandRunner = () => Promise.resolve({ exitCode: 1, stdout: "", stderr });
    const error = await readStackOutputs({ environment: "dev", projectRoot: root, runCommand }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StackOutputsError);
    const lines = (error as Error).message.split("\n");
    expect(lines.slice(0, 4)).toEqual([
      `terraform output -json in ${path.join("cdktf.out", "stacks", "inventory-dev")} failed; run cdktf deploy inventory-dev first if it never ran, ` +
        "else see what Terraform says:",
      '  Error: Backend initialization required, please run "terraform init"',
      '  Reason: Initial configuration of the requested backend "s3"',
      '  The "backend" is the interface that Terraform uses to store state,',
    ]);
    expect(lines).toHaveLength(16);
    expect(lines[15]).toBe("  configuration or state have been made.");
    expect((error as Error).message).not.toContain(String.fromCharCode(27));
    expect((error as Error).message).not.toMatch(/CLI configuration|[│╷╵]/);
  });

  test("terraform missing from PATH suggests --outputs-file", async () => {
    stackFolder();
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "empty-path-"));
    try {
      const error = await failure(readStackOutputs({ environment: "dev", projectRoot: root, env: { PATH: empty } }));
      expect(error.message).toBe("terraform is not on PATH; install it, or pass --outputs-file FILE written by cdktf deploy inventory-dev --outputs-file FILE");
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
