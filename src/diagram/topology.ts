import { type AlarmModel, readAlarms } from "./alarms";
import { blockList, type Block, firstBlock, isTrue, pointsAt, referencedBlock, resources, type TerraformDocument } from "../terraform/document";

/**
 * The architecture of one environment as its synthesized Terraform JSON
 * states it: zones, subnets and their routes, gateways, the load balancer,
 * the app servers' Auto Scaling group, the database and the traffic its
 * security groups allow. Everything is read from the document, following
 * references; nothing is taken from the settings, so the diagram shows what
 * Terraform would build. What this reader does not understand stops it with
 * an error rather than leaving a piece out of the picture.
 */

export type SubnetTier = "public" | "private";

/** Where a route sends traffic. */
export type RouteTarget =
  | { readonly kind: "internet-gateway"; readonly address: string; readonly name: string }
  | { readonly kind: "nat-gateway"; readonly address: string; readonly name: string };

export interface Route {
  readonly destination: string;
  readonly target: RouteTarget;
  /** Name tag of the route table holding the route. */
  readonly routeTable: string;
}

export interface SubnetModel {
  readonly address: string;
  readonly name: string;
  readonly cidr: string;
  readonly zone: string;
  /** `public` when its default route leads to the internet gateway. */
  readonly tier: SubnetTier;
  /** The route to 0.0.0.0/0, if its route table has one. */
  readonly defaultRoute?: Route;
}

export interface NatGatewayModel {
  readonly address: string;
  readonly name: string;
  /** Address of the subnet it sits in. */
  readonly subnet: string;
  readonly zone: string;
  /** Public NAT gateways carry an Elastic IP. */
  readonly connectivity: "public" | "private";
}

export interface ListenerModel {
  readonly protocol: string;
  readonly port: number;
  /** `forward to Inventory-App (HTTP:80)` or `redirect to HTTPS:443`. */
  readonly action: string;
}

export interface LoadBalancerModel {
  readonly address: string;
  readonly name: string;
  readonly internetFacing: boolean;
  /** Addresses of its subnets, in zone order. */
  readonly subnets: string[];
  /** Addresses of its security groups. */
  readonly securityGroups: string[];
  /** Sorted by port. */
  readonly listeners: ListenerModel[];
}

export interface AutoScalingGroupModel {
  readonly address: string;
  readonly name: string;
  readonly minSize: number;
  /** The group's desired_capacity, or its min_size when unset (what AWS starts with). */
  readonly desiredCapacity: number;
  readonly maxSize: number;
  /** Addresses of its subnets, in zone order. */
  readonly subnets: string[];
  /** Addresses of the security groups its launch template gives the instances. */
  readonly securityGroups: string[];
  readonly instanceType?: string;
  /** Names of the target groups it registers its instances with. */
  readonly targetGroups: string[];
}

export interface DatabaseModel {
  readonly address: string;
  readonly identifier: string;
  readonly engine: string;
  readonly engineVersion?: string;
  readonly instanceClass: string;
  readonly multiAz: boolean;
  /** The zone the configuration pins the (primary) instance to; unset lets AWS pick from the subnet group. */
  readonly availabilityZone?: string;
  readonly subnetGroup: string;
  /** Addresses of the subnet group's subnets, in zone order. */
  readonly subnets: string[];
  readonly securityGroups: string[];
}

export interface SecurityGroupModel {
  readonly address: string;
  readonly name: string;
  /** Lambda functions of the configuration that run in the VPC with this group. */
  readonly functions?: readonly string[];
}

/** One end of an allowed flow: a security group (its members) or an address range. */
export type TrafficPeer = { readonly kind: "security-group"; readonly address: string } | { readonly kind: "cidr"; readonly cidr: string };

/**
 * A flow the security groups allow, `from` -> `to`. Between two groups a
 * connection needs the source's egress and the destination's ingress; the
 * rules that declare this flow are in `declaredBy`.
 */
