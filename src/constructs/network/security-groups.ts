import { Construct } from "constructs";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { choiceProblem, cidrPropProblem, integerProblem, ipv6CidrPropProblem, nameProblem, type PropProblem, refuseProblems } from "../../props/prop-problems";

/** Where the database accepts MySQL connections from: the app servers' group, or the whole VPC (the lab's start). */
export const DATABASE_SOURCES = ["app-security-group", "vpc-cidr"] as const;
export type DatabaseSource = (typeof DATABASE_SOURCES)[number];

/** Names of the three groups. */
export interface SecurityGroupNames {
  readonly loadBalancer: string;
  readonly app: string;
  readonly database: string;
}

/** The lab's group names. */
export const LAB_SECURITY_GROUP_NAMES: SecurityGroupNames = { loadBalancer: "Inventory-LB", app: "Inventory-App", database: "Inventory-DB" };

/** What each optional prop is when left out: the lab's rules (the settings schema reads these). */
export const SECURITY_GROUPS_DEFAULTS = {
  /** The lab's: anywhere. */
  clientCidrs: ["0.0.0.0/0"],
  databaseSource: "app-security-group",
  appPort: 80,
  databasePort: 3306,
} as const satisfies Partial<SecurityGroupsProps>;

export interface SecurityGroupsProps {
  /** VPC the groups belong to. */
  readonly vpcId: string;
  /** CIDR of the VPC, the database's source under `vpc-cidr` (required then). @default none */
  readonly vpcCidr?: string;
  /** Client networks allowed to reach the load balancer on 80 and 443. @default ["0.0.0.0/0"] */
  readonly clientCidrs?: readonly string[];
  /** IPv6 client networks allowed to reach the load balancer on 80 and 443, for a dual-stack one (`::/0` for anywhere). @default none */
  readonly clientIpv6Cidrs?: readonly string[];
  /** Where MySQL connections may come from. @default "app-security-group" */
  readonly databaseSource?: DatabaseSource;
  /** Port the app servers serve HTTP on. @default 80 */
  readonly appPort?: number;
  /** Port MySQL listens on. @default 3306 */
  readonly databasePort?: number;
  /** Group names. @default the lab's: Inventory-LB, Inventory-App, Inventory-DB */
  readonly names?: Partial<SecurityGroupNames>;
}

