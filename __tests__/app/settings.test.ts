import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeAppSettings, type AppSettings } from "../support/app-settings";
import { startPhpServer, type PhpServer } from "../../src/system/php-server";
import { requireCommands } from "../support/require-commands";
import { APP_DIRECTORY, runPhp } from "../support/run-php";

// The settings file: what the app accepts, what it refuses, and how a server
// without usable settings behaves (the ALB's check fails, so no one is sent
// to it; every page says the inventory is unavailable; the log says why).

const COMPLETE: AppSettings = {
  db_host: "inventory-db.c9akciq32xyz.eu-west-1.rds.amazonaws.com",
  db_port: "3306",
  db_name: "inventory",
  db_secret_arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1a2b-Ab12Cd",
  aws_region: "eu-west-1",
  cache_dir: "/run/inventory",
  instance_id: "i-0123456789abcdef0",
  availability_zone: "eu-west-1a",
};

let php: string;
let scratch: string;
beforeAll(() => {
  ({ php } = requireCommands(["php"]));
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-settings-"));
});
afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

const load = (settings: Partial<AppSettings> | string) => {
  const file = path.join(scratch, "app.ini");
  if (typeof settings === "string") fs.writeFileSync(file, settings);
  else writeAppSettings(file, settings as AppSettings);
  return runPhp(php, "echo json_encode(get_object_vars(Inventory\\Settings::load()));", { INVENTORY_APP_SETTINGS: file }).then(JSON.parse);
};

describe("Settings", () => {
  it("reads every key, with the optional ones absent", async () => {
    const { instance_id: _instance, availability_zone: _zone, ...required } = COMPLETE;
    expect(await load(required)).toEqual({
      dbHost: COMPLETE.db_host,
      dbPort: 3306,
      dbName: "inventory",
      dbSecretArn: COMPLETE.db_secret_arn,
      awsRegion: "eu-west-1",
      dbTlsCa: null,
      secretsEndpoint: null,
      cacheDir: "/run/inventory",
      instanceId: "unknown",
      availabilityZone: "unknown",
      formTokenHours: 8,
      instanceHeaders: false,
      vpcCidr: null,
    });
  });

  it.each([
    ["a missing key", { ...COMPLETE, db_host: "" }, "has no db_host"],
    ["a port that is no port", { ...COMPLETE, db_port: "33o6" }, "has an invalid db_port"],
    ["a token lifetime of 0 hours", { ...COMPLETE, form_token_hours: "0" }, "has an invalid form_token_hours (1 to 168)"],
    ["a token lifetime of a week and an hour", { ...COMPLETE, form_token_hours: "169" }, "has an invalid form_token_hours (1 to 168)"],
    ["instance headers other than true or false", { ...COMPLETE, instance_headers: "yes" }, "has an invalid instance_headers (true or false)"],
    ["a VPC CIDR that is not one", { ...COMPLETE, vpc_cidr: "10.0.0.0/33" }, "has an invalid vpc_cidr"],
  ])("refuses %s", async (_, settings, message) => {
    await expect(load(settings)).rejects.toThrow(message);
  });

  it("reads the session and health settings the boot script writes", async () => {
    expect(await load({ ...COMPLETE, form_token_hours: "12", instance_headers: "true", vpc_cidr: "10.0.0.0/16" })).toMatchObject({
      formTokenHours: 12,
      instanceHeaders: true,
      vpcCidr: "10.0.0.0/16",
    });
  });

  it("refuses a file that is not there", async () => {
    await expect(runPhp(php, "Inventory\\Settings::load();", { INVENTORY_APP_SETTINGS: path.join(scratch, "missing.ini") })).rejects.toThrow(
      `cannot read the settings file ${path.join(scratch, "missing.ini")}`,
    );
  });
});

describe("a server without usable settings", () => {
  let server: PhpServer | undefined;
  beforeAll(async () => {
    server = await startPhpServer({ php, appDirectory: APP_DIRECTORY, env: { INVENTORY_APP_SETTINGS: path.join(scratch, "missing.ini") } });
  });
  afterAll(async () => {
    await server?.process.stop();
  });

  it("fails the ALB's health check, answers 503 elsewhere, and logs why", async () => {
    expect((await fetch(`${server!.url}/health`)).status).toBe(503);
    expect((await fetch(`${server!.url}/health/deep`)).status).toBe(503);
    const page = await fetch(`${server!.url}/`);
    expect(page.status).toBe(503);
    expect(await page.text()).toContain("The inventory is unavailable right now.");
    expect(server!.process.output).toContain("inventory: cannot read the settings file");
  });
});
