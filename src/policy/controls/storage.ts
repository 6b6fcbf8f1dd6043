import { type Target, type Finding, type Control, everyBlock } from "../control";
import {
  type Block,
  blockList,
  firstBlock,
  isTrue,
  type PolicyStatement,
  pointsAt,
  readPolicy,
  resources,
  show,
  type TerraformDocument,
} from "../../terraform/document";

/**
 * Controls of S3 buckets and the DynamoDB lock table: versioning, encryption, no public access, TLS only, lifecycle rules, ACLs disabled,
 * the optional KMS, access logging, replication and notifications, and the table's point-in-time recovery and deletion protection.
 */

/** Whether a policy resource is the bucket's ARN (`${aws_s3_bucket.x.arn}`, or the literal ARN of a fixed name), plus `suffix`. */
export function isBucketArn(resource: string, bucket: Block, suffix = ""): boolean {
  if (resource === `\${${bucket.address}.arn}${suffix}`) return true;
  const name = bucket.config.bucket;
  return (
    typeof name === "string" &&
    !name.includes("${") &&
    new RegExp(`^arn:aws[a-z-]*:s3:::${name.replace(/\./g, "\\.")}${suffix.replace(/\*/g, "\\*")}$`).test(resource)
  );
}

/** The configuration blocks of `type` that belong to `bucket`. */
const bucketParts = (document: TerraformDocument, type: string, bucket: Block) =>
  resources(document, type).filter(
    (part) => pointsAt(document, part.config.bucket, bucket) || (typeof bucket.config.bucket === "string" && part.config.bucket === bucket.config.bucket),
  );

/** A check over every S3 bucket; the state stack must have one, the inventory stack may have none. */
function everyBucket(problem: (document: TerraformDocument, bucket: Block) => string | string[] | undefined): (target: Target) => Finding[] {
  return ({ document, scope }) => everyBlock(resources(document, "aws_s3_bucket"), "S3 bucket", scope === "state", (bucket) => problem(document, bucket));
}

/** Every bucket has a resource of `partType` for it, else `missing` is its finding. */
function everyBucketWith(partType: string, missing: string): (target: Target) => Finding[] {
  return everyBucket((document, bucket) => (bucketParts(document, partType, bucket).length > 0 ? undefined : missing));
}

function encryptionAlgorithms(document: TerraformDocument, bucket: Block): string[] {
  return bucketParts(document, "aws_s3_bucket_server_side_encryption_configuration", bucket).flatMap((configuration) =>
    blockList(configuration.config.rule).map((rule) => String(firstBlock(rule.apply_server_side_encryption_by_default)?.sse_algorithm)),
  );
}

function deniesInsecureTransport(statement: PolicyStatement, bucket: Block): boolean {
  const everyone = statement.principals.some((principal) => principal.identifiers.includes("*") && ["*", "AWS"].includes(principal.type));
  const everything = statement.actions.some((action) => action === "s3:*" || action === "*");
  const covers =
    statement.resources.some((resource) => isBucketArn(resource, bucket)) && statement.resources.some((resource) => isBucketArn(resource, bucket, "/*"));
  const insecure = statement.conditions.some(
    (condition) => condition.test === "Bool" && condition.variable === "aws:SecureTransport" && condition.values.includes("false"),
  );
  return statement.effect === "Deny" && everyone && everything && covers && insecure;
}