export interface TrafficRule {
  readonly from: TrafficPeer;
  readonly to: TrafficPeer;
  /** `tcp`, `udp`, `icmp` or `all`. */
  readonly protocol: string;
  /** Unset for all ports. */
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly declaredBy: ("ingress" | "egress")[];
}

export interface Topology {
  readonly region?: string;
  readonly vpc: { readonly address: string; readonly name: string; readonly cidr: string };
  /** Zones of the subnets, sorted. */
  readonly zones: string[];
  /** By zone, public before private, then by name. */
  readonly subnets: SubnetModel[];
  readonly internetGateway?: { readonly address: string; readonly name: string };
  /** In zone order. */
  readonly natGateways: NatGatewayModel[];
  readonly loadBalancer?: LoadBalancerModel;
  readonly autoScalingGroup?: AutoScalingGroupModel;
  readonly database?: DatabaseModel;
  readonly securityGroups: SecurityGroupModel[];
  /** Sorted: from, to, protocol, port. */
  readonly traffic: TrafficRule[];
  /** CloudWatch alarms, by name. */
  readonly alarms: AlarmModel[];
}

/** The document holds something this reader cannot draw faithfully. */
export class TopologyError extends Error {
  override readonly name = "TopologyError";
}

const naturalOrder = new Intl.Collator("en", { numeric: true }).compare;

const nameOf = (block: Block): string => block.config.tags?.Name ?? block.config.name ?? block.address;

/** The one block of a type, none, or an error for several (the diagram draws one of each). */
function atMostOne(document: TerraformDocument, type: string, what: string): Block | undefined {
  const found = resources(document, type);
  if (found.length > 1)
    throw new TopologyError(`the diagram draws one ${what}; the document has ${found.length} (${found.map((block) => block.address).join(", ")})`);
  return found[0];
}

/** The block a reference leads to, which must be of `type`. */
function target(document: TerraformDocument, value: unknown, type: string, where: string): Block {
  const block = referencedBlock(document, value);
  if (!block || block.type !== type) throw new TopologyError(`${where}: ${JSON.stringify(value)} is not a reference to an ${type} of this configuration`);
  return block;
}

function targets(document: TerraformDocument, values: unknown, type: string, where: string): Block[] {
  return blockList(values).map((value) => target(document, value, type, where));
}

/** Forms of configuration the project does not use and this reader does not read; better to stop than to draw less than is there. */
function refuseUnreadForms(document: TerraformDocument): void {
  const problems: string[] = [];
  for (const type of ["aws_security_group_rule", "aws_main_route_table_association", "aws_network_interface_sg_attachment"]) {
    for (const block of resources(document, type)) problems.push(`${block.address} (${type})`);
  }
  for (const group of resources(document, "aws_security_group")) {
    for (const direction of ["ingress", "egress"])
      if (blockList(group.config[direction]).length > 0) problems.push(`${group.address} has inline ${direction} rules`);
  }
  for (const table of resources(document, "aws_route_table")) if (blockList(table.config.route).length > 0) problems.push(`${table.address} has inline routes`);
  if (problems.length > 0) throw new TopologyError(`the diagram does not read ${problems.join("; ")}`);
}

function readRoutes(document: TerraformDocument): Map<string, Route[]> {
  const byTable = new Map<string, Route[]>();
  for (const route of resources(document, "aws_route")) {
    const table = target(document, route.config.route_table_id, "aws_route_table", route.address);
    const destination = route.config.destination_cidr_block ?? route.config.destination_ipv6_cidr_block;
    let routeTarget: RouteTarget;
    if (route.config.gateway_id !== undefined) {
      const gateway = target(document, route.config.gateway_id, "aws_internet_gateway", route.address);
      routeTarget = { kind: "internet-gateway", address: gateway.address, name: nameOf(gateway) };
    } else if (route.config.nat_gateway_id !== undefined) {
      const gateway = target(document, route.config.nat_gateway_id, "aws_nat_gateway", route.address);
      routeTarget = { kind: "nat-gateway", address: gateway.address, name: nameOf(gateway) };
    } else {
      throw new TopologyError(`${route.address}: the diagram draws routes to an internet or NAT gateway only`);
    }
    byTable.set(table.address, [...(byTable.get(table.address) ?? []), { destination, target: routeTarget, routeTable: nameOf(table) }]);
  }
  return byTable;
}

