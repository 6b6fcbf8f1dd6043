import { Construct } from "constructs";
import { type ITerraformDependable, Token } from "cdktf";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { isKnownRegion } from "../../aws/aws-regions";
import { instanceClassProblem } from "../../aws/database-instance-classes";
import { awsPartition, fromSource, policyDocument, servicePrincipalTrust } from "../../aws/iam-policy";
import { choiceProblem, integerProblem, nameProblem, type PropProblem, refuseProblems } from "../../props/prop-problems";
import { appPhrase } from "../../props/app-phrase";

/** EBS volume types RDS for MySQL accepts, with their smallest size in GiB. */
export const STORAGE_MINIMUM_GIB = { gp3: 20, gp2: 20, io1: 100, io2: 100 } as const;
export type StorageType = keyof typeof STORAGE_MINIMUM_GIB;
/** The largest RDS for MySQL volume, in GiB. */
export const STORAGE_MAXIMUM_GIB = 65536;

/** Log types RDS for MySQL can export to CloudWatch Logs. */
export const MYSQL_LOG_EXPORTS = ["audit", "error", "general", "slowquery", "iam-db-auth-error"] as const;
export type MysqlLogExport = (typeof MYSQL_LOG_EXPORTS)[number];

/** Enhanced Monitoring intervals RDS accepts, in seconds (0 turns it off). */
export const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60] as const;
export type MonitoringInterval = (typeof MONITORING_INTERVALS)[number];

/** The CloudWatch Logs group RDS Enhanced Monitoring writes every instance's OS metrics to. */
export const ENHANCED_MONITORING_LOG_GROUP = "RDSOSMetrics";

/** Days of automated backups RDS keeps, as [min, max] (0 turns them off). */
export const BACKUP_RETENTION_DAYS = [0, 35] as const;

export const ENGINE_VERSION = /^\d+\.\d+(\.\d+)?$/;
export const RDS_INSTANCE_CLASS = /^db\.[a-z][a-z0-9-]*\.[a-z0-9]+$/;
export const DATABASE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
export const MASTER_USERNAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
/** A daily window in UTC, `hh:mm-hh:mm`. */
export const DAILY_WINDOW = /^[0-2]\d:[0-5]\d-[0-2]\d:[0-5]\d$/;
/** A weekly window in UTC, `ddd:hh:mm-ddd:hh:mm`. */
export const WEEKLY_WINDOW = /^(mon|tue|wed|thu|fri|sat|sun):[0-2]\d:[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):[0-2]\d:[0-5]\d$/;

/** Names of the database's resources; its subnet and parameter groups are named after the identifier. */
export interface DatabaseNames {
  /** RDS identifier: lower-case letters, digits and single hyphens. */
  readonly identifier: string;
  readonly nameTag: string;
  /** IAM role of Enhanced Monitoring. */
  readonly monitoringRole: string;
}

/** The lab's names. */
export const LAB_DATABASE_NAMES: DatabaseNames = { identifier: "inventory-db", nameTag: "Inventory-DB", monitoringRole: "Inventory-DB-Monitoring" };

/** What each optional prop is when left out: the lab's database (the settings schema reads these). */
export const DATABASE_DEFAULTS = {
  engineVersion: "8.4",
  /** The lab's challenge doubled db.t3.micro. */
  instanceClass: "db.t3.small",
  storageType: "gp3",
  /** The lab doubled its storage. */
  allocatedStorageGiB: 40,
  multiAz: true,
  databaseName: "inventory",
  masterUsername: "admin",
  backupRetentionDays: 7,
  deletionProtection: true,
  skipFinalSnapshot: false,
  applyImmediately: true,
  logExports: ["error", "slowquery"],
  monitoringIntervalSeconds: 60,
} as const satisfies Partial<DatabaseProps>;

/** The parameter group family of a MySQL version: `mysql8.4` for 8.4 and 8.4.7. */
export function parameterGroupFamily(engineVersion: string): string {
  return `mysql${engineVersion.split(".").slice(0, 2).join(".")}`;
}

/** The database's props with every default applied, as the checks read them. */
export type ResolvedDatabaseProps = Required<
  Omit<DatabaseProps, "maxAllocatedStorageGiB" | "backupWindow" | "maintenanceWindow" | "names" | "accountId" | "appName">
> &
  Pick<DatabaseProps, "maxAllocatedStorageGiB" | "backupWindow" | "maintenanceWindow">;

/**
 * Problems with the database's props: values RDS refuses, storage below its
 * type's minimum or autoscaling not above it, a Multi-AZ standby without the
 * backups RDS builds it from.
 */
/** The DB subnet group's name: the instance's identifier and `-subnets`. */
export function databaseSubnetGroupName(identifier: string): string {
  return `${identifier}-subnets`;
}

