import { Testing, TerraformStack } from "cdktf";
import { addStateBackend, type StateBackendProps, stateKey } from "../../src/terraform/state-backend";
import { expectRefused } from "../support/stacks";

/** The backend of a stack from the function's defaults: S3, with only the environment, bucket and region given. */
function backendOf(props: Partial<StateBackendProps>) {
  const stack = new TerraformStack(Testing.app(), "state");
  addStateBackend(stack, { environment: "default", bucket: "inventory-ha-terraform-state", region: "us-west-2", ...props });
  return JSON.parse(Testing.synth(stack)).terraform;
}

describe("state backend", () => {
  it("keeps each environment's state under a key of its own", () => {
    expect(stateKey("", "default")).toBe("default/inventory-ha.tfstate");
    expect(stateKey("", "lab-start")).toBe("lab-start/inventory-ha.tfstate");
    expect(stateKey("teams/web/", "default")).toBe("teams/web/default/inventory-ha.tfstate");
  });

  it("S3: bucket, key, region, encryption with the state bootstrap stack's KMS key, and an S3 lock file", () => {
    expect(backendOf({}).backend).toEqual({
      s3: {
        bucket: "inventory-ha-terraform-state",
        key: "default/inventory-ha.tfstate",
        region: "us-west-2",
        encrypt: true,
        // Without a key the backend asks for SSE-S3 on every write, over the bucket's default.
        kms_key_id: "alias/inventory-terraform-state",
        use_lockfile: true,
      },
    });
    expect(backendOf({ kmsKeyId: "alias/team-state" }).backend.s3.kms_key_id).toBe("alias/team-state");
  });

  it("S3 with a DynamoDB lock table, with or without lock files", () => {
    expect(backendOf({ lockTable: "inventory-locks" }).backend.s3).toMatchObject({ dynamodb_table: "inventory-locks", use_lockfile: true });
    const tableOnly = backendOf({ lockTable: "inventory-locks", useLockfile: false }).backend.s3;
    expect(tableOnly.dynamodb_table).toBe("inventory-locks");
    expect(tableOnly.use_lockfile).toBeUndefined();
  });

  it("Terraform Cloud: one named workspace per environment by default", () => {
    expect(backendOf({ backend: "cloud", organization: "acme" }).cloud).toEqual({
      organization: "acme",
      hostname: "app.terraform.io",
      workspaces: { name: "inventory-ha-default" },
    });
    expect(backendOf({ backend: "cloud", organization: "acme", workspace: "web-prod" }).cloud.workspaces).toEqual({ name: "web-prod" });
  });

  it("Terraform Cloud: workspaces by tags", () => {
    expect(backendOf({ backend: "cloud", organization: "acme", workspaceTags: ["inventory", "prod"] }).cloud.workspaces).toEqual({
      tags: ["inventory", "prod"],
    });
  });

  it("local: a state file named after the stack in the project folder, never an absolute path", () => {
    const terraform = backendOf({ backend: "local", bucket: undefined });
    expect(terraform.backend).toEqual({ local: { path: "../../../terraform.state.tfstate" } });
    expect(terraform.cloud).toBeUndefined();
  });

  describe("refuses props a backend cannot work with, naming the stack and the prop", () => {
    it.each<[string, Partial<StateBackendProps>, string]>([
      ["S3 without a bucket", { bucket: undefined }, "bucket: missing: name the S3 bucket of the state"],
      ["S3 without a region", { region: undefined }, "region: missing: name the region of the state bucket"],
      ["a bucket name S3 refuses", { bucket: "Inventory_State" }, 'bucket: "Inventory_State" is not a valid S3 bucket name'],
      ["a key prefix without its slash", { keyPrefix: "teams/web" }, 'keyPrefix: "teams/web" must be empty or end with / and use S3-safe characters'],
      ["Terraform Cloud without an organization", { backend: "cloud" }, "organization: missing: name the Terraform Cloud organization"],
      [
        "a named workspace and tags",
        { backend: "cloud", organization: "acme", workspace: "web", workspaceTags: ["inventory"] },
        "workspaceTags: choose either workspace or workspaceTags, not both",
      ],
      ["an unknown backend", { backend: "consul" as never }, 'backend: "consul" is not one of "s3", "cloud", "local"'],
    ])("%s", (_kind, props, message) => {
      expectRefused(() => backendOf(props), "TerraformStack state", message);
    });
  });
});