/** Problems with group names AWS would refuse. */
export function securityGroupNameProblems(names: SecurityGroupNames): PropProblem[] {
  return (["loadBalancer", "app", "database"] as const)
    .map((key) =>
      nameProblem(
        `names.${key}`,
        "security group name",
        names[key],
        255,
        /^(?!sg-)[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/,
        "letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*, not starting with sg-",
      ),
    )
    .filter((problem) => problem !== undefined);
}

/**
 * The lab's chained security groups: internet -> Inventory-LB -> Inventory-App
 * -> Inventory-DB. Each rule is its own resource with a description, and each
 * group's egress is only what its tier needs (no all-protocol 0.0.0.0/0).
 */
export class SecurityGroups extends Construct {
  readonly loadBalancerGroupId: string;
  readonly appGroupId: string;
  readonly databaseGroupId: string;

  constructor(scope: Construct, id: string, props: SecurityGroupsProps) {
    super(scope, id);
    const appPort = props.appPort ?? SECURITY_GROUPS_DEFAULTS.appPort;
    const databasePort = props.databasePort ?? SECURITY_GROUPS_DEFAULTS.databasePort;
    const clientCidrs = props.clientCidrs ?? SECURITY_GROUPS_DEFAULTS.clientCidrs;
    const databaseSource = props.databaseSource ?? SECURITY_GROUPS_DEFAULTS.databaseSource;
    const names: SecurityGroupNames = { ...LAB_SECURITY_GROUP_NAMES, ...props.names };
    refuseProblems(this, [
      clientCidrs.length === 0 ? { prop: "clientCidrs", message: "needs at least one CIDR (0.0.0.0/0 for anywhere)" } : undefined,
      ...clientCidrs.map((cidr, index) => cidrPropProblem(`clientCidrs.${index}`, cidr)),
      ...(props.clientIpv6Cidrs ?? []).map((cidr, index) => ipv6CidrPropProblem(`clientIpv6Cidrs.${index}`, cidr)),
      choiceProblem("databaseSource", databaseSource, DATABASE_SOURCES),
      databaseSource === "vpc-cidr" && props.vpcCidr === undefined
        ? { prop: "vpcCidr", message: "missing: databaseSource vpc-cidr needs the VPC's CIDR" }
        : undefined,
      integerProblem("appPort", appPort, 1, 65535),
      integerProblem("databasePort", databasePort, 1, 65535),
      ...securityGroupNameProblems(names),
    ]);

    // Terraform removes AWS's default allow-all egress from each new group; only the rules below remain.
    const group = (groupId: string, name: string, description: string) =>
      new SecurityGroup(this, groupId, {
        name,
        description,
        vpcId: props.vpcId,
        tags: { Name: name },
      });
    // A rule whose source or port changes is replaced, and Terraform destroys before it creates by default: a
    // moment with no path (the lab's move of MySQL from the VPC range to the App group would cut the app off
    // the database). Creating the new rule first is safe: it differs from the old one, so AWS sees no duplicate.
    const createBeforeDestroy = { createBeforeDestroy: true };
    const loadBalancer = group("load-balancer", names.loadBalancer, "Inventory load balancer: HTTP and HTTPS from clients");
    const app = group("app", names.app, "Inventory app servers: HTTP from the load balancer only");
    const database = group("database", names.database, "Inventory database: MySQL from the app servers only");

    const clients = [
      ...clientCidrs.map((cidr, index) => ({ suffix: `${index + 1}`, cidr, source: { cidrIpv4: cidr } })),
      ...(props.clientIpv6Cidrs ?? []).map((cidr, index) => ({ suffix: `ipv6-${index + 1}`, cidr, source: { cidrIpv6: cidr } })),
    ];
    for (const { suffix, cidr, source } of clients) {
      for (const [port, protocol] of [
        [80, "HTTP"],
        [443, "HTTPS"],
      ] as const) {
        new VpcSecurityGroupIngressRule(this, `load-balancer-${protocol.toLowerCase()}-in-${suffix}`, {
          lifecycle: createBeforeDestroy,
          securityGroupId: loadBalancer.id,
          description: `${protocol} from clients (${cidr})`,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          ...source,
        });
      }
    }
    new VpcSecurityGroupEgressRule(this, "load-balancer-to-app", {
      lifecycle: createBeforeDestroy,
      securityGroupId: loadBalancer.id,
      description: "HTTP to the app servers (traffic and health checks)",
      ipProtocol: "tcp",
      fromPort: appPort,
      toPort: appPort,
      referencedSecurityGroupId: app.id,
    });

    new VpcSecurityGroupIngressRule(this, "app-from-load-balancer", {
      lifecycle: createBeforeDestroy,
      securityGroupId: app.id,
      description: "Traffic from Load Balancer",
      ipProtocol: "tcp",
      fromPort: appPort,
      toPort: appPort,
      referencedSecurityGroupId: loadBalancer.id,
    });
    new VpcSecurityGroupEgressRule(this, "app-to-database", {
      lifecycle: createBeforeDestroy,
      securityGroupId: app.id,
      description: "MySQL to the database",
      ipProtocol: "tcp",
      fromPort: databasePort,
      toPort: databasePort,
      referencedSecurityGroupId: database.id,
    });
    // Package repositories, SSM Session Manager and Secrets Manager are all HTTPS, reached through the NAT gateways.
    new VpcSecurityGroupEgressRule(this, "app-to-https", {
      lifecycle: createBeforeDestroy,
      securityGroupId: app.id,
      description: "HTTPS to AWS APIs and package repositories",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: "0.0.0.0/0",
    });

    new VpcSecurityGroupIngressRule(this, "database-from-app", {
      lifecycle: createBeforeDestroy,
      securityGroupId: database.id,
      ipProtocol: "tcp",
      fromPort: databasePort,
      toPort: databasePort,
      ...(databaseSource === "app-security-group"
        ? { description: "Traffic from App servers", referencedSecurityGroupId: app.id }
        : { description: "MySQL from anywhere in the VPC (the lab's starting point)", cidrIpv4: props.vpcCidr }),
    });
    // The database starts no connections of its own: no egress rule at all.

    this.loadBalancerGroupId = loadBalancer.id;
    this.appGroupId = app.id;
    this.databaseGroupId = database.id;
  }
}
