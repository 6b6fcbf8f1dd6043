import { contains, parseCidr } from "../aws/cidr";
import type { DatabaseModel, SubnetModel, Topology, TrafficPeer, TrafficRule } from "./topology";

/**
 * What the architecture diagram shows, decided once for both renderings
 * (Mermaid and Graphviz): which boxes sit in which zone and subnet, how many
 * app servers to draw and where, where the database's primary and standby
 * go, and which edges carry which labels. The renderers only translate this
 * into their syntax.
 */

export type NodeKind =
  "internet" | "network" | "internet-gateway" | "nat-gateway" | "load-balancer" | "instance" | "database" | "database-standby" | "security-group";

export interface DrawingNode {
  /** Stable id, letters, digits and underscores. */
  readonly id: string;
  readonly kind: NodeKind;
  /** The first line names the thing; the others describe it. */
  readonly lines: string[];
}

export type ClusterKind = "vpc" | "zone" | "public-subnet" | "private-subnet";

export interface DrawingCluster {
  readonly id: string;
  readonly kind: ClusterKind;
  readonly lines: string[];
  readonly nodes: DrawingNode[];
  readonly clusters: DrawingCluster[];
}

/**
 * `traffic`: a flow the security groups allow, labelled with its ports;
 * `route`: a subnet's default route (from the subnet's box);
 * `replication`: the database's synchronous standby; `link`: the internet
 * gateway's connection to the internet.
 */
export type EdgeKind = "traffic" | "route" | "replication" | "link";

export interface DrawingEdge {
  /** A node id, or a cluster id for a route leaving a subnet. */
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  /** Lines separated by \n. */
  readonly label?: string;
  /** `to` belongs above `from` (a route up to its gateway, egress to the internet): renderers that can should keep `to` on top. */
  readonly upward?: boolean;
}

export interface Drawing {
  readonly title: string;
  /** Nodes outside the VPC (the internet, outside networks). */
  readonly nodes: DrawingNode[];
  readonly clusters: DrawingCluster[];
  readonly edges: DrawingEdge[];
  /** Node ids to keep side by side. */
  readonly sameRank: string[][];
  /** Clusters to keep side by side, left to right: each tier's subnets in zone order. */
  readonly rows: string[][];
  readonly legend: readonly string[];
}

export const LEGEND = [
  "solid arrows: traffic the security groups allow (protocol and port)",
  "dashed: a subnet's default route, with the egress its security groups allow through it",
  "dotted: Multi-AZ replication",
];

const ANYWHERE = new Set(["0.0.0.0/0", "::/0"]);

const SERVICES: Record<number, string> = { 22: "SSH", 80: "HTTP", 443: "HTTPS", 3306: "MySQL", 5432: "PostgreSQL" };

const ENGINES: Record<string, string> = { mysql: "MySQL", mariadb: "MariaDB", postgres: "PostgreSQL" };

/** `HTTP 80`, `TCP 1024-65535`, `all traffic`. */
export function portLabel(rule: Pick<TrafficRule, "protocol" | "fromPort" | "toPort">): string {
  if (rule.protocol === "all") return "all traffic";
  const protocol = rule.protocol.toUpperCase();
  if (rule.fromPort === undefined) return `${protocol} all ports`;
  if (rule.fromPort !== rule.toPort) return `${protocol} ${rule.fromPort}-${rule.toPort}`;
  return `${(rule.protocol === "tcp" && SERVICES[rule.fromPort]) || protocol} ${rule.fromPort}`;
}

/** `MySQL 8.4`. */
export function engineLabel(database: Pick<DatabaseModel, "engine" | "engineVersion">): string {
  return `${ENGINES[database.engine] ?? database.engine}${database.engineVersion ? ` ${database.engineVersion}` : ""}`;
}

/** The one label of a rule on its edge: one-sided rules between two groups say which side declares them. */
function ruleLabel(rule: TrafficRule): string {
  const betweenGroups = rule.from.kind === "security-group" && rule.to.kind === "security-group";
  if (!betweenGroups || rule.declaredBy.length === 2) return portLabel(rule);
  return `${portLabel(rule)} (${rule.declaredBy[0]} rule only)`;
}

