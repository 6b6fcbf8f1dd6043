import type { TerraformStack } from "cdktf";
import { CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TaggedCloudWorkspaces } from "cdktf";
import { isKnownRegion } from "../aws/aws-regions";
import { s3BucketProblem } from "../constructs/data/private-bucket";
import { choiceProblem, type PropProblem, refuseProblems } from "../props/prop-problems";

/** Where Terraform keeps a stack's state: an S3 bucket, Terraform Cloud, or a local file (for trying things out). */
export const STATE_BACKENDS = ["s3", "cloud", "local"] as const;
export type StateBackendType = (typeof STATE_BACKENDS)[number];

/** A key prefix: empty, or S3-safe path parts each ending in `/`. */
export const STATE_KEY_PREFIX = /^([A-Za-z0-9!_.*'()-]+\/)*$/;
export const DYNAMODB_TABLE = /^[A-Za-z0-9_.-]{3,255}$/;
export const CLOUD_WORKSPACE = /^[A-Za-z0-9_-]{1,90}$/;
export const CLOUD_WORKSPACE_TAG = /^[a-z0-9][a-z0-9:_-]*$/;
/** The alias of the KMS key the state bootstrap stack creates for the state objects. */
export const STATE_KEY_ALIAS = "alias/inventory-terraform-state";

/** What each optional prop is when left out (the settings schema reads these). */
export const STATE_BACKEND_DEFAULTS = {
  backend: "s3",
  keyPrefix: "",
  useLockfile: true,
  kmsKeyId: STATE_KEY_ALIAS,
  hostname: "app.terraform.io",
} as const satisfies Partial<StateBackendProps>;

export interface StateBackendProps {
  /** `s3`, `cloud` (Terraform Cloud) or `local` (a state file in the project folder). @default "s3" */
  readonly backend?: StateBackendType;
  /** Environment whose state this is: part of the S3 key and the workspace name. */
  readonly environment: string;
  /** S3 bucket (required for backend `s3`). @default none */
  readonly bucket?: string;
  /** Region of the bucket (required for backend `s3`; one of `AWS_REGIONS`). @default none */
  readonly region?: string;
  /** Prefix before `<environment>/inventory-ha.tfstate`: empty, or path parts ending in `/`. @default "" */
  readonly keyPrefix?: string;
  /** DynamoDB lock table (backend `s3`). @default none: S3 lock files only */
  readonly lockTable?: string;
  /** S3 lock files (Terraform 1.10+). @default true */
  readonly useLockfile?: boolean;
  /**
   * KMS key of the state objects (backend `s3`): key id, key ARN, alias name or alias ARN, resolved in the
   * account of whoever runs Terraform. The backend asks S3 for SSE-S3 (AES256) on every write unless it names
   * a key, whatever the bucket's default encryption is.
   * @default STATE_KEY_ALIAS, the state bootstrap stack's key
   */
  readonly kmsKeyId?: string;
  /** Terraform Cloud organization (required for backend `cloud`). @default none */
  readonly organization?: string;
  /** Terraform Cloud workspace (backend `cloud`). @default inventory-ha-<environment>, unless workspaceTags is set */
  readonly workspace?: string;
  /** Terraform Cloud workspace tags, instead of a named workspace (backend `cloud`). @default none */
  readonly workspaceTags?: readonly string[];
  /** Terraform Cloud host (backend `cloud`). @default "app.terraform.io" */
  readonly hostname?: string;
}

/** Problems with the backend's props: what its backend requires, and values S3, DynamoDB or Terraform Cloud refuse. */
export function stateBackendProblems(props: Omit<StateBackendProps, "environment">): PropProblem[] {
  const backend = props.backend ?? STATE_BACKEND_DEFAULTS.backend;
  const pattern = (prop: string, value: string | undefined, regex: RegExp, message: string): PropProblem | undefined =>
    value === undefined || regex.test(value) ? undefined : { prop, message: `"${value}" ${message}` };
  const bucketProblem = props.bucket === undefined ? undefined : s3BucketProblem(props.bucket);
  return [
    choiceProblem("backend", backend, STATE_BACKENDS),
    backend === "s3" && props.bucket === undefined ? { prop: "bucket", message: "missing: name the S3 bucket of the state" } : undefined,
    bucketProblem ? { prop: "bucket", message: bucketProblem } : undefined,
    backend === "s3" && props.region === undefined ? { prop: "region", message: "missing: name the region of the state bucket" } : undefined,
    props.region === undefined || isKnownRegion(props.region)
      ? undefined
      : { prop: "region", message: `"${props.region}" is not an AWS region this project knows (src/aws/aws-regions.ts)` },
    pattern("keyPrefix", props.keyPrefix, STATE_KEY_PREFIX, "must be empty or end with / and use S3-safe characters"),
    pattern("lockTable", props.lockTable, DYNAMODB_TABLE, "must be a DynamoDB table name"),
    backend === "cloud" && props.organization === undefined ? { prop: "organization", message: "missing: name the Terraform Cloud organization" } : undefined,
    pattern("workspace", props.workspace, CLOUD_WORKSPACE, "must be 1-90 letters, digits, - and _"),
    ...(props.workspaceTags ?? []).map((tag, index) =>
      pattern(`workspaceTags.${index}`, tag, CLOUD_WORKSPACE_TAG, "must be lower-case letters, digits, : _ and -"),
    ),
    props.workspace !== undefined && props.workspaceTags !== undefined
      ? { prop: "workspaceTags", message: "choose either workspace or workspaceTags, not both" }
      : undefined,
  ].filter((problem) => problem !== undefined);
}

/** The S3 object key of an environment's state: never shared between environments. */
export function stateKey(keyPrefix: string, environment: string): string {
  return `${keyPrefix}${environment}/inventory-ha.tfstate`;
}

/**
 * Points the stack's Terraform state at S3 (encrypted, locked), Terraform
 * Cloud or a local file. Refuses props the backend cannot work with, naming
 * the stack and the prop.
 */
export function addStateBackend(stack: TerraformStack, props: StateBackendProps): void {
  refuseProblems(stack, stateBackendProblems(props));
  switch (props.backend ?? STATE_BACKEND_DEFAULTS.backend) {
    case "s3": {
      new S3Backend(stack, {
        bucket: props.bucket!,
        key: stateKey(props.keyPrefix ?? STATE_BACKEND_DEFAULTS.keyPrefix, props.environment),
        region: props.region,
        encrypt: true,
        kmsKeyId: props.kmsKeyId ?? STATE_BACKEND_DEFAULTS.kmsKeyId,
        dynamodbTable: props.lockTable,
      });
      // cdktf's S3BackendConfig predates Terraform 1.10's S3-native locking.
      if (props.useLockfile ?? STATE_BACKEND_DEFAULTS.useLockfile) stack.addOverride("terraform.backend.s3.use_lockfile", true);
      return;
    }
    case "cloud": {
      new CloudBackend(stack, {
        organization: props.organization!,
        hostname: props.hostname ?? STATE_BACKEND_DEFAULTS.hostname,
        workspaces: props.workspaceTags
          ? new TaggedCloudWorkspaces([...props.workspaceTags])
          : new NamedCloudWorkspace(props.workspace ?? `inventory-ha-${props.environment}`),
      });
      return;
    }
    case "local":
      addLocalStateBackend(stack);
      return;
  }
}

/**
 * State in `terraform.<stack>.tfstate` in the project folder, given relative
 * to the stack folder cdktf runs terraform in (cdktf.out/stacks/<stack>), so
 * the configuration is the same on every machine; cdktf's implicit default
 * would write an absolute path.
 */
export function addLocalStateBackend(stack: TerraformStack): void {
  new LocalBackend(stack, { path: `../../../terraform.${stack.node.id}.tfstate` });
}
