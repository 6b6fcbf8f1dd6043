import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
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
import type { NatStrategy } from "../config/schema";
import type { ResourceNames } from "../config/names";
import { policyDocument, servicePrincipalTrust } from "./iam-policy";

export interface NetworkProps {
  /** CIDR block of the VPC. @default lab: 10.0.0.0/20 */
  readonly vpcCidr: string;
  /** Zones to spread over, one public and one private subnet each. @default us-west-2a, us-west-2b */
  readonly availabilityZones: readonly string[];
  /** Public subnet CIDRs, one per zone, in zone order. @default 10.0.0.0/24, 10.0.1.0/24 */
  readonly publicSubnetCidrs: readonly string[];
  /** Private subnet CIDRs, one per zone, in zone order. @default 10.0.2.0/23, 10.0.4.0/23 */
  readonly privateSubnetCidrs: readonly string[];
  /** `per-az`: a NAT gateway and private route table per zone; `single`: one NAT gateway for all. @default "per-az" */
  readonly natStrategy: NatStrategy;
  /** Days to keep VPC flow logs; undefined turns flow logs off. @default 365 */
  readonly flowLogRetentionDays?: number;
  /** Names and Name tags. */
  readonly names: ResourceNames;
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

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { names } = props;
    if (props.publicSubnetCidrs.length !== props.availabilityZones.length || props.privateSubnetCidrs.length !== props.availabilityZones.length) {
      throw new Error("Network: give one public and one private subnet CIDR per availability zone");
    }

    const vpc = new Vpc(this, "vpc", {
      cidrBlock: props.vpcCidr,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: { Name: names.vpc },
    });
    this.vpcId = vpc.id;
    this.vpcCidr = vpc.cidrBlock;

    // CKV2_AWS_12: managing the default group with no rule blocks removes AWS's allow-all rules.
    new DefaultSecurityGroup(this, "default-security-group", {
      vpcId: vpc.id,
      tags: { Name: names.defaultSecurityGroup },
    });

    const internetGateway = new InternetGateway(this, "internet-gateway", {
      vpcId: vpc.id,
      tags: { Name: names.internetGateway },
    });

    const publicSubnets = props.publicSubnetCidrs.map(
      (cidrBlock, index) =>
        new Subnet(this, `public-subnet-${index + 1}`, {
          vpcId: vpc.id,
          cidrBlock,
          availabilityZone: props.availabilityZones[index],
          // The load balancer and NAT gateways get their addresses explicitly; nothing here needs an automatic public IP.
          mapPublicIpOnLaunch: false,
          tags: { Name: names.publicSubnet(index), Tier: "public" },
        }),
    );
    const privateSubnets = props.privateSubnetCidrs.map(
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
    this.internetConnectivityEstablished = [internetRoute, ...publicAssociations];

    const natZones = props.natStrategy === "per-az" ? publicSubnets.length : 1;
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
    const privateRouteTables = natGateways.map((gateway, index) => {
      const table = new RouteTable(this, `private-route-table-${index + 1}`, {
        vpcId: vpc.id,
        tags: { Name: names.privateRouteTable(index) },
      });
      new Route(this, `private-default-route-${index + 1}`, {
        routeTableId: table.id,
        destinationCidrBlock: "0.0.0.0/0",
        natGatewayId: gateway.id,
      });
      return table;
    });
    this.privateRouteTableIds = privateSubnets.map((subnet, index) => {
      const table = privateRouteTables[Math.min(index, privateRouteTables.length - 1)];
      new RouteTableAssociation(this, `private-subnet-${index + 1}-routes`, { subnetId: subnet.id, routeTableId: table.id });
      return table.id;
    });

    if (props.flowLogRetentionDays !== undefined) this.addFlowLogs(vpc, names, props.flowLogRetentionDays);
  }

  /** CKV2_AWS_11 / EC2.6: every accepted and rejected flow, to CloudWatch Logs through a role scoped to one log group. */
  private addFlowLogs(vpc: Vpc, names: ResourceNames, retentionInDays: number): void {
    const logGroup = new CloudwatchLogGroup(this, "flow-log-group", {
      name: names.flowLogGroup,
      retentionInDays,
    });
    const role = new IamRole(this, "flow-log-role", {
      name: names.flowLogRole,
      description: "Lets VPC Flow Logs write to its log group",
      assumeRolePolicy: servicePrincipalTrust("vpc-flow-logs.amazonaws.com"),
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