/** The parameter group's name: the identifier and its family without dots (`inventory-db-mysql84`). */
export function databaseParameterGroupName(identifier: string, engineVersion: string): string {
  return `${identifier}-${parameterGroupFamily(engineVersion).replace(/\./g, "")}`;
}

export function databaseProblems(props: Omit<ResolvedDatabaseProps, "subnetIds" | "securityGroupId" | "region">): PropProblem[] {
  const pattern = (prop: keyof typeof props, regex: RegExp, message: string): PropProblem | undefined => {
    const value = props[prop];
    return typeof value !== "string" || Token.isUnresolved(value) || regex.test(value) ? undefined : { prop, message: `"${value}" ${message}` };
  };
  const problems = [
    pattern("engineVersion", ENGINE_VERSION, "is not a MySQL version like 8.4 or 8.4.7"),
    pattern("instanceClass", RDS_INSTANCE_CLASS, "is not an RDS instance class like db.t3.small"),
    choiceProblem("storageType", props.storageType, Object.keys(STORAGE_MINIMUM_GIB) as StorageType[]),
    pattern("databaseName", DATABASE_NAME, "must start with a letter and use letters, digits and _ (at most 64)"),
    pattern("masterUsername", MASTER_USERNAME, "must start with a letter and use letters, digits and _ (at most 32)"),
    integerProblem("backupRetentionDays", props.backupRetentionDays, ...BACKUP_RETENTION_DAYS),
    pattern("backupWindow", DAILY_WINDOW, "must be hh:mm-hh:mm in UTC"),
    pattern("maintenanceWindow", WEEKLY_WINDOW, "must be ddd:hh:mm-ddd:hh:mm in UTC"),
    ...props.logExports.map((type, index) => choiceProblem(`logExports.${index}`, type, MYSQL_LOG_EXPORTS)),
    choiceProblem("monitoringIntervalSeconds", props.monitoringIntervalSeconds, MONITORING_INTERVALS as readonly number[]),
    integerProblem("allocatedStorageGiB", props.allocatedStorageGiB, 1),
    props.maxAllocatedStorageGiB === undefined ? undefined : integerProblem("maxAllocatedStorageGiB", props.maxAllocatedStorageGiB, 1),
  ].filter((problem) => problem !== undefined);
  if (problems.length > 0) return problems;

  const classProblem = knownInstanceClassProblem(props.instanceClass);
  if (classProblem) problems.push(classProblem);
  const minimum = STORAGE_MINIMUM_GIB[props.storageType];
  const storage = props.allocatedStorageGiB;
  if (storage < minimum) {
    problems.push({ prop: "allocatedStorageGiB", message: `${storage} GiB is below the ${minimum} GiB minimum of ${props.storageType} storage for MySQL` });
  } else if (storage > STORAGE_MAXIMUM_GIB) {
    problems.push({ prop: "allocatedStorageGiB", message: `${storage} GiB is above the ${STORAGE_MAXIMUM_GIB} GiB maximum for MySQL` });
  }
  if (props.maxAllocatedStorageGiB !== undefined && props.maxAllocatedStorageGiB <= storage) {
    problems.push({ prop: "maxAllocatedStorageGiB", message: `${props.maxAllocatedStorageGiB} GiB must be above allocatedStorageGiB ${storage}` });
  }
  if (props.multiAz && props.backupRetentionDays === 0) {
    // RDS needs automated backups for a Multi-AZ standby to be created from.
    problems.push({ prop: "backupRetentionDays", message: "must be at least 1 when multiAz is on" });
  }
  return problems;
}

/** A class whose memory the project knows: the database alarms derive their thresholds from it. */
function knownInstanceClassProblem(instanceClass: string): PropProblem | undefined {
  const problem = Token.isUnresolved(instanceClass) ? undefined : instanceClassProblem(instanceClass);
  return problem ? { prop: "instanceClass", message: problem } : undefined;
}

/** Problems with names AWS would refuse: the RDS identifier. */
export function databaseNameProblems(names: Pick<DatabaseNames, "identifier">): PropProblem[] {
  const problem = nameProblem(
    "names.identifier",
    "RDS identifier",
    names.identifier,
    63,
    // One letter is an identifier too (RDS: 1 to 63 characters).
    /^[a-z](?!.*--)(?:[a-z0-9-]*[a-z0-9])?$/,
    "letters, digits and single hyphens, starting with a letter and not ending with a hyphen",
  );
  return problem ? [problem] : [];
}

