import { Construct } from "constructs";
import { Token } from "cdktf";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { cidrPropProblem, integerProblem, ipv6CidrPropProblem, nameProblem, type PropProblem, refuseProblems } from "../../props/prop-problems";
import { appPhrase } from "../../props/app-phrase";

/** A security group as a rule names it: the source of an ingress rule or the destination of an egress rule. */
export interface SecurityGroupHandle {
  /** The group's id (a Terraform reference). */
  readonly securityGroupId: string;
  /** How the construct ids of rules naming the group call it: `app` in `database-from-app`. */
  readonly ruleName: string;
}

/** Options of one rule. */
export interface SecurityGroupRuleOptions {
  /**
   * The rule's construct id, which makes its Terraform address. Keep one id while its source changes, and Terraform
   * replaces the rule (the new one first) instead of removing one rule and adding another in no set order.
   * @default `<group>-from-<source>` for ingress, `<group>-to-<destination>` for egress (required for a CIDR that is a Terraform reference)
   */
  readonly id?: string;
}

/**
 * One security group and the rules that open it, after AWS CDK's
 * `Connections`: `database.allowFrom(app, 3306, "...")` lets the app's group
 * in. The groups keep no allow-all egress, so a path takes a rule on each
 * side: `app.allowTo(database, ...)` as well. Each rule is its own resource,
 * beside the group, with a description; a changed rule is created before the
 * old one is removed, so a changed source never leaves a moment without a
 * path (the lab's move of MySQL from the VPC range to the App group would
 * otherwise cut the app off the database). Creating the new rule first is
 * safe: it differs from the old one, so AWS sees no duplicate.
 */
export class TierSecurityGroup implements SecurityGroupHandle {
  readonly securityGroupId: string;
  readonly ruleName: string;

  /** `scope` holds the rules; `group` names them (its construct id). */
  constructor(
    private readonly scope: Construct,
    group: SecurityGroup,
  ) {
    this.securityGroupId = group.id;
    this.ruleName = group.node.id;
  }

  /** Lets TCP on `port` in from the members of `other`. */
  allowFrom(other: SecurityGroupHandle, port: number, description: string, options: SecurityGroupRuleOptions = {}): VpcSecurityGroupIngressRule {
    return this.ingress(options.id ?? `${this.ruleName}-from-${other.ruleName}`, port, description, { referencedSecurityGroupId: other.securityGroupId });
  }

  /** Lets TCP on `port` in from a network: IPv6 when the CIDR holds a colon, else IPv4 (a Terraform reference counts as IPv4). */
  allowFromCidr(cidr: string, port: number, description: string, options: SecurityGroupRuleOptions = {}): VpcSecurityGroupIngressRule {
    return this.ingress(options.id ?? this.cidrRuleId("from", cidr), port, description, cidrSource(cidr));
  }

  /** Lets TCP on `port` out to the members of `other`. */
  allowTo(other: SecurityGroupHandle, port: number, description: string, options: SecurityGroupRuleOptions = {}): VpcSecurityGroupEgressRule {
    return this.egress(options.id ?? `${this.ruleName}-to-${other.ruleName}`, port, description, { referencedSecurityGroupId: other.securityGroupId });
  }

  /** Lets TCP on `port` out to a network: IPv6 when the CIDR holds a colon, else IPv4. */
  allowToCidr(cidr: string, port: number, description: string, options: SecurityGroupRuleOptions = {}): VpcSecurityGroupEgressRule {
    return this.egress(options.id ?? this.cidrRuleId("to", cidr), port, description, cidrSource(cidr));
  }

  /** `<group>-from-<cidr>`: a Terraform reference makes no address, so a rule from one needs its `id`. */
  private cidrRuleId(direction: "from" | "to", cidr: string): string {
    const method = direction === "from" ? "allowFromCidr" : "allowToCidr";
    if (Token.isUnresolved(cidr)) refuseProblems(this.scope, [{ prop: `${method}.id`, message: "the CIDR is a Terraform reference; give the rule an id" }]);
    return `${this.ruleName}-${direction}-${cidr}`;
  }

  private ingress(id: string, port: number, description: string, peer: RulePeer): VpcSecurityGroupIngressRule {
    refuseProblems(this.scope, [integerProblem(`${id}.port`, port, 1, 65535)]);
    return new VpcSecurityGroupIngressRule(this.scope, id, this.rule(port, description, peer));
  }

  private egress(id: string, port: number, description: string, peer: RulePeer): VpcSecurityGroupEgressRule {
    refuseProblems(this.scope, [integerProblem(`${id}.port`, port, 1, 65535)]);
    return new VpcSecurityGroupEgressRule(this.scope, id, this.rule(port, description, peer));
  }

  private rule(port: number, description: string, peer: RulePeer) {
    return {
      lifecycle: { createBeforeDestroy: true },
      securityGroupId: this.securityGroupId,
      description,
      ipProtocol: "tcp",
      fromPort: port,
      toPort: port,
      ...peer,
    };
  }
}

type RulePeer = { readonly referencedSecurityGroupId: string } | { readonly cidrIpv4: string } | { readonly cidrIpv6: string };

