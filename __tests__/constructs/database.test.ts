import { Testing } from "cdktf";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { Database, type DatabaseProps } from "../../src/constructs/database";
import { onlyResource } from "../support/stacks";

/** The lab's Inventory-DB after its challenges (docs/lab.md section 5). */
function synthDatabase(overrides: Partial<DatabaseProps> = {}) {
  const json = Testing.synthScope(
    (scope) =>
      new Database(scope, "database", {
        subnetIds: ["subnet-private1", "subnet-private2"],
        securityGroupId: "sg-db",
        region: "us-west-2",
        engineVersion: "8.4",
        instanceClass: "db.t3.small",
        storageType: "gp3",
        allocatedStorageGiB: 40,
        multiAz: true,
        databaseName: "inventory",
        masterUsername: "admin",
        backupRetentionDays: 7,
        deletionProtection: true,
        skipFinalSnapshot: false,
        applyImmediately: true,
        logExports: ["error", "slowquery"],
        monitoringIntervalSeconds: 0,
        names: {
          identifier: "inventory-db",
          nameTag: "Inventory-DB",
          subnetGroup: "inventory-db-subnets",
          parameterGroup: "inventory-db-mysql84",
          monitoringRole: "Inventory-DB-Monitoring",
        },
        ...overrides,
      }),
  );
  return { json, document: JSON.parse(json) };
}

describe("Database", () => {
  const { json, document } = synthDatabase();
  const [, instance] = onlyResource(document, "aws_db_instance");

  it("puts a DB subnet group over both private subnets", () => {
    expect(json).toHaveResourceWithProperties(DbSubnetGroup, { name: "inventory-db-subnets", subnet_ids: ["subnet-private1", "subnet-private2"] });
    expect(instance.db_subnet_group_name).toMatch(/^\$\{aws_db_subnet_group\.[^}]+\.name\}$/);
  });

  it("runs RDS for MySQL 8.4 Inventory-DB, Multi-AZ, reached through the DB group only and never publicly", () => {
    expect(json).toHaveResourceWithProperties(DbInstance, {
      identifier: "inventory-db",
      engine: "mysql",
      engine_version: "8.4",
      multi_az: true,
      publicly_accessible: false,
      vpc_security_group_ids: ["sg-db"],
      tags: { Name: "Inventory-DB" },
    });
  });

  it("has the doubled class and storage, applied immediately", () => {
    expect(instance).toMatchObject({ instance_class: "db.t3.small", allocated_storage: 40, storage_type: "gp3", apply_immediately: true });
  });

  it("lets RDS keep the master password in Secrets Manager: no password anywhere in the configuration", () => {
    expect(instance.manage_master_user_password).toBe(true);
    expect(instance.password).toBeUndefined();
    expect(json).not.toMatch(/"password"/);
  });

  it("encrypts storage, keeps 7 days of backups, a final snapshot and deletion protection", () => {
    expect(instance).toMatchObject({
      storage_encrypted: true,
      backup_retention_period: 7,
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: "inventory-db-final",
      copy_tags_to_snapshot: true,
      auto_minor_version_upgrade: true,
    });
  });

  it("requires TLS through its parameter group and exports error and slow query logs", () => {
    expect(json).toHaveResourceWithProperties(DbParameterGroup, {
      family: "mysql8.4",
      parameter: expect.arrayContaining([
        { name: "require_secure_transport", value: "1" },
        { name: "slow_query_log", value: "1" },
      ]),
    });
    expect(instance.parameter_group_name).toMatch(/^\$\{aws_db_parameter_group\.[^}]+\.name\}$/);
    expect(instance.enabled_cloudwatch_logs_exports).toEqual(["error", "slowquery"]);
  });

  it("turns the general log on in the server only when it is exported, since it records every statement", () => {
    const parameters = (document: any) => onlyResource(document, "aws_db_parameter_group")[1].parameter.map((parameter: any) => parameter.name);
    expect(parameters(document)).not.toContain("general_log");
    const general = synthDatabase({ logExports: ["error", "slowquery", "general"] });
    expect(general.json).toHaveResourceWithProperties(DbParameterGroup, { parameter: expect.arrayContaining([{ name: "general_log", value: "1" }]) });
  });

  it("the lab's start: single-AZ db.t3.micro with 20 GiB", () => {
    const labStart = synthDatabase({ multiAz: false, instanceClass: "db.t3.micro", allocatedStorageGiB: 20 });
    expect(labStart.json).toHaveResourceWithProperties(DbInstance, { multi_az: false, instance_class: "db.t3.micro", allocated_storage: 20 });
  });

  it("adds Enhanced Monitoring with its own role only when asked", () => {
    expect(json).not.toHaveResource(IamRole);
    expect(instance.monitoring_interval).toBe(0);
    const monitored = synthDatabase({ monitoringIntervalSeconds: 60 });
    expect(monitored.json).toHaveResourceWithProperties(IamRole, { name: "Inventory-DB-Monitoring" });
    expect(monitored.json).toHaveResourceWithProperties(DbInstance, { monitoring_interval: 60, monitoring_role_arn: expect.stringContaining("aws_iam_role.") });
  });
});
