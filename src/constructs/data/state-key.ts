import { Construct } from "constructs";
import { Fn, TerraformLocal, Token } from "cdktf";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import { awsPartition, type PolicyStatementProps, policyDocument } from "../../aws/iam-policy";
import { type PropProblem, refuseProblems } from "../../props/prop-problems";

/**
 * The path and name of the roles IAM Identity Center makes for its
 * AdministratorAccess permission set (`aws-reserved/sso.amazonaws.com/<region>/AWSReservedSSO_AdministratorAccess_<id>`),
 * the usual way an organization names an account's administrators.
 */
export const IDENTITY_CENTER_ADMINISTRATORS = "role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_AdministratorAccess_*";

const PRINCIPAL_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):(role|user)\/([A-Za-z0-9+=,.@_/*?-]{1,512})$/;

/** What the key's administrators may do to it: AWS's key administrator actions, without using it. */
const KEY_ADMINISTRATION = [
  "kms:Create*",
  "kms:Describe*",
  "kms:Enable*",
  "kms:List*",
  "kms:Put*",
  "kms:Update*",
  "kms:Revoke*",
  "kms:Disable*",
  "kms:Get*",
  "kms:Delete*",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
  "kms:RotateKeyOnDemand",
];
const DECRYPT = ["kms:Decrypt"];
const ENCRYPT_AND_DECRYPT = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"];

/** Problems with the administrators' ARN patterns: each an IAM role or user ARN of one account, none matching every principal. */
export function administratorArnsProblems(arns: readonly string[]): PropProblem[] {
  const problems: PropProblem[] = [];
  if (arns.length === 0) problems.push({ prop: "administratorArns", message: "is empty: a key nobody may administer cannot be changed or deleted" });
  const accounts = new Set<string>();
  arns.forEach((arn, index) => {
    const prop = `administratorArns.${index}`;
    if (Token.isUnresolved(arn)) return;
    if (/:sts::\d*:assumed-role\//.test(arn)) {
      problems.push({
        prop,
        message: `"${arn}" is a session; name its role (arn:aws:iam::<account>:role/<name>): aws:PrincipalArn of a session is its role's`,
      });
      return;
    }
    const match = PRINCIPAL_ARN.exec(arn);
    if (!match) {
      problems.push({
        prop,
        message: `"${arn}" is not an IAM role or user ARN like arn:aws:iam::123456789012:role/${IDENTITY_CENTER_ADMINISTRATORS.slice(5)}`,
      });
      return;
    }
    const [, , account, type, name] = match;
    if (/^[*?/]*$/.test(name)) problems.push({ prop, message: `"${arn}" matches every ${type} of the account; name the administrators' ${type}s` });
    accounts.add(account);
  });
  if (accounts.size > 1)
    problems.push({ prop: "administratorArns", message: `name principals of one account, the state's (they name ${[...accounts].join(", ")})` });
  return problems;
}

export interface StateKeyProps {
  /** The key's alias, `alias/...`. */
  readonly alias: string;
  /** Region of the key and of the bucket whose objects it encrypts (S3 calls KMS there). */
  readonly region: string;
  /**
   * ARN patterns (`*` allowed in the name, `ArnLike`) of the IAM roles and users that administer the key and may
   * use it directly, all of the key's account. Whoever creates the key must be one of them: KMS refuses a key
   * policy that would lock its writer out ("The new key policy will not allow you to update the key policy in the future").
   * @default IAM Identity Center's AdministratorAccess roles of the key's account (IDENTITY_CENTER_ADMINISTRATORS)
   */
  readonly administratorArns?: readonly string[];
  /** Roles (names, in the key's account) that read objects it encrypts through S3: `kms:Decrypt` only. @default none */
  readonly readerRoleNames?: readonly string[];
  /** Roles (names, in the key's account) that read and write objects it encrypts through S3. @default none */
  readonly writerRoleNames?: readonly string[];
}

/**
 * A customer managed KMS key for an S3 bucket's objects (rotated yearly, 30
 * days to cancel a deletion) whose key policy lets only the administrators
 * manage and use it, and the named roles use it only through S3. Every
 * statement names the account root as principal and the principals by
 * `aws:PrincipalArn` (ArnLike), so the roles need not exist when the key is
 * made, and an IAM policy of theirs must allow the use as well.
 */
export class StateKey extends Construct {
  readonly keyArn: string;
  readonly aliasName: string;

  constructor(scope: Construct, id: string, props: StateKeyProps) {
    super(scope, id);
    refuseProblems(this, props.administratorArns ? administratorArnsProblems(props.administratorArns) : []);
    const partition = awsPartition(props.region);

    const key = new KmsKey(this, "key", {
      description: "Encrypts the Terraform state objects of the environments (SSE-KMS)",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      // Without the key no state object can be read again: no plan may schedule its deletion.
      lifecycle: { preventDestroy: true },
    });
    const alias = new KmsAlias(this, "alias", { name: props.alias, targetKeyId: key.keyId });

    // The account comes from the key's ARN (arn:<partition>:kms:<region>:<account>:key/<id>): no data source, so plans stay offline.
    const account = new TerraformLocal(this, "account", Fn.element(Fn.split(":", key.arn), 4)).asString;
    const root = [{ type: "AWS", identifiers: [`arn:${partition}:iam::${account}:root`] }];
    const administrators = props.administratorArns ?? [`arn:${partition}:iam::${account}:${IDENTITY_CENTER_ADMINISTRATORS}`];
    const roles = (names: readonly string[]) => names.map((name) => `arn:${partition}:iam::${account}:role/${name}`);
    const throughS3 = { test: "StringEquals", variable: "kms:ViaService", values: [`s3.${props.region}.amazonaws.com`] };
    const statements: PolicyStatementProps[] = [
      {
        sid: "AdministratorsManageKey",
        actions: KEY_ADMINISTRATION,
        principals: root,
        resources: ["*"],
        conditions: [{ test: "ArnLike", variable: "aws:PrincipalArn", values: administrators }],
      },
      {
        sid: "AdministratorsUseKey",
        actions: [...ENCRYPT_AND_DECRYPT, "kms:ReEncrypt*"],
        principals: root,
        resources: ["*"],
        conditions: [{ test: "ArnLike", variable: "aws:PrincipalArn", values: administrators }],
      },
    ];
    if (props.readerRoleNames?.length)
      statements.push({
        sid: "ReadersDecryptThroughS3",
        actions: DECRYPT,
        principals: root,
        resources: ["*"],
        conditions: [{ test: "ArnLike", variable: "aws:PrincipalArn", values: roles(props.readerRoleNames) }, throughS3],
      });
    if (props.writerRoleNames?.length)
      statements.push({
        sid: "WritersUseKeyThroughS3",
        actions: ENCRYPT_AND_DECRYPT,
        principals: root,
        resources: ["*"],
        conditions: [{ test: "ArnLike", variable: "aws:PrincipalArn", values: roles(props.writerRoleNames) }, throughS3],
      });
    // A key policy of its own (not the key's `policy` argument): it names the account, which only the key's ARN tells offline.
    new KmsKeyPolicy(this, "policy", { keyId: key.keyId, policy: policyDocument(statements) });

    this.keyArn = key.arn;
    this.aliasName = alias.name;
  }
}
