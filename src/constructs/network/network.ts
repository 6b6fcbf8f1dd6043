import { Construct } from "constructs";
import { Fn, type ITerraformDependable, type TerraformProvider } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { awsPartition, fromSource, policyDocument, servicePrincipalTrust } from "../../aws/iam-policy";
import { choiceProblem, nameProblem, type PropProblem, refuseProblems } from "../../props/prop-problems";
import { DEFAULT_VPC_CIDR, subnetLayout } from "../../aws/subnet-layout";
import { encryptedWith, type LogEncryption } from "../monitoring/log-key";

/** How the private subnets reach the internet: a NAT gateway in each zone, or one for all (the lab's start). */
export const NAT_STRATEGIES = ["single", "per-az"] as const;
export type NatStrategy = (typeof NAT_STRATEGIES)[number];

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
export type LogRetentionDays = (typeof LOG_RETENTION_DAYS)[number];

/** Names and Name tags of the network's resources; `index` is the zone's, from 0. */
export interface NetworkNames {
  readonly vpc: string;
  readonly internetGateway: string;
  readonly publicRouteTable: string;
  publicSubnet(index: number): string;
  privateSubnet(index: number): string;
  privateRouteTable(index: number): string;
  natGateway(index: number): string;
  natAddress(index: number): string;
  readonly defaultSecurityGroup: string;
  /** CloudWatch Logs group of the flow logs. */
  readonly flowLogGroup: string;
  /** IAM role the flow logs write with. */
  readonly flowLogRole: string;
}

/** The lab's names ("Lab VPC", "Public Subnet 1", ...), the default security group's following the VPC's. */
export function labNetworkNames(vpcName = "Lab VPC"): NetworkNames {
  return {
    vpc: vpcName,
    internetGateway: "Lab Internet Gateway",
    publicRouteTable: "Public Route Table",
    publicSubnet: (index) => `Public Subnet ${index + 1}`,
    privateSubnet: (index) => `Private Subnet ${index + 1}`,
    privateRouteTable: (index) => `Private Route Table ${index + 1}`,
    natGateway: (index) => `NAT Gateway ${index + 1}`,
    natAddress: (index) => `NAT Gateway ${index + 1} EIP`,
    defaultSecurityGroup: `${vpcName} default (no rules)`,
    flowLogGroup: "/inventory-ha/vpc-flow-logs",
    flowLogRole: "Inventory-VPC-Flow-Logs",
  };
}

/** What each optional prop is when left out: the lab's network (the settings schema reads these). */
export const NETWORK_DEFAULTS = {
  vpcCidr: DEFAULT_VPC_CIDR,
  /** The lab's challenge; its start had a single NAT gateway. */
  natStrategy: "per-az",
  ipv6: false,
  flowLogs: true,
  flowLogRetentionDays: 365,
} as const satisfies Partial<NetworkProps>;

