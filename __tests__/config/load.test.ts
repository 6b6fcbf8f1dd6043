import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadEnvironments, SettingsError } from "../../src/config/load";
import { PROJECT_ROOT } from "../support/stacks";

let directory: string;

beforeEach(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-environments-"));
});

afterEach(() => {
  fs.rmSync(directory, { recursive: true, force: true });
});

function write(name: string, content: unknown): void {
  fs.writeFileSync(path.join(directory, name), typeof content === "string" ? content : JSON.stringify(content));
}

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return (error as Error).message;
  }
  throw new Error("loading succeeded");
}

describe("the repository's environments", () => {
  it("are the lab's final state (default) and its starting point (lab-start)", () => {
    const environments = loadEnvironments({ directory: path.join(PROJECT_ROOT, "environments"), variables: {} });
    expect(environments.map((environment) => environment.environment)).toEqual(["default", "lab-start"]);
    const [final, start] = environments;
    expect(final.network.natStrategy).toBe("per-az");
    expect(start.network.natStrategy).toBe("single");
    expect(start.database).toMatchObject({ multiAz: false, ingressFrom: "vpc-cidr", instanceClass: "db.t3.micro", allocatedStorageGiB: 20 });
  });
});

describe("loadEnvironments", () => {
  it("reads every <name>.json, in name order, and ignores other files", () => {
    write("staging.json", { namePrefix: "staging-", state: { bucket: "bucket-one" } });
    write("alpha.json", { namePrefix: "alpha-", state: { bucket: "bucket-one" } });
    write("notes.txt", "not an environment");
    const environments = loadEnvironments({ directory, variables: {} });
    expect(environments.map((environment) => environment.environment)).toEqual(["alpha", "staging"]);
  });

  it("narrows to the environment INVENTORY_ENV names", () => {
    write("one.json", { namePrefix: "one-", state: { bucket: "bucket-one" } });
    write("two.json", { namePrefix: "two-", state: { bucket: "bucket-one" } });
    const environments = loadEnvironments({ directory, variables: { INVENTORY_ENV: "two" } });
    expect(environments.map((environment) => environment.environment)).toEqual(["two"]);
  });

  it("refuses an unknown INVENTORY_ENV and lists the known ones", () => {
    write("one.json", { state: { bucket: "bucket-one" } });
    expect(failure(() => loadEnvironments({ directory, variables: { INVENTORY_ENV: "prod" } }))).toBe('INVENTORY_ENV: unknown environment "prod"; known: one');
  });

  it("validates every environment even when one is selected", () => {
    write("good.json", { state: { bucket: "bucket-one" } });
    write("bad.json", { namePrefix: "bad-", appTier: { minSize: 3 }, state: { bucket: "bucket-one" } });
    expect(failure(() => loadEnvironments({ directory, variables: { INVENTORY_ENV: "good" } }))).toMatch(
      /\/bad\.json: appTier\.minSize: 3 is above maxSize 2$/,
    );
  });

  it("takes the state bucket, region and lock table from environment variables", () => {
    write("one.json", {});
    const [environment] = loadEnvironments({
      directory,
      variables: { INVENTORY_STATE_BUCKET: "ci-state", INVENTORY_STATE_REGION: "eu-west-1", INVENTORY_STATE_LOCK_TABLE: "ci-locks" },
    });
    expect(environment.state).toMatchObject({ bucket: "ci-state", region: "eu-west-1", lockTable: "ci-locks" });
  });

  it("defaults the state region to the environment's region", () => {
    write("one.json", { region: "eu-central-1", availabilityZones: ["eu-central-1a", "eu-central-1b"], state: { bucket: "bucket-one" } });
    expect(loadEnvironments({ directory, variables: {} })[0].state.region).toBe("eu-central-1");
  });

  it("names the file and the reason for JSON it cannot read", () => {
    write("broken.json", '{ "region": "us-west-2", }');
    expect(failure(() => loadEnvironments({ directory, variables: {} }))).toMatch(
      /\/broken\.json: not valid JSON at line 1, column 26: Expected double-quoted property name$/,
    );
  });

  it("refuses a file that is not an object", () => {
    write("list.json", []);
    expect(failure(() => loadEnvironments({ directory, variables: {} }))).toMatch(/list\.json: must hold a JSON object of settings$/);
  });

  it("refuses environment names that cannot be stack names", () => {
    write("Prod_1.json", { state: { bucket: "bucket-one" } });
    expect(failure(() => loadEnvironments({ directory, variables: {} }))).toMatch(/Prod_1\.json: environment name "Prod_1" must be 2-24 lower-case letters/);
  });

  it("refuses two environments whose names would collide", () => {
    write("one.json", { state: { bucket: "bucket-one" } });
    write("two.json", { state: { bucket: "bucket-one" } });
    expect(failure(() => loadEnvironments({ directory, variables: {} }))).toMatch(
      'two.json: namePrefix "" is also used by one.json; give each environment its own so their resource names do not collide',
    );
  });

  it("refuses an empty or missing folder", () => {
    expect(failure(() => loadEnvironments({ directory, variables: {} }))).toMatch(/has no <name>\.json environment file/);
    expect(failure(() => loadEnvironments({ directory: path.join(directory, "nope"), variables: {} }))).toMatch(/is missing/);
  });
});