function isInside(vpcCidr: string, cidr: string): boolean {
  try {
    return contains(parseCidr(vpcCidr), parseCidr(cidr));
  } catch {
    // An IPv6 range: never inside the IPv4 VPC block.
    return false;
  }
}

/** Builds the picture of one environment's topology. */
export function drawTopology(topology: Topology, title: string): Drawing {
  const groupName = (address: string) => topology.securityGroups.find((group) => group.address === address)?.name ?? address;
  const groupsLine = (addresses: readonly string[]) => `SG ${addresses.map(groupName).join(", ")}`;
  const subnetById = new Map<string, string>();
  const subnetNodes = new Map<string, DrawingNode[]>();
  const vpcNodes: DrawingNode[] = [];
  const outsideNodes: DrawingNode[] = [];
  const members = new Map<string, string[]>();
  const addMember = (groups: readonly string[], id: string) => {
    for (const group of groups) members.set(group, [...(members.get(group) ?? []), id]);
  };
  const place = (subnet: string | undefined, node: DrawingNode) => {
    if (subnet === undefined) vpcNodes.push(node);
    else subnetNodes.set(subnet, [...(subnetNodes.get(subnet) ?? []), node]);
  };
  const subnet = (address: string): SubnetModel => topology.subnets.find((candidate) => candidate.address === address)!;

  // Ids follow the model's order, so they stay the same from run to run.
  topology.subnets.forEach((model) => {
    const sameTier = topology.subnets.filter((candidate) => candidate.tier === model.tier);
    subnetById.set(model.address, `${model.tier}_subnet_${sameTier.indexOf(model) + 1}`);
  });

  const nodeIds = new Map<string, string>();
  const edges: DrawingEdge[] = [];
  const sameRank: string[][] = [];

  const internet: DrawingNode = { id: "internet", kind: "internet", lines: ["Internet"] };
  const usesInternet =
    topology.internetGateway !== undefined ||
    topology.traffic.some((rule) => [rule.from, rule.to].some((peer) => peer.kind === "cidr" && ANYWHERE.has(peer.cidr)));
  if (usesInternet) outsideNodes.push(internet);

  if (topology.internetGateway) {
    vpcNodes.push({ id: "internet_gateway", kind: "internet-gateway", lines: ["Internet gateway", topology.internetGateway.name] });
    nodeIds.set(topology.internetGateway.address, "internet_gateway");
    edges.push({ from: internet.id, to: "internet_gateway", kind: "link" });
  }

  if (topology.loadBalancer) {
    const lb = topology.loadBalancer;
    vpcNodes.push({
      id: "load_balancer",
      kind: "load-balancer",
      lines: [
        `ALB ${lb.name}`,
        `${lb.internetFacing ? "internet-facing" : "internal"}, in ${lb.subnets.map((address) => subnet(address).name).join(", ")}`,
        ...lb.listeners.map((listener) => `${listener.protocol}:${listener.port} → ${listener.action}`),
        groupsLine(lb.securityGroups),
      ],
    });
    addMember(lb.securityGroups, "load_balancer");
    // Beside the internet gateway, above the zones: the load balancer spans them.
    if (topology.internetGateway) sameRank.push(["internet_gateway", "load_balancer"]);
  }

  topology.natGateways.forEach((gateway, index) => {
    const id = `nat_gateway_${index + 1}`;
    nodeIds.set(gateway.address, id);
    place(gateway.subnet, { id, kind: "nat-gateway", lines: [gateway.name, gateway.connectivity === "public" ? "with an Elastic IP" : "private NAT"] });
  });

  const group = topology.autoScalingGroup;
  if (group) {
    const sizes = `${group.name} (min ${group.minSize}, desired ${group.desiredCapacity}, max ${group.maxSize})`;
    const details = [group.instanceType ?? "launch template's instance type", groupsLine(group.securityGroups)].join(" · ");
    if (group.desiredCapacity === 0 || group.subnets.length === 0) {
      vpcNodes.push({ id: "app_servers", kind: "instance", lines: [`Auto Scaling group ${sizes}`, "no instances running", details] });
      addMember(group.securityGroups, "app_servers");
    } else {
      const ids: string[] = [];
      for (let index = 0; index < group.desiredCapacity; index++) {
        // The group balances its instances over its zones: one per subnet in turn.
        const id = `app_server_${index + 1}`;
        place(group.subnets[index % group.subnets.length], {
          id,
          kind: "instance",
          lines: [`EC2 app server ${index + 1} of ${group.desiredCapacity}`, sizes, details],
        });
        ids.push(id);
      }
      for (const id of ids) addMember(group.securityGroups, id);
      sameRank.push(ids);
    }
  }

  const database = topology.database;
  if (database) {
    const engine = `${engineLabel(database)} · ${database.instanceClass}`;
    const zones = [...new Set(database.subnets.map((address) => subnet(address).zone))];
    const inZone = (zone: string) => database.subnets.find((address) => subnet(address).zone === zone);
    if (database.multiAz) {
      const primaryZone = database.availabilityZone ?? zones[0];
      const standbyZone = zones.find((zone) => zone !== primaryZone);
      place(inZone(primaryZone), {
        id: "database_primary",
        kind: "database",
        lines: [
          `RDS ${database.identifier} primary`,
          `${engine} · Multi-AZ`,
          database.availabilityZone ? `pinned to ${database.availabilityZone}` : "AWS picks its zone; failover swaps it with the standby",
          groupsLine(database.securityGroups),
        ],
      });
      addMember(database.securityGroups, "database_primary");
      if (standbyZone !== undefined) {
        place(inZone(standbyZone), {
          id: "database_standby",
          kind: "database-standby",
          lines: [`RDS ${database.identifier} standby`, "takes over on failure under the same endpoint"],
        });
        edges.push({ from: "database_primary", to: "database_standby", kind: "replication", label: "synchronous replication" });
        sameRank.push(["database_primary", "database_standby"]);
      }
    } else {
      const pinned = database.availabilityZone !== undefined ? inZone(database.availabilityZone) : undefined;
      place(pinned, {
        id: "database",
        kind: "database",
        lines: [
          `RDS ${database.identifier} (Single-AZ)`,
          engine,
          pinned ? `pinned to ${database.availabilityZone}` : `one instance in a zone AWS picks: ${zones.join(" or ")}`,
          `subnet group ${database.subnetGroup}`,
          groupsLine(database.securityGroups),
        ],
      });
      addMember(database.securityGroups, "database");
    }
  }

  // Security groups nothing drawn here uses still get a box, so none of their rules goes missing.
  for (const [index, securityGroup] of topology.securityGroups.entries()) {
    const referenced = topology.traffic.some((rule) =>
      [rule.from, rule.to].some((peer) => peer.kind === "security-group" && peer.address === securityGroup.address),
    );
    if (referenced && !members.has(securityGroup.address)) {
      const id = `security_group_${index + 1}`;
      const lines = securityGroup.functions
        ? [`Lambda ${securityGroup.functions.join(", ")}`, `in the private subnets · SG ${securityGroup.name}`]
        : [`security group ${securityGroup.name}`, "attached to nothing in this diagram"];
      vpcNodes.push({ id, kind: "security-group", lines });
      members.set(securityGroup.address, [id]);
    }
  }

  const cidrNodes = new Map<string, string>();
  const cidrNode = (cidr: string): string => {
    if (ANYWHERE.has(cidr)) return internet.id;
    const known = cidrNodes.get(cidr);
    if (known) return known;
    const id = `address_range_${cidrNodes.size + 1}`;
    cidrNodes.set(cidr, id);
    if (cidr === topology.vpc.cidr) vpcNodes.push({ id, kind: "network", lines: [`any address in ${topology.vpc.name}`, cidr] });
    else if (isInside(topology.vpc.cidr, cidr)) vpcNodes.push({ id, kind: "network", lines: ["addresses in the VPC", cidr] });
    else outsideNodes.push({ id, kind: "network", lines: ["network", cidr] });
    return id;
  };
  const peerNodes = (peer: TrafficPeer): string[] => (peer.kind === "cidr" ? [cidrNode(peer.cidr)] : (members.get(peer.address) ?? []));

  // Egress to anywhere from a box in a subnet that routes 0.0.0.0/0 to a NAT gateway leaves through that gateway: it is
  // drawn on the subnet's route rather than as a second edge beside it (a pair of them tangles the zones in dot).
  const subnetOfNode = new Map<string, string>();
  for (const [address, nodes] of subnetNodes) for (const node of nodes) subnetOfNode.set(node.id, address);
  const throughNat = (id: string) => {
    const address = subnetOfNode.get(id);
    return address !== undefined && subnet(address).defaultRoute?.target.kind === "nat-gateway" ? address : undefined;
  };
  const egressByRoute = new Map<string, string[]>();

  // One edge per pair of boxes, carrying every rule between them.
  const traffic = new Map<string, { from: string; to: string; labels: string[] }>();
  for (const rule of topology.traffic) {
    const toAnywhere = rule.to.kind === "cidr" && ANYWHERE.has(rule.to.cidr);
    for (const from of peerNodes(rule.from)) {
      const routedSubnet = toAnywhere ? throughNat(from) : undefined;
      if (routedSubnet !== undefined) {
        const labels = egressByRoute.get(routedSubnet) ?? [];
        const label = `egress ${ruleLabel(rule)}`;
        if (!labels.includes(label)) labels.push(label);
        egressByRoute.set(routedSubnet, labels);
        continue;
      }
      for (const to of peerNodes(rule.to)) {
        const key = `${from}>${to}`;
        const edge = traffic.get(key) ?? { from, to, labels: [] };
        edge.labels.push(ruleLabel(rule));
        traffic.set(key, edge);
      }
    }
  }
  edges.push(
    ...[...traffic.values()].map((edge): DrawingEdge => ({
      from: edge.from,
      to: edge.to,
      kind: "traffic",
      label: edge.labels.join(", "),
      ...(edge.to === internet.id ? { upward: true } : {}),
    })),
  );

  for (const model of topology.subnets) {
    const route = model.defaultRoute;
    const gateway = route ? nodeIds.get(route.target.address) : undefined;
    if (!route || !gateway) continue;
    const label = [route.destination, route.routeTable, ...(egressByRoute.get(model.address) ?? [])].join("\n");
    edges.push({ from: subnetById.get(model.address)!, to: gateway, kind: "route", label, upward: true });
  }

  const zoneClusters = topology.zones.map((zone, index): DrawingCluster => ({
    id: `zone_${index + 1}`,
    kind: "zone",
    lines: [`Availability Zone ${zone}`],
    nodes: [],
    clusters: topology.subnets
      .filter((model) => model.zone === zone)
      .map((model) => ({
        id: subnetById.get(model.address)!,
        kind: model.tier === "public" ? "public-subnet" : "private-subnet",
        lines: [model.name, `${model.tier} · ${model.cidr}`],
        nodes: subnetNodes.get(model.address) ?? [],
        clusters: [],
      })),
  }));
  const vpc: DrawingCluster = {
    id: "vpc",
    kind: "vpc",
    lines: [topology.vpc.name, [topology.vpc.cidr, topology.region].filter(Boolean).join(" · ")],
    nodes: vpcNodes,
    clusters: zoneClusters,
  };
  const rows = (["public", "private"] as const)
    .map((tier) => topology.subnets.filter((model) => model.tier === tier).map((model) => subnetById.get(model.address)!))
    .filter((row) => row.length > 1);
  return { title, nodes: outsideNodes, clusters: [vpc], edges, sameRank, rows, legend: LEGEND };
}

/** Every cluster, depth first. */
export function allClusters(clusters: readonly DrawingCluster[]): DrawingCluster[] {
  return clusters.flatMap((cluster) => [cluster, ...allClusters(cluster.clusters)]);
}

/** Every node, outside nodes first, then cluster by cluster. */
export function allNodes(drawing: Drawing): DrawingNode[] {
  return [...drawing.nodes, ...allClusters(drawing.clusters).flatMap((cluster) => cluster.nodes)];
}
