import * as fs from "node:fs";
import * as path from "node:path";
import type { Construct } from "constructs";
import { Testing } from "cdktf";
import { CiRole } from "../../src/ci-access/ci-role";
import { AppArtifact } from "../../src/constructs/compute/app-artifact";
import { AppRelease } from "../../src/constructs/compute/app-release";
import { AppScaling } from "../../src/constructs/compute/app-scaling";
import { AppTier } from "../../src/constructs/compute/app-tier";
import { SessionManagerPolicy } from "../../src/constructs/compute/session-manager-policy";
import { Database } from "../../src/constructs/data/database";
import { DatabaseAppUser } from "../../src/constructs/data/database-app-user";
import { DatabaseBackups, databaseBackupsNames } from "../../src/constructs/data/database-backups";
import { PrivateBucket } from "../../src/constructs/data/private-bucket";
import { StateKey } from "../../src/constructs/data/state-key";
import { AccessLogBucket } from "../../src/constructs/edge/access-log-bucket";
import { AppDomain } from "../../src/constructs/edge/app-domain";
import { LoadBalancer } from "../../src/constructs/edge/load-balancer";
import { SignIn } from "../../src/constructs/edge/sign-in";
import { WebAcl } from "../../src/constructs/edge/web-acl";
import { AlarmTopic } from "../../src/constructs/monitoring/alarm-topic";
import { AvailabilityAlarms } from "../../src/constructs/monitoring/availability-alarms";
import { Dashboard } from "../../src/constructs/monitoring/dashboard";
import { LogKey } from "../../src/constructs/monitoring/log-key";
import { Monitoring } from "../../src/constructs/monitoring/monitoring";
import { type NatStrategy, Network } from "../../src/constructs/network/network";
import { SecurityGroups } from "../../src/constructs/network/security-groups";
import { ZoneRehearsal } from "../../src/constructs/resilience/zone-rehearsal";
import { InvalidPropsError } from "../../src/props/prop-problems";
import { APP_DIRECTORY, PROJECT_ROOT } from "../support/stacks";
import { ACCOUNT } from "../support/variants";
import { appTierProps } from "../support/app-tier-props";

// Every construct refuses a bad prop the same way: an InvalidPropsError whose
// message starts with the construct's class, its path and the prop. One case
// per construct class; a construct added under src/constructs without a case
// here fails the count below.

const REGION = "us-west-2";
const NOT_A_REGION = "mars-north-1";
const ARN = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
const WATCHED = {
  loadBalancer: { dimension: "app/Inventory-LB/0123456789abcdef", name: "Inventory-LB" },
  targetGroup: { dimension: "targetgroup/Inventory-App/0123456789abcdef", name: "Inventory-App" },
  autoScalingGroup: { dimension: "Inventory-ASG", name: "Inventory-ASG" },
  database: { dimension: "inventory-db", name: "Inventory-DB", instanceClass: "db.t3.small", allocatedStorageGiB: 40 },
  natGateways: [{ dimension: "nat-0123456789abcdef0", name: "Inventory NAT 1" }],
};

interface RefusalCase {
  /** The construct's class, as its refusal names it. */
  readonly construct: string;
  /** The prop the case gets wrong. */
  readonly prop: string;
  /** Builds the construct with id `id` and the bad prop. */
  readonly build: (scope: Construct, id: string) => unknown;
}

