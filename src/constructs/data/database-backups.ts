import { Construct } from "constructs";
import { Fn, TerraformLocal, Token } from "cdktf";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { BackupPlan } from "@cdktf/provider-aws/lib/backup-plan";
import { BackupRestoreTestingPlan } from "@cdktf/provider-aws/lib/backup-restore-testing-plan";
import { BackupRestoreTestingSelection } from "@cdktf/provider-aws/lib/backup-restore-testing-selection";
import { BackupSelection } from "@cdktf/provider-aws/lib/backup-selection";
import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import { BackupVaultLockConfiguration } from "@cdktf/provider-aws/lib/backup-vault-lock-configuration";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import { administeredByTheAccount, awsPartition, fromSource, policyDocument, servicePrincipalTrust } from "../../aws/iam-policy";
import { appPhrase } from "../../props/app-phrase";
import { integerProblem, nameProblem, type PropProblem, refuseProblems, regionPropProblem } from "../../props/prop-problems";

/**
 * The database's backups in AWS Backup, beside RDS's own automated backups:
 * a vault with a key of the environment, a daily plan that keeps each
 * recovery point for a set number of days (and may copy it to a vault in a
 * second region), and a restore testing plan that restores the latest
 * recovery point on a schedule, so a backup is known to restore
 * (Well-Architected REL09-BP04). A failed backup, copy or restore test
 * notifies the environment's alarm topic.
 */

/** What the settings and the construct fall back to. */
export const DATABASE_BACKUPS_DEFAULTS = {
  enabled: true,
  /** Every day at 05:00 UTC, outside the lab's working hours. */
  schedule: "cron(0 5 ? * * *)",
  retentionDays: 35,
  vaultLock: false,
  restoreTesting: {
    enabled: true,
    /** Every Monday at 08:00 UTC: the restored instance runs for the restore and the validation window, once a week. */
    schedule: "cron(0 8 ? * MON *)",
    /** Hours the restored instance is kept for checks before AWS Backup deletes it. */
    validationWindowHours: 1,
  },
} as const;

/** Days AWS Backup keeps a recovery point: at least 1 (100 years at most). */
export const BACKUP_RETENTION_LIMITS = [1, 36500] as const;
/** Hours a restore test's validation may take (AWS Backup's ValidationWindowHours). */
export const VALIDATION_WINDOW_HOURS = [0, 168] as const;
/** An AWS Backup schedule: a cron expression in UTC, `cron(m h dom mon dow y)`. */
export const BACKUP_SCHEDULE = /^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/;

/** The AWS managed policies AWS Backup's role takes (CKV_AWS_274's reviewed list says why these and not a scoped policy). */
export const BACKUP_SERVICE_POLICIES = ["service-role/AWSBackupServiceRolePolicyForBackup", "service-role/AWSBackupServiceRolePolicyForRestores"] as const;

/** The AWS/Backup metrics of failed jobs the alarms watch, by what failed. */
export const FAILED_JOB_METRICS = {
  backup: "NumberOfBackupJobsFailed",
  copy: "NumberOfCopyJobsFailed",
  restore: "NumberOfRestoreJobsFailed",
} as const;

/** Names of the backups' resources. */
export interface DatabaseBackupsNames {
  /** The vault, and the copy vault in the second region (letters, digits, hyphens, underscores; at most 50). */
  readonly vault: string;
  readonly plan: string;
  /** The IAM role AWS Backup assumes to back up, copy and restore. */
  readonly role: string;
  /** The restore testing plan and its selection (letters, digits and underscores only). */
  readonly restoreTestingPlan: string;
  /** Alias of the vault's key (after `alias/`). */
  readonly keyAlias: string;
  /** Start of each alarm's name. */
  readonly alarmPrefix: string;
}

/** The backups' names from the database's (`Inventory-DB`): `Inventory-DB-Backups`, `Inventory_DB_restore_test`, ... */
export function databaseBackupsNames(database: string): DatabaseBackupsNames {
  return {
    vault: `${database}-Backups`,
    plan: `${database}-Backups`,
    role: `${database}-Backup`,
    restoreTestingPlan: `${database.replace(/[^A-Za-z0-9]/g, "_")}_restore_test`,
    keyAlias: `${database.toLowerCase()}-backups`,
    alarmPrefix: `${database}-Backups`,
  };
}