export interface NetworkProps {
  /** CIDR block of the VPC (/16 to /28). @default "10.0.0.0/20" (the lab's) */
  readonly vpcCidr?: string;
  /** Zones to spread over, one public and one private subnet each, like `us-west-2a`. */
  readonly availabilityZones: readonly string[];
  /**
   * Public subnet CIDRs, one per zone, in zone order, inside the VPC.
   * @default blocks 4 bits longer than the VPC's from its start: 10.0.0.0/24, 10.0.1.0/24 in the lab's VPC
   */
  readonly publicSubnetCidrs?: readonly string[];
  /**
   * Private subnet CIDRs, one per zone, in zone order, inside the VPC.
   * @default blocks 3 bits longer than the VPC's after the public ones: 10.0.2.0/23, 10.0.4.0/23 in the lab's VPC
   */
  readonly privateSubnetCidrs?: readonly string[];
  /** `per-az`: a NAT gateway and private route table per zone; `single`: one NAT gateway for all. @default "per-az" */
  readonly natStrategy?: NatStrategy;
  /**
   * IPv6 beside IPv4 in the public tier: an Amazon-provided /56 for the VPC,
   * a /64 of it for each public subnet and a default route for IPv6 to the
   * internet gateway, so an internet-facing load balancer can be dual-stack.
   * The private tier stays IPv4. @default false
   */
  readonly ipv6?: boolean;
  /** Record every accepted and rejected flow to CloudWatch Logs. @default true */
  readonly flowLogs?: boolean;
  /** Days CloudWatch Logs keeps the flow logs (one of `LOG_RETENTION_DAYS`). @default 365 */
  readonly flowLogRetentionDays?: number;
  /**
   * The KMS key that encrypts the flow log group, and what it must wait for.
   * @default none: CloudWatch Logs' own encryption
   */
  readonly flowLogEncryption?: LogEncryption;
  /** Region of the zones, for the flow log role's trust. @default the first zone's region (`us-west-2a` is in `us-west-2`) */
  readonly region?: string;
  /** Names and Name tags. @default the lab's (`labNetworkNames()`), for the VPC name given here if any */
  readonly names?: Partial<NetworkNames>;
  /**
   * The provider the VPC's default security group is adopted with, untagged. AWS creates that group with the
   * VPC and no tag can be given at its creation, so a role allowed to tag only what it creates cannot tag it:
   * give a provider without default tags, and the group keeps no tag (not even its Name) and only loses its rules.
   * @default the stack's provider: the group is tagged with its Name and the provider's default tags
   */
  readonly untaggedProvider?: TerraformProvider;
}

/** Problems with names AWS would refuse: the VPC's Name tag. */
export function networkNameProblems(names: Pick<NetworkNames, "vpc">): PropProblem[] {
  const problem = nameProblem("names.vpc", "Name tag", names.vpc, 256, /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, "letters, digits, spaces and _.:/=+-@");
  return problem ? [problem] : [];
}
/** An availability zone's name, like `us-west-2a`. */
export const AVAILABILITY_ZONE = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]$/;

/** Problems with the zones: none, a malformed name, or one listed twice. */
export function availabilityZoneProblems(zones: readonly string[]): PropProblem[] {
  if (zones.length === 0) return [{ prop: "availabilityZones", message: "needs at least one zone" }];
  return zones.flatMap((zone, index) => {
    if (!AVAILABILITY_ZONE.test(zone)) return [{ prop: `availabilityZones.${index}`, message: `"${zone}" is not an availability zone name like us-west-2a` }];
    if (zones.indexOf(zone) !== index) return [{ prop: `availabilityZones.${index}`, message: `"${zone}" is listed twice` }];
    return [];
  });
}

/**
 * The lab's VPC: public subnets behind an internet gateway, private subnets
 * that leave through NAT gateways, and the default security group stripped of
 * its rules so nothing can use it by accident.
 */
export class Network extends Construct {
  readonly vpcId: string;
  readonly vpcCidr: string;
  /** Public subnet ids, in zone order. */
  readonly publicSubnetIds: string[];
  /** Private subnet ids, in zone order. */
  readonly privateSubnetIds: string[];
  readonly natGatewayIds: string[];
  /** The route table each private subnet uses, in zone order (shared under `single`). */
  readonly privateRouteTableIds: string[];
  readonly publicRouteTableId: string;
  /**
   * The public subnets' way to the internet: the default route to the
   * internet gateway and the subnets' associations with its table. Anything
   * internet-facing in a public subnet depends on these: AWS refuses a public
   * NAT gateway or an internet-facing load balancer in a VPC without an
   * attached internet gateway, and on destroy the gateway cannot be detached
   * while they hold public addresses (DependencyViolation).
   */
  readonly internetConnectivityEstablished: readonly ITerraformDependable[];
  /**
   * The private subnets' way out: their default routes to the NAT gateways
   * and their associations with those tables. Anything in a private subnet
   * that must reach an AWS API at once (a function rotating a secret) depends on these.
   */
  readonly privateEgressEstablished: readonly ITerraformDependable[];
  /** The account the VPC belongs to (its `owner_id`): known at apply, no data source needed. */
  readonly accountId: string;
  /** Whether the public tier has IPv6 too (`ipv6`). */
  readonly ipv6: boolean;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const names: NetworkNames = { ...labNetworkNames(props.names?.vpc), ...props.names };
    const natStrategy = props.natStrategy ?? NETWORK_DEFAULTS.natStrategy;
    const flowLogRetentionDays = props.flowLogRetentionDays ?? NETWORK_DEFAULTS.flowLogRetentionDays;
    const layout = subnetLayout(props, props.availabilityZones.length);
    refuseProblems(this, [
      ...availabilityZoneProblems(props.availabilityZones),
      ...layout.problems,
      choiceProblem("natStrategy", natStrategy, NAT_STRATEGIES),
      choiceProblem("flowLogRetentionDays", flowLogRetentionDays, LOG_RETENTION_DAYS as readonly number[]),
      ...networkNameProblems(names),
    ]);