export const storageControls: Control[] = [
  {
    id: "CKV_AWS_21",
    aliases: ["S3.14"],
    title: "S3 bucket is versioned",
    scopes: ["inventory", "state"],
    check: everyBucket((document, bucket) => {
      const legacy = isTrue(firstBlock(bucket.config.versioning)?.enabled);
      const versioned = bucketParts(document, "aws_s3_bucket_versioning", bucket).some(
        (part) => firstBlock(part.config.versioning_configuration)?.status === "Enabled",
      );
      return legacy || versioned ? undefined : "has no versioning with status Enabled";
    }),
  },
  {
    id: "CKV_AWS_19",
    aliases: [],
    title: "S3 bucket encrypts objects at rest by default",
    scopes: ["inventory", "state"],
    check: everyBucket((document, bucket) => {
      const algorithms = encryptionAlgorithms(document, bucket);
      return algorithms.some((algorithm) => ["AES256", "aws:kms", "aws:kms:dsse"].includes(algorithm))
        ? undefined
        : "has no server-side encryption configuration";
    }),
  },
  {
    id: "CKV_AWS_145",
    aliases: ["S3.17"],
    title: "S3 bucket encrypts objects with a KMS key",
    scopes: ["inventory"],
    unavailable: "not possible for the access log bucket: ALB log delivery supports SSE-S3 only",
    check: everyBucket((document, bucket) => {
      const algorithms = encryptionAlgorithms(document, bucket);
      return algorithms.some((algorithm) => algorithm.startsWith("aws:kms"))
        ? undefined
        : `encrypts with ${algorithms.join(", ") || "nothing configured"}, not KMS`;
    }),
  },
  {
    id: "CKV2_AWS_6",
    aliases: ["S3.8"],
    title: "S3 bucket blocks all public access",
    scopes: ["inventory", "state"],
    check: everyBucket((document, bucket) => {
      const flags = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];
      const blocked = bucketParts(document, "aws_s3_bucket_public_access_block", bucket).some((part) => flags.every((flag) => isTrue(part.config[flag])));
      return blocked ? undefined : "has no public access block with all four settings on";
    }),
  },
  {
    id: "S3.5",
    aliases: [],
    title: "S3 bucket refuses requests without TLS",
    scopes: ["inventory", "state"],
    check: everyBucket((document, bucket) => {
      const policies = bucketParts(document, "aws_s3_bucket_policy", bucket);
      if (policies.length === 0) return "has no bucket policy";
      const problems: string[] = [];
      let denied = false;
      for (const policy of policies) {
        const reading = readPolicy(policy.config.policy);
        if ("problem" in reading) problems.push(`${policy.address}: ${reading.problem}`);
        else denied ||= reading.statements.some((statement) => deniesInsecureTransport(statement, bucket));
      }
      return denied ? undefined : [...problems, "its policy does not deny s3:* on the bucket and its objects when aws:SecureTransport is false"];
    }),
  },
  {
    id: "CKV2_AWS_61",
    aliases: ["S3.13"],
    title: "S3 bucket has a lifecycle configuration",
    scopes: ["inventory"],
    turnOn: "log files expire after `loadBalancer.accessLogs.retentionDays` (90 by default)",
    check: everyBucket((document, bucket) =>
      bucketParts(document, "aws_s3_bucket_lifecycle_configuration", bucket).some((part) =>
        blockList(part.config.rule).some((rule) => rule.status === "Enabled"),
      )
        ? undefined
        : "has no enabled lifecycle rule",
    ),
  },
  {
    id: "CKV2_AWS_65",
    aliases: ["S3.12"],
    title: "S3 bucket has ACLs disabled (bucket owner enforced)",
    scopes: ["inventory"],
    check: everyBucket((document, bucket) =>
      bucketParts(document, "aws_s3_bucket_ownership_controls", bucket).some((part) => firstBlock(part.config.rule)?.object_ownership === "BucketOwnerEnforced")
        ? undefined
        : "does not enforce bucket owner object ownership",
    ),
  },
  {
    id: "CKV_AWS_18",
    aliases: ["S3.9"],
    title: "S3 bucket has server access logging",
    scopes: ["inventory"],
    unavailable: "not offered: needs a second bucket to log into",
    check: everyBucketWith("aws_s3_bucket_logging", "has no server access logging"),
  },
  {
    id: "CKV_AWS_144",
    aliases: ["S3.7"],
    title: "S3 bucket replicates to another region",
    scopes: ["inventory"],
    unavailable: "not offered: needs a bucket in a second region",
    check: everyBucketWith("aws_s3_bucket_replication_configuration", "has no replication configuration"),
  },
  {
    id: "CKV2_AWS_62",
    aliases: ["S3.11"],
    title: "S3 bucket sends event notifications",
    scopes: ["inventory"],
    unavailable: "not offered: needs a consumer of the notifications",
    check: everyBucketWith("aws_s3_bucket_notification", "has no event notifications"),
  },
  {
    id: "CKV_AWS_28",
    aliases: ["DynamoDB.2"],
    title: "DynamoDB lock table has point-in-time recovery",
    scopes: ["state"],
    check: ({ document, scope }) =>
      everyBlock(resources(document, "aws_dynamodb_table"), "DynamoDB table", scope === "state", (table) =>
        isTrue(firstBlock(table.config.point_in_time_recovery)?.enabled) ? undefined : `point_in_time_recovery is ${show(table.config.point_in_time_recovery)}`,
      ),
  },
  {
    id: "DynamoDB.6",
    aliases: [],
    title: "DynamoDB lock table has deletion protection",
    scopes: ["state"],
    check: ({ document, scope }) =>
      everyBlock(resources(document, "aws_dynamodb_table"), "DynamoDB table", scope === "state", (table) =>
        isTrue(table.config.deletion_protection_enabled) ? undefined : `deletion_protection_enabled is ${show(table.config.deletion_protection_enabled)}`,
      ),
  },
];