function cidrSource(cidr: string): RulePeer {
  return cidr.includes(":") ? { cidrIpv6: cidr } : { cidrIpv4: cidr };
}

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
  appPort: 80,
  databasePort: 3306,
} as const satisfies Partial<SecurityGroupsProps>;

export interface SecurityGroupsProps {
  /** VPC the groups belong to. */
  readonly vpcId: string;
  /** Client networks allowed to reach the load balancer on 80 and 443. @default ["0.0.0.0/0"] */
  readonly clientCidrs?: readonly string[];
  /** IPv6 client networks allowed to reach the load balancer on 80 and 443, for a dual-stack one (`::/0` for anywhere). @default none */
  readonly clientIpv6Cidrs?: readonly string[];
  /** Port the app servers serve HTTP on. @default 80 */
  readonly appPort?: number;
  /** Port MySQL listens on, which the app servers may reach the database's group on. @default 3306 */
  readonly databasePort?: number;
  /**
   * The app served, named in the resources' descriptions ("Inventory database: MySQL from the app servers only").
   * @default none: "Database: MySQL from the app servers only"
   */
  readonly appName?: string;
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
 * group's egress is only what its tier needs (no all-protocol 0.0.0.0/0). The
 * database's group lets nothing in until told whom to trust:
 * `database.allowFrom(app, 3306, ...)`, or a network with `allowFromCidr`.
 */
export class SecurityGroups extends Construct {
  /** The load balancer's group: HTTP and HTTPS in from the clients, HTTP out to the app servers. */
  readonly loadBalancer: TierSecurityGroup;
  /** The app servers' group: HTTP in from the load balancer, MySQL out to the database, HTTPS out to AWS and package repositories. */
  readonly app: TierSecurityGroup;
  /** The database's group: no rule of its own, and no egress at all (the database starts no connections). */
  readonly database: TierSecurityGroup;
  /** The port the app servers may send MySQL to the database's group on: the one to let them in on. */
  readonly databasePort: number;

  constructor(scope: Construct, id: string, props: SecurityGroupsProps) {
    super(scope, id);
    const appPort = props.appPort ?? SECURITY_GROUPS_DEFAULTS.appPort;
    const databasePort = props.databasePort ?? SECURITY_GROUPS_DEFAULTS.databasePort;
    const clientCidrs = props.clientCidrs ?? SECURITY_GROUPS_DEFAULTS.clientCidrs;
    const names: SecurityGroupNames = { ...LAB_SECURITY_GROUP_NAMES, ...props.names };
    refuseProblems(this, [
      clientCidrs.length === 0 ? { prop: "clientCidrs", message: "needs at least one CIDR (0.0.0.0/0 for anywhere)" } : undefined,
      ...clientCidrs.map((cidr, index) => cidrPropProblem(`clientCidrs.${index}`, cidr)),
      ...(props.clientIpv6Cidrs ?? []).map((cidr, index) => ipv6CidrPropProblem(`clientIpv6Cidrs.${index}`, cidr)),
      integerProblem("appPort", appPort, 1, 65535),
      integerProblem("databasePort", databasePort, 1, 65535),
      ...securityGroupNameProblems(names),
    ]);

    // Terraform removes AWS's default allow-all egress from each new group; only the rules below remain.
    const group = (groupId: string, name: string, description: string) =>
      new TierSecurityGroup(
        this,
        new SecurityGroup(this, groupId, {
          name,
          description,
          vpcId: props.vpcId,
          tags: { Name: name },
        }),
      );
    const describe = (thing: string, what: string) => `${appPhrase(props.appName, thing, true)}: ${what}`;
    const loadBalancer = group("load-balancer", names.loadBalancer, describe("load balancer", "HTTP and HTTPS from clients"));
    const app = group("app", names.app, describe("app servers", "HTTP from the load balancer only"));
    const database = group("database", names.database, describe("database", "MySQL from the app servers only"));

    const clients = [
      ...clientCidrs.map((cidr, index) => ({ suffix: `${index + 1}`, cidr })),
      ...(props.clientIpv6Cidrs ?? []).map((cidr, index) => ({ suffix: `ipv6-${index + 1}`, cidr })),
    ];
    for (const { suffix, cidr } of clients) {
      for (const [port, protocol] of [
        [80, "HTTP"],
        [443, "HTTPS"],
      ] as const) {
        loadBalancer.allowFromCidr(cidr, port, `${protocol} from clients (${cidr})`, { id: `load-balancer-${protocol.toLowerCase()}-in-${suffix}` });
      }
    }
    loadBalancer.allowTo(app, appPort, "HTTP to the app servers (traffic and health checks)");
    app.allowFrom(loadBalancer, appPort, "Traffic from Load Balancer");
    app.allowTo(database, databasePort, "MySQL to the database");
    // Package repositories, SSM Session Manager and Secrets Manager are all HTTPS, reached through the NAT gateways.
    app.allowToCidr("0.0.0.0/0", 443, "HTTPS to AWS APIs and package repositories", { id: "app-to-https" });

    this.loadBalancer = loadBalancer;
    this.app = app;
    this.database = database;
    this.databasePort = databasePort;
  }
}
