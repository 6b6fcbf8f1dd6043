import type { PlannedResources } from "./plan-review-monitoring";

/**
 * The plan review's Network section: the VPC and its NAT gateways, then each subnet with its
 * range, its zone and the way its traffic leaves for the internet (the route
 * table it uses, then where that table sends 0.0.0.0/0), and the NAT
 * gateways. A private subnet whose NAT gateway is in another zone is flagged:
 * it loses its way out when that other zone fails, which a NAT gateway per
 * zone (`natStrategy: "per-az"`) avoids.
 */

type Values = Record<string, any>;

/** The Network section's lines below its title, and a warning per subnet that leaves through another zone. */
export function networkReview(plan: PlannedResources): { lines: string[]; warnings: string[] } {
  const lines: string[] = [];
  const warnings: string[] = [];
  const natGateways = plan.valuesOf("aws_nat_gateway").map(({ address }) => plan.nameOf(plan.referenced(address, "subnet_id")));
  const nat = `NAT gateways: ${natGateways.length}${natGateways.length ? ` (in ${natGateways.join(", ")})` : ""}`;
  const vpcs = plan.valuesOf("aws_vpc");
  for (const { values } of vpcs)
    lines.push(`  VPC ${values.tags?.Name ?? ""} ${values.cidr_block}, DNS hostnames ${values.enable_dns_hostnames ? "on" : "off"}; ${nat}`);
  if (vpcs.length === 0) lines.push(`  ${nat}`);

  const subnets = plan.valuesOf("aws_subnet");
  const zoneOf = (subnet: string | undefined) => subnets.find(({ address }) => address === subnet)?.values.availability_zone as string | undefined;
  // A subnet without an association uses the VPC's main route table.
  const tableOf = new Map<string | undefined, string | undefined>(
    plan
      .valuesOf("aws_route_table_association")
      .map(({ address }) => [plan.referenced(address, "subnet_id"), plan.referenced(address, "route_table_id")] as const)
      .filter(([subnet]) => subnet !== undefined),
  );
  const exitOf = new Map<string | undefined, string | undefined>(
    plan
      .valuesOf("aws_route")
      .filter(({ values }) => values.destination_cidr_block === "0.0.0.0/0")
      .map(({ address }) => [plan.referenced(address, "route_table_id"), plan.referenced(address, "nat_gateway_id") ?? plan.referenced(address, "gateway_id")]),
  );

  // Public subnets first, then private, each in zone order.
  const order = ({ values }: { values: Values }) => `${isPublic(values) ? 0 : 1} ${values.availability_zone}`;
  const sorted = [...subnets].sort((a, b) => order(a).localeCompare(order(b)));
  const nameWidth = Math.max(0, ...sorted.map(({ address }) => plan.nameOf(address).length));
  const rangeWidth = Math.max(0, ...sorted.map(({ values }) => String(values.cidr_block).length));
  for (const { address, values } of sorted) {
    const name = plan.nameOf(address);
    const table = tableOf.get(address);
    const exit = table === undefined ? undefined : exitOf.get(table);
    const route = table === undefined ? "the VPC's main route table" : `${plan.nameOf(table)} -> ${exit ? plan.nameOf(exit) : "no route to the internet"}`;
    lines.push(
      `  ${name.padEnd(nameWidth)} ${String(values.cidr_block).padEnd(rangeWidth)} ${values.availability_zone} -> ${route}` +
        `${values.map_public_ip_on_launch ? "  (auto-assigns public IPs)" : ""}`,
    );
    const natZone = exit?.startsWith("aws_nat_gateway.") ? zoneOf(plan.referenced(exit, "subnet_id")) : undefined;
    if (natZone !== undefined && natZone !== values.availability_zone) {
      lines.push(`    ! CROSS-ZONE: leaves through a NAT gateway in ${natZone}; an outage there cuts it off the internet`);
      warnings.push(`CROSS-ZONE: ${name} (${values.availability_zone}) leaves through ${plan.nameOf(exit)} in ${natZone}`);
    }
  }
  return { lines, warnings };
}

function isPublic(values: Values): boolean {
  return Boolean(values.map_public_ip_on_launch) || /public/i.test(String(values.tags?.Name));
}
