import * as path from "node:path";
import { loadEnvironments } from "../../src/config/load";
import { drawTopology } from "../../src/diagram/drawing";
import { toMermaid } from "../../src/diagram/mermaid";
import { readTopology } from "../../src/diagram/topology";
import type { EnvironmentSettings } from "../../src/config/schema";
import { PROJECT_ROOT, settingsFor, synthStack } from "../support/stacks";

const [defaultSettings, labStartSettings] = loadEnvironments({ directory: path.join(PROJECT_ROOT, "environments"), variables: {} });

interface ParsedChart {
  /** id -> label text (with <br/> as line breaks). */
  readonly labels: Map<string, string>;
  /** id -> the ids of the subgraphs around it, innermost first. */
  readonly parents: Map<string, string[]>;
  readonly edges: { from: string; arrow: string; label: string; to: string }[];
}

/** Reads back the flowchart this project writes: one node, subgraph, `end` or edge per line. */
function parse(chart: string): ParsedChart {
  const labels = new Map<string, string>();
  const parents = new Map<string, string[]>();
  const edges: ParsedChart["edges"] = [];
  const stack: string[] = [];
  for (const line of chart.split("\n").map((text) => text.trim())) {
    const subgraph = /^subgraph (\w+)\["(.*)"\]$/.exec(line);
    const node = /^(\w+)[[(]+"(.*)"[\])]+$/.exec(line);
    const edge = /^(\w+) ([-.<>]+)(?:\|"(.*)"\|)? (\w+)$/.exec(line);
    if (subgraph) {
      labels.set(subgraph[1], subgraph[2]);
      parents.set(subgraph[1], [...stack].reverse());
      stack.push(subgraph[1]);
    } else if (line === "end") {
      stack.pop();
    } else if (edge) {
      edges.push({ from: edge[1], arrow: edge[2], label: edge[3] ?? "", to: edge[4] });
    } else if (node) {
      if (labels.has(node[1])) throw new Error(`${node[1]} declared twice`);
      labels.set(node[1], node[2]);
      parents.set(node[1], [...stack].reverse());
    }
  }
  expect(stack).toStrictEqual([]);
  return { labels, parents, edges };
}

function chartOf(settings: EnvironmentSettings): ParsedChart {
  const drawing = drawTopology(readTopology(synthStack(settings).document), `Inventory HA: environment ${settings.environment}`);
  return parse(toMermaid(drawing));
}

const idsLike = (chart: ParsedChart, pattern: RegExp) =>
  [...chart.labels.keys()].filter((id) => pattern.test(id)).sort(new Intl.Collator("en", { numeric: true }).compare);
/** The subgraph labels around a node, innermost first, first lines only. */
const placeOf = (chart: ParsedChart, id: string) =>
  chart.parents.get(id)!.map((parent) =>
    chart.labels
      .get(parent)!
      .split("<br/>")[0]
      .replace(/<\/?b>/g, ""),
  );
const trafficEdges = (chart: ParsedChart) => chart.edges.filter((edge) => edge.arrow === "-->").map((edge) => `${edge.from} -> ${edge.to}: ${edge.label}`);

