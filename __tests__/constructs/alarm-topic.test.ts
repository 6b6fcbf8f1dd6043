import { Testing } from "cdktf";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { AlarmTopic, type AlarmTopicProps } from "../../src/constructs/monitoring/alarm-topic";
import { onlyResource, resourcesOf } from "../support/stacks";

function synthTopic(overrides: Partial<AlarmTopicProps> = {}) {
  const json = Testing.synthScope((scope) => new AlarmTopic(scope, "topic", { name: "Inventory-Alarms", region: "us-west-2", ...overrides }));
  return { json, document: JSON.parse(json) };
}

/** The construct itself, built in a test stack. */
function topicConstruct(overrides: Partial<AlarmTopicProps> = {}): AlarmTopic {
  let topic: AlarmTopic | undefined;
  Testing.synthScope((scope) => (topic = new AlarmTopic(scope, "topic", { name: "Inventory-Alarms", region: "us-west-2", ...overrides })));
  return topic!;
}

// Addresses as cdktf names them in a test scope (with a hash suffix).
const defaults = synthTopic();
const [topicName] = onlyResource(defaults.document, "aws_sns_topic");
const [keyName] = onlyResource(defaults.document, "aws_kms_key");
const TOPIC_ARN = `\${aws_sns_topic.${topicName}.arn}`;
const ACCOUNT = `\${aws_sns_topic.${topicName}.owner}`;
const KEY = (attribute: string) => `\${aws_kms_key.${keyName}.${attribute}}`;
const FROM_ALARMS_OF_THIS_ACCOUNT = {
  StringEquals: { "aws:SourceAccount": ACCOUNT },
  ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:us-west-2:${ACCOUNT}:alarm:*` },
};

describe("AlarmTopic with the defaults", () => {
  const { json, document } = defaults;

  it("encrypts the topic with a customer managed key of its own, rotated, under an alias", () => {
    expect(onlyResource(document, "aws_kms_key")[1]).toStrictEqual({
      description: "Encrypts the alarm notifications of SNS topic Inventory-Alarms",
      enable_key_rotation: true,
      deletion_window_in_days: 30,
    });
    expect(onlyResource(document, "aws_sns_topic")[1].tags).toStrictEqual({ Name: "Inventory-Alarms" });
    expect(topicConstruct().createsKey).toBe(true);
    expect(json).toHaveResourceWithProperties(KmsAlias, { name: "alias/inventory-alarms", target_key_id: KEY("key_id") });
    expect(json).toHaveResourceWithProperties(SnsTopic, { name: "Inventory-Alarms", display_name: "Inventory-Alarms", kms_master_key_id: KEY("arn") });
  });

  it("lets only CloudWatch alarms of this account and region publish, and no one without TLS", () => {
    const [, topicPolicy] = onlyResource(document, "aws_sns_topic_policy");
    expect(topicPolicy.arn).toBe(TOPIC_ARN);
    expect(JSON.parse(topicPolicy.policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "CloudWatchAlarmsOfThisAccountPublish",
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: "sns:Publish",
          Resource: TOPIC_ARN,
          Condition: FROM_ALARMS_OF_THIS_ACCOUNT,
        },
        {
          Sid: "DenyPublishWithoutTls",
          Effect: "Deny",
          Principal: "*",
          Action: "sns:Publish",
          Resource: TOPIC_ARN,
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
  });

  it("gives the key a policy that keeps it the account's and lets CloudWatch alarms of the account encrypt with it", () => {
    const [, keyPolicy] = onlyResource(document, "aws_kms_key_policy");
    expect(keyPolicy.key_id).toBe(KEY("key_id"));
    expect(JSON.parse(keyPolicy.policy).Statement).toEqual([
      { Sid: "AdministeredByTheAccount", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
      {
        Sid: "CloudWatchAlarmsEncryptNotifications",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: FROM_ALARMS_OF_THIS_ACCOUNT,
      },
    ]);
  });

  it("subscribes no one", () => {
    expect(resourcesOf(document, "aws_sns_topic_subscription")).toStrictEqual([]);
  });
});

describe("AlarmTopic with settings", () => {
  it("subscribes each email address and HTTPS endpoint, numbered from 1 in their addresses", () => {
    const { json, document } = synthTopic({ emailAddresses: ["ops@example.com", "dba@example.com"], httpsEndpoints: ["https://hooks.example.com/alarms"] });
    expect(json).toHaveResourceWithProperties(SnsTopicSubscription, { topic_arn: TOPIC_ARN, protocol: "email", endpoint: "ops@example.com" });
    expect(json).toHaveResourceWithProperties(SnsTopicSubscription, { topic_arn: TOPIC_ARN, protocol: "https", endpoint: "https://hooks.example.com/alarms" });
    // A renumbered subscription is a new one: the old one is deleted and its owner must confirm again.
    expect(
      resourcesOf(document, "aws_sns_topic_subscription").map(([name, subscription]) => [name.replace(/_[0-9A-F]{8}$/, ""), subscription.endpoint]),
    ).toStrictEqual([
      ["topic_email-1", "ops@example.com"],
      ["topic_email-2", "dba@example.com"],
      ["topic_https-1", "https://hooks.example.com/alarms"],
    ]);
  });

  it("takes an email address or an HTTPS endpoint as a whole, with or without a path", () => {
    const { document } = synthTopic({
      emailAddresses: ["ops.team@mail.example.com"],
      httpsEndpoints: ["https://hooks.example.com", "https://hooks.example.com:8443/a?b=c"],
    });
    expect(resourcesOf(document, "aws_sns_topic_subscription")).toHaveLength(3);
  });

  it("takes a key of any partition", () => {
    const key = "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    expect(synthTopic({ kmsKeyArn: key }).json).toHaveResourceWithProperties(SnsTopic, { kms_master_key_id: key });
  });

  it("takes a multi-Region key or an alias by ARN", () => {
    for (const key of ["arn:aws:kms:us-west-2:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab", "arn:aws:kms:us-west-2:123456789012:alias/ops-alarms"]) {
      expect(synthTopic({ kmsKeyArn: key }).json).toHaveResourceWithProperties(SnsTopic, { kms_master_key_id: key });
    }
  });

  it("uses a key given by ARN and creates none", () => {
    const key = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const given = topicConstruct({ kmsKeyArn: key });
    expect([given.createsKey, given.kmsKeyArn]).toStrictEqual([false, key]);
    const { json, document } = synthTopic({ kmsKeyArn: key });
    expect(json).toHaveResourceWithProperties(SnsTopic, { kms_master_key_id: key });
    for (const type of ["aws_kms_key", "aws_kms_alias", "aws_kms_key_policy"]) expect(resourcesOf(document, type)).toStrictEqual([]);
  });

  it.each<[string, Partial<AlarmTopicProps>, RegExp]>([
    [
      "the AWS managed key, which CloudWatch cannot use",
      { kmsKeyArn: "alias/aws/sns" },
      /^AlarmTopic [\w-]+\/topic: kmsKeyArn: the AWS managed key alias\/aws\/sns cannot be used: CloudWatch alarms cannot publish to a topic it encrypts$/,
    ],
    ["a key that is not an ARN", { kmsKeyArn: "1234abcd" }, /\/topic: kmsKeyArn: "1234abcd" is not a KMS key or alias ARN/],
    [
      "the AWS managed key by its alias ARN",
      { kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:alias/aws/sns" },
      /\/topic: kmsKeyArn: the AWS managed key alias\/aws\/sns cannot be used/,
    ],
    [
      "text before a key ARN",
      { kmsKeyArn: "key arn:aws:kms:us-west-2:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab" },
      /\/topic: kmsKeyArn: "key arn:aws:kms:/,
    ],
    [
      "text after a key ARN",
      { kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:alias/ops-alarms and more" },
      /\/topic: kmsKeyArn: "arn:aws:kms:[^"]+ and more" is not/,
    ],
    ["text before an email address", { emailAddresses: ["to ops@example.com"] }, /\/topic: emailAddresses: "to ops@example.com" is not an email address$/],
    ["text after an email address", { emailAddresses: ["ops@example.com now"] }, /\/topic: emailAddresses: "ops@example.com now" is not an email address$/],
    [
      "text before an endpoint",
      { httpsEndpoints: ["see https://hooks.example.com"] },
      /\/topic: httpsEndpoints: "see https:\/\/hooks\.example\.com" is not an https:\/\/ URL$/,
    ],
    [
      "a space in an endpoint's path",
      { httpsEndpoints: ["https://hooks.example.com/a b"] },
      /\/topic: httpsEndpoints: "https:\/\/hooks\.example\.com\/a b" is not an https:\/\/ URL$/,
    ],
    ["a malformed email address", { emailAddresses: ["ops@"] }, /\/topic: emailAddresses: "ops@" is not an email address$/],
    [
      "a plain HTTP endpoint",
      { httpsEndpoints: ["http://hooks.example.com/alarms"] },
      /\/topic: httpsEndpoints: "http:\/\/hooks\.example\.com\/alarms" is not an https:\/\/ URL$/,
    ],
  ])("refuses %s, naming the construct and the prop", (_what, overrides, message) => {
    expect(() => synthTopic(overrides)).toThrow(message);
  });
});
