import * as path from "node:path";
import { loadEnvironments } from "../../src/config/load";
import { drawTopology } from "../../src/diagram/drawing";
import { drawingTexts, renderSvg, svgTexts, toDot } from "../../src/diagram/graphviz";
import { readTopology } from "../../src/diagram/topology";
import { PROJECT_ROOT, synthStack } from "../support/stacks";

const [defaultSettings, labStartSettings] = loadEnvironments({ directory: path.join(PROJECT_ROOT, "environments"), variables: {} });
const drawingOf = (settings: typeof defaultSettings) =>
  drawTopology(readTopology(synthStack(settings).document), `Inventory HA: environment ${settings.environment}`);

/** Cluster names around each node of a DOT source written one statement per line, innermost first. */
function placements(dot: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const stack: string[] = [];
  for (const line of dot.split("\n").map((text) => text.trim())) {
    const cluster = /^subgraph (cluster_\w+) \{$/.exec(line);
    const node = /^(\w+) \[label=/.exec(line);
    if (cluster) stack.push(cluster[1]);
    else if (line === "}") stack.pop();
    else if (node) found.set(node[1], [...stack].reverse());
  }
  return found;
}

describe("Graphviz rendering", () => {
  const drawing = drawingOf(defaultSettings);
  const dot = toDot(drawing);

  it("nests the NAT gateways, app servers and database in their subnet and zone clusters", () => {
    const placed = placements(dot);
    expect(placed.get("nat_gateway_1")).toEqual(["cluster_public_subnet_1", "cluster_zone_1", "cluster_vpc"]);
    expect(placed.get("nat_gateway_2")).toEqual(["cluster_public_subnet_2", "cluster_zone_2", "cluster_vpc"]);
    expect(placed.get("app_server_1")).toEqual(["cluster_private_subnet_1", "cluster_zone_1", "cluster_vpc"]);
    expect(placed.get("database_standby")).toEqual(["cluster_private_subnet_2", "cluster_zone_2", "cluster_vpc"]);
    expect(placed.get("internet")).toStrictEqual([]);
    expect(dot).toMatch(/label=<<b>Availability Zone us-west-2a<\/b>>/);
  });

  it("renders into an SVG that shows every label of the drawing, and nothing naming Graphviz's version", async () => {
    const svg = await renderSvg(dot);
    expect(svg).toMatch(/^<\?xml/);
    expect(svg).not.toMatch(/graphviz version/i);
    const texts = svgTexts(svg);
    expect(texts.sort()).toEqual(drawingTexts(drawing));
    for (const label of [
      "NAT Gateway 1",
      "NAT Gateway 2",
      "HTTP 80, HTTPS 443",
      "HTTP 80",
      "MySQL 3306",
      "egress HTTPS 443",
      "Availability Zone us-west-2a",
      "Availability Zone us-west-2b",
    ]) {
      expect(texts).toContain(label);
    }
    expect(await renderSvg(dot)).toBe(svg);
  });

  it("renders lab-start with one NAT gateway and MySQL from the VPC range", async () => {
    const labStart = drawingOf(labStartSettings);
    const texts = svgTexts(await renderSvg(toDot(labStart)));
    expect(texts.filter((text) => /NAT Gateway \d$/.test(text))).toEqual(["lab-start-NAT Gateway 1"]);
    expect(texts).toContain("any address in lab-start-Lab VPC");
    expect(texts).toContain("10.0.0.0/20");
    expect(texts.filter((text) => text === "MySQL 3306 (egress rule only)")).toHaveLength(2);
  });

  it("writes the same DOT for the same document", () => {
    expect(toDot(drawingOf(defaultSettings))).toBe(dot);
  });
});