describe("Mermaid diagram of the default environment", () => {
  const chart = chartOf(defaultSettings);

  it("shows two NAT gateways, each in its zone's public subnet, and each private subnet routed to its own zone's", () => {
    expect(idsLike(chart, /^nat_gateway_/)).toEqual(["nat_gateway_1", "nat_gateway_2"]);
    expect(placeOf(chart, "nat_gateway_1")).toEqual(["Public Subnet 1", "Availability Zone us-west-2a", "Lab VPC"]);
    expect(placeOf(chart, "nat_gateway_2")).toEqual(["Public Subnet 2", "Availability Zone us-west-2b", "Lab VPC"]);
    const routes = chart.edges.filter((edge) => edge.arrow === "-.-").map((edge) => `${edge.to} -> ${edge.from}`);
    expect(routes).toEqual([
      "public_subnet_1 -> internet_gateway",
      "private_subnet_1 -> nat_gateway_1",
      "public_subnet_2 -> internet_gateway",
      "private_subnet_2 -> nat_gateway_2",
    ]);
  });

  it("draws every security group flow as an edge labelled with its port", () => {
    expect(trafficEdges(chart).sort()).toEqual([
      "app_server_1 -> database_primary: MySQL 3306",
      "app_server_2 -> database_primary: MySQL 3306",
      "internet -> load_balancer: HTTP 80, HTTPS 443",
      "load_balancer -> app_server_1: HTTP 80",
      "load_balancer -> app_server_2: HTTP 80",
      // The app user's rotation function, in the VPC with a group of its own: MySQL to the database.
      "security_group_3 -> database_primary: MySQL 3306",
    ]);
    // The app servers' HTTPS egress leaves through the NAT gateway their subnet routes to.
    const egress = chart.edges.filter((edge) => edge.label.includes("egress")).map((edge) => `${edge.to} -> ${edge.from}: ${edge.label}`);
    expect(egress).toEqual([
      "private_subnet_1 -> nat_gateway_1: 0.0.0.0/0<br/>Private Route Table 1<br/>egress HTTPS 443",
      "private_subnet_2 -> nat_gateway_2: 0.0.0.0/0<br/>Private Route Table 2<br/>egress HTTPS 443",
    ]);
  });

  it("puts one app server in each private subnet and the database's primary and standby in different zones", () => {
    expect(idsLike(chart, /^app_server_/).map((id) => placeOf(chart, id)[0])).toEqual(["Private Subnet 1", "Private Subnet 2"]);
    expect(chart.labels.get("app_server_1")).toContain("Inventory-ASG (min 2, desired 2, max 2)");
    expect(placeOf(chart, "database_primary")[0]).toBe("Private Subnet 1");
    expect(placeOf(chart, "database_standby")[0]).toBe("Private Subnet 2");
    expect(chart.edges).toContainEqual({ from: "database_primary", arrow: "<-.->", label: "synchronous replication", to: "database_standby" });
    expect(placeOf(chart, "load_balancer")).toEqual(["Lab VPC"]);
    expect(chart.labels.get("load_balancer")).toContain("in Public Subnet 1, Public Subnet 2");
    expect(chart.parents.get("internet")).toStrictEqual([]);
  });
});

describe("Mermaid diagram of lab-start", () => {
  const chart = chartOf(labStartSettings);

  it("shows one NAT gateway, which both private subnets route to", () => {
    expect(idsLike(chart, /^nat_gateway_/)).toEqual(["nat_gateway_1"]);
    expect(placeOf(chart, "nat_gateway_1")[0]).toBe("lab-start-Public Subnet 1");
    const routes = chart.edges.filter((edge) => edge.arrow === "-.-" && edge.to.startsWith("private")).map((edge) => `${edge.to} -> ${edge.from}`);
    expect(routes).toEqual(["private_subnet_1 -> nat_gateway_1", "private_subnet_2 -> nat_gateway_1"]);
  });

  it("shows MySQL from the VPC's range honestly, beside the App group's one-sided egress", () => {
    expect(chart.labels.get("address_range_1")).toBe("<b>any address in lab-start-Lab VPC</b><br/>10.0.0.0/20");
    expect(trafficEdges(chart).sort()).toEqual([
      "address_range_1 -> database: MySQL 3306",
      "app_server_1 -> database: MySQL 3306 (egress rule only)",
      "app_server_2 -> database: MySQL 3306 (egress rule only)",
      "internet -> load_balancer: HTTP 80, HTTPS 443",
      "load_balancer -> app_server_1: HTTP 80",
      "load_balancer -> app_server_2: HTTP 80",
      "security_group_3 -> database: MySQL 3306",
    ]);
  });

  it("draws the Single-AZ database once, in the VPC, saying AWS picks its zone", () => {
    expect(idsLike(chart, /^database/)).toEqual(["database"]);
    expect(placeOf(chart, "database")).toEqual(["lab-start-Lab VPC"]);
    expect(chart.labels.get("database")).toContain("(Single-AZ)");
    expect(chart.labels.get("database")).toContain("one instance in a zone AWS picks: us-west-2a or us-west-2b");
  });
});

describe("Mermaid diagram of other settings", () => {
  it("spreads the desired instances over the private subnets in turn", () => {
    const chart = chartOf(settingsFor("five", { appTier: { minSize: 2, desiredCapacity: 5, maxSize: 6 } }));
    expect(idsLike(chart, /^app_server_/).map((id) => placeOf(chart, id)[0])).toEqual([
      "Private Subnet 1",
      "Private Subnet 2",
      "Private Subnet 1",
      "Private Subnet 2",
      "Private Subnet 1",
    ]);
    expect(chart.labels.get("app_server_5")).toContain("EC2 app server 5 of 5");
  });

  it("shows client networks other than the internet as their own node", () => {
    const chart = chartOf(settingsFor("office", { loadBalancer: { ingressCidrs: ["203.0.113.0/24"] } }));
    expect(chart.labels.get("address_range_1")).toBe("<b>network</b><br/>203.0.113.0/24");
    expect(chart.parents.get("address_range_1")).toStrictEqual([]);
    expect(trafficEdges(chart)).toContain("address_range_1 -> load_balancer: HTTP 80, HTTPS 443");
  });
});
