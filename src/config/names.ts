import { type AppTierNames, appTierNameProblems, LAB_APP_TIER_NAMES } from "../constructs/compute/app-tier";
import { databaseNameProblems, type DatabaseNames, LAB_DATABASE_NAMES } from "../constructs/data/database";
import { databaseBackupsNameProblems, databaseBackupsNames, type DatabaseBackupsNames } from "../constructs/data/database-backups";
import { type DatabaseAppUserNames, databaseAppUserNames } from "../constructs/data/database-app-user";
import { loadBalancerNameProblems } from "../constructs/edge/load-balancer";
import { labNetworkNames, type NetworkNames, networkNameProblems } from "../constructs/network/network";
import { functionLogGroupName } from "../constructs/monitoring/log-key";
import { type SecurityGroupNames, securityGroupNameProblems } from "../constructs/network/security-groups";
import { webAclLogGroupName } from "../constructs/edge/web-acl";
import { SIGN_IN_DEFAULTS } from "../constructs/edge/sign-in";
import { ACCESS_LOG_BUCKET_DEFAULTS } from "../constructs/edge/access-log-bucket";
import { APP_ARTIFACT_DEFAULTS } from "../constructs/compute/app-artifact";
import { type ZoneRehearsalNames } from "../constructs/resilience/zone-rehearsal";

/**
 * The one name builder: every AWS name and Name tag of an environment comes
 * from here, as the environment's `namePrefix` in front of the lab's name.
 */

/** The cdktf stack name of an environment: what `cdktf deploy <stack>` takes. */
export function inventoryStackName(environment: string): string {
  return `inventory-${environment}`;
}

/** The lab's names, as the `names` settings hold them. */
export interface BaseNames {
  readonly vpc: string;
  readonly loadBalancer: string;
  readonly app: string;
  readonly autoScalingGroup: string;
  readonly database: string;
  readonly instanceRole: string;
  readonly launchTemplate: string;
}

/** Every name an environment's resources carry, grouped by the construct that gives them. */
export interface ResourceNames {
  readonly network: NetworkNames;
  readonly securityGroups: SecurityGroupNames;
  readonly appTier: AppTierNames;
  readonly loadBalancer: { readonly name: string; readonly targetGroupName: string };
  /** The load balancer's WAF web ACL (its log group is named after it). */
  readonly webAcl: string;
  /** The Cognito user pool of the load balancer's sign-in. */
  readonly userPool: string;
  /** The access log bucket: the start of its generated name (lower case, at most 37 characters) and its Name tag. */
  readonly accessLogBucket: { readonly bucketPrefix: string; readonly nameTag: string };
  /** The app artifact bucket: the start of its generated name (lower case, at most 37 characters) and its Name tag. */
  readonly appArtifact: { readonly bucketPrefix: string; readonly nameTag: string };
  readonly database: DatabaseNames;
  /** The database's AWS Backup vault, plan, role, restore testing plan, key alias and alarms, after the database's name. */
  readonly databaseBackups: DatabaseBackupsNames;
  /** The app's database user: its secret, and its rotation function (also its role's and security group's name). */
  readonly databaseAppUser: DatabaseAppUserNames;
  /** IAM role a CI system assumes for the environment: `Inventory-GHA-Deploy`, `Inventory-TFC-Plan`, ... */
  ciRole(purpose: string): string;
  /** The managed policy every role of an environment with CI access carries as its permissions boundary. */
  readonly workloadBoundary: string;
  /** The alarm topic, its KMS key's alias (after `alias/`) and the dashboard. */
  readonly monitoring: { readonly topic: string; readonly keyAlias: string; readonly dashboard: string };
  /** Target tracking policy of the Auto Scaling group. */
  readonly scalingPolicy: string;
  /**
   * Every log group the stack can create (the VPC's flow logs, each
   * function's, the WAF's), whatever the settings turn on now, and the alias
   * (after `alias/`) of the KMS key that encrypts them.
   */
  readonly logs: { readonly groups: readonly string[]; readonly keyAlias: string };
  /** The zone rehearsal's FIS role, its log group (not in `logs.groups`: the log key names it only when the rehearsal is on) and its templates' Name tags. */
  readonly zoneRehearsal: ZoneRehearsalNames;
}

