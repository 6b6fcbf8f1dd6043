import { FAILED_JOB_METRICS } from "../../constructs/data/database-backups";
import { type Control, everyBlock, type Finding } from "../control";
import { type Block, blockList, firstBlock, isTrue, pointsAt, referencedBlock, resources, show, type TerraformDocument } from "../../terraform/document";

/**
 * Controls of the database's backups in AWS Backup: each database is in a
 * backup plan (RDS.26), its recovery points are encrypted with a customer
 * managed key (CKV_AWS_166 / Backup.1), copied to a second region, restored
 * on a schedule (Well-Architected REL09-BP04), and a failed job notifies.
 */

const databases = (document: TerraformDocument) => resources(document, "aws_db_instance");
const vaults = (document: TerraformDocument) => resources(document, "aws_backup_vault");

/** Whether a list attribute (resources, protected_resource_arns) names the database's ARN. */
const namesDatabase = (document: TerraformDocument, list: unknown, db: Block) =>
  blockList(list).some((value) => value === `\${${db.address}.arn}` || pointsAt(document, value, db));

/** The backup plans whose selections name the database, each with a rule that targets a vault of the configuration. */
function plansOf(document: TerraformDocument, db: Block): Block[] {
  return resources(document, "aws_backup_selection")
    .filter((selection) => namesDatabase(document, selection.config.resources, db))
    .map((selection) => referencedBlock(document, selection.config.plan_id))
    .filter((plan): plan is Block => plan?.type === "aws_backup_plan");
}

/** A plan's rules. */
const rulesOf = (plan: Block) => blockList(plan.config.rule);

/** The vault a reference (a name or an ARN) points at, if it is one of the configuration. */
function vaultOf(document: TerraformDocument, reference: unknown): Block | undefined {
  const block = referencedBlock(document, reference);
  return block?.type === "aws_backup_vault" ? block : undefined;
}

/** The name a vault's alarms carry in their BackupVaultName dimension. */
const vaultName = (vault: Block) => String(vault.config.name);

/** The alarms of the configuration that watch `metric` for the vault and notify a topic of the configuration. */
function failureAlarms(document: TerraformDocument, vault: Block, metric: string): Block[] {
  return resources(document, "aws_cloudwatch_metric_alarm").filter(
    (alarm) =>
      alarm.config.namespace === "AWS/Backup" &&
      alarm.config.metric_name === metric &&
      (alarm.config.dimensions?.BackupVaultName === vaultName(vault) || pointsAt(document, alarm.config.dimensions?.BackupVaultName, vault)) &&
      isTrue(alarm.config.actions_enabled ?? true) &&
      blockList(alarm.config.alarm_actions).some((action) => referencedBlock(document, action)?.type === "aws_sns_topic"),
  );
}

/** The region a block is created in: its provider alias's, else the configuration's own. */
function regionOf(document: TerraformDocument, block: Block, ownRegion: string): string {
  const alias = /^aws\.(.+)$/.exec(String(block.config.provider ?? ""))?.[1];
  if (!alias) return ownRegion;
  const providers = blockList((document as { provider?: { aws?: unknown } }).provider?.aws);
  return String(providers.find((provider) => provider.alias === alias)?.region ?? ownRegion);
}

