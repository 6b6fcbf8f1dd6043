import { Construct } from "constructs";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { administeredByTheAccount, awsPartition, type PolicyCondition, policyDocument } from "../../aws/iam-policy";
import { refuseProblems } from "../../props/prop-problems";

/** The service principal CloudWatch alarms publish to SNS as. */
export const CLOUDWATCH_SERVICE = "cloudwatch.amazonaws.com";

/**
 * The AWS managed key of SNS. Its key policy cannot be changed, so it can
 * never let CloudWatch use it: an alarm publishing to a topic encrypted with
 * it fails with KMS AccessDenied, and the notification is lost (AWS
 * knowledge center "cloudwatch-receive-sns-for-alarm-trigger").
 */
const AWS_MANAGED_SNS_KEY = /(^|:)alias\/aws\/sns$/;
// A key by id (multi-Region keys start mrk-) or by alias.
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/([0-9a-f-]{36}|mrk-[0-9a-f]{32})|alias\/[A-Za-z0-9/_-]+)$/;
/** An address SNS can mail (the subscription then waits for its owner to confirm). */
export const EMAIL_ADDRESS = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
/** An HTTPS endpoint: notifications describe the environment, so they travel over TLS only (no http subscriptions). */
export const HTTPS_ENDPOINT = /^https:\/\/[^\s/]+(\/\S*)?$/;

/** Why a key cannot encrypt the alarm topic, or undefined. */
export function topicKeyProblem(kmsKeyArn: string): string | undefined {
  if (AWS_MANAGED_SNS_KEY.test(kmsKeyArn)) return "the AWS managed key alias/aws/sns cannot be used: CloudWatch alarms cannot publish to a topic it encrypts";
  if (!KMS_KEY_ARN.test(kmsKeyArn)) return `${JSON.stringify(kmsKeyArn)} is not a KMS key or alias ARN like arn:aws:kms:us-west-2:123456789012:key/<uuid>`;
  return undefined;
}

/** What each optional prop is when left out: no subscriptions (the settings schema reads these). */
export const ALARM_TOPIC_DEFAULTS: { readonly emailAddresses: readonly string[]; readonly httpsEndpoints: readonly string[] } = {
  emailAddresses: [],
  httpsEndpoints: [],
};

export interface AlarmTopicProps {
  /** Name of the SNS topic. */
  readonly name: string;
  /** Region, for the partition and the alarms' ARN in the policies. */
  readonly region: string;
  /**
   * KMS key that encrypts the topic: its ARN (or an alias ARN). Its key
   * policy must let `cloudwatch.amazonaws.com` use `kms:Decrypt` and
   * `kms:GenerateDataKey*`. The AWS managed key `alias/aws/sns` is refused:
   * CloudWatch cannot use it.
   * @default a customer managed key created here, with yearly rotation and that statement
   */
  readonly kmsKeyArn?: string;
  /** Alias of the key created here (`alias/` is put in front). @default the topic's name in lower case */
  readonly keyAlias?: string;
  /** Email addresses subscribed to the topic; each confirms by the link AWS mails it. @default none */
  readonly emailAddresses?: readonly string[];
  /** HTTPS endpoints subscribed to the topic; each must answer SNS's confirmation request. @default none */
  readonly httpsEndpoints?: readonly string[];
}

/**
 * The topic every alarm of an environment notifies: encrypted with a KMS key
 * CloudWatch may use, publishable only by CloudWatch alarms of the account
 * and region (aws:SourceAccount, aws:SourceArn), never without TLS, and
 * subscribed to by the people and endpoints the settings name.
 */
export class AlarmTopic extends Construct {
  readonly topicArn: string;
  readonly topicName: string;
  /** The key that encrypts the topic: the one given, or the one created here. */
  readonly kmsKeyArn: string;
  /** True when the key was created here (its policy is this construct's). */
  readonly createsKey: boolean;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.validate(props);
    const partition = awsPartition(props.region);

    const key = props.kmsKeyArn
      ? undefined
      : new KmsKey(this, "key", {
          description: `Encrypts the alarm notifications of SNS topic ${props.name}`,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
        });
    if (key) new KmsAlias(this, "key-alias", { name: `alias/${props.keyAlias ?? props.name.toLowerCase()}`, targetKeyId: key.keyId });

