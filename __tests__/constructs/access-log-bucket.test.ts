import { Testing } from "cdktf";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { AccessLogBucket, type AccessLogBucketProps } from "../../src/constructs/edge/access-log-bucket";
import { expectRefused, onlyResource, resourcesOf } from "../support/stacks";

const ACCOUNT = "111122223333";

/** The load balancer's log bucket from the construct's defaults: only its region and account are given. */
function synthLogBucket(overrides: Partial<AccessLogBucketProps> = {}) {
  const json = Testing.synthScope((scope) => {
    new AccessLogBucket(scope, "access-logs", { region: "us-west-2", accountId: ACCOUNT, ...overrides });
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
    expect(onlyResource(synthLogBucket({ forceDestroy: true }).document, "aws_s3_bucket")[1].force_destroy).toBe(true);
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
    expect(lifecycle.rule).toStrictEqual([
      {
        id: "expire-access-logs",
        status: "Enabled",
        filter: [{}],
        expiration: [{ days: 90 }],
        noncurrent_version_expiration: [{ noncurrent_days: 7 }],
        abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }],
      },
    ]);
  });

  it("lets the us-west-2 ELB account write under AWSLogs/<its account>/ only, and refuses anything without TLS", () => {
    expect(statements(document)).toEqual([
      expect.objectContaining({
        Sid: "ElbLogDelivery",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::797873946194:root" },
        Action: "s3:PutObject",
        // Not AWSLogs/*: another account's load balancer, naming this bucket, would write under AWSLogs/<its account>/.
        Resource: expect.stringMatching(new RegExp(`^\\$\\{aws_s3_bucket\\.[^.]+\\.arn\\}/AWSLogs/${ACCOUNT}/\\*$`)),
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

  it("configures the bucket one part after the other, each waiting for the one before, lifecycle rules last", () => {
    const order = ["versioning", "server_side_encryption_configuration", "public_access_block", "ownership_controls", "policy", "lifecycle_configuration"];
    const [bucketName] = onlyResource(document, "aws_s3_bucket");
    const parts = order.map((part) => onlyResource(document, `aws_s3_bucket_${part}`));
    parts.forEach(([, config], index) => {
      expect(config.bucket).toBe(`\${aws_s3_bucket.${bucketName}.id}`);
      expect(config.depends_on).toEqual(index === 0 ? undefined : [`aws_s3_bucket_${order[index - 1]}.${parts[index - 1][0]}`]);
    });
  });

  it("hands out the bucket's own name, and its policy for what must wait for it (a load balancer's log delivery)", () => {
    const withProbe = JSON.parse(
      Testing.synthScope((scope) => {
        const logs = new AccessLogBucket(scope, "access-logs", {
          region: "us-west-2",
          accountId: ACCOUNT,
          bucketPrefix: "x-",
          retentionDays: 90,
          forceDestroy: false,
          nameTag: "x",
        });
        new S3Bucket(scope, "probe", { bucket: logs.bucketName, dependsOn: [logs.policy] });
      }),
    );
    const [logBucket] = resourcesOf(withProbe, "aws_s3_bucket").find(([name]) => name !== "probe")!;
    const [policy] = onlyResource(withProbe, "aws_s3_bucket_policy");
    expect(withProbe.resource.aws_s3_bucket.probe.bucket).toBe(`\${aws_s3_bucket.${logBucket}.bucket}`);
    expect(withProbe.resource.aws_s3_bucket.probe.depends_on).toEqual([`aws_s3_bucket_policy.${policy}`]);
  });

  describe("refuses props it cannot build, naming its path and the prop", () => {
    it.each<[string, Partial<AccessLogBucketProps>, string]>([
      ["a region it does not know", { region: "us-west-9" }, 'region: "us-west-9" is not an AWS region this project knows'],
      ["no retention", { retentionDays: 0 }, "retentionDays: 0 is not a whole number from 1 to 3650"],
      ["a bucket name S3 refuses", { bucketName: "Inventory_Logs" }, 'bucketName: "Inventory_Logs" is not a valid S3 bucket name'],
      ["an account that is not one", { accountId: "1234" }, 'accountId: "1234" is not a 12-digit AWS account id'],
      ["an account with a 13th digit", { accountId: "1111222233334" }, 'accountId: "1111222233334" is not a 12-digit AWS account id'],
      ["an account after other text", { accountId: "id111122223333" }, 'accountId: "id111122223333" is not a 12-digit AWS account id'],
      [
        "a prefix longer than Terraform can complete",
        { bucketPrefix: "inventory-load-balancer-access-logs-of-production-" },
        'bucketPrefix: "inventory-load-balancer-access-logs-of-production-" must be 1-37 lower-case letters',
      ],
    ])("%s", (_kind, overrides, message) => {
      expectRefused(() => synthLogBucket(overrides), "AccessLogBucket stack/access-logs", message);
    });
  });
});
