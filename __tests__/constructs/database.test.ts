import { Testing } from "cdktf";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import {
  DAILY_WINDOW,
  Database,
  DATABASE_DEFAULTS,
  DATABASE_NAME,
  databaseNameProblems,
  databaseParameterGroupName,
  databaseProblems,
  type DatabaseProps,
  ENGINE_VERSION,
  MASTER_USERNAME,
  parameterGroupFamily,
  RDS_INSTANCE_CLASS,
  WEEKLY_WINDOW,
} from "../../src/constructs/data/database";
import { expectRefused, onlyResource } from "../support/stacks";
import { expectPatternSplits } from "../support/patterns";

/**
 * The lab's Inventory-DB after its challenges (docs/lab.md section 5), from
 * the construct's defaults: only where it goes is given.
 */
function synthDatabase(overrides: Partial<DatabaseProps> = {}) {
  const json = Testing.synthScope(
    (scope) =>
      new Database(scope, "database", {
        subnetIds: ["subnet-private1", "subnet-private2"],
        securityGroupId: "sg-db",
        region: "us-west-2",
        accountId: "111122223333",
        ...overrides,
      }),
  );
  return { json, document: JSON.parse(json) };
}

describe("Database", () => {
  const { json, document } = synthDatabase();

  it("describes its resources in no app's words unless given the app's name", () => {
    const descriptions = (doc: any) => [
      onlyResource(doc, "aws_db_subnet_group")[1].description,
      onlyResource(doc, "aws_db_parameter_group")[1].description,
      onlyResource(doc, "aws_iam_role")[1].description,
    ];
    expect(descriptions(document)).toEqual([
      "Private subnets of the database",
      "Database: TLS only, slow query log on",
      "Lets RDS Enhanced Monitoring publish OS metrics of the database",
    ]);
    expect(descriptions(synthDatabase({ appName: "Inventory" }).document)).toEqual([
      "Private subnets of the Inventory database",
      "Inventory database: TLS only, slow query log on",
      "Lets RDS Enhanced Monitoring publish OS metrics of the Inventory database",
    ]);
  });
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

  it("writes the subnet group, the parameter group and the instance's names, tags and parameters whole", () => {
    expect(onlyResource(document, "aws_db_subnet_group")[1]).toEqual({
      name: "inventory-db-subnets",
      description: "Private subnets of the database",
      subnet_ids: ["subnet-private1", "subnet-private2"],
      tags: { Name: "inventory-db-subnets" },
    });
    expect(onlyResource(document, "aws_db_parameter_group")[1]).toEqual({
      name: "inventory-db-mysql84",
      family: "mysql8.4",
      description: "Database: TLS only, slow query log on",
      parameter: [
        { name: "require_secure_transport", value: "1" },
        { name: "slow_query_log", value: "1" },
        { name: "long_query_time", value: "2" },
      ],
      // A new group before the old one goes: the instance moves to it in one apply.
      lifecycle: { create_before_destroy: true },
      tags: { Name: "inventory-db-mysql84" },
    });
    expect(onlyResource(document, "aws_db_instance")[1]).toMatchObject({
      identifier: "inventory-db",
      db_name: "inventory",
      username: "admin",
      tags: { Name: "Inventory-DB" },
    });
  });

  it("the lab's start: single-AZ db.t3.micro with 20 GiB", () => {
    const labStart = synthDatabase({ multiAz: false, instanceClass: "db.t3.micro", allocatedStorageGiB: 20 });
    expect(labStart.json).toHaveResourceWithProperties(DbInstance, { multi_az: false, instance_class: "db.t3.micro", allocated_storage: 20 });
  });

  it("lets RDS assume the Enhanced Monitoring role for this database of this account only, to write its metrics group in this region", () => {
    const [, role] = onlyResource(document, "aws_iam_role");
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      {
        Sid: "AssumedByService",
        Effect: "Allow",
        Principal: { Service: "monitoring.rds.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": "111122223333" },
          ArnLike: { "aws:SourceArn": "arn:aws:rds:us-west-2:111122223333:db:inventory-db" },
        },
      },
    ]);
    const [, policy] = onlyResource(document, "aws_iam_role_policy");
    const group = "arn:aws:logs:us-west-2:111122223333:log-group:RDSOSMetrics";
    expect(policy.name).toBe("publish-enhanced-monitoring");
    expect(JSON.parse(policy.policy).Statement.map((statement: any) => [statement.Sid, statement.Action, statement.Resource])).toEqual([
      ["CreateTheMetricsLogGroup", ["logs:CreateLogGroup", "logs:PutRetentionPolicy"], group],
      ["WriteTheMetrics", ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:GetLogEvents"], `${group}:log-stream:*`],
    ]);
    expect(document.resource.aws_iam_role_policy_attachment).toBeUndefined();
  });

  it("samples the OS every 60 s with Enhanced Monitoring through a role of its own, and adds no role when it is off", () => {
    expect(json).toHaveResourceWithProperties(IamRole, { name: "Inventory-DB-Monitoring" });
    expect(json).toHaveResourceWithProperties(DbInstance, { monitoring_interval: 60, monitoring_role_arn: expect.stringContaining("aws_iam_role.") });
    const unmonitored = synthDatabase({ monitoringIntervalSeconds: 0 });
    expect(unmonitored.json).not.toHaveResource(IamRole);
    expect(onlyResource(unmonitored.document, "aws_db_instance")[1].monitoring_interval).toBe(0);
  });

  it("names its subnet and parameter groups after its identifier, the parameter group after its engine's family too", () => {
    expect(json).toHaveResourceWithProperties(DbParameterGroup, { name: "inventory-db-mysql84", family: "mysql8.4" });
    const renamed = synthDatabase({ names: { identifier: "shop-db" }, engineVersion: "8.0.40" });
    expect(renamed.json).toHaveResourceWithProperties(DbSubnetGroup, { name: "shop-db-subnets" });
    expect(renamed.json).toHaveResourceWithProperties(DbParameterGroup, { name: "shop-db-mysql80", family: "mysql8.0" });
    expect(renamed.json).toHaveResourceWithProperties(DbInstance, { identifier: "shop-db", final_snapshot_identifier: "shop-db-final" });
  });

  describe("the patterns and checks the props go through", () => {
    it.each<[string, RegExp, string[], string[]]>([
      ["a MySQL version", ENGINE_VERSION, ["8.4", "8.0.40", "10.11"], ["8", "8.4.", "v8.4", "8.4.7.1", "8.4.x", "8.x"]],
      [
        "an instance class",
        RDS_INSTANCE_CLASS,
        ["db.t3.small", "db.r6g.2xlarge", "db.m5d.large", "db.x2iedn.metal"],
        ["t3.small", "db.t3", "db.T3.small", "db.3t.small", "db.t3.small.x", "xdb.t3.small", "db.t3.small-"],
      ],
      [
        "a database name",
        DATABASE_NAME,
        ["inventory", "Inventory_1", `a${"b".repeat(63)}`],
        ["1inventory", "inventory-db", "_inventory", `a${"b".repeat(64)}`, "inventory db", " inventory"],
      ],
      ["a master user name", MASTER_USERNAME, ["admin", "Admin_2", `a${"b".repeat(31)}`], ["2admin", "admin-user", `a${"b".repeat(32)}`, "admin ", " admin"]],
      [
        "a daily window",
        DAILY_WINDOW,
        ["03:00-04:00", "23:30-00:30"],
        ["3:00-4:00", "03:00-04:0", "03:60-04:00", "30:00-04:00", "03:00 04:00", "x03:00-04:00", "03:00-04:00x", "03:00-04:60", "03:00-34:00"],
      ],
      [
        "a weekly window",
        WEEKLY_WINDOW,
        ["sun:05:00-sun:06:00", "mon:23:30-tue:00:30", "wed:01:00-thu:01:00", "fri:01:00-sat:01:00"],
        [
          "sunday:05:00-sun:06:00",
          "sun:05:00-06:00",
          "Sun:05:00-sun:06:00",
          "sun:5:00-sun:06:00",
          "sun:05:60-sun:06:00",
          "sun:05:00-sun:06:60",
          "sun:05:00-sun:36:00",
          "xsun:05:00-sun:06:00",
          "sun:05:00-sun:06:00x",
          "sun:05:00-xyz:06:00",
        ],
      ],
    ])("%s: takes what RDS takes, refuses the rest", (_what, pattern, taken, refused) => {
      expectPatternSplits(pattern, taken, refused);
    });

    const defaults = { ...DATABASE_DEFAULTS, logExports: [...DATABASE_DEFAULTS.logExports] };

    it("finds no problem in the defaults, and every malformed value at once, each naming its prop", () => {
      expect(databaseProblems(defaults)).toStrictEqual([]);
      expect(
        databaseProblems({
          ...defaults,
          engineVersion: "eight",
          instanceClass: "t3.small",
          storageType: "st1" as never,
          databaseName: "1db",
          masterUsername: "root user",
          backupRetentionDays: 36,
          backupWindow: "3am",
          maintenanceWindow: "sunday",
          logExports: ["error", "postgresql" as never],
          monitoringIntervalSeconds: 2,
          allocatedStorageGiB: 0,
          maxAllocatedStorageGiB: 0.5,
        }),
      ).toEqual([
        { prop: "engineVersion", message: '"eight" is not a MySQL version like 8.4 or 8.4.7' },
        { prop: "instanceClass", message: '"t3.small" is not an RDS instance class like db.t3.small' },
        { prop: "storageType", message: '"st1" is not one of "gp3", "gp2", "io1", "io2"' },
        { prop: "databaseName", message: '"1db" must start with a letter and use letters, digits and _ (at most 64)' },
        { prop: "masterUsername", message: '"root user" must start with a letter and use letters, digits and _ (at most 32)' },
        { prop: "backupRetentionDays", message: "36 is not a whole number from 0 to 35" },
        { prop: "backupWindow", message: '"3am" must be hh:mm-hh:mm in UTC' },
        { prop: "maintenanceWindow", message: '"sunday" must be ddd:hh:mm-ddd:hh:mm in UTC' },
        { prop: "logExports.1", message: '"postgresql" is not one of "audit", "error", "general", "slowquery", "iam-db-auth-error"' },
        { prop: "monitoringIntervalSeconds", message: "2 is not one of 0, 1, 5, 10, 15, 30, 60" },
        { prop: "allocatedStorageGiB", message: "0 is not a whole number of at least 1" },
        { prop: "maxAllocatedStorageGiB", message: "0.5 is not a whole number of at least 1" },
      ]);
    });

    it("checks storage against its type, the class against the known ones and backups against Multi-AZ once the values are well formed", () => {
      expect(
        databaseProblems({ ...defaults, instanceClass: "db.z9.huge", allocatedStorageGiB: 19, maxAllocatedStorageGiB: 19, backupRetentionDays: 0 }),
      ).toEqual([
        {
          prop: "instanceClass",
          message:
            "db.z9.huge is not a class whose memory the project knows (the database alarms derive their thresholds from it); " +
            "use db.<family>.<size> of t3, t4g, m5, m6i, m6g, m7g, r5, r6i, r6g, r7g",
        },
        { prop: "allocatedStorageGiB", message: "19 GiB is below the 20 GiB minimum of gp3 storage for MySQL" },
        { prop: "maxAllocatedStorageGiB", message: "19 GiB must be above allocatedStorageGiB 19" },
        { prop: "backupRetentionDays", message: "must be at least 1 when multiAz is on" },
      ]);
      expect(databaseProblems({ ...defaults, allocatedStorageGiB: 20, maxAllocatedStorageGiB: 21, multiAz: false, backupRetentionDays: 0 })).toStrictEqual([]);
      expect(databaseProblems({ ...defaults, storageType: "io2", allocatedStorageGiB: 100 })).toStrictEqual([]);
      expect(databaseProblems({ ...defaults, allocatedStorageGiB: 65536 })).toStrictEqual([]);
    });

    it("names the parameter group after the identifier and the version's first two parts, and checks the identifier RDS takes", () => {
      expect([parameterGroupFamily("8.4"), parameterGroupFamily("8.0.40")]).toEqual(["mysql8.4", "mysql8.0"]);
      expect(databaseParameterGroupName("inventory-db", "8.0.40")).toBe("inventory-db-mysql80");
      expect(["inventory-db", "a", "a1", `a${"b".repeat(62)}`].flatMap((identifier) => databaseNameProblems({ identifier }))).toStrictEqual([]);
      expect(
        // A double hyphen anywhere, not only after the first letter or two.
        ["1db", "db-", "in--db", "inventory--db", "Inventory", `a${"b".repeat(63)}`].map((identifier) =>
          databaseNameProblems({ identifier }).map((problem) => problem.prop),
        ),
      ).toStrictEqual(Array(6).fill(["names.identifier"]));
    });
  });

  describe("refuses props it cannot build, naming its path and the prop", () => {
    it.each<[string, Partial<DatabaseProps>, string]>([
      ["one subnet", { subnetIds: ["subnet-private1"] }, "subnetIds: has 1; a DB subnet group needs subnets in two zones or more"],
      ["storage below gp3's minimum", { allocatedStorageGiB: 10 }, "allocatedStorageGiB: 10 GiB is below the 20 GiB minimum of gp3 storage for MySQL"],
      ["io1 storage below its minimum", { storageType: "io1", allocatedStorageGiB: 50 }, "allocatedStorageGiB: 50 GiB is below the 100 GiB minimum of io1"],
      ["storage above RDS's maximum", { allocatedStorageGiB: 70000 }, "allocatedStorageGiB: 70000 GiB is above the 65536 GiB maximum for MySQL"],
      ["an autoscaling ceiling below the storage", { maxAllocatedStorageGiB: 30 }, "maxAllocatedStorageGiB: 30 GiB must be above allocatedStorageGiB 40"],
      ["Multi-AZ without backups", { backupRetentionDays: 0 }, "backupRetentionDays: must be at least 1 when multiAz is on"],
      ["backups kept longer than RDS allows", { backupRetentionDays: 40 }, "backupRetentionDays: 40 is not a whole number from 0 to 35"],
      ["a malformed version", { engineVersion: "eight" }, 'engineVersion: "eight" is not a MySQL version like 8.4 or 8.4.7'],
      ["a malformed instance class", { instanceClass: "t3.small" }, 'instanceClass: "t3.small" is not an RDS instance class like db.t3.small'],
      ["a malformed maintenance window", { maintenanceWindow: "sunday 3am" }, 'maintenanceWindow: "sunday 3am" must be ddd:hh:mm-ddd:hh:mm in UTC'],
      ["a log type MySQL has not", { logExports: ["error", "postgresql" as never] }, 'logExports.1: "postgresql" is not one of "audit", "error"'],
      ["an interval RDS refuses", { monitoringIntervalSeconds: 45 }, "monitoringIntervalSeconds: 45 is not one of 0, 1, 5, 10, 15, 30, 60"],
      ["a region it does not know", { region: "us-west-7" }, 'region: "us-west-7" is not an AWS region this project knows'],
      [
        "an identifier RDS refuses",
        { names: { identifier: "Inventory--DB" } },
        'names.identifier: the RDS identifier "Inventory--DB" must use letters, digits and single hyphens',
      ],
    ])("%s", (_kind, overrides, message) => {
      expectRefused(() => synthDatabase(overrides), "Database stack/database", message);
    });
  });
});
