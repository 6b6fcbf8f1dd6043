import * as path from "node:path";
import { loadEnvironments } from "../../src/config/load";
import { readTopology, type Topology, TopologyError } from "../../src/diagram/topology";
import { PROJECT_ROOT, settingsFor, synthStack } from "../support/stacks";

const [defaultSettings, labStartSettings] = loadEnvironments({ directory: path.join(PROJECT_ROOT, "environments"), variables: {} });
const final = synthStack(defaultSettings);
const labStart = synthStack(labStartSettings);

/** Subnet name -> the name and zone of the NAT gateway its default route leads to. */
function natRoutes(topology: Topology): Record<string, string> {
  const routes: Record<string, string> = {};
  for (const subnet of topology.subnets.filter((candidate) => candidate.tier === "private")) {
    const gateway = topology.natGateways.find((candidate) => candidate.address === subnet.defaultRoute?.target.address);
    routes[subnet.name] = gateway ? `${gateway.name} (${gateway.zone})` : `no NAT gateway: ${JSON.stringify(subnet.defaultRoute)}`;
  }
  return routes;
}

/** Each allowed flow as `from -> to port [declared by]`, groups by name. */
function flows(topology: Topology): string[] {
  const name = (peer: Topology["traffic"][number]["from"]) =>
    peer.kind === "cidr" ? peer.cidr : topology.securityGroups.find((group) => group.address === peer.address)!.name;
  return topology.traffic.map(
    (rule) => `${name(rule.from)} -> ${name(rule.to)} ${rule.protocol} ${rule.fromPort}-${rule.toPort} [${rule.declaredBy.join(", ")}]`,
  );
}

describe("readTopology of the default environment (per-az NAT, Multi-AZ database)", () => {
  const topology = readTopology(final.document);

  it("reads the VPC, its two zones and four subnets, telling public from private by their routes", () => {
    expect(topology.vpc).toMatchObject({ name: "Lab VPC", cidr: "10.0.0.0/20" });
    expect(topology.region).toBe("us-west-2");
    expect(topology.zones).toEqual(["us-west-2a", "us-west-2b"]);
    expect(topology.subnets.map((subnet) => [subnet.zone, subnet.name, subnet.tier, subnet.cidr])).toEqual([
      ["us-west-2a", "Public Subnet 1", "public", "10.0.0.0/24"],
      ["us-west-2a", "Private Subnet 1", "private", "10.0.2.0/23"],
      ["us-west-2b", "Public Subnet 2", "public", "10.0.1.0/24"],
      ["us-west-2b", "Private Subnet 2", "private", "10.0.4.0/23"],
    ]);
    for (const subnet of topology.subnets.filter((candidate) => candidate.tier === "public")) {
      expect(subnet.defaultRoute).toEqual({
        destination: "0.0.0.0/0",
        routeTable: "Public Route Table",
        target: { kind: "internet-gateway", address: "aws_internet_gateway.network_internet_gateway", name: "Lab Internet Gateway" },
      });
    }
  });

  it("has two NAT gateways, one in each zone's public subnet (found through the route table associations)", () => {
    expect(topology.natGateways.map((gateway) => [gateway.name, gateway.zone, gateway.subnet])).toEqual([
      ["NAT Gateway 1", "us-west-2a", "aws_subnet.network_public_subnet_1"],
      ["NAT Gateway 2", "us-west-2b", "aws_subnet.network_public_subnet_2"],
    ]);
  });

  it("sends each private subnet out through the NAT gateway of its own zone, each by its own route table", () => {
    expect(natRoutes(topology)).toEqual({ "Private Subnet 1": "NAT Gateway 1 (us-west-2a)", "Private Subnet 2": "NAT Gateway 2 (us-west-2b)" });
    expect(topology.subnets.filter((subnet) => subnet.tier === "private").map((subnet) => subnet.defaultRoute?.routeTable)).toEqual([
      "Private Route Table 1",
      "Private Route Table 2",
    ]);
  });

  it("reads the load balancer in the public subnets, the app servers 2/2/2 and the Multi-AZ database in the private ones", () => {
    const subnetNames = (addresses: string[]) => addresses.map((address) => topology.subnets.find((subnet) => subnet.address === address)!.name);
    expect(topology.loadBalancer).toMatchObject({
      name: "Inventory-LB",
      internetFacing: true,
      listeners: [{ protocol: "HTTP", port: 80, action: "forward to Inventory-App (HTTP:80)" }],
    });
    expect(subnetNames(topology.loadBalancer!.subnets)).toEqual(["Public Subnet 1", "Public Subnet 2"]);
    expect(topology.autoScalingGroup).toMatchObject({
      name: "Inventory-ASG",
      minSize: 2,
      desiredCapacity: 2,
      maxSize: 2,
      instanceType: "t3.micro",
      targetGroups: ["Inventory-App"],
    });
    expect(subnetNames(topology.autoScalingGroup!.subnets)).toEqual(["Private Subnet 1", "Private Subnet 2"]);
    expect(topology.database).toMatchObject({
      identifier: "inventory-db",
      engine: "mysql",
      engineVersion: "8.4",
      instanceClass: "db.t3.small",
      multiAz: true,
      subnetGroup: "inventory-db-subnets",
    });
    expect(topology.database!.availabilityZone).toBeUndefined();
    expect(subnetNames(topology.database!.subnets)).toEqual(["Private Subnet 1", "Private Subnet 2"]);
  });

  it("resolves the security group rules to flows between groups and address ranges", () => {
    expect(flows(topology)).toEqual([
      "0.0.0.0/0 -> Inventory-LB tcp 80-80 [ingress]",
      "0.0.0.0/0 -> Inventory-LB tcp 443-443 [ingress]",
      // The database app user's rotation function: MySQL to the database, HTTPS to Secrets Manager.
      "inventory-db-app-user-rotation -> 0.0.0.0/0 tcp 443-443 [egress]",
      "inventory-db-app-user-rotation -> Inventory-DB tcp 3306-3306 [egress, ingress]",
      "Inventory-App -> 0.0.0.0/0 tcp 443-443 [egress]",
      "Inventory-App -> Inventory-DB tcp 3306-3306 [egress, ingress]",
      "Inventory-LB -> Inventory-App tcp 80-80 [egress, ingress]",
    ]);
    const groupsOf = (addresses: string[]) => addresses.map((address) => topology.securityGroups.find((group) => group.address === address)!.name);
    expect(groupsOf(topology.loadBalancer!.securityGroups)).toEqual(["Inventory-LB"]);
    expect(groupsOf(topology.autoScalingGroup!.securityGroups)).toEqual(["Inventory-App"]);
    expect(groupsOf(topology.database!.securityGroups)).toEqual(["Inventory-DB"]);
  });
});

