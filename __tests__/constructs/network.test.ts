import { type ITerraformDependable, TerraformOutput, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Network, type NetworkProps, networkNameProblems } from "../../src/constructs/network/network";
import { dependenciesOf, expectRefused, referencedResource, resourcesOf } from "../support/stacks";

/**
 * The lab's provided VPC (docs/lab.md section 1), from the construct's own
 * defaults: only the zones are given.
 */
function synthNetwork(overrides: Partial<NetworkProps> = {}) {
  const json = Testing.synthScope((scope) => new Network(scope, "network", { availabilityZones: ["us-west-2a", "us-west-2b"], ...overrides }));
  return { json, document: JSON.parse(json) };
}

describe("Network", () => {
  const perAz = synthNetwork();
  const single = synthNetwork({ natStrategy: "single" });

  it("creates Lab VPC 10.0.0.0/20 with DNS hostnames", () => {
    expect(perAz.json).toHaveResourceWithProperties(Vpc, {
      cidr_block: "10.0.0.0/20",
      enable_dns_hostnames: true,
      enable_dns_support: true,
      tags: { Name: "Lab VPC" },
    });
  });

  it.each([
    ["Public Subnet 1", "10.0.0.0/24", "us-west-2a", "public"],
    ["Public Subnet 2", "10.0.1.0/24", "us-west-2b", "public"],
    ["Private Subnet 1", "10.0.2.0/23", "us-west-2a", "private"],
    ["Private Subnet 2", "10.0.4.0/23", "us-west-2b", "private"],
  ])("creates %s %s in %s, tier %s, with no automatic public IPs", (name, cidr, zone, tier) => {
    expect(perAz.json).toHaveResourceWithProperties(Subnet, {
      cidr_block: cidr,
      availability_zone: zone,
      map_public_ip_on_launch: false,
      tags: expect.objectContaining({ Name: name, Tier: tier }),
    });
  });

  it("tags two subnets public and two private, and no other subnet", () => {
    const tiers = resourcesOf(perAz.document, "aws_subnet").map(([, subnet]) => `${subnet.tags.Name}: ${subnet.tags.Tier}`);
    expect(tiers.sort()).toStrictEqual(["Private Subnet 1: private", "Private Subnet 2: private", "Public Subnet 1: public", "Public Subnet 2: public"]);
  });

  it("routes the public subnets to the internet gateway", () => {
    expect(perAz.json).toHaveResource(InternetGateway);
    const routes = resourcesOf(perAz.document, "aws_route").map(([, route]) => route);
    const publicRoute = routes.find((route) => route.gateway_id);
    expect(publicRoute).toMatchObject({ destination_cidr_block: "0.0.0.0/0", gateway_id: expect.stringContaining("aws_internet_gateway.") });
    const associations = resourcesOf(perAz.document, "aws_route_table_association").map(([, association]) => association);
    const publicTable = referencedResource(perAz.document, publicRoute.route_table_id).address;
    const publicAssociations = associations.filter((association) => referencedResource(perAz.document, association.route_table_id).address === publicTable);
    const subnetNames = publicAssociations.map((association) => referencedResource(perAz.document, association.subnet_id).config.tags.Name);
    expect(subnetNames.sort()).toEqual(["Public Subnet 1", "Public Subnet 2"]);
  });

  describe("with IPv6 (for a dual-stack load balancer)", () => {
    const dualStack = synthNetwork({ ipv6: true });

    it("asks for an Amazon-provided IPv6 range and gives each public subnet a /64 of it, without automatic addresses", () => {
      expect(dualStack.json).toHaveResourceWithProperties(Vpc, { assign_generated_ipv6_cidr_block: true });
      const subnets = resourcesOf(dualStack.document, "aws_subnet").map(([, subnet]) => subnet);
      const publicSubnets = subnets.filter((subnet) => subnet.tags.Tier === "public");
      const [[vpc]] = resourcesOf(dualStack.document, "aws_vpc");
      expect(publicSubnets.map((subnet) => subnet.ipv6_cidr_block)).toEqual([
        `\${cidrsubnet(aws_vpc.${vpc}.ipv6_cidr_block, 8, 0)}`,
        `\${cidrsubnet(aws_vpc.${vpc}.ipv6_cidr_block, 8, 1)}`,
      ]);
      expect(publicSubnets.map((subnet) => subnet.assign_ipv6_address_on_creation)).toStrictEqual([false, false]);
      const privateSubnets = subnets.filter((subnet) => subnet.tags.Tier === "private");
      expect(privateSubnets.map((subnet) => subnet.tags.Name)).toStrictEqual(["Private Subnet 1", "Private Subnet 2"]);
      expect(privateSubnets.map((subnet) => subnet.ipv6_cidr_block)).toStrictEqual([undefined, undefined]);
    });

    it("routes IPv6 from the public subnets to the internet gateway, and waits for it where it waits for the IPv4 route", () => {
      const routes = resourcesOf(dualStack.document, "aws_route");
      const [address, route] = routes.find(([, candidate]) => candidate.destination_ipv6_cidr_block)!;
      expect(route).toMatchObject({ destination_ipv6_cidr_block: "::/0", gateway_id: expect.stringContaining("aws_internet_gateway.") });
      const gateways = resourcesOf(dualStack.document, "aws_nat_gateway");
      expect(gateways).toHaveLength(2);
      for (const [, gateway] of gateways) expect(gateway.depends_on).toContain(`aws_route.${address}`);
    });

    it("has none of it by default", () => {
      expect(perAz.json).not.toHaveResourceWithProperties(Vpc, { assign_generated_ipv6_cidr_block: true });
      expect(resourcesOf(perAz.document, "aws_route").some(([, route]) => route.destination_ipv6_cidr_block)).toBe(false);
      expect(resourcesOf(perAz.document, "aws_subnet").some(([, subnet]) => subnet.ipv6_cidr_block)).toBe(false);
    });
  });

  it("creates NAT gateways in the public subnets after the internet route and the subnets' associations with it", () => {
    const [[routeName]] = resourcesOf(perAz.document, "aws_route").filter(([, route]) => route.gateway_id);
    const publicAssociations = resourcesOf(perAz.document, "aws_route_table_association")
      .filter(([, association]) => referencedResource(perAz.document, association.subnet_id).config.tags.Tier === "public")
      .map(([name]) => `aws_route_table_association.${name}`);
    expect(publicAssociations).toHaveLength(2);
    const gateways = resourcesOf(perAz.document, "aws_nat_gateway");
    expect(gateways).toHaveLength(2);
    for (const [name, gateway] of gateways) {
      expect(referencedResource(perAz.document, gateway.subnet_id)).toMatchObject({
        address: expect.stringMatching(/^aws_subnet\./),
        config: { tags: { Tier: "public" } },
      });
      expect(gateway.depends_on).toEqual([`aws_route.${routeName}`, ...publicAssociations]);
      expect([...dependenciesOf(perAz.document, `aws_nat_gateway.${name}`)].some((address) => address.startsWith("aws_internet_gateway."))).toBe(true);
    }
  });

  it("leaves the default security group without rules", () => {
    const [[, group]] = resourcesOf(perAz.document, "aws_default_security_group");
    expect(perAz.json).toHaveResource(DefaultSecurityGroup);
    expect(group.ingress).toBeUndefined();
    expect(group.egress).toBeUndefined();
  });

  describe("per-az NAT (the lab's challenge)", () => {
    it("puts a NAT gateway with its own Elastic IP in each public subnet", () => {
      const gateways = resourcesOf(perAz.document, "aws_nat_gateway").map(([, gateway]) => gateway);
      expect(gateways).toHaveLength(2);
      expect(resourcesOf(perAz.document, "aws_eip")).toHaveLength(2);
      expect(new Set(gateways.map((gateway) => referencedResource(perAz.document, gateway.subnet_id).address)).size).toBe(2);
      expect(new Set(gateways.map((gateway) => gateway.allocation_id)).size).toBe(2);
      expect(perAz.json).toHaveResourceWithProperties(Eip, { domain: "vpc" });
    });

    it("gives each private subnet a route table whose default route goes to the NAT gateway in its own zone", () => {
      const { document } = perAz;
      const routes = resourcesOf(document, "aws_route").map(([, route]) => route);
      const associations = resourcesOf(document, "aws_route_table_association").map(([, association]) => association);
      const privateSubnets = resourcesOf(document, "aws_subnet").filter(([, subnet]) => subnet.tags.Name.startsWith("Private"));
      expect(privateSubnets).toHaveLength(2);
      const tables = new Set<string>();
      for (const [subnetName, subnet] of privateSubnets) {
        const association = associations.find((candidate) => referencedResource(document, candidate.subnet_id).address === `aws_subnet.${subnetName}`);
        const table = referencedResource(document, association.route_table_id).address;
        tables.add(table);
        const route = routes.find((candidate) => referencedResource(document, candidate.route_table_id).address === table);
        expect(route.destination_cidr_block).toBe("0.0.0.0/0");
        const gateway = referencedResource(document, route.nat_gateway_id).config;
        const gatewaySubnet = referencedResource(document, gateway.subnet_id).config;
        expect(gatewaySubnet.availability_zone).toBe(subnet.availability_zone);
        expect(gatewaySubnet.tags.Name).toMatch(/^Public Subnet/);
      }
      expect(tables.size).toBe(2);
    });

    it("names the second private route table like the lab", () => {
      expect(perAz.json).toHaveResourceWithProperties(RouteTable, { tags: { Name: "Private Route Table 2" } });
    });
  });

  describe("single NAT (the lab's start)", () => {
    it("has one NAT gateway, in Public Subnet 1, with one Elastic IP", () => {
      const gateways = resourcesOf(single.document, "aws_nat_gateway").map(([, gateway]) => gateway);
      expect(gateways).toHaveLength(1);
      expect(resourcesOf(single.document, "aws_eip")).toHaveLength(1);
      expect(referencedResource(single.document, gateways[0].subnet_id).config.tags.Name).toBe("Public Subnet 1");
    });

    it("sends both private subnets through one private route table to it", () => {
      expect(resourcesOf(single.document, "aws_route_table")).toHaveLength(2);
      const natRoutes = resourcesOf(single.document, "aws_route").filter(([, route]) => route.nat_gateway_id);
      expect(natRoutes).toHaveLength(1);
      const natTable = referencedResource(single.document, natRoutes[0][1].route_table_id).address;
      const associations = resourcesOf(single.document, "aws_route_table_association").filter(
        ([, association]) => referencedResource(single.document, association.route_table_id).address === natTable,
      );
      expect(associations).toHaveLength(2);
      expect(single.json).toHaveResourceWithProperties(NatGateway, { connectivity_type: "public" });
      expect(single.json).toHaveResourceWithProperties(Route, { destination_cidr_block: "0.0.0.0/0" });
    });
  });

  describe("flow logs", () => {
    it("record all traffic to a log group kept for the given days, through a role limited to that group", () => {
      expect(perAz.json).toHaveResourceWithProperties(FlowLog, { traffic_type: "ALL", log_destination_type: "cloud-watch-logs" });
      const [[, group]] = resourcesOf(perAz.document, "aws_cloudwatch_log_group");
      expect(group.retention_in_days).toBe(365);
      const [[, permissions]] = resourcesOf(perAz.document, "aws_iam_role_policy");
      const [statement] = JSON.parse(permissions.policy).Statement;
      expect(statement.Action).toContain("logs:PutLogEvents");
      expect(statement.Resource).toHaveLength(2);
      for (const resource of statement.Resource) expect(resource).toMatch(/^\$\{aws_cloudwatch_log_group\.[^}]+\.arn\}(:\*)?$/);
    });

    it("can be turned off", () => {
      const withoutLogs = synthNetwork({ flowLogs: false });
      expect(withoutLogs.json).not.toHaveResource(FlowLog);
    });
  });

  it("names and tags every resource like the lab", () => {
    const named = (type: string) => resourcesOf(perAz.document, type).map(([, resource]) => resource.tags?.Name ?? resource.name);
    expect({
      internetGateway: named("aws_internet_gateway"),
      routeTables: named("aws_route_table").sort(),
      addresses: named("aws_eip").sort(),
      natGateways: named("aws_nat_gateway").sort(),
      defaultSecurityGroup: named("aws_default_security_group"),
      flowLog: named("aws_flow_log"),
      flowLogGroup: named("aws_cloudwatch_log_group"),
      flowLogRole: named("aws_iam_role"),
      flowLogPolicy: named("aws_iam_role_policy"),
    }).toEqual({
      internetGateway: ["Lab Internet Gateway"],
      routeTables: ["Private Route Table 1", "Private Route Table 2", "Public Route Table"],
      addresses: ["NAT Gateway 1 EIP", "NAT Gateway 2 EIP"],
      natGateways: ["NAT Gateway 1", "NAT Gateway 2"],
      defaultSecurityGroup: ["Lab VPC default (no rules)"],
      flowLog: ["Lab VPC flow log"],
      flowLogGroup: ["/inventory-ha/vpc-flow-logs"],
      flowLogRole: ["Inventory-VPC-Flow-Logs"],
      flowLogPolicy: ["write-flow-logs"],
    });
  });

  it("gives each NAT gateway the Elastic IP of its own zone's number", () => {
    const gateways = resourcesOf(perAz.document, "aws_nat_gateway").map(([, gateway]) => [
      gateway.tags.Name,
      referencedResource(perAz.document, gateway.allocation_id).address.replace(/_[0-9A-F]{8}$/, ""),
      referencedResource(perAz.document, gateway.allocation_id).config.tags.Name,
      referencedResource(perAz.document, gateway.subnet_id).config.tags.Name,
    ]);
    expect(gateways).toEqual([
      ["NAT Gateway 1", "aws_eip.network_nat-address-1", "NAT Gateway 1 EIP", "Public Subnet 1"],
      ["NAT Gateway 2", "aws_eip.network_nat-address-2", "NAT Gateway 2 EIP", "Public Subnet 2"],
    ]);
  });

  it("hands the other constructs its subnets, tables, gateways and what waits for the routes, in zone order", () => {
    const outputs = JSON.parse(
      Testing.synthScope((scope) => {
        const network = new Network(scope, "network", { availabilityZones: ["us-west-2a", "us-west-2b"] });
        const output = (id: string, value: unknown, dependsOn?: ITerraformDependable[]) => new TerraformOutput(scope, id, { value, dependsOn });
        output("public_subnets", network.publicSubnetIds);
        output("private_subnets", network.privateSubnetIds);
        output("nat_gateways", network.natGatewayIds);
        output("private_route_tables", network.privateRouteTableIds);
        output("public_route_table", network.publicRouteTableId);
        output("vpc", [network.vpcId, network.vpcCidr, network.accountId]);
        output("ipv6", network.ipv6);
        output("internet", 0, [...network.internetConnectivityEstablished]);
        output("egress", 0, [...network.privateEgressEstablished]);
      }),
    ).output;
    const unhashed = (reference: string) => reference.replace(/_[0-9A-F]{8}\./, ".");
    const value = (id: string) => [outputs[id].value].flat().map(unhashed);
    expect(value("public_subnets")).toEqual(["${aws_subnet.network_public-subnet-1.id}", "${aws_subnet.network_public-subnet-2.id}"]);
    expect(value("private_subnets")).toEqual(["${aws_subnet.network_private-subnet-1.id}", "${aws_subnet.network_private-subnet-2.id}"]);
    expect(value("nat_gateways")).toEqual(["${aws_nat_gateway.network_nat-gateway-1.id}", "${aws_nat_gateway.network_nat-gateway-2.id}"]);
    expect(value("private_route_tables")).toEqual([
      "${aws_route_table.network_private-route-table-1.id}",
      "${aws_route_table.network_private-route-table-2.id}",
    ]);
    expect(value("public_route_table")).toEqual(["${aws_route_table.network_public-route-table.id}"]);
    expect(value("vpc")).toEqual(["${aws_vpc.network_vpc.id}", "${aws_vpc.network_vpc.cidr_block}", "${aws_vpc.network_vpc.owner_id}"]);
    expect(outputs.ipv6.value).toBe(false);
    const unhashedAddress = (address: string) => address.replace(/^\$\{(.+)_[0-9A-F]{8}\}$/, "$1");
    expect(outputs.internet.depends_on.map(unhashedAddress)).toEqual([
      "aws_route.network_public-default-route",
      "aws_route_table_association.network_public-subnet-1-routes",
      "aws_route_table_association.network_public-subnet-2-routes",
    ]);
    expect(outputs.egress.depends_on.map(unhashedAddress)).toEqual([
      "aws_route.network_private-default-route-1",
      "aws_route.network_private-default-route-2",
      "aws_route_table_association.network_private-subnet-1-routes",
      "aws_route_table_association.network_private-subnet-2-routes",
    ]);
  });

  it("adopts the default security group untagged with the provider it is given", () => {
    const document = JSON.parse(
      Testing.synthScope((scope) => {
        const untagged = new AwsProvider(scope, "untagged", { region: "us-west-2", alias: "untagged" });
        new Network(scope, "network", { availabilityZones: ["us-west-2a", "us-west-2b"], untaggedProvider: untagged });
      }),
    );
    const [[, group]] = resourcesOf(document, "aws_default_security_group");
    expect({ provider: group.provider, tags: group.tags }).toEqual({ provider: "aws.untagged", tags: undefined });
  });

  describe("flow logs' wiring", () => {
    const trustedSource = (document: { resource?: Record<string, Record<string, any>> }) => {
      const [[, role]] = resourcesOf(document, "aws_iam_role");
      const [statement] = JSON.parse(role.assume_role_policy).Statement;
      return {
        service: statement.Principal.Service,
        sourceArn: statement.Condition.ArnLike["aws:SourceArn"].replace(/network_vpc_[0-9A-F]{8}/, "network_vpc"),
      };
    };

    it("writes the VPC's flows to its log group with its role, which may write every stream of that group", () => {
      const [[flowLogName, flowLog]] = resourcesOf(perAz.document, "aws_flow_log");
      expect(flowLogName).toMatch(/^network_flow-log_/);
      expect({
        vpc: referencedResource(perAz.document, flowLog.vpc_id).address,
        destination: referencedResource(perAz.document, flowLog.log_destination).address,
        role: referencedResource(perAz.document, flowLog.iam_role_arn).address,
        interval: flowLog.max_aggregation_interval,
      }).toEqual({
        vpc: expect.stringMatching(/^aws_vpc\.network_vpc_/),
        destination: expect.stringMatching(/^aws_cloudwatch_log_group\.network_flow-log-group_/),
        role: expect.stringMatching(/^aws_iam_role\.network_flow-log-role_/),
        interval: 60,
      });
      const [[, permissions]] = resourcesOf(perAz.document, "aws_iam_role_policy");
      expect(referencedResource(perAz.document, permissions.role).address).toMatch(/^aws_iam_role\.network_flow-log-role_/);
      const [statement] = JSON.parse(permissions.policy).Statement;
      expect(statement.Sid).toBe("WriteFlowLogs");
      expect(statement.Action).toEqual(["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]);
      const [[, role]] = resourcesOf(perAz.document, "aws_iam_role");
      expect(role.description).toBe("Lets VPC Flow Logs write to its log group");
    });

    it.each<[string, Partial<NetworkProps>, string]>([
      ["the zones' region", {}, "arn:aws:ec2:us-west-2:${aws_vpc.network_vpc.owner_id}:vpc-flow-log/*"],
      ["the region given", { region: "eu-west-1" }, "arn:aws:ec2:eu-west-1:${aws_vpc.network_vpc.owner_id}:vpc-flow-log/*"],
      [
        "a GovCloud zone's region and partition",
        { availabilityZones: ["us-gov-west-1a"] },
        "arn:aws-us-gov:ec2:us-gov-west-1:${aws_vpc.network_vpc.owner_id}:vpc-flow-log/*",
      ],
    ])("lets only the VPC's account's flow logs in %s assume the role", (_kind, overrides, sourceArn) => {
      expect(trustedSource(synthNetwork(overrides).document)).toEqual({ service: "vpc-flow-logs.amazonaws.com", sourceArn });
    });

    it("encrypts the log group with the key given, after what the key waits for", () => {
      const document = JSON.parse(
        Testing.synthScope((scope) => {
          const keyReady = new KmsKey(scope, "logs-key", {});
          new Network(scope, "network", {
            availabilityZones: ["us-west-2a"],
            flowLogEncryption: { kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/logs", dependsOn: [keyReady] },
          });
        }),
      );
      const [[, group]] = resourcesOf(document, "aws_cloudwatch_log_group");
      expect({ kms: group.kms_key_id, dependsOn: group.depends_on }).toEqual({
        kms: "arn:aws:kms:us-west-2:123456789012:key/logs",
        dependsOn: ["aws_kms_key.logs-key"],
      });
    });
  });

  it.each(["us-gov-west-1a", "us-iso-east-1a", "us-isob-east-1a", "ap-southeast-2c"])("accepts the zone name %s", (zone) => {
    expect(() => synthNetwork({ availabilityZones: [zone] })).not.toThrow();
  });

  it("lists no problem for a VPC name AWS accepts, and one for a name it refuses, for the settings to name", () => {
    expect(networkNameProblems({ vpc: "Lab VPC" })).toStrictEqual([]);
    expect(networkNameProblems({ vpc: "Lab VPC 2" })).toStrictEqual([]);
    expect(networkNameProblems({ vpc: "Lab VPC #1" })).toHaveLength(1);
  });

  describe("refuses props it cannot build, naming its path and the prop", () => {
    it.each<[string, Partial<NetworkProps>, string]>([
      ["a malformed VPC CIDR", { vpcCidr: "10.0.0/20" }, 'vpcCidr: "10.0.0/20" is not an IPv4 CIDR block like 10.0.0.0/16'],
      ["a VPC larger than AWS allows", { vpcCidr: "10.0.0.0/8" }, "vpcCidr: 10.0.0.0/8 is a /8; AWS VPCs are /16 to /28"],
      [
        "a subnet outside the VPC",
        { publicSubnetCidrs: ["10.0.0.0/24", "10.1.0.0/24"] },
        "publicSubnetCidrs.1: 10.1.0.0/24 is not inside the VPC CIDR 10.0.0.0/20",
      ],
      [
        "overlapping subnets",
        { publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0/24"], privateSubnetCidrs: ["10.0.0.0/23", "10.0.4.0/23"] },
        "privateSubnetCidrs.0: 10.0.0.0/23 overlaps 10.0.0.0/24 (publicSubnetCidrs.0)",
      ],
      ["a subnet per zone missing", { privateSubnetCidrs: ["10.0.2.0/23"] }, "privateSubnetCidrs: has 1 CIDRs for 2 availability zones; give one per zone"],
      ["a zone listed twice", { availabilityZones: ["us-west-2a", "us-west-2a"] }, 'availabilityZones.1: "us-west-2a" is listed twice'],
      ["no zone", { availabilityZones: [] }, "availabilityZones: needs at least one zone"],
      [
        "a zone without its letter",
        { availabilityZones: ["us-west-2a", "us-west-2"] },
        'availabilityZones.1: "us-west-2" is not an availability zone name like us-west-2a',
      ],
      [
        "a zone with three letters before its region",
        { availabilityZones: ["use-west-2a"] },
        'availabilityZones.0: "use-west-2a" is not an availability zone name',
      ],
      ["a zone with more after its letter", { availabilityZones: ["us-west-2az"] }, 'availabilityZones.0: "us-west-2az" is not an availability zone name'],
      ["an unknown NAT strategy", { natStrategy: "one-per-zone" as never }, 'natStrategy: "one-per-zone" is not one of "single", "per-az"'],
      [
        "a retention CloudWatch refuses",
        { flowLogRetentionDays: 100 },
        "flowLogRetentionDays: 100 is not one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365",
      ],
      [
        "a VPC name AWS refuses as a tag",
        { names: { vpc: "Lab VPC #1" } },
        'names.vpc: the Name tag "Lab VPC #1" must use letters, digits, spaces and _.:/=+-@',
      ],
    ])("%s", (_kind, overrides, message) => {
      expectRefused(() => synthNetwork(overrides), "Network stack/network", message);
    });
  });

  it("follows a VPC name it is given in the default security group's name, and keeps the other lab names", () => {
    const named = synthNetwork({ names: { vpc: "Shop VPC" } });
    expect(named.json).toHaveResourceWithProperties(DefaultSecurityGroup, { tags: { Name: "Shop VPC default (no rules)" } });
    expect(named.json).toHaveResourceWithProperties(Subnet, { tags: { Name: "Public Subnet 1", Tier: "public" } });
  });
});