    const topic = new SnsTopic(this, "topic", {
      name: props.name,
      // The sender name of the notification mails: which environment is speaking.
      displayName: props.name,
      kmsMasterKeyId: key ? key.arn : props.kmsKeyArn,
      tags: { Name: props.name },
    });
    // The account comes from the topic: no data source, so plans stay offline.
    const account = topic.owner;
    const fromAlarmsOfThisAccount = fromAlarmsOf(partition, props.region, account);

    new SnsTopicPolicy(this, "policy", {
      arn: topic.arn,
      policy: policyDocument([
        {
          sid: "CloudWatchAlarmsOfThisAccountPublish",
          actions: ["sns:Publish"],
          principals: [{ type: "Service", identifiers: [CLOUDWATCH_SERVICE] }],
          resources: [topic.arn],
          conditions: fromAlarmsOfThisAccount,
        },
        {
          sid: "DenyPublishWithoutTls",
          effect: "Deny",
          actions: ["sns:Publish"],
          principals: [{ type: "*", identifiers: ["*"] }],
          resources: [topic.arn],
          conditions: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
      ]),
    });

    if (key) {
      // A key policy of its own (not the key's `policy` argument): it names the account, which only the topic knows offline.
      new KmsKeyPolicy(this, "key-policy", {
        keyId: key.keyId,
        policy: alarmTopicKeyPolicy(partition, props.region, account),
      });
    }

    (props.emailAddresses ?? ALARM_TOPIC_DEFAULTS.emailAddresses).forEach(
      (endpoint, index) => new SnsTopicSubscription(this, `email-${index + 1}`, { topicArn: topic.arn, protocol: "email", endpoint }),
    );
    (props.httpsEndpoints ?? ALARM_TOPIC_DEFAULTS.httpsEndpoints).forEach(
      (endpoint, index) => new SnsTopicSubscription(this, `https-${index + 1}`, { topicArn: topic.arn, protocol: "https", endpoint }),
    );

    this.topicArn = topic.arn;
    this.topicName = topic.name;
    this.kmsKeyArn = key ? key.arn : props.kmsKeyArn!;
    this.createsKey = key !== undefined;
  }

  private validate(props: AlarmTopicProps): void {
    const fail = (prop: string, message: string) => refuseProblems(this, [{ prop, message }]);
    const keyProblem = props.kmsKeyArn === undefined ? undefined : topicKeyProblem(props.kmsKeyArn);
    if (keyProblem) fail("kmsKeyArn", keyProblem);
    for (const address of props.emailAddresses ?? ALARM_TOPIC_DEFAULTS.emailAddresses)
      if (!EMAIL_ADDRESS.test(address)) fail("emailAddresses", `${JSON.stringify(address)} is not an email address`);
    for (const url of props.httpsEndpoints ?? ALARM_TOPIC_DEFAULTS.httpsEndpoints)
      if (!HTTPS_ENDPOINT.test(url)) fail("httpsEndpoints", `${JSON.stringify(url)} is not an https:// URL`);
  }
}

/** The conditions of a request from CloudWatch alarms of one account and region (aws:SourceAccount, aws:SourceArn). */
function fromAlarmsOf(partition: string, region: string, account: string): PolicyCondition[] {
  return [
    { test: "StringEquals", variable: "aws:SourceAccount", values: [account] },
    { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:${partition}:cloudwatch:${region}:${account}:alarm:*`] },
  ];
}

/**
 * The key policy of an alarm topic's key: administered by the account (its
 * IAM policies decide who), used by CloudWatch alarms of the account and
 * region to encrypt what they publish.
 */
export function alarmTopicKeyPolicy(partition: string, region: string, account: string): string {
  return policyDocument([
    administeredByTheAccount(partition, account),
    {
      // CloudWatch calls KMS itself when it publishes to an encrypted topic.
      sid: "CloudWatchAlarmsEncryptNotifications",
      actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
      principals: [{ type: "Service", identifiers: [CLOUDWATCH_SERVICE] }],
      resources: ["*"],
      conditions: fromAlarmsOf(partition, region, account),
    },
  ]);
}
