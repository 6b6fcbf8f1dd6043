import { Lazy, Testing } from "cdktf";
import { bucketNameProblems, PrivateBucket, type PrivateBucketProps, s3BucketProblem } from "../../src/constructs/data/private-bucket";
import { expectRefused, onlyResource } from "../support/stacks";

// The bucket every other bucket of the project is built on (the load balancer's
// logs, the app's artifacts, the state): S3's naming rules as the settings and
// the constructs check them, and what a bucket built from the fewest props is.

const VALID = "is a valid name";
/** What s3BucketProblem says of `name`, VALID for nothing. */
const said = (name: string) => s3BucketProblem(name) ?? VALID;

describe("s3BucketProblem: S3's rules for a general purpose bucket's name", () => {
  it.each([
    ["the shortest name", "abc"],
    ["the longest name", `a${"b".repeat(61)}c`],
    ["dots and hyphens inside", "inventory.ha-state"],
    ["digits at both ends", "1inventory9"],
    ["four dotted numbers followed by more", "10.0.0.1.backup"],
    ["four dotted numbers after a letter", "a10.0.0.1"],
    ["five dotted numbers", "1.2.3.4.5"],
    ["a reserved prefix inside the name", "my-xn--bucket"],
    ["a reserved prefix inside the name, after a letter", "asthree-bucket"],
    ["a reserved suffix inside the name", "logs.mrap.old"],
    ["a reserved suffix inside the name, before a letter", "logs-s3aliasx"],
  ])("takes %s (%s)", (_what, name) => {
    expect(said(name)).toBe(VALID);
  });

  const rules = "(3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit)";
  it.each([
    ["two characters", "ab"],
    ["64 characters", `a${"b".repeat(62)}c`],
    ["an upper-case letter", "Inventory"],
    ["a leading hyphen", "-inventory"],
    ["a trailing hyphen", "inventory-"],
    ["a trailing dot", "inventory."],
    ["an underscore", "inventory_state"],
  ])("refuses %s (%s) by the naming rules", (_what, name) => {
    expect(said(name)).toBe(`"${name}" is not a valid S3 bucket name ${rules}`);
  });

  it("refuses two adjacent dots", () => {
    expect(said("inventory..state")).toBe('"inventory..state" has two adjacent dots');
  });

  it.each(["192.168.10.254", "1.2.3.4", "10.0.0.1"])("refuses an IP address (%s)", (name) => {
    expect(said(name)).toBe(`"${name}" is formatted as an IP address`);
  });

  it.each([
    "xn--inventory",
    "sthree-inventory",
    "amzn-s3-demo-inventory",
    "inventory-s3alias",
    "inventory--ol-s3",
    "inventory.mrap",
    "inventory--x-s3",
    "inventory--table-s3",
  ])("refuses a prefix or suffix AWS reserves (%s)", (name) => {
    expect(said(name)).toBe(`"${name}" uses a prefix or suffix AWS reserves`);
  });
});

describe("bucketNameProblems: the name or the prefix a construct is given", () => {
  it("has nothing to say of no name and no prefix, of valid ones, or of names known only at apply time", () => {
    expect(bucketNameProblems({})).toStrictEqual([]);
    expect(bucketNameProblems({ bucketName: "inventory-state", bucketPrefix: "inventory-lb-logs-" })).toStrictEqual([]);
    expect(bucketNameProblems({ bucketPrefix: `a${"b".repeat(36)}` })).toStrictEqual([]);
    const unresolved = Lazy.stringValue({ produce: () => "Not A Name" });
    expect(bucketNameProblems({ bucketName: unresolved, bucketPrefix: unresolved })).toStrictEqual([]);
  });

  it("names each prop with its problem, the name first", () => {
    expect(bucketNameProblems({ bucketName: "Inventory", bucketPrefix: "-logs" })).toStrictEqual([
      { prop: "bucketName", message: expect.stringMatching(/^"Inventory" is not a valid S3 bucket name/) },
      { prop: "bucketPrefix", message: '"-logs" must be 1-37 lower-case letters, digits, dots and hyphens, starting with a letter or digit' },
    ]);
    expect(bucketNameProblems({ bucketPrefix: `a${"b".repeat(37)}` })).toStrictEqual([
      { prop: "bucketPrefix", message: `"a${"b".repeat(37)}" must be 1-37 lower-case letters, digits, dots and hyphens, starting with a letter or digit` },
    ]);
    expect(bucketNameProblems({ bucketPrefix: "" })).toHaveLength(1);
  });
});

/** A bucket from `props` alone, synthesized. */
function synthBucket(props: Partial<PrivateBucketProps> = {}): any {
  return JSON.parse(Testing.synthScope((scope) => new PrivateBucket(scope, "bucket", { lifecycleRules: [], ...props })));
}

describe("PrivateBucket", () => {
  const plain = synthBucket();

  it("gets Terraform's own name and an empty Name tag when given neither a name nor a prefix, and keeps its objects on destroy", () => {
    const [, bucket] = onlyResource(plain, "aws_s3_bucket");
    expect(bucket).toStrictEqual({ force_destroy: false, tags: { Name: "" } });
  });

  it("encrypts with SSE-S3 by default, and with the AWS managed key and a Bucket Key for aws:kms without a key of its own", () => {
    const rule = (document: any) => onlyResource(document, "aws_s3_bucket_server_side_encryption_configuration")[1].rule;
    expect(rule(plain)).toStrictEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }]);
    expect(rule(synthBucket({ encryption: "aws:kms" }))).toStrictEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms" }, bucket_key_enabled: true },
    ]);
  });

  it("denies every request not made over TLS to anyone, on the bucket and its objects, after the statements it is given", () => {
    const document = synthBucket({ allow: (arn) => [{ sid: "Reader", actions: ["s3:GetObject"], resources: [`${arn}/*`] }] });
    const arn = `\${aws_s3_bucket.${onlyResource(document, "aws_s3_bucket")[0]}.arn}`;
    expect(JSON.parse(onlyResource(document, "aws_s3_bucket_policy")[1].policy).Statement).toStrictEqual([
      { Sid: "Reader", Effect: "Allow", Action: "s3:GetObject", Resource: `${arn}/*` },
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  it("refuses a key of its own with SSE-S3, naming the prop and what to set", () => {
    expectRefused(
      () => synthBucket({ encryption: "AES256", kmsKeyArn: "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" }),
      "PrivateBucket stack/bucket",
      'kmsKeyArn: needs encryption "aws:kms" (it is "AES256")',
    );
  });
});