function readSubnets(document: TerraformDocument): SubnetModel[] {
  const routes = readRoutes(document);
  const tableOf = new Map<string, string>();
  for (const association of resources(document, "aws_route_table_association")) {
    if (association.config.subnet_id === undefined) continue;
    const subnet = target(document, association.config.subnet_id, "aws_subnet", association.address);
    tableOf.set(subnet.address, target(document, association.config.route_table_id, "aws_route_table", association.address).address);
  }
  const subnets = resources(document, "aws_subnet").map((subnet): SubnetModel => {
    const zone = subnet.config.availability_zone;
    if (typeof zone !== "string") throw new TopologyError(`${subnet.address} has no fixed availability_zone to place it in`);
    const table = tableOf.get(subnet.address);
    const defaultRoute = (table ? routes.get(table) : undefined)?.find((route) => route.destination === "0.0.0.0/0");
    return {
      address: subnet.address,
      name: nameOf(subnet),
      cidr: subnet.config.cidr_block,
      zone,
      tier: defaultRoute?.target.kind === "internet-gateway" ? "public" : "private",
      ...(defaultRoute ? { defaultRoute } : {}),
    };
  });
  const tierOrder: Record<SubnetTier, number> = { public: 0, private: 1 };
  return subnets.sort((a, b) => naturalOrder(a.zone, b.zone) || tierOrder[a.tier] - tierOrder[b.tier] || naturalOrder(a.name, b.name));
}

/** Subnet addresses sorted as the subnets are (by zone). */
function inSubnetOrder(subnets: readonly SubnetModel[], addresses: string[]): string[] {
  const position = (address: string) => subnets.findIndex((subnet) => subnet.address === address);
  return [...addresses].sort((a, b) => position(a) - position(b));
}

function readNatGateways(document: TerraformDocument, subnets: readonly SubnetModel[]): NatGatewayModel[] {
  const gateways = resources(document, "aws_nat_gateway").map((gateway): NatGatewayModel => {
    const subnet = target(document, gateway.config.subnet_id, "aws_subnet", gateway.address);
    return {
      address: gateway.address,
      name: nameOf(gateway),
      subnet: subnet.address,
      zone: subnet.config.availability_zone,
      connectivity: gateway.config.connectivity_type === "private" ? "private" : "public",
    };
  });
  const position = (gateway: NatGatewayModel) => subnets.findIndex((subnet) => subnet.address === gateway.subnet);
  return gateways.sort((a, b) => position(a) - position(b) || naturalOrder(a.name, b.name));
}

function describeAction(document: TerraformDocument, action: any, where: string): string {
  if (action.type === "forward") {
    const group = target(document, action.target_group_arn, "aws_lb_target_group", where);
    return `forward to ${nameOf(group)} (${group.config.protocol}:${group.config.port})`;
  }
  if (action.type === "redirect") {
    const redirect = blockList(action.redirect)[0] ?? {};
    return `redirect to ${redirect.protocol ?? "#{protocol}"}:${redirect.port ?? "#{port}"}`;
  }
  return action.type;
}

