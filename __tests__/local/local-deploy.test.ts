import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { DescribeDBInstancesCommand, RDSClient } from "@aws-sdk/client-rds";
import { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { EmulatorEndpoint } from "../../src/emulator/aws-emulator";
import type { LocalSessionRecord } from "../../src/emulator/local-session";
import { type CommandResult, failureOf, npmRun, processesOf } from "./local-commands";

// `npm run local` and `npm run local:down` as a user runs them, in a fresh
// session folder and with no AWS credentials: moto started in the background,
// the state bootstrapped, the default environment deployed with the real
// cdktf deploy, its outputs printed and true of what the emulator holds, the
// app answering on loopback with the deployed settings; then everything
// stopped, with no process left.

const STEP_TIMEOUT_MS = 15 * 60_000;

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { timeout: 20_000 }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      })
      .on("error", reject);
  });
}

/** The printed outputs: the `name  value` lines under "Outputs of <stack>". */
function printedOutputs(stdout: string, stackName: string): Record<string, string> {
  const section = stdout.split(`Outputs of ${stackName} `)[1]?.split("\n\n")[0] ?? "";
  return Object.fromEntries(
    section
      .split("\n")
      .slice(1)
      .map((line) => /^ {2}(\S+) +(.*)$/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => [match[1], match[2]]),
  );
}

/**
 * The end of each log a failed `npm run local` leaves in its session (the deploys' output and the emulator's requests),
 * shown with the failure: the session folder goes with the suite's scratch folder once the suite ends.
 */
function sessionLogs(session: string, lines = 40): string {
  return ["deploy-state.log", "deploy.log", path.join("emulator", "moto.log")]
    .map((name) => path.join(session, name))
    .filter((file) => fs.existsSync(file))
    .map(
      (file) =>
        `--- the last ${lines} lines of ${path.relative(session, file)}\n${fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n")}`,
    )
    .join("\n");
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "local-deploy-"));
const session = path.join(scratch, "session");
afterAll(async () => {
  // Whatever a failed step left running is stopped by the command under test's own teardown.
  if (fs.existsSync(session)) await npmRun("local:down", session);
  fs.rmSync(scratch, { recursive: true, force: true });
}, STEP_TIMEOUT_MS);

const USAGE = "usage: npm run local [-- --env NAME | --walk | --step NAME] [--no-app]   |   npm run local:down";

describe("npm run local refuses bad input before starting anything", () => {
  it("lists each problem of the arguments on a line of its own, exits 1, and leaves no session folder", async () => {
    const result = await npmRun("local", session, ["--colour", "--env"]);
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr.trim().split("\n") }).toEqual({
      status: 1,
      stdout: "",
      stderr: [`unknown argument "--colour"; ${USAGE}`, `--env needs an environment name (a file in environments/, without .json); ${USAGE}`],
    });
    expect(fs.existsSync(session)).toBe(false);
  });

  it("names the known environments for an unknown --env", async () => {
    const result = await npmRun("local", session, ["--env", "staging"]);
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
      status: 1,
      stdout: "",
      stderr: "--env staging: there is no environments/staging.json; known environments: default, lab-start\n",
    });
    expect(fs.existsSync(session)).toBe(false);
  });
});

describe("npm run local, then npm run local:down", () => {
  let up: CommandResult;
  let record: LocalSessionRecord;

  it(
    "deploys the state bootstrap and the default environment with cdktf deploy, and prints the outputs and the app's URL",
    async () => {
      up = await npmRun("local", session);
      const failure = failureOf(up, session);
      expect({ failure, logs: failure ? sessionLogs(session) : "" }).toEqual({ failure: "", logs: "" });
      // Read first, so that a figure below that no longer holds does not leave the other steps without the session.
      record = JSON.parse(fs.readFileSync(path.join(session, "session.json"), "utf8")) as LocalSessionRecord;
      expect(up.stdout).toMatch(/^ {2}inventory-state +Apply complete! Resources: 10 added, 0 changed, 0 destroyed\.$/m);
      // The default environment's 131 resources, but what the emulator's copy leaves out: the app user's secret rotation, the
      // database's backup selection and its restore testing plan and selection, and the zone rehearsal's 4 FIS templates
      // (src/emulator/emulator-gaps.ts).
      expect(up.stdout).toMatch(/^ {2}inventory-default +Apply complete! Resources: 123 added, 0 changed, 0 destroyed\.$/m);
      expect(up.stdout).toContain("What the emulator does not run:");
      expect(record.environment).toBe("default");
    },
    STEP_TIMEOUT_MS,
  );

  it("prints outputs that are true of what the emulator holds", async () => {
    const outputs = printedOutputs(up.stdout, "inventory-default");
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(["vpc_id", "db_instance_identifier", "app_url", "load_balancer_dns_name"]));
    const emulator = new EmulatorEndpoint(record.emulator.port, record.emulator.caFile, scratch);
    const { Vpcs } = await new EC2Client(emulator.clientConfig()).send(new DescribeVpcsCommand({ VpcIds: [outputs.vpc_id] }));
    expect(Vpcs!.map((vpc) => vpc.CidrBlock)).toEqual(["10.0.0.0/20"]);
    const { DBInstances } = await new RDSClient(emulator.clientConfig()).send(
      new DescribeDBInstancesCommand({ DBInstanceIdentifier: outputs.db_instance_identifier }),
    );
    expect(DBInstances!.map((instance) => [instance.MultiAZ, instance.DBInstanceClass])).toEqual([[true, "db.t3.small"]]);
    expect(outputs.app_url).toBe(`http://${outputs.load_balancer_dns_name}`);
  });

  it("serves the app on loopback: its pages, from the database, with the deployed settings", async () => {
    const url = /^The app \(what the load balancer would serve\): (http:\/\/127\.0\.0\.1:\d+)\/$/m.exec(up.stdout)?.[1];
    expect(url).toBe(record.app?.url);
    expect(await get(`${url!}/health`)).toMatchObject({ status: 200 });
    const page = await get(`${url!}/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<p id="no-items">No items yet.</p>');
    // The app reached its database with the password it read from the secret in the emulator.
    expect(JSON.parse((await get(`${url!}/health/deep`)).body)).toEqual({ status: "ok", database: { status: "ok" } });
    const settings = fs.readFileSync(path.join(session, "app", "app.ini"), "utf8");
    const outputs = printedOutputs(up.stdout, "inventory-default");
    expect(settings).toContain(`db_secret_arn = "${outputs.db_app_secret_arn}"`);
    expect(settings).toContain('vpc_cidr = "10.0.0.0/20"');
  });

  it(
    "npm run local:down stops every process it started and removes the session folder",
    async () => {
      const started = [record.emulator.process, ...(record.app?.processes ?? [])];
      expect(started.map((process) => process.name)).toEqual(["moto_server", "php -S (the app)", "mariadbd (the app's database)"]);
      expect(processesOf(session).length).toBeGreaterThanOrEqual(started.length);
      const down = await npmRun("local:down", session);
      expect({ status: down.status, stderr: down.stderr }).toEqual({ status: 0, stderr: "" });
      expect(down.stdout).toMatch(
        /^Stopped php -S \(the app\) \(process \d+\), mariadbd \(the app's database\) \(process \d+\), moto_server \(process \d+\);/m,
      );
      expect(processesOf(session)).toStrictEqual([]);
      expect(fs.existsSync(session)).toBe(false);
    },
    STEP_TIMEOUT_MS,
  );
});
