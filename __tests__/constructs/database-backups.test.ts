import { Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import {
  DatabaseBackups,
  databaseBackupsNameProblems,
  databaseBackupsNames,
  databaseBackupsProblems,
  type DatabaseBackupsProps,
} from "../../src/constructs/data/database-backups";
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

  it("encrypts the vault with a key of its own: described, rotated, aliased, and administered by the account the key is in", () => {
    expect(document.resource.aws_kms_key).toEqual({
      "backups_vault-key_C3193645": {
        description: "Encrypts the recovery points of backup vault Inventory-DB-Backups",
        enable_key_rotation: true,
        deletion_window_in_days: 30,
      },
    });
    expect(document.resource.aws_kms_alias).toEqual({
      "backups_vault-key-alias_8350A0E2": { name: "alias/inventory-db-backups", target_key_id: "${aws_kms_key.backups_vault-key_C3193645.key_id}" },
    });
    // The account is the fifth field of the key's ARN: no data source, so a plan needs no credentials.
    expect(document.locals).toEqual({ "backups_vault-account_52D847BC": '${element(split(":", aws_kms_key.backups_vault-key_C3193645.arn), 4)}' });
    const keyPolicy = only(document, "aws_kms_key_policy");
    expect(keyPolicy.key_id).toBe("${aws_kms_key.backups_vault-key_C3193645.key_id}");
    expect(JSON.parse(keyPolicy.policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AdministeredByTheAccount",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::${local.backups_vault-account_52D847BC}:root" },
          Action: "kms:*",
          Resource: "*",
        },
      ],
    });
    expect(document.resource.aws_backup_vault).toEqual({
      backups_vault_62432F40: {
        name: "Inventory-DB-Backups",
        kms_key_arn: "${aws_kms_key.backups_vault-key_C3193645.arn}",
        tags: { Name: "Inventory-DB-Backups" },
      },
    });
  });

  it("backs up daily at 05:00 UTC within an hour of it, done within three, by a rule and a selection each named", () => {
    expect(document.resource.aws_backup_plan).toEqual({
      backups_plan_07E5B56F: {
        name: "Inventory-DB-Backups",
        rule: [
          {
            rule_name: "daily",
            target_vault_name: "${aws_backup_vault.backups_vault_62432F40.name}",
            schedule: "cron(0 5 ? * * *)",
            start_window: 60,
            completion_window: 180,
            lifecycle: { delete_after: 35 },
          },
        ],
      },
    });
    expect(document.resource.aws_backup_selection).toEqual({
      backups_selection_53E8DB6F: {
        name: "database",
        plan_id: "${aws_backup_plan.backups_plan_07E5B56F.id}",
        iam_role_arn: "${aws_iam_role.backups_role_FC5F98EC.arn}",
        resources: [DATABASE.arn],
      },
    });
    expect(only(document, "aws_backup_restore_testing_selection").name).toBe("database");
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
    expect(role.name).toBe("Inventory-DB-Backup");
    expect(role.description).toBe("Lets AWS Backup back up, copy and restore the database");
    // Numbered from 1 in their construct ids, as the kept stack documents have them.
    expect(document.resource.aws_iam_role_policy_attachment).toEqual({
      "backups_role-policy-1_AAAEB932": {
        role: "${aws_iam_role.backups_role_FC5F98EC.name}",
        policy_arn: "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
      },
      "backups_role-policy-2_4BEAE07E": {
        role: "${aws_iam_role.backups_role_FC5F98EC.name}",
        policy_arn: "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
      },
    });
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
    expect(alarms).toHaveLength(2);
    for (const alarm of alarms)
      expect(alarm).toMatchObject({ namespace: "AWS/Backup", threshold: 1, treat_missing_data: "notBreaching", alarm_actions: [TOPIC], ok_actions: [TOPIC] });
    expect(document.resource.aws_cloudwatch_metric_alarm["backups_backup-failed_B838D479"]).toEqual({
      alarm_name: "Inventory-DB-Backups backup job failed",
      alarm_description:
        "Fires when an AWS Backup backup job of vault Inventory-DB-Backups fails. " +
        "Why: a backup that is not made, copied or known to restore cannot be relied on.",
      namespace: "AWS/Backup",
      metric_name: "NumberOfBackupJobsFailed",
      dimensions: { BackupVaultName: vault, ResourceType: "RDS" },
      statistic: "Sum",
      period: 3600,
      evaluation_periods: 1,
      threshold: 1,
      comparison_operator: "GreaterThanOrEqualToThreshold",
      treat_missing_data: "notBreaching",
      actions_enabled: true,
      alarm_actions: [TOPIC],
      ok_actions: [TOPIC],
    });
  });
});

