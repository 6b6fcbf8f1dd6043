import { Construct } from "constructs";
import { Fn, type ITerraformDependable, TerraformLocal } from "cdktf";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import { administeredByTheAccount, awsPartition, policyDocument } from "../../aws/iam-policy";
import { nameProblem, type PropProblem, refuseProblems, regionPropProblem } from "../../props/prop-problems";

/** How a construct encrypts the log groups it creates. */
export interface LogEncryption {
  /**
   * The KMS key the log groups are encrypted with: its ARN or its alias's ARN.
   * Its policy must let CloudWatch Logs of the region use it for these log
   * groups (`logKeyPolicy`).
   */
  readonly kmsKeyArn: string;
  /**
   * What a log group must be created after: CloudWatch Logs refuses a key
   * whose policy does not let it in yet ("The specified KMS key does not
   * exist or is not allowed to be used with Arn ...").
   * @default nothing: the key and its policy exist already
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** The log group Lambda writes a function's log to: the stack creates it, with its retention and key, before the function. */
export function functionLogGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** The service principal of CloudWatch Logs in a region: it calls KMS itself for an encrypted log group. */
export function logsServicePrincipal(region: string): string {
  return `logs.${region}.amazonaws.com`;
}

/** The KMS actions CloudWatch Logs takes on a log group's key as it writes and reads the group (AWS's documented key policy). */
export const LOG_KEY_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"];

/**
 * The key policy of an environment's log key: administered by the account
 * (its IAM policies decide who), used by CloudWatch Logs of the region only
 * for the named log groups of the account. CloudWatch Logs passes the log
 * group's ARN as the encryption context `aws:logs:arn` of every call, so the
 * key cannot encrypt or decrypt another log group's data.
 */
export function logKeyPolicy(partition: string, region: string, account: string, logGroupNames: readonly string[]): string {
  return policyDocument([
    administeredByTheAccount(partition, account),
    {
      sid: "CloudWatchLogsEncryptTheEnvironmentsLogGroups",
      actions: LOG_KEY_ACTIONS,
      principals: [{ type: "Service", identifiers: [logsServicePrincipal(region)] }],
      resources: ["*"],
      conditions: [
        {
          test: "ArnEquals",
          variable: "kms:EncryptionContext:aws:logs:arn",
          values: logGroupNames.map((name) => `arn:${partition}:logs:${region}:${account}:log-group:${name}`),
        },
      ],
    },
  ]);
}

export interface LogKeyProps {
  /** Region of the key and the log groups. */
  readonly region: string;
  /** Alias of the key (`alias/` is put in front). */
  readonly alias: string;
  /** Names of the log groups CloudWatch Logs may use the key for; at least one. */
  readonly logGroupNames: readonly string[];
  /** What the key is for, in its description. @default "Encrypts CloudWatch Logs log groups" */
  readonly description?: string;
}

/**
 * A customer managed KMS key for log groups (checkov's CKV_AWS_158), rotated
 * yearly, that CloudWatch Logs may use for the named log groups and no other.
 */
export class LogKey extends Construct {
  /** The key's ARN, and the key policy a log group must be created after. */
  readonly encryption: LogEncryption;
  readonly keyArn: string;

  constructor(scope: Construct, id: string, props: LogKeyProps) {
    super(scope, id);
    refuseProblems(this, logKeyProblems(props));
    const key = new KmsKey(this, "key", {
      description: props.description ?? "Encrypts CloudWatch Logs log groups",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    });
    new KmsAlias(this, "alias", { name: `alias/${props.alias}`, targetKeyId: key.keyId });
    // A key policy of its own (not the key's `policy` argument): it names the account, which offline only the key's
    // ARN tells (arn:<partition>:kms:<region>:<account>:key/<id>); a local keeps the expression out of the policy's JSON.
    const account = new TerraformLocal(this, "account", Fn.element(Fn.split(":", key.arn), 4));
    const policy = new KmsKeyPolicy(this, "policy", {
      keyId: key.keyId,
      policy: logKeyPolicy(awsPartition(props.region), props.region, account.asString, props.logGroupNames),
    });
    this.keyArn = key.arn;
    this.encryption = { kmsKeyArn: key.arn, dependsOn: [policy] };
  }
}

/** Problems with the props KMS or the key policy would refuse. */
export function logKeyProblems(props: LogKeyProps): PropProblem[] {
  return [
    regionPropProblem("region", props.region),
    nameProblem("alias", "key alias", props.alias, 250, /^[A-Za-z0-9/_-]+$/, "letters, digits and /_-"),
    props.logGroupNames.length === 0 ? { prop: "logGroupNames", message: "is empty: name the log groups the key encrypts" } : undefined,
  ].filter((problem) => problem !== undefined);
}

/** A log group's arguments for `encryption`: its key, and the key policy it waits for. */
export function encryptedWith(encryption: LogEncryption | undefined): { kmsKeyId?: string; dependsOn?: ITerraformDependable[] } {
  if (!encryption) return {};
  return { kmsKeyId: encryption.kmsKeyArn, ...(encryption.dependsOn?.length ? { dependsOn: [...encryption.dependsOn] } : {}) };
}