    this.ipv6 = props.ipv6 ?? NETWORK_DEFAULTS.ipv6;
    const vpc = new Vpc(this, "vpc", {
      cidrBlock: props.vpcCidr ?? NETWORK_DEFAULTS.vpcCidr,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      ...(this.ipv6 ? { assignGeneratedIpv6CidrBlock: true } : {}),
      tags: { Name: names.vpc },
    });
    this.vpcId = vpc.id;
    this.accountId = vpc.ownerId;
    this.vpcCidr = vpc.cidrBlock;

    // CKV2_AWS_12: managing the default group with no rule blocks removes AWS's allow-all rules.
    new DefaultSecurityGroup(this, "default-security-group", {
      vpcId: vpc.id,
      ...(props.untaggedProvider ? { provider: props.untaggedProvider } : { tags: { Name: names.defaultSecurityGroup } }),
    });

    const internetGateway = new InternetGateway(this, "internet-gateway", {
      vpcId: vpc.id,
      tags: { Name: names.internetGateway },
    });

    const publicSubnets = layout.publicSubnetCidrs.map(
      (cidrBlock, index) =>
        new Subnet(this, `public-subnet-${index + 1}`, {
          vpcId: vpc.id,
          cidrBlock,
          availabilityZone: props.availabilityZones[index],
          // The load balancer and NAT gateways get their addresses explicitly; nothing here needs an automatic public IP.
          mapPublicIpOnLaunch: false,
          // The VPC's /56 in /64s, one per zone: what AWS requires of a subnet's IPv6 block.
          ...(this.ipv6 ? { ipv6CidrBlock: Fn.cidrsubnet(vpc.ipv6CidrBlock, 8, index), assignIpv6AddressOnCreation: false } : {}),
          tags: { Name: names.publicSubnet(index), Tier: "public" },
        }),
    );
    const privateSubnets = layout.privateSubnetCidrs.map(
      (cidrBlock, index) =>
        new Subnet(this, `private-subnet-${index + 1}`, {
          vpcId: vpc.id,
          cidrBlock,
          availabilityZone: props.availabilityZones[index],
          mapPublicIpOnLaunch: false,
          tags: { Name: names.privateSubnet(index), Tier: "private" },
        }),
    );
    this.privateSubnetIds = privateSubnets.map((subnet) => subnet.id);

    const publicRouteTable = new RouteTable(this, "public-route-table", {
      vpcId: vpc.id,
      tags: { Name: names.publicRouteTable },
    });
    const internetRoute = new Route(this, "public-default-route", {
      routeTableId: publicRouteTable.id,
      destinationCidrBlock: "0.0.0.0/0",
      gatewayId: internetGateway.id,
    });
    const publicAssociations = publicSubnets.map(
      (subnet, index) => new RouteTableAssociation(this, `public-subnet-${index + 1}-routes`, { subnetId: subnet.id, routeTableId: publicRouteTable.id }),
    );
    this.publicSubnetIds = publicSubnets.map((subnet) => subnet.id);
    this.publicRouteTableId = publicRouteTable.id;
    const internetRoutes: ITerraformDependable[] = [internetRoute];
    if (this.ipv6) {
      internetRoutes.push(
        new Route(this, "public-default-route-ipv6", {
          routeTableId: publicRouteTable.id,
          destinationIpv6CidrBlock: "::/0",
          gatewayId: internetGateway.id,
        }),
      );
    }
    this.internetConnectivityEstablished = [...internetRoutes, ...publicAssociations];

