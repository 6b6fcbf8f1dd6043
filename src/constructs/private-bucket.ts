import { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration, type S3BucketLifecycleConfigurationRule } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { policyDocument, type PolicyStatementProps } from "./iam-policy";

export interface PrivateBucketProps {
  /** Exact bucket name. @default none: Terraform makes a unique name from `bucketPrefix` */
  readonly bucketName?: string;
  /** Start of the generated name when `bucketName` is unset. */
  readonly bucketPrefix?: string;
  /** Let `terraform destroy` delete the bucket with its objects. @default false */
  readonly forceDestroy?: boolean;
  /** Refuse any plan that would destroy the bucket (Terraform's prevent_destroy). @default false */
  readonly preventDestroy?: boolean;
  /** Name tag. */
  readonly nameTag: string;
  /** Lifecycle rules (expiry of objects and old versions). */
  readonly lifecycleRules: S3BucketLifecycleConfigurationRule[];
  /** Statements the bucket policy allows, beside the TLS-only deny every bucket gets. @default none */
  readonly allow?: (bucketArn: string) => PolicyStatementProps[];
}

/**
 * An S3 bucket locked down the same way wherever the project needs one:
 * versioned, encrypted by default (SSE-S3), all four public access blocks,
 * ACLs disabled (bucket owner enforced), a policy that denies any request not
 * made over TLS, and lifecycle rules.
 */
export class PrivateBucket extends Construct {
  /**
   * The bucket's name, read from its policy: whatever takes it waits until
   * the bucket is versioned, encrypted, private and its policy in place.
   */
  readonly bucketName: string;
  readonly bucketArn: string;

  constructor(scope: Construct, id: string, props: PrivateBucketProps) {
    super(scope, id);

    const bucket = new S3Bucket(this, "bucket", {
      ...(props.bucketName ? { bucket: props.bucketName } : { bucketPrefix: props.bucketPrefix }),
      forceDestroy: props.forceDestroy ?? false,
      tags: { Name: props.nameTag },
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });

    // S3 refuses concurrent changes to one bucket's configuration (OperationAborted), and
    // lifecycle rules on old versions need versioning first. Each configuration takes the
    // bucket from the one before, which orders them with plain references: no depends_on,
    // which cdktf's HCL output renders as deprecated quoted references.
    const versioning = new S3BucketVersioningA(this, "versioning", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
    const encryption = new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: versioning.bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    const publicAccess = new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket: encryption.bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const ownership = new S3BucketOwnershipControls(this, "ownership", { bucket: publicAccess.bucket, rule: { objectOwnership: "BucketOwnerEnforced" } });
    const policy = new S3BucketPolicy(this, "policy", {
      bucket: ownership.bucket,
      policy: policyDocument([
        ...(props.allow?.(bucket.arn) ?? []),
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          principals: [{ type: "*", identifiers: ["*"] }],
          actions: ["s3:*"],
          resources: [bucket.arn, `${bucket.arn}/*`],
          conditions: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
      ]),
    });

    // The lifecycle rules come last and hand the name on to nothing: the provider waits about a
    // minute for new rules to read back the same, and whoever writes to the bucket needs only the
    // policy (a load balancer's log delivery is checked when the load balancer is created).
    new S3BucketLifecycleConfiguration(this, "lifecycle", { bucket: policy.bucket, rule: props.lifecycleRules });

    this.bucketName = policy.bucket;
    this.bucketArn = bucket.arn;
  }
}