export function resourceNames(prefix: string, base: BaseNames): ResourceNames {
  const named = (name: string) => `${prefix}${name}`;
  // The log group's path keeps its stem; the prefix goes before the last part.
  const network = { ...prefixed(prefix, labNetworkNames(base.vpc)), flowLogGroup: `/inventory-ha/${prefix}vpc-flow-logs` };
  const databaseAppUser = databaseAppUserNames(named(base.database).toLowerCase());
  const releaseFunction = named(LAB_APP_TIER_NAMES.releaseFunction);
  const webAcl = named(`${base.loadBalancer}-web-acl`);
  return {
    network,
    securityGroups: prefixed(prefix, { loadBalancer: base.loadBalancer, app: base.app, database: base.database }),
    appTier: prefixed(prefix, {
      instanceRole: base.instanceRole,
      launchTemplatePrefix: base.launchTemplate,
      autoScalingGroup: base.autoScalingGroup,
      instance: base.app,
      releaseFunction: LAB_APP_TIER_NAMES.releaseFunction,
    }),
    loadBalancer: { name: named(base.loadBalancer), targetGroupName: named(base.app) },
    webAcl,
    userPool: named(SIGN_IN_DEFAULTS.userPoolName),
    accessLogBucket: {
      // A fixed stem, so the prefix (at most 12) keeps it within 37 characters whatever the lab names are.
      bucketPrefix: `${prefix.toLowerCase()}${ACCESS_LOG_BUCKET_DEFAULTS.bucketPrefix}`,
      nameTag: named(`${base.loadBalancer} access logs`),
    },
    // A fixed stem, as the log bucket's.
    appArtifact: { bucketPrefix: `${prefix.toLowerCase()}${APP_ARTIFACT_DEFAULTS.bucketPrefix}`, nameTag: named(APP_ARTIFACT_DEFAULTS.nameTag) },
    database: {
      // The provider accepts lower-case RDS identifiers only.
      identifier: named(base.database).toLowerCase(),
      nameTag: named(base.database),
      monitoringRole: named(LAB_DATABASE_NAMES.monitoringRole),
    },
    databaseBackups: databaseBackupsNames(named(base.database)),
    databaseAppUser,
    ciRole: (purpose) => named(`Inventory-${purpose}`),
    workloadBoundary: named("Inventory-Workload-Boundary"),
    monitoring: { topic: named("Inventory-Alarms"), keyAlias: `${prefix.toLowerCase()}inventory-alarms`, dashboard: named("Inventory-HA") },
    scalingPolicy: named(`${base.autoScalingGroup} target tracking`),
    logs: {
      groups: [network.flowLogGroup, functionLogGroupName(databaseAppUser.rotationFunction), functionLogGroupName(releaseFunction), webAclLogGroupName(webAcl)],
      keyAlias: `${prefix.toLowerCase()}inventory-logs`,
    },
    zoneRehearsal: { role: named("Inventory-FIS-Rehearsal"), logGroup: `/inventory-ha/${prefix}fis-experiments`, templatePrefix: named("Inventory ") },
  };
}

/** Every name of a construct's table, with `prefix` in front. */
function prefixed<T extends object>(prefix: string, names: T): T {
  return Object.fromEntries(
    Object.entries(names).map(([key, value]) => [
      key,
      typeof value === "function" ? (index: number) => `${prefix}${(value as (index: number) => string)(index)}` : `${prefix}${String(value)}`,
    ]),
  ) as T;
}

/** A name that AWS would refuse, with the setting it comes from. */
export interface NameProblem {
  readonly path: string[];
  readonly message: string;
}

/**
 * Checks each built name against the AWS rules of the resource that carries
 * it, as the construct that gives it checks it, and names the setting it
 * comes from.
 */
export function nameProblems(names: ResourceNames): NameProblem[] {
  return [
    ...networkNameProblems(names.network),
    // The groups' names are the settings' own: names.loadBalancer, names.app, names.database.
    ...securityGroupNameProblems(names.securityGroups),
    ...loadBalancerNameProblems(names.loadBalancer).map((problem) => ({
      ...problem,
      prop: problem.prop === "name" ? "names.loadBalancer" : "names.app",
    })),
    ...appTierNameProblems(names.appTier).map((problem) => ({
      ...problem,
      // The release function's name is the prefix and a fixed stem.
      prop: problem.prop === "names.launchTemplatePrefix" ? "names.launchTemplate" : problem.prop === "names.releaseFunction" ? "namePrefix" : problem.prop,
    })),
    ...databaseNameProblems(names.database).map((problem) => ({ ...problem, prop: "names.database" })),
    ...databaseBackupsNameProblems(names.databaseBackups).map((problem) => ({ ...problem, prop: "names.database" })),
  ].map((problem) => ({ path: problem.prop.split("."), message: problem.message }));
}