describe("readTopology's alarms", () => {
  it("lists each alarm of default by name, with the resources its dimensions lead to, when it fires and the topic it tells on ALARM and OK", () => {
    const { alarms } = readTopology(final.document);
    // Monitoring's 15 and AWS Backup's 2.
    expect(alarms).toHaveLength(17);
    expect(alarms.find((alarm) => alarm.name === "Inventory-App healthy hosts below desired")).toEqual({
      address: "aws_cloudwatch_metric_alarm.monitoring_alarms_healthy_hosts",
      name: "Inventory-App healthy hosts below desired",
      watches: ["Inventory-ASG", "Inventory-LB", "Inventory-App"],
      condition: "desired - healthy > 0 for 3 x 60s",
      notifies: ["Inventory-Alarms"],
      notifiesRecovery: true,
    });
    expect(alarms.filter((alarm) => alarm.watches.includes("NAT Gateway 2")).map((alarm) => alarm.condition)).toEqual([
      "100 * FILL(dropped, 0) / (from_source + from_destination) > 0.01 for 5 x 60s",
      "ErrorPortAllocation Sum > 0 for 3 x 60s",
    ]);
  });

  it("lists lab-start's alarms under its prefixed names, with one NAT gateway's and the smaller database's thresholds", () => {
    const { alarms } = readTopology(labStart.document);
    expect(alarms).toHaveLength(13);
    expect(alarms.filter((alarm) => alarm.watches.includes("lab-start-Inventory-DB")).map((alarm) => `${alarm.name}: ${alarm.condition}`)).toEqual([
      "lab-start-Inventory-DB connections near the maximum: DatabaseConnections Maximum > 63 for 5 x 60s",
      "lab-start-Inventory-DB CPU: CPUUtilization Average > 80 for 3 x 300s",
      "lab-start-Inventory-DB free storage: FreeStorageSpace Minimum < 2 GiB for 1 x 300s",
      "lab-start-Inventory-DB freeable memory: FreeableMemory Average < 102 MiB for 3 x 300s",
    ]);
  });
});