export interface DatabaseProps {
  /** Private subnets of the DB subnet group, in two zones or more (RDS requires two). */
  readonly subnetIds: readonly string[];
  /** The database's security group. */
  readonly securityGroupId: string;
  /** Region (one of `AWS_REGIONS`): the Enhanced Monitoring role's log group. */
  readonly region: string;
  /** The account of the database (a reference such as `Network.accountId`): the Enhanced Monitoring role trusts RDS for it only. */
  readonly accountId: string;
  /** RDS for MySQL version; a major.minor pins the major and lets minor upgrades apply. @default "8.4" */
  readonly engineVersion?: string;
  /** Instance class. @default "db.t3.small" (the lab's doubled db.t3.micro) */
  readonly instanceClass?: string;
  /** Volume type. @default "gp3" */
  readonly storageType?: StorageType;
  /** Storage in GiB, at least the type's minimum (`STORAGE_MINIMUM_GIB`). @default 40 (the lab's doubled storage) */
  readonly allocatedStorageGiB?: number;
  /** Ceiling for storage autoscaling, above allocatedStorageGiB. @default none: no autoscaling */
  readonly maxAllocatedStorageGiB?: number;
  /** Synchronous standby in another zone. @default true */
  readonly multiAz?: boolean;
  /** Schema created with the instance. @default "inventory" */
  readonly databaseName?: string;
  /** Master user; RDS keeps its password in Secrets Manager. @default "admin" */
  readonly masterUsername?: string;
  /** Days of automated backups (0 to 35; at least 1 with multiAz). @default 7 */
  readonly backupRetentionDays?: number;
  /** Daily backup window, `hh:mm-hh:mm` in UTC. @default chosen by AWS */
  readonly backupWindow?: string;
  /** Weekly maintenance window, `ddd:hh:mm-ddd:hh:mm` in UTC. @default chosen by AWS */
  readonly maintenanceWindow?: string;
  /** Refuse deletion until turned off. @default true */
  readonly deletionProtection?: boolean;
  /** Delete without a final snapshot. @default false */
  readonly skipFinalSnapshot?: boolean;
  /** Apply changes now instead of in the maintenance window. @default true */
  readonly applyImmediately?: boolean;
  /** MySQL logs exported to CloudWatch Logs. @default ["error", "slowquery"] */
  readonly logExports?: readonly MysqlLogExport[];
  /** Enhanced Monitoring interval in seconds (one of `MONITORING_INTERVALS`); 0 turns it off. @default 60 */
  readonly monitoringIntervalSeconds?: number;
  /**
   * The app served, named in the resources' descriptions ("Private subnets of the Inventory database").
   * @default none: "Private subnets of the database"
   */
  readonly appName?: string;
  /** Names. @default the lab's: inventory-db (Name tag Inventory-DB), Inventory-DB-Monitoring */
  readonly names?: Partial<DatabaseNames>;
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
  /** The instance, for what must wait until it is available (its address is known before). */
  readonly instance: ITerraformDependable;
  /** The DB subnet group's name: a restore of a snapshot goes into the same subnets. */
  readonly subnetGroupName: string;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const names: DatabaseNames = { ...LAB_DATABASE_NAMES, ...props.names };
    const settings: Omit<ResolvedDatabaseProps, "subnetIds" | "securityGroupId" | "region"> = {
      engineVersion: props.engineVersion ?? DATABASE_DEFAULTS.engineVersion,
      instanceClass: props.instanceClass ?? DATABASE_DEFAULTS.instanceClass,
      storageType: props.storageType ?? DATABASE_DEFAULTS.storageType,
      allocatedStorageGiB: props.allocatedStorageGiB ?? DATABASE_DEFAULTS.allocatedStorageGiB,
      maxAllocatedStorageGiB: props.maxAllocatedStorageGiB,
      multiAz: props.multiAz ?? DATABASE_DEFAULTS.multiAz,
      databaseName: props.databaseName ?? DATABASE_DEFAULTS.databaseName,
      masterUsername: props.masterUsername ?? DATABASE_DEFAULTS.masterUsername,
      backupRetentionDays: props.backupRetentionDays ?? DATABASE_DEFAULTS.backupRetentionDays,
      backupWindow: props.backupWindow,
      maintenanceWindow: props.maintenanceWindow,
      deletionProtection: props.deletionProtection ?? DATABASE_DEFAULTS.deletionProtection,
      skipFinalSnapshot: props.skipFinalSnapshot ?? DATABASE_DEFAULTS.skipFinalSnapshot,
      applyImmediately: props.applyImmediately ?? DATABASE_DEFAULTS.applyImmediately,
      logExports: props.logExports ?? DATABASE_DEFAULTS.logExports,
      monitoringIntervalSeconds: props.monitoringIntervalSeconds ?? DATABASE_DEFAULTS.monitoringIntervalSeconds,
    };
    refuseProblems(this, [
      !Token.isUnresolved(props.subnetIds) && props.subnetIds.length < 2
        ? { prop: "subnetIds", message: `has ${props.subnetIds.length}; a DB subnet group needs subnets in two zones or more` }
        : undefined,
      Token.isUnresolved(props.region) || isKnownRegion(props.region)
        ? undefined
        : { prop: "region", message: `"${props.region}" is not an AWS region this project knows (src/aws/aws-regions.ts)` },
      ...databaseProblems(settings),
      ...databaseNameProblems(names),
    ]);
    const family = parameterGroupFamily(settings.engineVersion);

