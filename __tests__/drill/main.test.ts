import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/**
 * `npm run drill` as a real process: the wiring in main.ts (arguments, exit
 * code, Ctrl-C) that the other suites bypass by calling the command directly.
 */
const projectRoot = path.resolve(__dirname, "..", "..");

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function startDrill(args: string[], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; finished: Promise<Finished> } {
  const child = spawn(process.execPath, ["scripts/run.mjs", "scripts/drill/main.ts", ...args], { cwd: projectRoot, env });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const finished = new Promise<Finished>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  return { child, finished };
}

test("--help prints the usage and exits 0", async () => {
  const { code, stdout } = await startDrill(["--help"]).finished;
  expect(code).toBe(0);
  expect(stdout).toMatch(/^Usage: npm run drill -- <instance\|database\|zone> --env NAME \[--yes\]/);
});

test("an unknown flag is one line on stderr and exit 2", async () => {
  const { code, stdout, stderr } = await startDrill(["instance", "--env", "dev", "--bogus"]).finished;
  expect(code).toBe(2);
  expect(stdout).toBe("");
  expect(stderr).toBe("drill: unknown option --bogus (see --help)\n");
});

describe("Ctrl-C", () => {
  let folder: string;
  let awsEndpoint: http.Server;
  let requestArrived: Promise<string>;
  beforeEach(async () => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), "drill-main-"));
    fs.writeFileSync(
      path.join(folder, "outputs.json"),
      JSON.stringify({
        "inventory-dev": {
          app_url: "http://Inventory-LB-123.us-west-2.elb.amazonaws.com",
          autoscaling_group_name: "Inventory-ASG",
          target_group_arn: "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/Inventory-App/0123456789abcdef",
          db_instance_identifier: "inventory-db",
          region: "us-west-2",
        },
      }),
    );
    // Stands in for the AWS API and never answers, so the drill is waiting on AWS when Ctrl-C comes.
    let arrived: (body: string) => void = () => undefined;
    requestArrived = new Promise((resolve) => (arrived = resolve));
    awsEndpoint = http.createServer((request) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => arrived(body));
    });
    await new Promise<void>((resolve) => awsEndpoint.listen(0, "127.0.0.1", resolve));
  });
  afterEach(async () => {
    awsEndpoint.closeAllConnections();
    await new Promise((resolve) => awsEndpoint.close(resolve));
    fs.rmSync(folder, { recursive: true, force: true });
  });

  test("SIGINT while waiting on AWS stops the drill cleanly with exit 130", async () => {
    const { port } = awsEndpoint.address() as AddressInfo;
    const { child, finished } = startDrill(["instance", "--env", "dev", "--yes", "--outputs-file", path.join(folder, "outputs.json")], {
      PATH: process.env.PATH,
      // Dummy credentials for the local endpoint; the SDK reads no profile, no instance metadata.
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: "AKIDLOCALTEST",
      AWS_SECRET_ACCESS_KEY: "local-test",
      AWS_CONFIG_FILE: path.join(folder, "no-config"),
      AWS_SHARED_CREDENTIALS_FILE: path.join(folder, "no-credentials"),
      AWS_EC2_METADATA_DISABLED: "true",
    });
    expect(await requestArrived).toContain("Action=DescribeAutoScalingGroups");
    child.kill("SIGINT");
    const { code, stdout, stderr } = await finished;
    expect(code).toBe(130);
    expect(stdout).toBe("Instance drill: inventory-dev in us-west-2\n");
    expect(stderr.trimEnd().split("\n").pop()).toBe("drill: interrupted before the drill changed anything");
    expect(stderr).not.toContain("Unhandled");
  });
});
