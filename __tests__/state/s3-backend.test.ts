import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PutItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { synthesize } from "../../src/synthesize";
import { StackWorkspace } from "../../src/terraform/stack-workspace";
import { TerraformError } from "../../src/terraform/terraform-cli";
import { PROJECT_ROOT } from "../support/stacks";
import { StateServers } from "../support/state-servers";
import { synthesizedResourceCount, TERRAFORM_CACHE } from "../support/terraform";

// Terraform's S3 backend, for real, against a local S3 (s3rver) and DynamoDB
// (dynalite): the backend block exactly as synthesized (bucket, per-environment
// key, encryption, S3 lock file and DynamoDB lock table), with only the
// endpoints and test credentials added at init. s3rver ignores conditional
// writes, so lock contention is proven through the DynamoDB table. It also
// accepts the SSE-KMS headers the backend sends (kms_key_id) and ignores them:
// nothing is encrypted and no key is checked, so the state key's policy and the
// roles' kms:Decrypt are asserted on the synthesized policies only
// (__tests__/stacks/state-bootstrap-stack.test.ts, __tests__/ci-access/ci-access-stack.test.ts).
const BUCKET = "inventory-state-test";
const LOCK_TABLE = "inventory-state-locks";

let servers: StateServers;
let outdir: string;
const workspaces = new Map<string, StackWorkspace>();

/** A state file Terraform accepts, with an output to tell it apart. */
function stateFile(serial: number, lineage: string, marker: string) {
  return {
    version: 4,
    terraform_version: "1.11.4",
    serial,
    lineage,
    outputs: { marker: { value: marker, type: "string" } },
    resources: [],
    check_results: null,
  };
}

async function pull(workspace: StackWorkspace) {
  return JSON.parse((await workspace.run(["state", "pull"])).stdout);
}

async function push(workspace: StackWorkspace, state: object) {
  const file = path.join(workspace.directory, `push-${Date.now()}.json`);
  fs.writeFileSync(file, JSON.stringify(state));
  return workspace.run(["state", "push", "-no-color", file]);
}

async function stateObject(key: string) {
  const object = await servers.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return JSON.parse(await object.Body!.transformToString());
}

beforeAll(async () => {
  servers = await StateServers.start(BUCKET, LOCK_TABLE);
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-s3-backend-"));
  const stacks = synthesize({
    projectRoot: PROJECT_ROOT,
    outdir: path.join(outdir, "out"),
    variables: { INVENTORY_STATE_BUCKET: BUCKET, INVENTORY_STATE_LOCK_TABLE: LOCK_TABLE },
  });
  for (const stack of stacks) {
    const workspace = StackWorkspace.create(stack.directory, { cacheDirectory: TERRAFORM_CACHE, localBackend: false });
    workspaces.set(stack.environment, workspace);
  }
  await Promise.all([...workspaces.values()].map((workspace) => workspace.init(servers.backendConfig())));
});

afterAll(async () => {
  for (const workspace of workspaces.values()) workspace.remove();
  fs.rmSync(outdir, { recursive: true, force: true });
  await servers?.stop();
});