/** The database a plan backs up and a restore test restores next to. */
export interface BackedUpDatabase {
  readonly arn: string;
  /** The DB subnet group a restore test restores into. */
  readonly subnetGroupName: string;
  /** The security group a restored instance gets: the database's own. */
  readonly securityGroupId: string;
}

/** A copy of each recovery point in a vault of a second region. */
export interface BackupCopy {
  /** The second region (not the database's). */
  readonly region: string;
  /** A provider of that region: the copy vault and its key are created there. */
  readonly provider: AwsProvider;
  /** Days the copy is kept. @default retentionDays */
  readonly retentionDays?: number;
}

/** The restore tests of the latest recovery point. */
export interface RestoreTesting {
  /** When a test starts, `cron(...)` in UTC. @default every Monday at 08:00 UTC */
  readonly schedule?: string;
  /** Hours the restored instance is kept for checks (0 to 168) before AWS Backup deletes it. @default 1 */
  readonly validationWindowHours?: number;
}

export interface DatabaseBackupsProps {
  /** Region of the database, the vault and the plan. */
  readonly region: string;
  /** The account (a reference such as `Network.accountId`): AWS Backup assumes the role for it only. */
  readonly accountId: string;
  readonly database: BackedUpDatabase;
  /** The SNS topic a failed backup, copy or restore test notifies (its policy lets CloudWatch alarms of the account publish). */
  readonly alarmTopicArn: string;
  readonly names: DatabaseBackupsNames;
  /**
   * The app the database serves, named in the role's description ("... restore the Inventory database").
   * @default none: "... restore the database"
   */
  readonly appName?: string;
  /** When the daily backup runs, `cron(...)` in UTC. @default every day at 05:00 UTC */
  readonly schedule?: string;
  /** Days a recovery point is kept. @default 35 */
  readonly retentionDays?: number;
  /**
   * Lock the vault in governance mode: no recovery point can be deleted before retentionDays, nor the vault with
   * recovery points in it, unless the lock is removed by someone allowed backup:DeleteBackupVaultLockConfiguration.
   * @default false
   */
  readonly vaultLock?: boolean;
  /** Copy each recovery point to a second region. @default no copy */
  readonly copy?: BackupCopy;
  /** Restore the latest recovery point on a schedule; `false` turns the tests off. @default on, weekly */
  readonly restoreTesting?: RestoreTesting | false;
}

/** Problems with the backups' props. */
export function databaseBackupsProblems(props: {
  readonly region: string;
  readonly schedule?: string;
  readonly retentionDays?: number;
  readonly copy?: { readonly region: string; readonly retentionDays?: number };
  readonly restoreTesting?: RestoreTesting | false;
}): PropProblem[] {
  const schedule = (prop: string, value: string | undefined) =>
    value === undefined || Token.isUnresolved(value) || BACKUP_SCHEDULE.test(value)
      ? undefined
      : { prop, message: `"${value}" is not a cron expression like ${DATABASE_BACKUPS_DEFAULTS.schedule} (UTC)` };
  const testing = props.restoreTesting || undefined;
  return [
    schedule("schedule", props.schedule),
    props.retentionDays === undefined ? undefined : integerProblem("retentionDays", props.retentionDays, ...BACKUP_RETENTION_LIMITS),
    props.copy ? regionPropProblem("copy.region", props.copy.region) : undefined,
    props.copy && props.copy.region === props.region
      ? { prop: "copy.region", message: `is the database's own region ${props.region}; name a second region, or leave the copy out` }
      : undefined,
    props.copy?.retentionDays === undefined ? undefined : integerProblem("copy.retentionDays", props.copy.retentionDays, ...BACKUP_RETENTION_LIMITS),
    schedule("restoreTesting.schedule", testing?.schedule),
    testing?.validationWindowHours === undefined
      ? undefined
      : integerProblem("restoreTesting.validationWindowHours", testing.validationWindowHours, ...VALIDATION_WINDOW_HOURS),
  ].filter((problem) => problem !== undefined);
}

