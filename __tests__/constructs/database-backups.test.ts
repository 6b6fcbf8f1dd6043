import { Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DatabaseBackups, databaseBackupsNames, type DatabaseBackupsProps } from "../../src/constructs/data/database-backups";
import { parseSettings } from "../../src/config/load";

const NAMES = databaseBackupsNames("Inventory-DB");
const DATABASE = {
  arn: "arn:aws:rds:us-west-2:123456789012:db:inventory-db",
  subnetGroupName: "inventory-db-subnets",
  securityGroupId: "sg-0123456789abcdef0",
};
const TOPIC = "arn:aws:sns:us-west-2:123456789012:Inventory-Alarms";

function synth(overrides: (scope: any) => Partial<DatabaseBackupsProps> = () => ({})) {
  return JSON.parse(
    Testing.synthScope((scope) => {
      new DatabaseBackups(scope, "backups", {
        region: "us-west-2",
        accountId: "123456789012",
        database: DATABASE,
        alarmTopicArn: TOPIC,
        names: NAMES,
        ...overrides(scope),
      });
    }),
  );
}

const only = (document: any, type: string) => {
  const blocks = Object.values<any>(document.resource[type] ?? {});
  expect(blocks).toHaveLength(1);
  return blocks[0];
};

describe("DatabaseBackups with its defaults", () => {
  const document = synth();

  it("names the backups after the database; the restore testing plan with underscores, which AWS Backup requires", () => {
    expect(NAMES).toEqual({
      vault: "Inventory-DB-Backups",
      plan: "Inventory-DB-Backups",
      role: "Inventory-DB-Backup",
      restoreTestingPlan: "Inventory_DB_restore_test",
      keyAlias: "inventory-db-backups",
      alarmPrefix: "Inventory-DB-Backups",
    });
  });

  it("keeps a daily recovery point 35 days in a vault encrypted with its own rotated key, unlocked, with no copy", () => {
    const vault = only(document, "aws_backup_vault");
    const key = only(document, "aws_kms_key");
    expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(vault.kms_key_arn).toBe(`\${aws_kms_key.${Object.keys(document.resource.aws_kms_key)[0]}.arn}`);
    const rule = only(document, "aws_backup_plan").rule[0];
    expect(rule).toMatchObject({
      schedule: "cron(0 5 ? * * *)",
      lifecycle: { delete_after: 35 },
      target_vault_name: expect.stringMatching(/aws_backup_vault\./),
    });
    expect(rule.copy_action).toBeUndefined();
    expect(document.resource.aws_backup_vault_lock_configuration).toBeUndefined();
  });

  it("selects the database by its ARN, with the role AWS Backup assumes for this account only", () => {
    const selection = only(document, "aws_backup_selection");
    expect(selection.resources).toEqual([DATABASE.arn]);
    const role = only(document, "aws_iam_role");
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      {
        Sid: "AssumedByService",
        Effect: "Allow",
        Principal: { Service: "backup.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
      },
    ]);
    const attached = Object.values<any>(document.resource.aws_iam_role_policy_attachment).map((attachment) => attachment.policy_arn);
    expect(attached).toEqual([
      "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
      "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    ]);
  });

  it("restores the latest snapshot weekly into the database's subnet group and security group, kept an hour for checks", () => {
    const plan = only(document, "aws_backup_restore_testing_plan");
    expect(plan).toMatchObject({ name: "Inventory_DB_restore_test", schedule_expression: "cron(0 8 ? * MON *)" });
    expect(plan.recovery_point_selection[0]).toMatchObject({ algorithm: "LATEST_WITHIN_WINDOW", recovery_point_types: ["SNAPSHOT"] });
    expect(plan.recovery_point_selection[0].include_vaults).toEqual([expect.stringMatching(/^\$\{aws_backup_vault\.[A-Za-z0-9_-]+\.arn\}$/)]);
    const selection = only(document, "aws_backup_restore_testing_selection");
    expect(selection).toMatchObject({
      protected_resource_type: "RDS",
      protected_resource_arns: [DATABASE.arn],
      validation_window_hours: 1,
      restore_metadata_overrides: { dbsubnetgroupname: DATABASE.subnetGroupName, vpcsecuritygroupids: `\${jsonencode(["${DATABASE.securityGroupId}"])}` },
    });
  });

  it("raises an alarm on a failed backup and a failed restore test of its vault, to the topic; none on copies it does not make", () => {
    const alarms = Object.values<any>(document.resource.aws_cloudwatch_metric_alarm);
    const vault = `\${aws_backup_vault.${Object.keys(document.resource.aws_backup_vault)[0]}.name}`;
    expect(alarms.map((alarm) => [alarm.alarm_name, alarm.metric_name, alarm.dimensions])).toEqual([
      ["Inventory-DB-Backups backup job failed", "NumberOfBackupJobsFailed", { BackupVaultName: vault, ResourceType: "RDS" }],
      ["Inventory-DB-Backups restore job failed", "NumberOfRestoreJobsFailed", { BackupVaultName: vault, ResourceType: "RDS" }],
    ]);
    for (const alarm of alarms)
      expect(alarm).toMatchObject({ namespace: "AWS/Backup", threshold: 1, treat_missing_data: "notBreaching", alarm_actions: [TOPIC], ok_actions: [TOPIC] });
  });
});

describe("DatabaseBackups with a copy, a lock and no restore tests", () => {
  const document = synth((scope) => ({
    copy: { region: "us-east-1", provider: new AwsProvider(scope, "east", { alias: "east", region: "us-east-1" }), retentionDays: 14 },
    vaultLock: true,
    retentionDays: 30,
    restoreTesting: false,
  }));

  it("copies each recovery point to a vault of the second region, encrypted with a key made there, kept its own days", () => {
    const vaults = document.resource.aws_backup_vault;
    expect(Object.keys(vaults)).toHaveLength(2);
    const copyVault = Object.values<any>(vaults).find((vault) => vault.provider === "aws.east");
    const keys = Object.entries<any>(document.resource.aws_kms_key);
    expect(keys.map(([, key]) => key.provider ?? "default").sort()).toEqual(["aws.east", "default"]);
    const [eastKey] = keys.find(([, key]) => key.provider === "aws.east")!;
    expect(copyVault.kms_key_arn).toBe(`\${aws_kms_key.${eastKey}.arn}`);
    const rule = only(document, "aws_backup_plan").rule[0];
    expect(rule.copy_action).toEqual([
      { destination_vault_arn: expect.stringMatching(/^\$\{aws_backup_vault\.[A-Za-z0-9_-]+\.arn\}$/), lifecycle: { delete_after: 14 } },
    ]);
    expect(rule.copy_action[0].destination_vault_arn).toContain(Object.keys(vaults).find((name) => vaults[name] === copyVault));
  });

  it("locks the vault in governance mode for the retention, and makes no restore test nor its alarm", () => {
    const lock = only(document, "aws_backup_vault_lock_configuration");
    expect(lock).toMatchObject({ min_retention_days: 30 });
    expect(lock.changeable_for_days).toBeUndefined();
    expect(document.resource.aws_backup_restore_testing_plan).toBeUndefined();
    expect(Object.values<any>(document.resource.aws_cloudwatch_metric_alarm).map((alarm) => alarm.metric_name)).toEqual([
      "NumberOfBackupJobsFailed",
      "NumberOfCopyJobsFailed",
    ]);
  });
});

describe("DatabaseBackups refuses", () => {
  const refusal = (props: Partial<DatabaseBackupsProps>) => {
    try {
      synth(() => props);
    } catch (error) {
      return (error as Error).message;
    }
    return "accepted";
  };

  it.each([
    [{ schedule: "daily" }, 'schedule: "daily" is not a cron expression like cron(0 5 ? * * *) (UTC)'],
    [{ retentionDays: 0 }, "retentionDays: 0 is not a whole number from 1 to 36500"],
    [{ restoreTesting: { validationWindowHours: 200 } }, "restoreTesting.validationWindowHours: 200 is not a whole number from 0 to 168"],
    [{ names: { ...NAMES, restoreTestingPlan: "Inventory-DB-test" } }, 'names.restoreTestingPlan: the restore testing plan name "Inventory-DB-test" must use'],
  ])("%j, naming the prop", (props, message) => {
    expect(refusal(props as Partial<DatabaseBackupsProps>)).toContain(`DatabaseBackups stack/backups: ${message}`);
  });

  it("a copy into the database's own region", () => {
    expect(refusal({ copy: { region: "us-west-2", provider: undefined as unknown as AwsProvider } })).toContain(
      "copy.region: is the database's own region us-west-2; name a second region, or leave the copy out",
    );
  });
});

describe("the database.backups settings", () => {
  const parse = (raw: Record<string, unknown>) => parseSettings("test", { state: { bucket: "test-state-bucket" }, ...raw });
  const ci = { accountId: "123456789012", githubActions: { repository: "acme/inventory-ha" } };

  it("are on by default, restore tests weekly, no copy; off by default with CI access", () => {
    expect(parse({}).database.backups).toMatchObject({ enabled: true, retentionDays: 35, restoreTesting: { enabled: true }, vaultLock: false });
    expect(parse({}).database.backups.copyRegion).toBeUndefined();
    expect(parse({ ci }).database.backups.enabled).toBe(false);
  });

  it("refuse backups with CI access, and a copy into the environment's own region, each in one line naming the setting", () => {
    expect(() => parse({ ci, database: { backups: { enabled: true } } })).toThrow(
      /database\.backups\.enabled: AWS Backup cannot be deployed by the CI roles yet/,
    );
    expect(() => parse({ database: { backups: { copyRegion: "us-west-2" } } })).toThrow(
      /database\.backups\.copyRegion: is the database's own region us-west-2/,
    );
  });
});
