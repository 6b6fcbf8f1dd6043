import { Testing } from "cdktf";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { StateBootstrapStack, type StateBootstrapStackProps } from "../../src/stacks/state-bootstrap-stack";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { synthesize } from "../../src/synthesize";
import { onlyResource, passedOnReferences, PROJECT_ROOT, referencedResource } from "../support/stacks";
import { ProjectCopy } from "../support/project-copy";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

function synthBootstrap(lockTable?: string, more: Partial<StateBootstrapStackProps> = {}) {
  const stack = new StateBootstrapStack(Testing.app(), "inventory-state", {
    bucketName: "inventory-ha-terraform-state",
    region: "us-west-2",
    lockTable,
    planRoleNames: ["Inventory-GHA-Plan", "staging-Inventory-GHA-Plan"],
    deployRoleNames: ["Inventory-GHA-Deploy", "staging-Inventory-GHA-Deploy"],
    ...more,
  });
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
    expect(passedOnReferences(document)).toStrictEqual([]);
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

  it("encrypts every object with the state key by default (SSE-KMS), without an S3 Bucket Key, so each object is its own encryption context", () => {
    expect(json).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [
        {
          apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: "${aws_kms_key.state_key_key.arn}" },
          bucket_key_enabled: false,
        },
      ],
    });
    configurationOf("aws_s3_bucket_server_side_encryption_configuration");
  });

  it("creates the state key: rotated, 30 days to cancel its deletion, never destroyed by a plan, under the alias the backends name", () => {
    expect(json).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true, deletion_window_in_days: 30, lifecycle: { prevent_destroy: true } });
    expect(json).toHaveResourceWithProperties(KmsAlias, { name: "alias/inventory-terraform-state", target_key_id: "${aws_kms_key.state_key_key.key_id}" });
    // The account is the key's own, read from its ARN: no data source, so the plan stays offline.
    expect(document.locals).toEqual({ state_key_account: '${element(split(":", aws_kms_key.state_key_key.arn), 4)}' });
    expect(document.data).toBeUndefined();
  });

  it("the key policy: the administrators manage and use the key; the plan roles decrypt and the deploy roles encrypt too, through S3 only", () => {
    const [, keyPolicy] = onlyResource(document, "aws_kms_key_policy");
    expect(keyPolicy.key_id).toBe("${aws_kms_key.state_key_key.key_id}");
    const account = { AWS: "arn:aws:iam::${local.state_key_account}:root" };
    const administrators = {
      ArnLike: { "aws:PrincipalArn": "arn:aws:iam::${local.state_key_account}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_AdministratorAccess_*" },
    };
    const throughS3 = { "kms:ViaService": "s3.us-west-2.amazonaws.com" };
    const statements = JSON.parse(keyPolicy.policy).Statement;
    expect(statements[0].Action.join(" ")).toBe(
      "kms:Create* kms:Describe* kms:Enable* kms:List* kms:Put* kms:Update* kms:Revoke* kms:Disable* kms:Get* kms:Delete* " +
        "kms:TagResource kms:UntagResource kms:ScheduleKeyDeletion kms:CancelKeyDeletion kms:RotateKeyOnDemand",
    );
    expect(statements).toEqual([
      {
        Sid: "AdministratorsManageKey",
        Effect: "Allow",
        Principal: account,
        // AWS's key administrator actions, without using the key.
        Action: expect.anything(),
        Resource: "*",
        Condition: administrators,
      },
      {
        Sid: "AdministratorsUseKey",
        Effect: "Allow",
        Principal: account,
        Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
        Resource: "*",
        Condition: administrators,
      },
      {
        Sid: "ReadersDecryptThroughS3",
        Effect: "Allow",
        Principal: account,
        Action: "kms:Decrypt",
        Resource: "*",
        Condition: {
          ArnLike: {
            "aws:PrincipalArn": [
              "arn:aws:iam::${local.state_key_account}:role/Inventory-GHA-Plan",
              "arn:aws:iam::${local.state_key_account}:role/staging-Inventory-GHA-Plan",
            ],
          },
          StringEquals: throughS3,
        },
      },
      {
        Sid: "WritersUseKeyThroughS3",
        Effect: "Allow",
        Principal: account,
        Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: {
          ArnLike: {
            "aws:PrincipalArn": [
              "arn:aws:iam::${local.state_key_account}:role/Inventory-GHA-Deploy",
              "arn:aws:iam::${local.state_key_account}:role/staging-Inventory-GHA-Deploy",
            ],
          },
          StringEquals: throughS3,
        },
      },
    ]);
  });

  it("names the administrators the settings give, and no CI role when no environment has one", () => {
    const admins = ["arn:aws:iam::123456789012:role/platform/Admin*", "arn:aws:iam::123456789012:user/break-glass"];
    const { document: given } = synthBootstrap(undefined, { administratorArns: admins, planRoleNames: [], deployRoleNames: [] });
    const statements = JSON.parse(onlyResource(given, "aws_kms_key_policy")[1].policy).Statement;
    expect(statements.map((statement: { Sid: string }) => statement.Sid)).toEqual(["AdministratorsManageKey", "AdministratorsUseKey"]);
    expect(statements.map((statement: { Condition: unknown }) => statement.Condition)).toEqual([
      { ArnLike: { "aws:PrincipalArn": admins } },
      { ArnLike: { "aws:PrincipalArn": admins } },
    ]);
  });

  it.each([
    [[], "administratorArns: is empty: a key nobody may administer cannot be changed or deleted"],
    [
      ["arn:aws:iam::123456789012:role/*"],
      'administratorArns.0: "arn:aws:iam::123456789012:role/*" matches every role of the account; name the administrators\' roles',
    ],
    [["arn:aws:sts::123456789012:assumed-role/Admin/me"], 'administratorArns.0: "arn:aws:sts::123456789012:assumed-role/Admin/me" is a session; name its role'],
  ])("refuses administrators %j that would lock the key or open it to everyone", (administratorArns, message) => {
    expect(() => synthBootstrap(undefined, { administratorArns })).toThrow(`StateKey inventory-state/state-key: ${message}`);
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
    expect(Object.keys(document.output).sort()).toEqual(["lock_table", "state_bucket", "state_key", "state_region"]);
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

  describe("with CI roles in one environment", () => {
    const project = new ProjectCopy();
    afterAll(() => project.remove());
    const withCi = (extra: object) => {
      const settings = JSON.parse(project.read("environments/default.json"));
      project.write(
        "environments/default.json",
        JSON.stringify({ ...settings, ci: { accountId: "123456789012", githubActions: { repository: "acme/x" } }, ...extra }),
      );
    };
    const keyPolicyOf = (selected: string) => {
      const directory = path.join(project.root, `out-${selected}`);
      synthesize({ projectRoot: project.root, outdir: directory, variables: { INVENTORY_ENV: selected } });
      const document = JSON.parse(fs.readFileSync(path.join(directory, "stacks", "inventory-state", "cdk.tf.json"), "utf8"));
      return JSON.parse(onlyResource(document, "aws_kms_key_policy")[1].policy);
    };

    it("lets them use the state key, whichever environment is selected (a key policy holding only some would lock the others out)", () => {
      withCi({});
      const conditions = keyPolicyOf("lab-start").Statement.map((statement: { Sid: string; Condition: any }) => [
        statement.Sid,
        statement.Condition.ArnLike["aws:PrincipalArn"],
      ]);
      expect(conditions.slice(2)).toEqual([
        ["ReadersDecryptThroughS3", "arn:aws:iam::${local.state_key_account}:role/Inventory-GHA-Plan"],
        ["WritersUseKeyThroughS3", "arn:aws:iam::${local.state_key_account}:role/Inventory-GHA-Deploy"],
      ]);
    });

    it("stops with one line when the environments name different administrators of the one key", () => {
      withCi({ state: { bucket: "inventory-ha-terraform-state", administratorArns: ["arn:aws:iam::123456789012:role/Admin"] } });
      expect(() => keyPolicyOf("default")).toThrow(
        'lab-start.json: state.administratorArns: "the default" differs from default.json\'s ["arn:aws:iam::123456789012:role/Admin"]; ' +
          "the inventory-state stack creates one key for all environments",
      );
    });
  });
});