function readLoadBalancer(document: TerraformDocument, subnets: readonly SubnetModel[]): LoadBalancerModel | undefined {
  const lb = atMostOne(document, "aws_lb", "load balancer");
  if (!lb) return undefined;
  const listeners = resources(document, "aws_lb_listener")
    .filter((listener) => referencedBlock(document, listener.config.load_balancer_arn)?.address === lb.address)
    .map((listener) => ({
      protocol: String(listener.config.protocol ?? "HTTP"),
      port: Number(listener.config.port),
      action: blockList(listener.config.default_action)
        .map((action) => describeAction(document, action, listener.address))
        .join(", "),
    }))
    .sort((a, b) => a.port - b.port);
  return {
    address: lb.address,
    name: nameOf(lb),
    internetFacing: !isTrue(lb.config.internal),
    subnets: inSubnetOrder(
      subnets,
      targets(document, lb.config.subnets, "aws_subnet", `${lb.address} subnets`).map((block) => block.address),
    ),
    securityGroups: targets(document, lb.config.security_groups, "aws_security_group", `${lb.address} security_groups`).map((block) => block.address),
    listeners,
  };
}

function readAutoScalingGroup(document: TerraformDocument, subnets: readonly SubnetModel[]): AutoScalingGroupModel | undefined {
  const group = atMostOne(document, "aws_autoscaling_group", "Auto Scaling group");
  if (!group) return undefined;
  const templateReference = blockList(group.config.launch_template)[0]?.id;
  const template = templateReference === undefined ? undefined : target(document, templateReference, "aws_launch_template", `${group.address} launch_template`);
  const interfaceGroups = blockList(template?.config.network_interfaces).flatMap((networkInterface) => blockList(networkInterface.security_groups));
  const minSize = Number(group.config.min_size);
  return {
    address: group.address,
    name: nameOf(group),
    minSize,
    desiredCapacity: group.config.desired_capacity === undefined ? minSize : Number(group.config.desired_capacity),
    maxSize: Number(group.config.max_size),
    subnets: inSubnetOrder(
      subnets,
      targets(document, group.config.vpc_zone_identifier, "aws_subnet", `${group.address} vpc_zone_identifier`).map((block) => block.address),
    ),
    securityGroups: targets(
      document,
      [...blockList(template?.config.vpc_security_group_ids), ...interfaceGroups],
      "aws_security_group",
      `${template?.address} security groups`,
    ).map((block) => block.address),
    ...(template?.config.instance_type ? { instanceType: String(template.config.instance_type) } : {}),
    targetGroups: targets(document, group.config.target_group_arns, "aws_lb_target_group", `${group.address} target_group_arns`).map(nameOf),
  };
}

function readDatabase(document: TerraformDocument, subnets: readonly SubnetModel[]): DatabaseModel | undefined {
  const instance = atMostOne(document, "aws_db_instance", "database instance");
  if (!instance) return undefined;
  const subnetGroup = target(document, instance.config.db_subnet_group_name, "aws_db_subnet_group", `${instance.address} db_subnet_group_name`);
  return {
    address: instance.address,
    identifier: String(instance.config.identifier ?? instance.name),
    engine: String(instance.config.engine),
    ...(instance.config.engine_version !== undefined ? { engineVersion: String(instance.config.engine_version) } : {}),
    instanceClass: String(instance.config.instance_class),
    multiAz: isTrue(instance.config.multi_az),
    ...(typeof instance.config.availability_zone === "string" ? { availabilityZone: instance.config.availability_zone } : {}),
    subnetGroup: nameOf(subnetGroup),
    subnets: inSubnetOrder(
      subnets,
      targets(document, subnetGroup.config.subnet_ids, "aws_subnet", `${subnetGroup.address} subnet_ids`).map((block) => block.address),
    ),
    securityGroups: targets(document, instance.config.vpc_security_group_ids, "aws_security_group", `${instance.address} vpc_security_group_ids`).map(
      (block) => block.address,
    ),
  };
}

function peerOf(document: TerraformDocument, rule: Block): TrafficPeer {
  const { config } = rule;
  if (config.referenced_security_group_id !== undefined) {
    return { kind: "security-group", address: target(document, config.referenced_security_group_id, "aws_security_group", rule.address).address };
  }
  const cidr = config.cidr_ipv4 ?? config.cidr_ipv6;
  if (typeof cidr === "string") return { kind: "cidr", cidr };
  throw new TopologyError(`${rule.address}: the diagram draws rules with a security group or CIDR peer only`);
}