/** Problems with the names AWS Backup would refuse. */
export function databaseBackupsNameProblems(names: DatabaseBackupsNames): PropProblem[] {
  return [
    nameProblem("names.vault", "backup vault name", names.vault, 50, /^[A-Za-z0-9_-]+$/, "letters, digits, hyphens and underscores"),
    nameProblem("names.plan", "backup plan name", names.plan, 50, /^[A-Za-z0-9_.-]+$/, "letters, digits, hyphens, underscores and periods"),
    nameProblem("names.restoreTestingPlan", "restore testing plan name", names.restoreTestingPlan, 50, /^[A-Za-z0-9_]+$/, "letters, digits and underscores"),
    nameProblem("names.role", "IAM role name", names.role, 64, /^[A-Za-z0-9+=,.@_-]+$/, "letters, digits and +=,.@_-"),
  ].filter((problem) => problem !== undefined);
}

/**
 * AWS Backup of the database: vault, plan, selection, the role Backup
 * assumes, an optional copy to a second region, weekly restore tests, and an
 * alarm per kind of failed job.
 */
export class DatabaseBackups extends Construct {
  readonly vaultArn: string;
  readonly vaultName: string;
  /** The copy vault in the second region, when copy is given. */
  readonly copyVaultArn?: string;
  readonly roleArn: string;
  /** Names of the alarms on failed jobs. */
  readonly alarmNames: string[];