describe("the S3 backend against local S3 and DynamoDB", () => {
  it("initialises with the synthesized backend: bucket, per-environment key, encryption, both locks", () => {
    const backend = JSON.parse(fs.readFileSync(path.join(workspaces.get("default")!.directory, "cdk.tf.json"), "utf8")).terraform.backend.s3;
    expect(backend).toEqual({
      bucket: BUCKET,
      key: "default/inventory-ha.tfstate",
      region: "us-west-2",
      encrypt: true,
      kms_key_id: "alias/inventory-terraform-state",
      use_lockfile: true,
      dynamodb_table: LOCK_TABLE,
    });
  });

  it("plans with the state locked, and releases the lock after", async () => {
    // lab-start: npm run plan's test plans the default environment.
    const workspace = workspaces.get("lab-start")!;
    const resources = synthesizedResourceCount(workspace.directory);
    const { text } = await workspace.plan({ lock: true });
    expect(text).toContain(`Plan: ${resources} to add, 0 to change, 0 to destroy.`);
    const locks = await servers.dynamodb.send(new ScanCommand({ TableName: LOCK_TABLE }));
    // Only the state's checksum item stays; no lock item is left behind.
    expect((locks.Items ?? []).map((item) => item.LockID.S)).not.toContain(`${BUCKET}/lab-start/inventory-ha.tfstate`);
  });

  it("round-trips state through push and pull: content and lineage kept, serial never going back", async () => {
    const workspace = workspaces.get("default")!;
    await push(workspace, stateFile(1, "11111111-2222-3333-4444-555555555555", "first"));
    const first = await pull(workspace);
    expect(first.outputs.marker.value).toBe("first");

    await push(workspace, { ...first, serial: first.serial + 5, outputs: { marker: { value: "second", type: "string" } } });
    const second = await pull(workspace);
    expect(second.outputs.marker.value).toBe("second");
    expect(second.lineage).toBe(first.lineage);
    expect(second.serial).toBeGreaterThanOrEqual(first.serial + 5);

    // What pull returned is what S3 holds, under the environment's own key.
    const stored = await stateObject("default/inventory-ha.tfstate");
    expect({ serial: stored.serial, lineage: stored.lineage, marker: stored.outputs.marker.value }).toEqual({
      serial: second.serial,
      lineage: second.lineage,
      marker: "second",
    });

    const older = await push(workspace, { ...first, serial: first.serial, outputs: { marker: { value: "stale", type: "string" } } }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(older).toBeInstanceOf(TerraformError);
    expect((older as Error).message).toContain(`cannot import state with serial ${first.serial} over newer state with serial ${second.serial}`);
    expect((await stateObject("default/inventory-ha.tfstate")).outputs.marker.value).toBe("second");
  });

  it("keeps each environment's state in an object of its own", async () => {
    await push(workspaces.get("lab-start")!, stateFile(1, "22222222-2222-3333-4444-555555555555", "lab-start"));
    const listing = await servers.s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    const keys = (listing.Contents ?? []).map((object) => object.Key!).filter((key) => key.endsWith(".tfstate"));
    expect(keys.sort()).toEqual(["default/inventory-ha.tfstate", "lab-start/inventory-ha.tfstate"]);
    const [defaultState, labStartState] = await Promise.all([stateObject("default/inventory-ha.tfstate"), stateObject("lab-start/inventory-ha.tfstate")]);
    expect(defaultState.outputs.marker.value).toBe("second");
    expect(labStartState.outputs.marker.value).toBe("lab-start");
    expect(labStartState.lineage).not.toBe(defaultState.lineage);
  });

  it("a pull request's plan (-lock=false) reads the workspace list, the state and its digest item, and writes nothing", async () => {
    // What the plan role is granted (src/ci-access/environment-permissions.ts, stateAccess "read"), from the requests Terraform logs.
    const log = path.join(outdir, "unlocked-plan.log");
    const stack = path.join(outdir, "out", "stacks", "inventory-default");
    const workspace = StackWorkspace.create(stack, {
      cacheDirectory: TERRAFORM_CACHE,
      localBackend: false,
      variables: { ...process.env, TF_LOG: "trace", TF_LOG_PATH: log },
    });
    try {
      await workspace.init(servers.backendConfig());
      fs.rmSync(log, { force: true });
      const before = await servers.dynamodb.send(new ScanCommand({ TableName: LOCK_TABLE }));
      await workspace.plan({ lock: false });
      const entries = fs.readFileSync(log, "utf8").split(/\n(?=\d{4}-\d\d-\d\dT)/);
      const requests = entries
        .filter((entry) => entry.includes("backend-s3: HTTP Request Sent"))
        .map((entry) => {
          const method = /rpc\.method=(\w+)/.exec(entry)![1];
          const target = /aws\.s3\.key=(\S+)/.exec(entry)?.[1] ?? /\bprefix=(\S+)/.exec(entry)?.[1] ?? /"LockID":\{"S":"([^"]+)"/.exec(entry)?.[1];
          return `${method} ${target}`;
        });
      expect([...new Set(requests)]).toEqual([
        "ListObjectsV2 env:/",
        "HeadObject default/inventory-ha.tfstate",
        "GetObject default/inventory-ha.tfstate",
        `GetItem ${BUCKET}/default/inventory-ha.tfstate-md5`,
      ]);
      const after = await servers.dynamodb.send(new ScanCommand({ TableName: LOCK_TABLE }));
      expect(after.Items).toEqual(before.Items);
    } finally {
      workspace.remove();
    }
  });

  it("refuses to work while someone else holds the lock", async () => {
    const lockId = `${BUCKET}/lab-start/inventory-ha.tfstate`;
    const info = {
      ID: "4d9e6a8c-0000-4000-8000-000000000001",
      Operation: "OperationTypeApply",
      Who: "someone@elsewhere",
      Version: "1.11.4",
      Created: new Date().toISOString(),
      Path: lockId,
      Info: "",
    };
    await servers.dynamodb.send(new PutItemCommand({ TableName: LOCK_TABLE, Item: { LockID: { S: lockId }, Info: { S: JSON.stringify(info) } } }));

    const workspace = workspaces.get("lab-start")!;
    const failure = await workspace.plan({ lock: true }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TerraformError);
    expect((failure as Error).message).toContain("Error acquiring the state lock");
    expect((failure as Error).message).toContain("someone@elsewhere");

    const pushed = await push(workspace, stateFile(1, "99999999-2222-3333-4444-555555555555", "blocked")).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((pushed as Error).message).toContain("Error acquiring the state lock");
  });
});