const peerKey = (peer: TrafficPeer) => (peer.kind === "security-group" ? `group ${peer.address}` : `cidr ${peer.cidr}`);

function readTraffic(document: TerraformDocument): TrafficRule[] {
  const rules = new Map<string, TrafficRule>();
  for (const direction of ["ingress", "egress"] as const) {
    for (const rule of resources(document, `aws_vpc_security_group_${direction}_rule`)) {
      const group: TrafficPeer = {
        kind: "security-group",
        address: target(document, rule.config.security_group_id, "aws_security_group", rule.address).address,
      };
      const peer = peerOf(document, rule);
      const protocol = String(rule.config.ip_protocol);
      const allPorts = protocol === "-1" || rule.config.from_port === undefined;
      const traffic: TrafficRule = {
        from: direction === "ingress" ? peer : group,
        to: direction === "ingress" ? group : peer,
        protocol: { "-1": "all", "6": "tcp", "17": "udp", "1": "icmp" }[protocol] ?? protocol,
        ...(allPorts ? {} : { fromPort: Number(rule.config.from_port), toPort: Number(rule.config.to_port ?? rule.config.from_port) }),
        declaredBy: [direction],
      };
      const key = [peerKey(traffic.from), peerKey(traffic.to), traffic.protocol, traffic.fromPort, traffic.toPort].join("|");
      const known = rules.get(key);
      rules.set(key, known ? { ...known, declaredBy: [...new Set([...known.declaredBy, direction])].sort() } : traffic);
    }
  }
  return [...rules.values()].sort(
    (a, b) =>
      naturalOrder(peerKey(a.from), peerKey(b.from)) ||
      naturalOrder(peerKey(a.to), peerKey(b.to)) ||
      naturalOrder(a.protocol, b.protocol) ||
      (a.fromPort ?? -1) - (b.fromPort ?? -1) ||
      (a.toPort ?? -1) - (b.toPort ?? -1),
  );
}

/** Reads the architecture of one synthesized InventoryStack document (cdk.tf.json). */
export function readTopology(document: TerraformDocument & { readonly provider?: Record<string, any[]> }): Topology {
  refuseUnreadForms(document);
  const vpc = atMostOne(document, "aws_vpc", "VPC");
  if (!vpc) throw new TopologyError("the document has no aws_vpc to draw");
  const subnets = readSubnets(document);
  const gateway = atMostOne(document, "aws_internet_gateway", "internet gateway");
  const region = document.provider?.aws?.[0]?.region;
  const loadBalancer = readLoadBalancer(document, subnets);
  const autoScalingGroup = readAutoScalingGroup(document, subnets);
  const database = readDatabase(document, subnets);
  return {
    ...(typeof region === "string" ? { region } : {}),
    vpc: { address: vpc.address, name: nameOf(vpc), cidr: vpc.config.cidr_block },
    zones: [...new Set(subnets.map((subnet) => subnet.zone))].sort(naturalOrder),
    subnets,
    ...(gateway ? { internetGateway: { address: gateway.address, name: nameOf(gateway) } } : {}),
    natGateways: readNatGateways(document, subnets),
    ...(loadBalancer ? { loadBalancer } : {}),
    ...(autoScalingGroup ? { autoScalingGroup } : {}),
    ...(database ? { database } : {}),
    securityGroups: resources(document, "aws_security_group")
      .map((group) => {
        const functions = resources(document, "aws_lambda_function")
          .filter((fn) => blockList(firstBlock(fn.config.vpc_config)?.security_group_ids).some((id) => pointsAt(document, id, group)))
          .map((fn) => String(fn.config.function_name));
        return { address: group.address, name: nameOf(group), ...(functions.length > 0 ? { functions } : {}) };
      })
      .sort((a, b) => naturalOrder(a.name, b.name)),
    traffic: readTraffic(document),
    alarms: readAlarms(document),
  };
}
