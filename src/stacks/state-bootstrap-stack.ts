import type { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { PrivateBucket } from "../constructs/data/private-bucket";
import { addLocalStateBackend, STATE_KEY_ALIAS } from "../terraform/state-backend";
import { StateKey } from "../constructs/data/state-key";
import { ProjectStack } from "./project-stack";

/** The cdktf stack that creates the state bucket and lock table: `cdktf deploy inventory-state`. */
export const STATE_BOOTSTRAP_STACK = "inventory-state";

/** Days S3 keeps a replaced state version; the newest ones are kept whatever their age. */
const STATE_VERSION_DAYS = 90;
const STATE_VERSIONS_KEPT = 20;

export interface StateBootstrapStackProps {
  /** The state bucket the environments' S3 backend names. */
  readonly bucketName: string;
  /** Region of the bucket (and the lock table). */
  readonly region: string;
  /** DynamoDB lock table, when an environment locks with one. @default none: S3 lock files only */
  readonly lockTable?: string;
  /** Tags on everything. @default Project and ManagedBy */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * ARN patterns of the account's administrators: they alone manage the state key, and may decrypt state
   * directly. Whoever deploys this stack must be one of them (KMS refuses a key policy that locks its writer out).
   * @default IAM Identity Center's AdministratorAccess roles of the account
   */
  readonly administratorArns?: readonly string[];
  /** CI roles that plan an environment from its S3 state: they may decrypt it, through S3 only. @default none */
  readonly planRoleNames?: readonly string[];
  /** CI roles that deploy an environment: they may decrypt and encrypt its state, through S3 only. @default none */
  readonly deployRoleNames?: readonly string[];
}

/**
 * What every environment's S3 backend needs before its first `cdktf deploy`,
 * created once per account like `cdk bootstrap`, by an administrator: the KMS
 * key of the state (only the administrators and the CI roles may decrypt it),
 * the state bucket (versioned, encrypted with that key, private, TLS-only, old
 * versions expired, never destroyed by a plan) and, when asked for, the
 * DynamoDB lock table. Its own state stays in
 * a local file (terraform.inventory-state.tfstate beside cdktf.json): the
 * bucket cannot hold the state of the stack that creates it.
 */
export class StateBootstrapStack extends ProjectStack {
  readonly bucketName: string;
  readonly lockTableName?: string;
  /** The KMS key of the state objects. */
  readonly kmsKeyArn: string;

  constructor(scope: Construct, id: string, props: StateBootstrapStackProps) {
    super(scope, id);
    addLocalStateBackend(this);

    new AwsProvider(this, "aws", {
      region: props.region,
      defaultTags: [{ tags: { Project: "inventory-ha", ManagedBy: "cdktf", Purpose: "terraform-state", ...props.tags } }],
    });

    const key = new StateKey(this, "state-key", {
      alias: STATE_KEY_ALIAS,
      region: props.region,
      administratorArns: props.administratorArns,
      readerRoleNames: props.planRoleNames,
      writerRoleNames: props.deployRoleNames,
    });
    this.kmsKeyArn = key.keyArn;

    const bucket = new PrivateBucket(this, "state-bucket", {
      bucketName: props.bucketName,
      // The backends name the key's alias on every write (kms_key_id); the default covers any other writer.
      kmsKeyArn: key.keyArn,
      // Losing the bucket loses every environment's state: no plan may destroy it.
      preventDestroy: true,
      lifecycleRules: [
        {
          id: "expire-old-state-versions",
          status: "Enabled",
          filter: [{}],
          noncurrentVersionExpiration: [{ noncurrentDays: STATE_VERSION_DAYS, newerNoncurrentVersions: STATE_VERSIONS_KEPT }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
    });
    this.bucketName = bucket.bucketName;

    new TerraformOutput(this, "state_bucket", {
      value: bucket.bucketName,
      description: "S3 bucket of the environments' state (state.bucket / INVENTORY_STATE_BUCKET)",
    });
    new TerraformOutput(this, "state_region", { value: props.region, description: "Region of the state bucket (state.region / INVENTORY_STATE_REGION)" });
    new TerraformOutput(this, "state_key", { value: key.keyArn, description: `KMS key of the state objects (${STATE_KEY_ALIAS})` });

    if (props.lockTable) {
      const table = new DynamodbTable(this, "lock-table", {
        name: props.lockTable,
        // Terraform's S3 backend locks with items keyed "LockID".
        hashKey: "LockID",
        attribute: [{ name: "LockID", type: "S" }],
        billingMode: "PAY_PER_REQUEST",
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true },
        deletionProtectionEnabled: true,
        tags: { Name: props.lockTable },
        lifecycle: { preventDestroy: true },
      });
      this.lockTableName = table.name;
      new TerraformOutput(this, "lock_table", { value: table.name, description: "DynamoDB lock table (state.lockTable / INVENTORY_STATE_LOCK_TABLE)" });
    }
  }
}
