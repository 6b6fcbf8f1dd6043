import { Testing } from "cdktf";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { StateBootstrapStack } from "../../src/stacks/state-bootstrap-stack";
import { synthesize } from "../../src/synthesize";
import { onlyResource, passedOnReferences, PROJECT_ROOT, referencedResource } from "../support/stacks";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

function synthBootstrap(lockTable?: string) {
  const stack = new StateBootstrapStack(Testing.app(), "inventory-state", { bucketName: "inventory-ha-terraform-state", region: "us-west-2", lockTable });
  const json = Testing.synth(stack);
  return { json, document: JSON.parse(json) };
}

describe("StateBootstrapStack", () => {
  const { json, document } = synthBootstrap("inventory-ha-terraform-locks");
  const [, bucket] = onlyResource(document, "aws_s3_bucket");
  const configurationOf = (type: string) => {
    const [, config] = onlyResource(document, type);
    expect(referencedResource(document, config.bucket).address).toBe("aws_s3_bucket.state_bucket_bucket");
    return config;
  };

  it("names the bucket itself in every part of it and in its output, with no value routed through another part", () => {
    expect(passedOnReferences(document)).toEqual([]);
    expect(document.output.state_bucket.value).toBe("${aws_s3_bucket.state_bucket_bucket.bucket}");
  });

  it("creates the state bucket under its exact name, and no plan may destroy it", () => {
    expect(bucket.bucket).toBe("inventory-ha-terraform-state");
    expect(bucket.lifecycle).toEqual({ prevent_destroy: true });
    expect(bucket.force_destroy).toBe(false);
  });

  it("versions every state write", () => {
    expect(json).toHaveResourceWithProperties(S3BucketVersioningA, { versioning_configuration: { status: "Enabled" } });
    configurationOf("aws_s3_bucket_versioning");
  });

  it("encrypts by default", () => {
    expect(json).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }],
    });
    configurationOf("aws_s3_bucket_server_side_encryption_configuration");
  });

  it("blocks all four kinds of public access and disables ACLs", () => {
    expect(json).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(json).toHaveResourceWithProperties(S3BucketOwnershipControls, { rule: { object_ownership: "BucketOwnerEnforced" } });
    configurationOf("aws_s3_bucket_public_access_block");
    configurationOf("aws_s3_bucket_ownership_controls");
  });

  it("denies every request that is not made over TLS, on the bucket and its objects", () => {
    const policy = configurationOf("aws_s3_bucket_policy");
    expect(JSON.parse(policy.policy).Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: ["${aws_s3_bucket.state_bucket_bucket.arn}", "${aws_s3_bucket.state_bucket_bucket.arn}/*"],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  it("expires replaced state versions after 90 days, keeping the newest 20, and never the current state", () => {
    const lifecycle = configurationOf("aws_s3_bucket_lifecycle_configuration");
    expect(lifecycle.rule).toEqual([
      expect.objectContaining({
        status: "Enabled",
        noncurrent_version_expiration: [{ noncurrent_days: 90, newer_noncurrent_versions: 20 }],
        abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }],
      }),
    ]);
    expect(lifecycle.rule[0].expiration).toBeUndefined();
  });

  it("creates the lock table: LockID key, on demand, point-in-time recovery, deletion protection", () => {
    expect(json).toHaveResourceWithProperties(DynamodbTable, {
      name: "inventory-ha-terraform-locks",
      hash_key: "LockID",
      attribute: [{ name: "LockID", type: "S" }],
      billing_mode: "PAY_PER_REQUEST",
      point_in_time_recovery: { enabled: true },
      deletion_protection_enabled: true,
    });
  });

  it("creates no lock table when the environments lock with S3 lock files only", () => {
    expect(synthBootstrap().json).not.toHaveResource(DynamodbTable);
  });

  it("keeps its own state in a local file in the project folder and outputs what the backends need", () => {
    expect(document.terraform.backend).toEqual({ local: { path: "../../../terraform.inventory-state.tfstate" } });
    expect(Object.keys(document.output).sort()).toEqual(["lock_table", "state_bucket", "state_region"]);
  });
});

describe("the bootstrap stack in synthesis", () => {
  const outdir = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "inventory-bootstrap-")), "out");

  it("is synthesized with the environments, from their shared state settings", () => {
    const directory = outdir();
    synthesize({
      projectRoot: PROJECT_ROOT,
      outdir: directory,
      variables: { INVENTORY_STATE_BUCKET: "ci-state-bucket", INVENTORY_STATE_LOCK_TABLE: "ci-locks" },
    });
    const document = JSON.parse(fs.readFileSync(path.join(directory, "stacks", "inventory-state", "cdk.tf.json"), "utf8"));
    expect(onlyResource(document, "aws_s3_bucket")[1].bucket).toBe("ci-state-bucket");
    expect(onlyResource(document, "aws_dynamodb_table")[1].name).toBe("ci-locks");
    fs.rmSync(path.dirname(directory), { recursive: true, force: true });
  });
});
