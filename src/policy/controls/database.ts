import { type Target, type Finding, type Control, everyBlock } from "../control";
import { type Block, blockList, isFalse, isTrue, referencedBlock, resources, show, type TerraformDocument } from "../../terraform/document";

/**
 * Controls of the database: encryption, no public access, Multi-AZ, backups, deletion protection, log exports, minor upgrades, tags on
 * snapshots, TLS only, Enhanced Monitoring.
 */

const databases = (document: TerraformDocument) => resources(document, "aws_db_instance");

/** A database setting that must be exactly `expected` (stated explicitly, not left to a default). */
function databaseSetting(attribute: string, expected: boolean): (target: Target) => Finding[] {
  return ({ document }) =>
    everyBlock(databases(document), "database instance", true, (db) =>
      (expected ? isTrue : isFalse)(db.config[attribute]) ? undefined : `${attribute} is ${show(db.config[attribute])}, not ${expected}`,
    );
}

/** The parameters of the parameter group a database uses, or why they cannot be read. */
function databaseParameters(document: TerraformDocument, db: Block): Map<string, string> | string {
  const group = referencedBlock(document, db.config.parameter_group_name);
  if (!group || group.type !== "aws_db_parameter_group")
    return `parameter_group_name is ${show(db.config.parameter_group_name)}, not a parameter group of this configuration`;
  return new Map(blockList(group.config.parameter).map((parameter) => [String(parameter.name), String(parameter.value)]));
}

/** MySQL logs RDS exports only when the server writes them, and the parameter that makes it. */
const LOG_PARAMETERS: Record<string, string> = { slowquery: "slow_query_log", general: "general_log" };

export const databaseControls: Control[] = [
  { id: "CKV_AWS_16", aliases: ["RDS.3"], title: "RDS storage is encrypted", scopes: ["inventory"], check: databaseSetting("storage_encrypted", true) },
  {
    id: "CKV_AWS_17",
    aliases: ["RDS.2"],
    title: "RDS is not publicly accessible",
    scopes: ["inventory"],
    check: databaseSetting("publicly_accessible", false),
  },
  {
    id: "CKV_AWS_157",
    aliases: ["RDS.5"],
    title: "RDS is Multi-AZ",
    scopes: ["inventory"],
    turnOn: "on by default; `database.multiAz`",
    check: databaseSetting("multi_az", true),
  },
  {
    id: "CKV_AWS_133",
    aliases: ["RDS.11"],
    title: "RDS keeps 7 or more days of backups",
    scopes: ["inventory"],
    turnOn: "7 days by default; `database.backupRetentionDays`",
    check: ({ document }) =>
      everyBlock(databases(document), "database instance", true, (db) =>
        Number(db.config.backup_retention_period ?? 0) >= 7 ? undefined : `backup_retention_period is ${show(db.config.backup_retention_period)}`,
      ),
  },
  {
    id: "CKV_AWS_293",
    aliases: ["RDS.8"],
    title: "RDS has deletion protection",
    scopes: ["inventory"],
    turnOn: "on by default; `database.deletionProtection: false` turns it off (only to destroy)",
    check: databaseSetting("deletion_protection", true),
  },
  {
    id: "CKV_AWS_129",
    aliases: [],
    title: "RDS exports its logs to CloudWatch Logs, and the server writes them",
    scopes: ["inventory"],
    turnOn: "error and slowquery by default; `database.logExports`",
    check: ({ document }) =>
      everyBlock(databases(document), "database instance", true, (db) => {
        const exports = blockList(db.config.enabled_cloudwatch_logs_exports).map(String);
        if (!exports.includes("error")) return `enabled_cloudwatch_logs_exports is ${show(db.config.enabled_cloudwatch_logs_exports)}, without the error log`;
        const parameters = databaseParameters(document, db);
        if (typeof parameters === "string") return parameters;
        const problems = exports
          .filter((log) => LOG_PARAMETERS[log] && parameters.get(LOG_PARAMETERS[log]) !== "1")
          .map((log) => `exports the ${log} log but its parameter group does not set ${LOG_PARAMETERS[log]} = 1, so nothing arrives`);
        if (exports.includes("audit")) {
          const options = referencedBlock(document, db.config.option_group_name);
          const audit =
            options?.type === "aws_db_option_group" && blockList(options.config.option).some((option) => option.option_name === "MARIADB_AUDIT_PLUGIN");
          if (!audit) problems.push("exports the audit log without an option group holding MARIADB_AUDIT_PLUGIN, so nothing arrives");
        }
        return problems;
      }),
  },
  {
    id: "RDS.9",
    aliases: [],
    title: "RDS for MySQL exports the audit, error, general and slow query logs",
    scopes: ["inventory"],
    unavailable: "partly: `database.logExports` can add `general`; the audit log (MariaDB Audit Plugin option group) is not offered",
    check: ({ document }) =>
      everyBlock(databases(document), "database instance", true, (db) => {
        const exports = blockList(db.config.enabled_cloudwatch_logs_exports).map(String);
        const missing = ["audit", "error", "general", "slowquery"].filter((log) => !exports.includes(log));
        return missing.length === 0 ? undefined : `does not export ${missing.join(", ")}`;
      }),
  },
  {
    id: "CKV_AWS_226",
    aliases: ["RDS.13"],
    title: "RDS applies minor engine upgrades automatically",
    scopes: ["inventory"],
    check: databaseSetting("auto_minor_version_upgrade", true),
  },
  {
    id: "CKV2_AWS_60",
    aliases: ["RDS.17"],
    title: "RDS copies tags to snapshots",
    scopes: ["inventory"],
    check: databaseSetting("copy_tags_to_snapshot", true),
  },
  {
    id: "CKV2_AWS_69",
    aliases: [],
    title: "RDS requires TLS through its parameter group",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(databases(document), "database instance", true, (db) => {
        const parameters = databaseParameters(document, db);
        if (typeof parameters === "string") return parameters;
        return ["1", "ON"].includes(parameters.get("require_secure_transport") ?? "")
          ? undefined
          : `its parameter group sets require_secure_transport to ${show(parameters.get("require_secure_transport"))}`;
      }),
  },
  {
    id: "CKV_AWS_118",
    aliases: ["RDS.6"],
    title: "RDS has Enhanced Monitoring",
    scopes: ["inventory"],
    turnOn: "every 60 s by default; `database.monitoringIntervalSeconds`",
    check: ({ document }) =>
      everyBlock(databases(document), "database instance", true, (db) => {
        if (!(Number(db.config.monitoring_interval ?? 0) > 0)) return `monitoring_interval is ${show(db.config.monitoring_interval)}`;
        return db.config.monitoring_role_arn ? undefined : "has no monitoring_role_arn";
      }),
  },
];
