import { Testing } from "cdktf";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { AccessLogBucket, type AccessLogBucketProps } from "../../src/constructs/access-log-bucket";
import { onlyResource } from "../support/stacks";

function synthLogBucket(overrides: Partial<AccessLogBucketProps> = {}) {
  const json = Testing.synthScope((scope) => {
    new AccessLogBucket(scope, "access-logs", {
      region: "us-west-2",
      bucketPrefix: "inventory-lb-logs-",
      retentionDays: 90,
      forceDestroy: false,
      nameTag: "Inventory-LB access logs",
      ...overrides,
    });
  });
  return { json, document: JSON.parse(json) };
}

/** The statements of the bucket policy, as S3 receives it. */
function statements(document: any): any[] {
  const [, policy] = onlyResource(document, "aws_s3_bucket_policy");
  return JSON.parse(policy.policy).Statement;
}

describe("AccessLogBucket", () => {
  const { json, document } = synthLogBucket();

  it("lets Terraform pick a unique name from the prefix, and keeps the logs on destroy", () => {
    expect(json).toHaveResourceWithProperties(S3Bucket, {
      bucket_prefix: "inventory-lb-logs-",
      force_destroy: false,
      tags: { Name: "Inventory-LB access logs" },
    });
    const named = synthLogBucket({ bucketName: "my-inventory-logs" });
    expect(named.json).toHaveResourceWithProperties(S3Bucket, { bucket: "my-inventory-logs" });
    expect(onlyResource(named.document, "aws_s3_bucket")[1].bucket_prefix).toBeUndefined();
  });

  it("is versioned, SSE-S3 encrypted (the only encryption ALB log delivery supports), private and without ACLs", () => {
    expect(json).toHaveResourceWithProperties(S3BucketVersioningA, { versioning_configuration: { status: "Enabled" } });
    expect(json).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }],
    });
    expect(json).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(json).toHaveResourceWithProperties(S3BucketOwnershipControls, { rule: { object_ownership: "BucketOwnerEnforced" } });
  });

  it("expires logs after the retention, replaced versions a week later", () => {
    const [, lifecycle] = onlyResource(document, "aws_s3_bucket_lifecycle_configuration");
    expect(lifecycle.rule).toEqual([
      expect.objectContaining({ status: "Enabled", filter: [{}], expiration: [{ days: 90 }], noncurrent_version_expiration: [{ noncurrent_days: 7 }] }),
    ]);
  });

  it("lets the us-west-2 ELB account write under AWSLogs/ only, and refuses anything without TLS", () => {
    expect(statements(document)).toEqual([
      expect.objectContaining({
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::797873946194:root" },
        Action: "s3:PutObject",
        Resource: expect.stringMatching(/^\$\{aws_s3_bucket\.[^.]+\.arn\}\/AWSLogs\/\*$/),
      }),
      expect.objectContaining({
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    ]);
  });

  it("uses the log delivery service principal in regions opened since August 2022", () => {
    const zurich = synthLogBucket({ region: "eu-central-2" });
    expect(statements(zurich.document)[0].Principal).toEqual({ Service: "logdelivery.elasticloadbalancing.amazonaws.com" });
    const govCloud = synthLogBucket({ region: "us-gov-west-1" });
    expect(statements(govCloud.document)[0].Principal).toEqual({ AWS: "arn:aws-us-gov:iam::048591011584:root" });
  });

  it("hands out its name through the bucket policy, so a load balancer using it waits for the policy", () => {
    const bucketName = Testing.synthScope((scope) => {
      const logs = new AccessLogBucket(scope, "access-logs", { region: "us-west-2", bucketPrefix: "x-", retentionDays: 90, forceDestroy: false, nameTag: "x" });
      new S3Bucket(scope, "probe", { bucket: logs.bucketName });
    });
    expect(JSON.parse(bucketName).resource.aws_s3_bucket.probe.bucket).toMatch(/^\$\{aws_s3_bucket_policy\.[^.]+\.bucket\}$/);
  });
});
