import type { TerraformStack } from "cdktf";
import { CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TaggedCloudWorkspaces } from "cdktf";
import type { StateBackendType } from "../config/schema";

export interface StateBackendProps {
  /** `s3`, `cloud` (Terraform Cloud) or `local` (cdktf's default state file). @default "s3" */
  readonly backend: StateBackendType;
  /** Environment whose state this is: part of the S3 key and the workspace name. */
  readonly environment: string;
  /** S3 bucket (backend `s3`). */
  readonly bucket?: string;
  /** Region of the bucket (backend `s3`). */
  readonly region: string;
  /** Prefix before `<environment>/inventory-ha.tfstate`. @default "" */
  readonly keyPrefix: string;
  /** DynamoDB lock table (backend `s3`). @default none: S3 lock files only */
  readonly lockTable?: string;
  /** S3 lock files (Terraform 1.10+). @default true */
  readonly useLockfile: boolean;
  /** Terraform Cloud organization (backend `cloud`). */
  readonly organization?: string;
  /** Terraform Cloud workspace (backend `cloud`). @default inventory-ha-<environment> */
  readonly workspace?: string;
  /** Terraform Cloud workspace tags, instead of a named workspace (backend `cloud`). @default none */
  readonly workspaceTags?: readonly string[];
  /** Terraform Cloud host (backend `cloud`). @default "app.terraform.io" */
  readonly hostname: string;
}

/** The S3 object key of an environment's state: never shared between environments. */
export function stateKey(keyPrefix: string, environment: string): string {
  return `${keyPrefix}${environment}/inventory-ha.tfstate`;
}

/** Points the stack's Terraform state at S3 (encrypted, locked) or Terraform Cloud. */
export function addStateBackend(stack: TerraformStack, props: StateBackendProps): void {
  switch (props.backend) {
    case "s3": {
      if (!props.bucket) throw new Error("state backend s3 needs a bucket");
      new S3Backend(stack, {
        bucket: props.bucket,
        key: stateKey(props.keyPrefix, props.environment),
        region: props.region,
        encrypt: true,
        dynamodbTable: props.lockTable,
      });
      // cdktf's S3BackendConfig predates Terraform 1.10's S3-native locking.
      if (props.useLockfile) stack.addOverride("terraform.backend.s3.use_lockfile", true);
      return;
    }
    case "cloud": {
      if (!props.organization) throw new Error("state backend cloud needs an organization");
      new CloudBackend(stack, {
        organization: props.organization,
        hostname: props.hostname,
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
