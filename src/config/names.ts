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

/** Every name an environment's resources carry. */
export interface ResourceNames {
  readonly vpc: string;
  readonly internetGateway: string;
  readonly publicRouteTable: string;
  publicSubnet(index: number): string;
  privateSubnet(index: number): string;
  privateRouteTable(index: number): string;
  natGateway(index: number): string;
  natAddress(index: number): string;
  readonly defaultSecurityGroup: string;
  readonly flowLogGroup: string;
  readonly flowLogRole: string;
  readonly loadBalancer: string;
  readonly loadBalancerSecurityGroup: string;
  readonly targetGroup: string;
  /** Start of the access log bucket's generated name: S3 names are lower case, and a bucket_prefix at most 37 characters. */
  readonly accessLogBucketPrefix: string;
  readonly accessLogBucket: string;
  readonly appSecurityGroup: string;
  readonly appInstance: string;
  readonly instanceRole: string;
  readonly launchTemplatePrefix: string;
  readonly autoScalingGroup: string;
  readonly databaseSecurityGroup: string;
  readonly database: string;
  /** RDS identifier: the provider accepts lower case only. */
  readonly databaseIdentifier: string;
  readonly databaseSubnetGroup: string;
  readonly databaseParameterGroup: string;
  readonly databaseMonitoringRole: string;
  /** SNS topic every alarm notifies. */
  readonly alarmTopic: string;
  /** Alias of the KMS key that encrypts the alarm topic (after `alias/`). */
  readonly alarmTopicKeyAlias: string;
  /** CloudWatch dashboard of the environment. */
  readonly dashboard: string;
  /** Target tracking policy of the Auto Scaling group. */
  readonly scalingPolicy: string;
}

export function resourceNames(prefix: string, base: BaseNames): ResourceNames {
  const named = (name: string) => `${prefix}${name}`;
  const identifier = named(base.database).toLowerCase();
  return {
    vpc: named(base.vpc),
    internetGateway: named("Lab Internet Gateway"),
    publicRouteTable: named("Public Route Table"),
    publicSubnet: (index) => named(`Public Subnet ${index + 1}`),
    privateSubnet: (index) => named(`Private Subnet ${index + 1}`),
    privateRouteTable: (index) => named(`Private Route Table ${index + 1}`),
    natGateway: (index) => named(`NAT Gateway ${index + 1}`),
    natAddress: (index) => named(`NAT Gateway ${index + 1} EIP`),
    defaultSecurityGroup: named(`${base.vpc} default (no rules)`),
    flowLogGroup: `/inventory-ha/${prefix}vpc-flow-logs`,
    flowLogRole: named("Inventory-VPC-Flow-Logs"),
    loadBalancer: named(base.loadBalancer),
    loadBalancerSecurityGroup: named(base.loadBalancer),
    targetGroup: named(base.app),
    // A fixed stem, so the prefix (at most 12) keeps it within 37 characters whatever the lab names are.
    accessLogBucketPrefix: `${prefix.toLowerCase()}inventory-lb-logs-`,
    accessLogBucket: named(`${base.loadBalancer} access logs`),
    appSecurityGroup: named(base.app),
    appInstance: named(base.app),
    instanceRole: named(base.instanceRole),
    launchTemplatePrefix: named(base.launchTemplate),
    autoScalingGroup: named(base.autoScalingGroup),
    databaseSecurityGroup: named(base.database),
    database: named(base.database),
    databaseIdentifier: identifier,
    databaseSubnetGroup: `${identifier}-subnets`,
    databaseParameterGroup: `${identifier}-mysql84`,
    databaseMonitoringRole: named("Inventory-DB-Monitoring"),
    alarmTopic: named("Inventory-Alarms"),
    alarmTopicKeyAlias: `${prefix.toLowerCase()}inventory-alarms`,
    dashboard: named("Inventory-HA"),
    scalingPolicy: named(`${base.autoScalingGroup} target tracking`),
  };
}

/** A name that AWS would refuse, with the setting it comes from. */
export interface NameProblem {
  readonly path: string[];
  readonly message: string;
}

interface NameRule {
  readonly value: string;
  readonly setting: string;
  readonly what: string;
  readonly max: number;
  readonly pattern: RegExp;
  readonly allowed: string;
}

/** Checks each built name against the AWS rules of the resource that carries it. */
export function nameProblems(names: ResourceNames): NameProblem[] {
  const elbName = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
  // A load balancer name may also not start with internal- (AWS reserves it for its DNS names).
  const elbAllowed = "letters, digits and hyphens, not starting or ending with a hyphen";
  const groupName = /^(?!sg-)[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/;
  const groupAllowed = "letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*, not starting with sg-";
  const iamName = /^[\w+=,.@-]+$/;
  const rules: NameRule[] = [
    {
      value: names.loadBalancer,
      setting: "loadBalancer",
      what: "load balancer name",
      max: 32,
      pattern: new RegExp(`(?!internal-)${elbName.source}`),
      allowed: `${elbAllowed}, nor with internal-`,
    },
    { value: names.targetGroup, setting: "app", what: "target group name", max: 32, pattern: elbName, allowed: elbAllowed },
    { value: names.loadBalancerSecurityGroup, setting: "loadBalancer", what: "security group name", max: 255, pattern: groupName, allowed: groupAllowed },
    { value: names.appSecurityGroup, setting: "app", what: "security group name", max: 255, pattern: groupName, allowed: groupAllowed },
    { value: names.databaseSecurityGroup, setting: "database", what: "security group name", max: 255, pattern: groupName, allowed: groupAllowed },
    {
      value: names.autoScalingGroup,
      setting: "autoScalingGroup",
      what: "Auto Scaling group name",
      max: 255,
      pattern: /^[^:]+$/,
      allowed: "any characters but a colon",
    },
    { value: names.instanceRole, setting: "instanceRole", what: "IAM role name", max: 64, pattern: iamName, allowed: "letters, digits and +=,.@_-" },
    {
      value: names.launchTemplatePrefix,
      setting: "launchTemplate",
      what: "launch template name prefix",
      max: 102,
      pattern: /^[A-Za-z0-9().\-/_]+$/,
      allowed: "letters, digits and ().-/_",
    },
    {
      value: names.databaseIdentifier,
      setting: "database",
      what: "RDS identifier",
      max: 63,
      pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/,
      allowed: "letters, digits and single hyphens, starting with a letter and not ending with a hyphen",
    },
    {
      value: names.vpc,
      setting: "vpc",
      what: "Name tag",
      max: 256,
      pattern: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u,
      allowed: "letters, digits, spaces and _.:/=+-@",
    },
  ];
  const problems: NameProblem[] = [];
  for (const rule of rules) {
    const path = ["names", rule.setting];
    if (rule.value.length > rule.max) {
      problems.push({ path, message: `the ${rule.what} "${rule.value}" (namePrefix + name) is ${rule.value.length} characters; AWS allows ${rule.max}` });
    } else if (!rule.pattern.test(rule.value)) {
      problems.push({ path, message: `the ${rule.what} "${rule.value}" must use ${rule.allowed}` });
    }
  }
  return problems;
}
