import { Construct } from "constructs";
import { type ITerraformDependable, Token } from "cdktf";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration, type S3BucketLifecycleConfigurationRule } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { policyDocument, type PolicyStatementProps } from "../../aws/iam-policy";
import { type PropProblem, refuseProblems } from "../../props/prop-problems";

// S3 general purpose bucket naming rules, without the reserved prefixes and suffixes checked below.
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Terraform appends 26 characters to a bucket_prefix; S3 names are at most 63. */
const BUCKET_PREFIX = /^[a-z0-9][a-z0-9.-]{0,36}$/;

/** Why a name is not a valid S3 general purpose bucket name, or undefined. */
export function s3BucketProblem(name: string): string | undefined {
  if (!S3_BUCKET.test(name))
    return `"${name}" is not a valid S3 bucket name (3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit)`;
  if (name.includes("..")) return `"${name}" has two adjacent dots`;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return `"${name}" is formatted as an IP address`;
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name) || /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name))
    return `"${name}" uses a prefix or suffix AWS reserves`;
  return undefined;
}

/** Problems with the bucket's name or prefix. */
export function bucketNameProblems(props: Pick<PrivateBucketProps, "bucketName" | "bucketPrefix">): PropProblem[] {
  const nameProblem = props.bucketName === undefined || Token.isUnresolved(props.bucketName) ? undefined : s3BucketProblem(props.bucketName);
  const prefixProblem =
    props.bucketPrefix === undefined || Token.isUnresolved(props.bucketPrefix) || BUCKET_PREFIX.test(props.bucketPrefix)
      ? undefined
      : `"${props.bucketPrefix}" must be 1-37 lower-case letters, digits, dots and hyphens, starting with a letter or digit`;
  return [...(nameProblem ? [{ prop: "bucketName", message: nameProblem }] : []), ...(prefixProblem ? [{ prop: "bucketPrefix", message: prefixProblem }] : [])];
}

export interface PrivateBucketProps {
  /** Exact bucket name. @default none: Terraform makes a unique name from `bucketPrefix` */
  readonly bucketName?: string;
  /** Start of the generated name when `bucketName` is unset (at most 37 characters). @default none: Terraform's own "terraform-" */
  readonly bucketPrefix?: string;
  /** Let `terraform destroy` delete the bucket with its objects. @default false */
  readonly forceDestroy?: boolean;
  /** Refuse any plan that would destroy the bucket (Terraform's prevent_destroy). @default false */
  readonly preventDestroy?: boolean;
  /** Name tag. @default the bucket's name, or its prefix */
  readonly nameTag?: string;
  /**
   * Default encryption: `AES256` (SSE-S3), or `aws:kms` with the AWS managed key `aws/s3` and an S3 Bucket Key
   * (any principal of the account that may read an object may decrypt it; no key policy to keep), or `kmsKeyArn`'s key.
   * @default "aws:kms" with `kmsKeyArn`, else "AES256"
   */
  readonly encryption?: "AES256" | "aws:kms";
  /**
   * A customer managed key for the default encryption (`aws:kms`), without an S3 Bucket Key: each object is then
   * encrypted under its own ARN as KMS encryption context (`kms:EncryptionContext:aws:s3:arn`), so a policy can
   * let a principal decrypt one object and no other. Costs a KMS request per object read and write.
   * @default none: the AWS managed key with an S3 Bucket Key when `encryption` is `aws:kms`
   */
  readonly kmsKeyArn?: string;
  /** Lifecycle rules (expiry of objects and old versions). */
  readonly lifecycleRules: S3BucketLifecycleConfigurationRule[];
  /** Statements the bucket policy allows, beside the TLS-only deny every bucket gets. @default none */
  readonly allow?: (bucketArn: string) => PolicyStatementProps[];
}

/**
 * An S3 bucket locked down the same way wherever the project needs one:
 * versioned, encrypted by default (SSE-S3, or SSE-KMS), all four public access blocks,
 * ACLs disabled (bucket owner enforced), a policy that denies any request not
 * made over TLS, and lifecycle rules.
 */
export class PrivateBucket extends Construct {
  readonly bucketName: string;
  readonly bucketArn: string;
  /**
   * The bucket policy: a writer that AWS checks against the policy when it
   * is set up (a load balancer's access log delivery) depends on it.
   */
  readonly policy: ITerraformDependable;

  constructor(scope: Construct, id: string, props: PrivateBucketProps) {
    super(scope, id);
    refuseProblems(this, [
      ...bucketNameProblems(props),
      ...(props.kmsKeyArn && props.encryption === "AES256" ? [{ prop: "kmsKeyArn", message: 'needs encryption "aws:kms" (it is "AES256")' }] : []),
    ]);

    const bucket = new S3Bucket(this, "bucket", {
      ...(props.bucketName ? { bucket: props.bucketName } : { bucketPrefix: props.bucketPrefix }),
      forceDestroy: props.forceDestroy ?? false,
      tags: { Name: props.nameTag ?? props.bucketName ?? props.bucketPrefix ?? "" },
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });

    // One configuration after the other, each depending on the one before: S3 takes one configuration
    // change of a bucket at a time ("OperationAborted: A conflicting conditional operation is currently
    // in progress against this resource").
    const versioning = new S3BucketVersioningA(this, "versioning", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
    const encryption = new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: bucket.id,
      rule: [
        props.kmsKeyArn
          ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKeyArn }, bucketKeyEnabled: false }
          : props.encryption === "aws:kms"
            ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }
            : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ],
      // OperationAborted: one configuration change of the bucket at a time.
      dependsOn: [versioning],
    });
    const publicAccess = new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
      // OperationAborted: one configuration change of the bucket at a time.
      dependsOn: [encryption],
    });
    const ownership = new S3BucketOwnershipControls(this, "ownership", {
      bucket: bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
      // OperationAborted: one configuration change of the bucket at a time.
      dependsOn: [publicAccess],
    });
    const policy = new S3BucketPolicy(this, "policy", {
      bucket: bucket.id,
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
      // OperationAborted: one configuration change of the bucket at a time.
      dependsOn: [ownership],
    });

    // The lifecycle rules come last, and nothing waits for them: the provider waits about a minute for new
    // rules to read back the same, and a writer needs only the policy.
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: bucket.id,
      rule: props.lifecycleRules,
      // OperationAborted: one configuration change of the bucket at a time.
      dependsOn: [policy],
    });

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.policy = policy;
  }
}
