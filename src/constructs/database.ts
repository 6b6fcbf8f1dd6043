import { Construct } from "constructs";
import { Token } from "cdktf";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { StorageType } from "../config/schema";
import { awsPartition, servicePrincipalTrust } from "./iam-policy";

export interface DatabaseProps {
  /** Private subnets of the DB subnet group, one per zone. */
  readonly subnetIds: readonly string[];
  /** The database's security group. */
  readonly securityGroupId: string;
  /** Region, for the AWS partition of managed policy ARNs. */
  readonly region: string;
  /** RDS for MySQL version. @default "8.4" */
  readonly engineVersion: string;
  /** Instance class. @default "db.t3.small" */
  readonly instanceClass: string;
  /** Volume type. @default "gp3" */
  readonly storageType: StorageType;
  /** Storage in GiB. @default 40 */
  readonly allocatedStorageGiB: number;
  /** Ceiling for storage autoscaling. @default off */
  readonly maxAllocatedStorageGiB?: number;
  /** Synchronous standby in another zone. @default true */
  readonly multiAz: boolean;
  /** Schema created with the instance. @default "inventory" */
  readonly databaseName: string;
  /** Master user; RDS keeps its password in Secrets Manager. @default "admin" */
  readonly masterUsername: string;
  /** Days of automated backups. @default 7 */
  readonly backupRetentionDays: number;
  /** Daily backup window (UTC). @default chosen by AWS */
  readonly backupWindow?: string;
  /** Weekly maintenance window (UTC). @default chosen by AWS */
  readonly maintenanceWindow?: string;
  /** Refuse deletion until turned off. @default true */
  readonly deletionProtection: boolean;
  /** Delete without a final snapshot. @default false */
  readonly skipFinalSnapshot: boolean;
  /** Apply changes now instead of in the maintenance window. @default true */
  readonly applyImmediately: boolean;
  /** MySQL logs exported to CloudWatch Logs. @default ["error", "slowquery"] */
  readonly logExports: readonly string[];
  /** Enhanced Monitoring interval; 0 turns it off. @default 60 */
  readonly monitoringIntervalSeconds: number;
  /** Names (the lab's: Inventory-DB). */
  readonly names: {
    readonly identifier: string;
    readonly nameTag: string;
    readonly subnetGroup: string;
    readonly parameterGroup: string;
    readonly monitoringRole: string;
  };
}

/**
 * The lab's Inventory-DB: RDS for MySQL in the private subnets, encrypted,
 * TLS-only, Multi-AZ by setting, with its master password generated and
 * rotated by RDS in Secrets Manager so it never appears in code or state.
 */
export class Database extends Construct {
  readonly identifier: string;
  readonly arn: string;
  /** Host name the app connects to; it stays the same across a Multi-AZ failover. */
  readonly address: string;
  readonly port: string;
  /** `address:port`. */
  readonly endpoint: string;
  /** ARN of the Secrets Manager secret holding the master credentials. */
  readonly masterUserSecretArn: string;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const { names } = props;

    const subnetGroup = new DbSubnetGroup(this, "subnet-group", {
      name: names.subnetGroup,
      description: "Private subnets of the Inventory database",
      subnetIds: [...props.subnetIds],
      tags: { Name: names.subnetGroup },
    });

    const parameters = new DbParameterGroup(this, "parameter-group", {
      name: names.parameterGroup,
      family: `mysql${props.engineVersion.split(".").slice(0, 2).join(".")}`,
      description: "Inventory database: TLS only, slow query log on",
      parameter: [
        // CKV2_AWS_69: refuse unencrypted connections.
        { name: "require_secure_transport", value: "1" },
        // The slowquery export stays empty unless the server writes the log.
        { name: "slow_query_log", value: "1" },
        { name: "long_query_time", value: "2" },
        // Likewise the general export; it records every statement, so only when asked for.
        ...(props.logExports.includes("general") ? [{ name: "general_log", value: "1" }] : []),
      ],
      tags: { Name: names.parameterGroup },
      lifecycle: { createBeforeDestroy: true },
    });

    let monitoringRoleArn: string | undefined;
    if (props.monitoringIntervalSeconds > 0) {
      const role = new IamRole(this, "monitoring-role", {
        name: names.monitoringRole,
        description: "Lets RDS Enhanced Monitoring publish OS metrics of the Inventory database",
        assumeRolePolicy: servicePrincipalTrust("monitoring.rds.amazonaws.com"),
      });
      new IamRolePolicyAttachment(this, "monitoring-policy", {
        role: role.name,
        policyArn: `arn:${awsPartition(props.region)}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
      });
      monitoringRoleArn = role.arn;
    }

    const instance = new DbInstance(this, "instance", {
      identifier: names.identifier,
      engine: "mysql",
      engineVersion: props.engineVersion,
      autoMinorVersionUpgrade: true,
      instanceClass: props.instanceClass,
      storageType: props.storageType,
      allocatedStorage: props.allocatedStorageGiB,
      maxAllocatedStorage: props.maxAllocatedStorageGiB,
      storageEncrypted: true,
      multiAz: props.multiAz,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [props.securityGroupId],
      publiclyAccessible: false,
      parameterGroupName: parameters.name,
      dbName: props.databaseName,
      username: props.masterUsername,
      manageMasterUserPassword: true,
      backupRetentionPeriod: props.backupRetentionDays,
      backupWindow: props.backupWindow,
      maintenanceWindow: props.maintenanceWindow,
      copyTagsToSnapshot: true,
      deletionProtection: props.deletionProtection,
      skipFinalSnapshot: props.skipFinalSnapshot,
      finalSnapshotIdentifier: props.skipFinalSnapshot ? undefined : `${names.identifier}-final`,
      applyImmediately: props.applyImmediately,
      enabledCloudwatchLogsExports: [...props.logExports],
      monitoringInterval: props.monitoringIntervalSeconds,
      monitoringRoleArn,
      tags: { Name: names.nameTag },
    });

    this.identifier = instance.identifier;
    this.arn = instance.arn;
    this.address = instance.address;
    this.port = Token.asString(instance.port);
    this.endpoint = instance.endpoint;
    this.masterUserSecretArn = instance.masterUserSecret.get(0).secretArn;
  }
}