export const backupControls: Control[] = [
  {
    id: "RDS.26",
    aliases: [],
    title: "RDS instances are protected by an AWS Backup plan",
    scopes: ["inventory"],
    turnOn: "on by default; `database.backups.enabled`",
    check: ({ document }) =>
      everyBlock(databases(document), "database instance", true, (db) => {
        const plans = plansOf(document, db);
        if (plans.length === 0) return "is in no aws_backup_selection of a backup plan of this configuration";
        const targeted = plans.some((plan) => rulesOf(plan).some((rule) => vaultOf(document, rule.target_vault_name) && rule.schedule));
        return targeted ? undefined : "its backup plan has no scheduled rule into a vault of this configuration";
      }),
  },
  {
    id: "CKV_AWS_166",
    aliases: ["Backup.1"],
    title: "AWS Backup vaults encrypt recovery points with a customer managed key that rotates",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(vaults(document), "backup vault", false, (vault) => {
        const key = referencedBlock(document, vault.config.kms_key_arn);
        if (!key || key.type !== "aws_kms_key") return `kms_key_arn is ${show(vault.config.kms_key_arn)}, not a key of this configuration`;
        return isTrue(key.config.enable_key_rotation) ? undefined : `its key ${key.address} does not rotate`;
      }),
  },
  {
    id: "INV-BAK-1",
    aliases: [],
    title: "Backups of the database are restore-tested on a schedule from a vault of the configuration (REL09-BP04)",
    scopes: ["inventory"],
    turnOn: "weekly by default; `database.backups.restoreTesting`",
    check: ({ document }) =>
      everyBlock(databases(document), "database instance", true, (db) => {
        const selections = resources(document, "aws_backup_restore_testing_selection").filter((selection) =>
          namesDatabase(document, selection.config.protected_resource_arns, db),
        );
        if (selections.length === 0) return "is in no aws_backup_restore_testing_selection: its backups are never restored";
        const tested = selections.some((selection) => {
          const plan = referencedBlock(document, selection.config.restore_testing_plan_name);
          if (plan?.type !== "aws_backup_restore_testing_plan" || !plan.config.schedule_expression) return false;
          const points = firstBlock(plan.config.recovery_point_selection);
          const overrides = selection.config.restore_metadata_overrides ?? {};
          // A restore into the default VPC fails where there is none: the database's own subnets and group are named.
          return blockList(points?.include_vaults).some((vault) => vaultOf(document, vault)) && overrides.dbsubnetgroupname && overrides.vpcsecuritygroupids;
        });
        return tested
          ? undefined
          : "its restore testing selection has no scheduled plan over a vault of this configuration, or no subnet group and security groups to restore into";
      }),
  },
  {
    id: "INV-BAK-2",
    aliases: [],
    title: "A failed backup, copy or restore test of a vault raises an alarm that notifies a topic",
    scopes: ["inventory"],
    check: ({ document }) =>
      vaults(document).flatMap((vault): Finding[] => {
        const plans = resources(document, "aws_backup_plan").filter((plan) =>
          rulesOf(plan).some((rule) => vaultOf(document, rule.target_vault_name)?.address === vault.address),
        );
        if (plans.length === 0) return [];
        const copies = plans.some((plan) => rulesOf(plan).some((rule) => blockList(rule.copy_action).length > 0));
        const tested = resources(document, "aws_backup_restore_testing_plan").some((plan) =>
          blockList(firstBlock(plan.config.recovery_point_selection)?.include_vaults).some(
            (reference) => vaultOf(document, reference)?.address === vault.address,
          ),
        );
        const watched: (keyof typeof FAILED_JOB_METRICS)[] = ["backup", ...(copies ? ["copy" as const] : []), ...(tested ? ["restore" as const] : [])];
        return watched
          .filter((kind) => failureAlarms(document, vault, FAILED_JOB_METRICS[kind]).length === 0)
          .map((kind) => ({ address: vault.address, problem: `no alarm on AWS/Backup ${FAILED_JOB_METRICS[kind]} for it notifies a topic` }));
      }),
  },
  {
    id: "INV-BAK-3",
    aliases: [],
    title: "Recovery points are copied to a vault in a second region, encrypted with a key there",
    scopes: ["inventory"],
    turnOn: "`database.backups.copyRegion`",
    check: ({ document, region }) =>
      everyBlock(databases(document), "database instance", true, (db) => {
        const copies = plansOf(document, db)
          .flatMap(rulesOf)
          .flatMap((rule) => blockList(rule.copy_action))
          .map((action) => vaultOf(document, action.destination_vault_arn));
        if (copies.length === 0) return "its backup plan copies no recovery point to another vault";
        const elsewhere = copies.filter((vault): vault is Block => vault !== undefined && regionOf(document, vault, region) !== region);
        if (elsewhere.length === 0) return `its copies go to no vault of this configuration outside ${region}`;
        const keyed = elsewhere.some((vault) => {
          const key = referencedBlock(document, vault.config.kms_key_arn);
          return key?.type === "aws_kms_key" && regionOf(document, key, region) === regionOf(document, vault, region);
        });
        return keyed ? undefined : "its copy vault is not encrypted with a key of this configuration in the copy's region";
      }),
  },
];