const CASES: readonly RefusalCase[] = [
  {
    construct: "AppArtifact",
    prop: "keptVersions",
    build: (scope, id) => new AppArtifact(scope, id, { appDirectory: APP_DIRECTORY, keptVersions: 0 }),
  },
  {
    construct: "AppRelease",
    prop: "functionName",
    build: (scope, id) =>
      new AppRelease(scope, id, {
        codeRoot: PROJECT_ROOT,
        autoScalingGroup: {
          name: "Inventory-ASG",
          arn: ARN("autoscaling", "autoScalingGroup:uuid:autoScalingGroupName/Inventory-ASG"),
          fqn: "aws_autoscaling_group.app",
          launchTemplate: { id: "lt-0123456789abcdef0", arn: ARN("ec2", "launch-template/lt-0123456789abcdef0"), latestVersion: "1" },
        },
        imageId: "ami-0123456789abcdef0",
        instanceRoleArn: `arn:aws:iam::${ACCOUNT}:role/Inventory-App-Role`,
        refresh: { minHealthyPercent: 100, maxHealthyPercent: 200, instanceWarmupSeconds: 300 },
        region: REGION,
        accountId: ACCOUNT,
        functionName: "Inventory App Release",
      }),
  },
  {
    construct: "AppScaling",
    prop: "targetValue",
    build: (scope, id) =>
      new AppScaling(scope, id, { name: "Inventory-ASG target tracking", autoScalingGroupName: "Inventory-ASG", metric: "average-cpu", targetValue: 120 }),
  },
  {
    construct: "AppTier",
    prop: "minSize",
    build: (scope, id) => new AppTier(scope, id, appTierProps({ minSize: 3, maxSize: 2 })),
  },
  {
    construct: "SessionManagerPolicy",
    prop: "region",
    build: (scope, id) => new SessionManagerPolicy(scope, id, { roleName: "Inventory-App-Role", accountId: ACCOUNT, region: NOT_A_REGION }),
  },
  {
    construct: "Database",
    prop: "subnetIds",
    build: (scope, id) => new Database(scope, id, { subnetIds: ["subnet-private1"], securityGroupId: "sg-db", region: REGION, accountId: ACCOUNT }),
  },
  {
    construct: "DatabaseBackups",
    prop: "retentionDays",
    build: (scope, id) =>
      new DatabaseBackups(scope, id, {
        region: REGION,
        accountId: ACCOUNT,
        database: { arn: ARN("rds", "db:inventory-db"), subnetGroupName: "inventory-db", securityGroupId: "sg-db" },
        alarmTopicArn: ARN("sns", "inventory-alarms"),
        names: databaseBackupsNames("Inventory-DB"),
        retentionDays: 0,
      }),
  },
  {
    construct: "ZoneRehearsal",
    prop: "stopAlarms",
    build: (scope, id) =>
      new ZoneRehearsal(scope, id, {
        environment: "default",
        region: REGION,
        accountId: ACCOUNT,
        availabilityZones: ["us-west-2a", "us-west-2b"],
        vpcId: "vpc-0123456789abcdef0",
        autoScalingGroup: { name: "Inventory-ASG", arn: ARN("autoscaling", "autoScalingGroup:uuid:autoScalingGroupName/Inventory-ASG") },
        database: { arn: ARN("rds", "db:inventory-db"), multiAz: true },
        stopAlarms: [],
      }),
  },
  {
    construct: "DatabaseAppUser",
    prop: "region",
    build: (scope, id) =>
      new DatabaseAppUser(scope, id, {
        codeRoot: PROJECT_ROOT,
        vpcId: "vpc-0123456789abcdef0",
        subnetIds: ["subnet-private1", "subnet-private2"],
        databaseSecurityGroupId: "sg-db",
        database: {
          address: "inventory-db.abcdefghijkl.us-west-2.rds.amazonaws.com",
          port: "3306",
          name: "inventory",
          masterUserSecretArn: ARN("secretsmanager", "secret:rds!db-master-AbCdEf"),
          instance: { fqn: "aws_db_instance.database" },
        },
        region: NOT_A_REGION,
        accountId: ACCOUNT,
      }),
  },
  {
    construct: "PrivateBucket",
    prop: "kmsKeyArn",
    build: (scope, id) =>
      new PrivateBucket(scope, id, { lifecycleRules: [], encryption: "AES256", kmsKeyArn: ARN("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab") }),
  },
  {
    construct: "StateKey",
    prop: "administratorArns",
    build: (scope, id) => new StateKey(scope, id, { alias: "inventory-state", region: REGION, administratorArns: [] }),
  },
  {
    construct: "AccessLogBucket",
    prop: "region",
    build: (scope, id) => new AccessLogBucket(scope, id, { region: NOT_A_REGION, accountId: ACCOUNT }),
  },
  {
    construct: "AppDomain",
    prop: "name",
    build: (scope, id) => new AppDomain(scope, id, { name: "*.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" }),
  },
  {
    construct: "LoadBalancer",
    prop: "subnetIds",
    build: (scope, id) => new LoadBalancer(scope, id, { vpcId: "vpc-0123456789abcdef0", subnetIds: ["subnet-public1"], securityGroupId: "sg-lb" }),
  },
  {
    construct: "SignIn",
    prop: "sessionTimeoutSeconds",
    build: (scope, id) =>
      new SignIn(scope, id, {
        provider: { type: "cognito", domainPrefix: "inventory-sign-in", callbackHosts: ["inventory.example.com"] },
        sessionTimeoutSeconds: 0,
      }),
  },
  {
    construct: "WebAcl",
    prop: "region",
    build: (scope, id) =>
      new WebAcl(scope, id, {
        name: "Inventory-LB-web-acl",
        loadBalancerArn: ARN("elasticloadbalancing", "loadbalancer/app/Inventory-LB/0123456789abcdef"),
        region: NOT_A_REGION,
        accountId: ACCOUNT,
      }),
  },
  {
    construct: "AlarmTopic",
    prop: "emailAddresses",
    build: (scope, id) => new AlarmTopic(scope, id, { name: "Inventory-Alarms", region: REGION, emailAddresses: ["ops@"] }),
  },
  {
    construct: "AvailabilityAlarms",
    prop: "thresholds.databaseCpu.periodSeconds",
    build: (scope, id) =>
      new AvailabilityAlarms(scope, id, { topicArn: ARN("sns", "Inventory-Alarms"), ...WATCHED, thresholds: { databaseCpu: { periodSeconds: 90 } } }),
  },
  {
    construct: "Dashboard",
    prop: "name",
    build: (scope, id) =>
      new Dashboard(scope, id, {
        name: "Inventory HA",
        region: REGION,
        widgets: [{ kind: "alarm-status", title: "Alarms", alarmArns: [ARN("cloudwatch", "alarm:a")] }],
      }),
  },
  {
    construct: "LogKey",
    prop: "logGroupNames",
    build: (scope, id) => new LogKey(scope, id, { region: REGION, alias: "inventory-logs", logGroupNames: [] }),
  },
  {
    construct: "Monitoring",
    prop: "region",
    build: (scope, id) =>
      new Monitoring(scope, id, {
        region: NOT_A_REGION,
        names: { topic: "Inventory-Alarms", keyAlias: "inventory-alarms", dashboard: "Inventory-HA" },
        watched: WATCHED,
      }),
  },
  {
    construct: "Network",
    prop: "natStrategy",
    build: (scope, id) => new Network(scope, id, { availabilityZones: ["us-west-2a", "us-west-2b"], natStrategy: "none" as NatStrategy }),
  },
  {
    construct: "SecurityGroups",
    prop: "clientCidrs",
    build: (scope, id) => new SecurityGroups(scope, id, { vpcId: "vpc-0123456789abcdef0", clientCidrs: [] }),
  },
  {
    construct: "CiRole",
    prop: "permissions",
    build: (scope, id) => new CiRole(scope, id, { name: "Inventory-deploy", description: "Deploys", trustPolicy: "{}", permissions: [] }),
  },
];

/** Classes declared under src/constructs (`export class X extends`), by scanning the files. */
function constructClasses(): string[] {
  const root = path.join(PROJECT_ROOT, "src", "constructs");
  const files = fs.readdirSync(root, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".ts"));
  return files.flatMap((file) => [...fs.readFileSync(path.join(root, file), "utf8").matchAll(/^export class (\w+) extends /gm)].map((match) => match[1]));
}

describe("every construct refuses a bad prop with an InvalidPropsError naming its class, path and the prop", () => {
  it("has one case per construct class under src/constructs, and one for CiRole", () => {
    const classes = constructClasses();
    expect(CASES).toHaveLength(classes.length + 1);
    expect(CASES.map((refusal) => refusal.construct).sort()).toEqual([...classes, "CiRole"].sort());
  });

  it.each(CASES.map((refusal) => [refusal.construct, refusal] as const))("%s", (construct, refusal) => {
    let thrown: unknown;
    try {
      Testing.synthScope((scope) => refusal.build(scope, "under-test"));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidPropsError);
    const start = `${construct} stack/under-test: ${refusal.prop}: `;
    expect((thrown as Error).message.slice(0, start.length)).toBe(start);
  });
});