    const natZones = natStrategy === "per-az" ? publicSubnets.length : 1;
    const natGateways = publicSubnets.slice(0, natZones).map((subnet, index) => {
      // The address is only allocated here; the NAT gateway associates it, after the internet gateway.
      const address = new Eip(this, `nat-address-${index + 1}`, {
        domain: "vpc",
        tags: { Name: names.natAddress(index) },
      });
      return new NatGateway(this, `nat-gateway-${index + 1}`, {
        subnetId: subnet.id,
        allocationId: address.allocationId,
        connectivityType: "public",
        tags: { Name: names.natGateway(index) },
        // AWS refuses a public NAT gateway in a VPC without an internet gateway (Gateway.NotAttached).
        dependsOn: [...this.internetConnectivityEstablished],
      });
    });
    this.natGatewayIds = natGateways.map((gateway) => gateway.id);

    // One route table per NAT gateway; each private subnet uses the one of its own zone (or the only one).
    const privateEgress: ITerraformDependable[] = [];
    const privateRouteTables = natGateways.map((gateway, index) => {
      const table = new RouteTable(this, `private-route-table-${index + 1}`, {
        vpcId: vpc.id,
        tags: { Name: names.privateRouteTable(index) },
      });
      privateEgress.push(
        new Route(this, `private-default-route-${index + 1}`, {
          routeTableId: table.id,
          destinationCidrBlock: "0.0.0.0/0",
          natGatewayId: gateway.id,
        }),
      );
      return table;
    });
    this.privateRouteTableIds = privateSubnets.map((subnet, index) => {
      const table = privateRouteTables[Math.min(index, privateRouteTables.length - 1)];
      privateEgress.push(new RouteTableAssociation(this, `private-subnet-${index + 1}-routes`, { subnetId: subnet.id, routeTableId: table.id }));
      return table.id;
    });
    this.privateEgressEstablished = privateEgress;

    const region = props.region ?? props.availabilityZones[0].replace(/[a-z]$/, "");
    if (props.flowLogs ?? NETWORK_DEFAULTS.flowLogs) this.addFlowLogs(vpc, names, flowLogRetentionDays, region, props.flowLogEncryption);
  }

  /** CKV2_AWS_11 / EC2.6: every accepted and rejected flow, to CloudWatch Logs through a role scoped to one log group. */
  private addFlowLogs(vpc: Vpc, names: NetworkNames, retentionInDays: number, region: string, encryption: LogEncryption | undefined): void {
    const logGroup = new CloudwatchLogGroup(this, "flow-log-group", {
      name: names.flowLogGroup,
      retentionInDays,
      ...encryptedWith(encryption),
    });
    const role = new IamRole(this, "flow-log-role", {
      name: names.flowLogRole,
      description: "Lets VPC Flow Logs write to its log group",
      // Only for flow logs of this account (the VPC's owner) and region (aws:SourceAccount, aws:SourceArn).
      assumeRolePolicy: servicePrincipalTrust(
        "vpc-flow-logs.amazonaws.com",
        fromSource(vpc.ownerId, `arn:${awsPartition(region)}:ec2:${region}:${vpc.ownerId}:vpc-flow-log/*`),
      ),
    });
    new IamRolePolicy(this, "flow-log-policy", {
      name: "write-flow-logs",
      role: role.id,
      policy: policyDocument([
        {
          sid: "WriteFlowLogs",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          resources: [logGroup.arn, `${logGroup.arn}:*`],
        },
      ]),
    });
    new FlowLog(this, "flow-log", {
      vpcId: vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
      tags: { Name: `${names.vpc} flow log` },
    });
  }
}