  constructor(scope: Construct, id: string, props: DatabaseBackupsProps) {
    super(scope, id);
    refuseProblems(this, [regionPropProblem("region", props.region), ...databaseBackupsProblems(props), ...databaseBackupsNameProblems(props.names)]);
    const names = props.names;
    const retentionDays = props.retentionDays ?? DATABASE_BACKUPS_DEFAULTS.retentionDays;
    const partition = awsPartition(props.region);

    const vault = this.vault("vault", partition, names, `Encrypts the recovery points of backup vault ${names.vault}`);
    if (props.vaultLock ?? DATABASE_BACKUPS_DEFAULTS.vaultLock) {
      // Governance mode (no changeable_for_days): compliance mode could never be undone, not even to destroy the lab.
      new BackupVaultLockConfiguration(this, "vault-lock", { backupVaultName: vault.name, minRetentionDays: retentionDays });
    }

    const copy = props.copy
      ? this.vault("copy-vault", partition, names, `Encrypts the copies of backup vault ${names.vault} from ${props.region}`, props.copy.provider)
      : undefined;

    const role = new IamRole(this, "role", {
      name: names.role,
      description: `Lets AWS Backup back up, copy and restore the ${appPhrase(props.appName, "database")}`,
      assumeRolePolicy: servicePrincipalTrust("backup.amazonaws.com", fromSource(props.accountId)),
    });
    // AWS's own policies: Backup's calls on snapshots it names (awsbackup:job-...) and instances a restore test names
    // (awsbackup-restore-test-...) change as Backup does, and no Backup job can run here to prove a hand-written one.
    BACKUP_SERVICE_POLICIES.forEach(
      (policy, index) =>
        new IamRolePolicyAttachment(this, `role-policy-${index + 1}`, { role: role.name, policyArn: `arn:${partition}:iam::aws:policy/${policy}` }),
    );

    const plan = new BackupPlan(this, "plan", {
      name: names.plan,
      rule: [
        {
          ruleName: "daily",
          targetVaultName: vault.name,
          schedule: props.schedule ?? DATABASE_BACKUPS_DEFAULTS.schedule,
          startWindow: 60,
          completionWindow: 180,
          lifecycle: { deleteAfter: retentionDays },
          copyAction: copy ? [{ destinationVaultArn: copy.arn, lifecycle: { deleteAfter: props.copy!.retentionDays ?? retentionDays } }] : undefined,
        },
      ],
    });
    new BackupSelection(this, "selection", {
      name: "database",
      planId: plan.id,
      iamRoleArn: role.arn,
      resources: [props.database.arn],
    });

    if (props.restoreTesting !== false) {
      const testing = props.restoreTesting ?? {};
      const testPlan = new BackupRestoreTestingPlan(this, "restore-testing-plan", {
        name: names.restoreTestingPlan,
        scheduleExpression: testing.schedule ?? DATABASE_BACKUPS_DEFAULTS.restoreTesting.schedule,
        startWindowHours: 24,
        recoveryPointSelection: [
          {
            algorithm: "LATEST_WITHIN_WINDOW",
            includeVaults: [vault.arn],
            recoveryPointTypes: ["SNAPSHOT"],
            selectionWindowDays: 7,
          },
        ],
      });
      new BackupRestoreTestingSelection(this, "restore-testing-selection", {
        name: "database",
        restoreTestingPlanName: testPlan.name,
        protectedResourceType: "RDS",
        protectedResourceArns: [props.database.arn],
        iamRoleArn: role.arn,
        // Into the database's private subnets, behind its security group: never a default VPC, which the lab has none of.
        restoreMetadataOverrides: {
          dbsubnetgroupname: props.database.subnetGroupName,
          vpcsecuritygroupids: Fn.jsonencode([props.database.securityGroupId]),
        },
        validationWindowHours: testing.validationWindowHours ?? DATABASE_BACKUPS_DEFAULTS.restoreTesting.validationWindowHours,
      });
    }

    const watched: (keyof typeof FAILED_JOB_METRICS)[] = [
      "backup",
      ...(copy ? ["copy" as const] : []),
      ...(props.restoreTesting !== false ? ["restore" as const] : []),
    ];
    this.alarmNames = watched.map((kind) => {
      const alarmName = `${names.alarmPrefix} ${kind} job failed`;
      new CloudwatchMetricAlarm(this, `${kind}-failed`, {
        alarmName,
        alarmDescription:
          `Fires when an AWS Backup ${kind} job of vault ${names.vault} fails. ` +
          "Why: a backup that is not made, copied or known to restore cannot be relied on.",
        namespace: "AWS/Backup",
        metricName: FAILED_JOB_METRICS[kind],
        dimensions: { BackupVaultName: vault.name, ResourceType: "RDS" },
        statistic: "Sum",
        period: 3600,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        // Backup publishes the metric only when a job ends: an hour without one is not a failure.
        treatMissingData: "notBreaching",
        actionsEnabled: true,
        alarmActions: [props.alarmTopicArn],
        okActions: [props.alarmTopicArn],
      });
      return alarmName;
    });

    this.vaultArn = vault.arn;
    this.vaultName = vault.name;
    this.copyVaultArn = copy?.arn;
    this.roleArn = role.arn;
  }

  /** A vault with a key of its own (rotated yearly, administered by the account), in the provider's region. */
  private vault(id: string, partition: string, names: { vault: string; keyAlias: string }, description: string, provider?: AwsProvider): BackupVault {
    const key = new KmsKey(this, `${id}-key`, { provider, description, enableKeyRotation: true, deletionWindowInDays: 30 });
    new KmsAlias(this, `${id}-key-alias`, { provider, name: `alias/${names.keyAlias}`, targetKeyId: key.keyId });
    // The account comes from the key's ARN (arn:<partition>:kms:<region>:<account>:key/<id>): no data source, so plans stay offline.
    const account = new TerraformLocal(this, `${id}-account`, Fn.element(Fn.split(":", key.arn), 4));
    // AWS Backup uses the key through grants its callers make (kms:CreateGrant, which IAM decides): no service statement.
    new KmsKeyPolicy(this, `${id}-key-policy`, { provider, keyId: key.keyId, policy: policyDocument([administeredByTheAccount(partition, account.asString)]) });
    return new BackupVault(this, id, { provider, name: names.vault, kmsKeyArn: key.arn, tags: { Name: names.vault } });
  }
}
