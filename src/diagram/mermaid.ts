import type { ClusterKind, Drawing, DrawingCluster, DrawingEdge, DrawingNode, EdgeKind, NodeKind } from "./drawing";

/**
 * The diagram as a Mermaid flowchart, which GitHub renders in Markdown:
 * subgraphs for the VPC, each zone and each subnet, and the same nodes and
 * edges as the Graphviz rendering.
 */

/** Mermaid reads `"` and `#` inside a quoted label as syntax; its entity codes stand in for them. */
function text(value: string): string {
  return value.replace(/#/g, "#35;").replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}

function label(lines: readonly string[]): string {
  const [name, ...details] = lines;
  return `"${[`<b>${text(name)}</b>`, ...details.map(text)].join("<br/>")}"`;
}

const SHAPES: Record<NodeKind, (label: string) => string> = {
  internet: (value) => `((${value}))`,
  network: (value) => `[${value}]`,
  "internet-gateway": (value) => `[${value}]`,
  "nat-gateway": (value) => `[${value}]`,
  "load-balancer": (value) => `[${value}]`,
  instance: (value) => `(${value})`,
  database: (value) => `[(${value})]`,
  "database-standby": (value) => `[(${value})]`,
  "security-group": (value) => `[${value}]`,
};

const NODE_CLASSES: Record<NodeKind, string> = {
  internet: "internet",
  network: "network",
  "internet-gateway": "gateway",
  "nat-gateway": "gateway",
  "load-balancer": "gateway",
  instance: "instance",
  database: "database",
  "database-standby": "standby",
  "security-group": "group",
};

const CLASS_STYLES: Record<string, string> = {
  internet: "fill:#f2f3f3,stroke:#545b64,color:#232f3e",
  network: "fill:#fdf5ec,stroke:#c7711a,stroke-dasharray:4 3,color:#232f3e",
  gateway: "fill:#f4edff,stroke:#8c4fff,color:#232f3e",
  instance: "fill:#fff4e5,stroke:#ed7100,color:#232f3e",
  database: "fill:#eceefc,stroke:#3b48cc,color:#232f3e",
  standby: "fill:#f6f7fe,stroke:#3b48cc,stroke-dasharray:4 3,color:#232f3e",
  group: "fill:#fdecec,stroke:#d13212,color:#232f3e",
  vpc: "fill:#ffffff,stroke:#8c4fff,stroke-width:2px,color:#5a2bb3",
  zone: "fill:#ffffff,stroke:#00a4a6,stroke-dasharray:6 4,color:#007d7f",
  publicSubnet: "fill:#eef6e8,stroke:#7aa116,color:#3f5a0a",
  privateSubnet: "fill:#e7f1fa,stroke:#147eba,color:#0b4a70",
};

const CLUSTER_CLASSES: Record<ClusterKind, string> = { vpc: "vpc", zone: "zone", "public-subnet": "publicSubnet", "private-subnet": "privateSubnet" };

/** Arrows by kind; Mermaid has no reversed arrow, so an upward edge is a line drawn from the upper end. */
const ARROWS: Record<EdgeKind, { readonly down: string; readonly up: string }> = {
  traffic: { down: "-->", up: "---" },
  route: { down: "-.->", up: "-.-" },
  replication: { down: "<-.->", up: "<-.->" },
  link: { down: "---", up: "---" },
};

const LINK_STYLES: Record<EdgeKind, string> = {
  traffic: "stroke:#232f3e,stroke-width:1.5px",
  route: "stroke:#7d8998,stroke-width:1px",
  replication: "stroke:#3b48cc,stroke-width:2px",
  link: "stroke:#545b64,stroke-width:1.5px",
};

function edgeLine(edge: DrawingEdge): string {
  const [from, to, arrow] = edge.upward ? [edge.to, edge.from, ARROWS[edge.kind].up] : [edge.from, edge.to, ARROWS[edge.kind].down];
  const labelled = edge.label ? `${arrow}|"${edge.label.split("\n").map(text).join("<br/>")}"|` : arrow;
  return `  ${from} ${labelled} ${to}`;
}

/** The flowchart source (without the Markdown fence). */
export function toMermaid(drawing: Drawing): string {
  // A JSON string is a YAML string: the title may hold colons.
  const lines = ["---", `title: ${JSON.stringify(drawing.title)}`, "---", "flowchart TB"];
  const nodeClasses = new Map<string, string[]>();
  const node = (indent: string, current: DrawingNode) => {
    lines.push(`${indent}${current.id}${SHAPES[current.kind](label(current.lines))}`);
    const className = NODE_CLASSES[current.kind];
    nodeClasses.set(className, [...(nodeClasses.get(className) ?? []), current.id]);
  };
  const cluster = (indent: string, current: DrawingCluster) => {
    lines.push(`${indent}subgraph ${current.id}[${label(current.lines)}]`);
    for (const inner of current.nodes) node(`${indent}  `, inner);
    // Mermaid's dagre layout places sibling subgraphs right to left in the order they are declared
    // (mermaid-js/mermaid#7741); declaring the zones last first puts them left to right, as in the SVG.
    for (const inner of current.kind === "vpc" ? [...current.clusters].reverse() : current.clusters) cluster(`${indent}  `, inner);
    lines.push(`${indent}end`);
    const className = CLUSTER_CLASSES[current.kind];
    nodeClasses.set(className, [...(nodeClasses.get(className) ?? []), current.id]);
  };
  for (const outside of drawing.nodes) node("  ", outside);
  for (const top of drawing.clusters) cluster("  ", top);
  for (const edge of drawing.edges) lines.push(edgeLine(edge));

  for (const [className, style] of Object.entries(CLASS_STYLES)) lines.push(`  classDef ${className} ${style}`);
  for (const [className, ids] of [...nodeClasses].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) lines.push(`  class ${ids.join(",")} ${className}`);
  for (const kind of Object.keys(LINK_STYLES) as EdgeKind[]) {
    const indexes = drawing.edges.flatMap((edge, index) => (edge.kind === kind ? [index] : []));
    if (indexes.length > 0) lines.push(`  linkStyle ${indexes.join(",")} ${LINK_STYLES[kind]}`);
  }
  return `${lines.join("\n")}\n`;
}