describe("DatabaseBackups with a copy, a lock and no restore tests", () => {
  const document = synth((scope) => ({
    copy: { region: "us-east-1", provider: new AwsProvider(scope, "east", { alias: "east", region: "us-east-1" }), retentionDays: 14 },
    vaultLock: true,
    retentionDays: 30,
    restoreTesting: false,
    appName: "Inventory",
  }));

  it("makes the copy vault's key, alias and key policy in the second region, the key described as the copies'", () => {
    const east = (type: string) => Object.values<any>(document.resource[type]).filter((block) => block.provider === "aws.east");
    expect(east("aws_kms_key")).toEqual([
      {
        provider: "aws.east",
        description: "Encrypts the copies of backup vault Inventory-DB-Backups from us-west-2",
        enable_key_rotation: true,
        deletion_window_in_days: 30,
      },
    ]);
    expect(east("aws_kms_alias")).toEqual([
      {
        provider: "aws.east",
        name: "alias/inventory-db-backups",
        target_key_id: expect.stringMatching(/^\$\{aws_kms_key\.backups_copy-vault-key_[0-9A-F]{8}\.key_id\}$/),
      },
    ]);
    const [policy] = east("aws_kms_key_policy");
    expect(JSON.parse(policy.policy).Statement).toEqual([
      expect.objectContaining({
        Sid: "AdministeredByTheAccount",
        Principal: { AWS: expect.stringMatching(/^arn:aws:iam::\$\{local\.backups_copy-vault-account_[0-9A-F]{8}\}:root$/) },
      }),
    ]);
    expect(east("aws_backup_vault")).toEqual([
      {
        provider: "aws.east",
        name: "Inventory-DB-Backups",
        kms_key_arn: expect.stringMatching(/^\$\{aws_kms_key\.backups_copy-vault-key_/),
        tags: { Name: "Inventory-DB-Backups" },
      },
    ]);
    expect(only(document, "aws_iam_role").description).toBe("Lets AWS Backup back up, copy and restore the Inventory database");
  });

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

  it("a region this project does not know, naming the prop, and how many more problems there are", () => {
    expect(refusal({ region: "us-weast-2", schedule: "daily" })).toBe(
      'DatabaseBackups stack/backups: region: "us-weast-2" is not an AWS region this project knows (src/aws/aws-regions.ts) (and 1 more)',
    );
  });

  it("a copy into the database's own region", () => {
    expect(refusal({ copy: { region: "us-west-2", provider: undefined as unknown as AwsProvider } })).toContain(
      "copy.region: is the database's own region us-west-2; name a second region, or leave the copy out",
    );
  });
});

describe("databaseBackupsProblems and databaseBackupsNameProblems", () => {
  const problems = (props: Partial<Parameters<typeof databaseBackupsProblems>[0]>) => databaseBackupsProblems({ region: "us-west-2", ...props });

  it("take a cron expression of six fields, each of one or more characters, for the backups and the restore tests", () => {
    for (const schedule of ["cron(0 5 ? * * *)", "cron(15,45 10-22 1-7 JAN-JUN ? 2026-2030)", "cron(0 8 ? * MON-FRI *)"]) {
      expect(problems({ schedule, restoreTesting: { schedule } })).toStrictEqual([]);
    }
  });

  it.each([
    ["five fields", "cron(0 5 ? * *)"],
    ["words before it", "daily cron(0 5 ? * * *)"],
    ["words after it", "cron(0 5 ? * * *) daily"],
    ["no cron( )", "0 5 ? * * *"],
  ])("refuse a schedule with %s, each naming its setting", (_, schedule) => {
    const message = `"${schedule}" is not a cron expression like cron(0 5 ? * * *) (UTC)`;
    expect(problems({ schedule, restoreTesting: { schedule } })).toEqual([
      { prop: "schedule", message },
      { prop: "restoreTesting.schedule", message },
    ]);
  });

  it("refuse a copy's unknown region and its retention out of AWS Backup's range, and take them when right", () => {
    expect(problems({ copy: { region: "us-weast-2", retentionDays: 0 }, retentionDays: 36501 })).toEqual([
      { prop: "retentionDays", message: "36501 is not a whole number from 1 to 36500" },
      { prop: "copy.region", message: '"us-weast-2" is not an AWS region this project knows (src/aws/aws-regions.ts)' },
      { prop: "copy.retentionDays", message: "0 is not a whole number from 1 to 36500" },
    ]);
    expect(problems({ copy: { region: "us-east-1", retentionDays: 36500 }, retentionDays: 1, restoreTesting: { validationWindowHours: 168 } })).toStrictEqual(
      [],
    );
    expect(problems({ restoreTesting: false })).toStrictEqual([]);
  });

  it("refuse each name AWS would, naming its setting and the characters AWS allows", () => {
    const names = databaseBackupsNames("Inventory-DB");
    expect(databaseBackupsNameProblems(names)).toStrictEqual([]);
    expect(
      databaseBackupsNameProblems({
        ...names,
        vault: "Inventory.DB Backups",
        plan: "Inventory DB+Backups",
        restoreTestingPlan: "Inventory DB-test",
        role: "Inventory DB/Backup",
      }),
    ).toEqual([
      { prop: "names.vault", message: 'the backup vault name "Inventory.DB Backups" must use letters, digits, hyphens and underscores' },
      { prop: "names.plan", message: 'the backup plan name "Inventory DB+Backups" must use letters, digits, hyphens, underscores and periods' },
      { prop: "names.restoreTestingPlan", message: 'the restore testing plan name "Inventory DB-test" must use letters, digits and underscores' },
      { prop: "names.role", message: 'the IAM role name "Inventory DB/Backup" must use letters, digits and +=,.@_-' },
    ]);
    expect(
      databaseBackupsNameProblems({ ...names, vault: "v".repeat(51), plan: "p".repeat(51), restoreTestingPlan: "t".repeat(51), role: "r".repeat(65) }),
    ).toEqual([
      { prop: "names.vault", message: `the backup vault name "${"v".repeat(51)}" is 51 characters; AWS allows 50` },
      { prop: "names.plan", message: `the backup plan name "${"p".repeat(51)}" is 51 characters; AWS allows 50` },
      { prop: "names.restoreTestingPlan", message: `the restore testing plan name "${"t".repeat(51)}" is 51 characters; AWS allows 50` },
      { prop: "names.role", message: `the IAM role name "${"r".repeat(65)}" is 65 characters; AWS allows 64` },
    ]);
    expect(
      databaseBackupsNameProblems({
        ...names,
        vault: "Inventory_DB-1",
        plan: "Inventory.DB_Backups-1",
        restoreTestingPlan: "Inventory_DB_1",
        role: "Inventory+DB=,.@_-1",
      }),
    ).toStrictEqual([]);
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