describe("readTopology of lab-start (single NAT, Single-AZ database, MySQL from the VPC)", () => {
  const topology = readTopology(labStart.document);

  it("has one NAT gateway, in Public Subnet 1, that both private subnets leave through", () => {
    expect(topology.natGateways.map((gateway) => [gateway.name, gateway.zone])).toEqual([["lab-start-NAT Gateway 1", "us-west-2a"]]);
    expect(natRoutes(topology)).toEqual({
      "lab-start-Private Subnet 1": "lab-start-NAT Gateway 1 (us-west-2a)",
      "lab-start-Private Subnet 2": "lab-start-NAT Gateway 1 (us-west-2a)",
    });
  });

  it("has a Single-AZ database that takes MySQL from the whole VPC; the App group's MySQL egress has no matching ingress", () => {
    expect(topology.database).toMatchObject({ multiAz: false, instanceClass: "db.t3.micro" });
    expect(flows(topology)).toEqual([
      "0.0.0.0/0 -> lab-start-Inventory-LB tcp 80-80 [ingress]",
      "0.0.0.0/0 -> lab-start-Inventory-LB tcp 443-443 [ingress]",
      "10.0.0.0/20 -> lab-start-Inventory-DB tcp 3306-3306 [ingress]",
      "lab-start-inventory-db-app-user-rotation -> 0.0.0.0/0 tcp 443-443 [egress]",
      "lab-start-inventory-db-app-user-rotation -> lab-start-Inventory-DB tcp 3306-3306 [egress, ingress]",
      "lab-start-Inventory-App -> 0.0.0.0/0 tcp 443-443 [egress]",
      "lab-start-Inventory-App -> lab-start-Inventory-DB tcp 3306-3306 [egress]",
      "lab-start-Inventory-LB -> lab-start-Inventory-App tcp 80-80 [egress, ingress]",
    ]);
  });
});

describe("readTopology of other settings", () => {
  it("follows three zones with a NAT gateway each, and an HTTPS listener with its redirect", () => {
    const settings = settingsFor("three", {
      availabilityZones: ["us-west-2a", "us-west-2b", "us-west-2c"],
      appTier: { minSize: 1, desiredCapacity: 3, maxSize: 6 },
      loadBalancer: { certificateArn: "arn:aws:acm:us-west-2:123456789012:certificate/8f3e9b1c-1d2e-4f50-9a6b-7c8d9e0f1a2b", ingressCidrs: ["203.0.113.0/24"] },
    });
    const topology = readTopology(synthStack(settings).document);
    expect(topology.zones).toEqual(["us-west-2a", "us-west-2b", "us-west-2c"]);
    expect(natRoutes(topology)).toEqual({
      "Private Subnet 1": "NAT Gateway 1 (us-west-2a)",
      "Private Subnet 2": "NAT Gateway 2 (us-west-2b)",
      "Private Subnet 3": "NAT Gateway 3 (us-west-2c)",
    });
    expect(topology.autoScalingGroup).toMatchObject({ minSize: 1, desiredCapacity: 3, maxSize: 6 });
    expect(topology.loadBalancer!.listeners).toEqual([
      { protocol: "HTTP", port: 80, action: "redirect to HTTPS:443" },
      { protocol: "HTTPS", port: 443, action: "forward to Inventory-App (HTTP:80)" },
    ]);
    expect(flows(topology).slice(0, 2)).toEqual(["203.0.113.0/24 -> Inventory-LB tcp 80-80 [ingress]", "203.0.113.0/24 -> Inventory-LB tcp 443-443 [ingress]"]);
  });

  it("stops at rules it does not read instead of leaving them out of the picture", () => {
    const document = structuredClone(final.document) as any;
    document.resource.aws_security_group_rule = {
      extra: {
        type: "ingress",
        security_group_id: "${aws_security_group.security_groups_app.id}",
        from_port: 22,
        to_port: 22,
        protocol: "tcp",
        cidr_blocks: ["0.0.0.0/0"],
      },
    };
    expect(() => readTopology(document)).toThrow(TopologyError);
    expect(() => readTopology(document)).toThrow("the diagram does not read aws_security_group_rule.extra (aws_security_group_rule)");
  });

  it("names the resource whose reference leads nowhere", () => {
    const document = structuredClone(final.document) as any;
    document.resource.aws_nat_gateway.network_nat_gateway_2.subnet_id = "${aws_subnet.nowhere.id}";
    expect(() => readTopology(document)).toThrow(
      'aws_nat_gateway.network_nat_gateway_2: "${aws_subnet.nowhere.id}" is not a reference to an aws_subnet of this configuration',
    );
  });
});