    const subnetGroupName = databaseSubnetGroupName(names.identifier);
    const subnetGroup = new DbSubnetGroup(this, "subnet-group", {
      name: subnetGroupName,
      description: `Private subnets of the ${appPhrase(props.appName, "database")}`,
      subnetIds: [...props.subnetIds],
      tags: { Name: subnetGroupName },
    });

    // Named after its family: a new major version needs a new group, created before the old one goes.
    const parameterGroupName = databaseParameterGroupName(names.identifier, settings.engineVersion);
    const parameters = new DbParameterGroup(this, "parameter-group", {
      name: parameterGroupName,
      family,
      description: `${appPhrase(props.appName, "database", true)}: TLS only, slow query log on`,
      parameter: [
        // CKV2_AWS_69: refuse unencrypted connections.
        { name: "require_secure_transport", value: "1" },
        // The slowquery export stays empty unless the server writes the log.
        { name: "slow_query_log", value: "1" },
        { name: "long_query_time", value: "2" },
        // Likewise the general export; it records every statement, so only when asked for.
        ...(settings.logExports.includes("general") ? [{ name: "general_log", value: "1" }] : []),
      ],
      tags: { Name: parameterGroupName },
      lifecycle: { createBeforeDestroy: true },
    });

    let monitoringRoleArn: string | undefined;
    if (settings.monitoringIntervalSeconds > 0) {
      const account = props.accountId;
      const role = new IamRole(this, "monitoring-role", {
        name: names.monitoringRole,
        description: `Lets RDS Enhanced Monitoring publish OS metrics of the ${appPhrase(props.appName, "database")}`,
        // Only for this database (aws:SourceArn) of this account (aws:SourceAccount).
        assumeRolePolicy: servicePrincipalTrust(
          "monitoring.rds.amazonaws.com",
          fromSource(account, `arn:${awsPartition(props.region)}:rds:${props.region}:${account}:db:${names.identifier}`),
        ),
      });
      // What AWS's AmazonRDSEnhancedMonitoringRole allows on log groups RDS* in every region and account, here on
      // the one group Enhanced Monitoring writes, RDSOSMetrics, in this region and account.
      const metricsGroup = `arn:${awsPartition(props.region)}:logs:${props.region}:${account}:log-group:${ENHANCED_MONITORING_LOG_GROUP}`;
      new IamRolePolicy(this, "monitoring-policy", {
        name: "publish-enhanced-monitoring",
        role: role.id,
        policy: policyDocument([
          { sid: "CreateTheMetricsLogGroup", actions: ["logs:CreateLogGroup", "logs:PutRetentionPolicy"], resources: [metricsGroup] },
          {
            sid: "WriteTheMetrics",
            actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:GetLogEvents"],
            resources: [`${metricsGroup}:log-stream:*`],
          },
        ]),
      });
      monitoringRoleArn = role.arn;
    }

    const instance = new DbInstance(this, "instance", {
      identifier: names.identifier,
      engine: "mysql",
      engineVersion: settings.engineVersion,
      autoMinorVersionUpgrade: true,
      instanceClass: settings.instanceClass,
      storageType: settings.storageType,
      allocatedStorage: settings.allocatedStorageGiB,
      maxAllocatedStorage: settings.maxAllocatedStorageGiB,
      storageEncrypted: true,
      multiAz: settings.multiAz,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [props.securityGroupId],
      publiclyAccessible: false,
      parameterGroupName: parameters.name,
      dbName: settings.databaseName,
      username: settings.masterUsername,
      manageMasterUserPassword: true,
      backupRetentionPeriod: settings.backupRetentionDays,
      backupWindow: settings.backupWindow,
      maintenanceWindow: settings.maintenanceWindow,
      copyTagsToSnapshot: true,
      deletionProtection: settings.deletionProtection,
      skipFinalSnapshot: settings.skipFinalSnapshot,
      finalSnapshotIdentifier: settings.skipFinalSnapshot ? undefined : `${names.identifier}-final`,
      applyImmediately: settings.applyImmediately,
      enabledCloudwatchLogsExports: [...settings.logExports],
      monitoringInterval: settings.monitoringIntervalSeconds,
      monitoringRoleArn,
      tags: { Name: names.nameTag },
    });

    this.identifier = instance.identifier;
    this.arn = instance.arn;
    this.address = instance.address;
    this.port = Token.asString(instance.port);
    this.endpoint = instance.endpoint;
    this.masterUserSecretArn = instance.masterUserSecret.get(0).secretArn;
    this.instance = instance;
    this.subnetGroupName = subnetGroup.name;
  }
}
