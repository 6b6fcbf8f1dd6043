import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { synthesize } from "../synthesize";
import type { TerraformDocument } from "../terraform/document";
import { type Drawing, drawTopology } from "./drawing";
import { drawingTexts, svgTexts, toDot } from "./graphviz";
import { toMermaid } from "./mermaid";
import { architecturePage } from "./page";
import { readTopology, type Topology } from "./topology";

/**
 * The architecture documents of one environment, generated from a fresh
 * synthesis so they are never drawn from a stale cdktf.out: the Markdown page
 * with its Mermaid diagram, the Graphviz source, and where the SVG goes.
 * The default environment's files are docs/architecture.{md,dot,svg}; any
 * other's carry its name, so drawing one never touches the committed default.
 */

/** The environment whose documents are committed: the lab's final state. */
export const DEFAULT_ENVIRONMENT = "default";

export interface ArchitectureFiles {
  readonly markdown: string;
  readonly dot: string;
  readonly svg: string;
}

export interface Architecture {
  readonly environment: string;
  readonly stackName: string;
  readonly topology: Topology;
  readonly drawing: Drawing;
  /** Paths relative to the project root. */
  readonly files: ArchitectureFiles;
  readonly markdown: string;
  readonly dot: string;
}

export function architectureFiles(environment: string): ArchitectureFiles {
  const base = path.join("docs", environment === DEFAULT_ENVIRONMENT ? "architecture" : `architecture-${environment}`);
  return { markdown: `${base}.md`, dot: `${base}.dot`, svg: `${base}.svg` };
}

/** Synthesizes `environment` into a throwaway folder and builds its documents (the SVG is rendered by the caller). */
export function generateArchitecture(projectRoot: string, environment: string): Architecture {
  const workDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-diagram-"));
  try {
    // Only the selector: the variables that override state settings change nothing drawn, and must not make the committed diagram depend on who ran it.
    const [stack] = synthesize({ projectRoot, outdir: path.join(workDirectory, "cdktf.out"), variables: { INVENTORY_ENV: environment } });
    const document = JSON.parse(fs.readFileSync(path.join(stack.directory, "cdk.tf.json"), "utf8")) as TerraformDocument;
    const topology = readTopology(document);
    const drawing = drawTopology(topology, `Inventory HA: environment ${environment} (stack ${stack.stackName})`);
    const files = architectureFiles(environment);
    const dot = toDot(drawing);
    const markdown = architecturePage({
      environment,
      stackName: stack.stackName,
      topology,
      drawing,
      mermaid: toMermaid(drawing),
      svgFile: path.basename(files.svg),
      dotFile: path.basename(files.dot),
    });
    return { environment, stackName: stack.stackName, topology, drawing, files, markdown, dot };
  } finally {
    fs.rmSync(workDirectory, { recursive: true, force: true });
  }
}

/**
 * The files of `architecture` that differ from what is in `projectRoot`, with
 * why. The Markdown and DOT must match byte for byte; the SVG, laid out a
 * little differently by each Graphviz version, must show exactly the
 * drawing's text.
 */
export function staleArchitectureFiles(projectRoot: string, architecture: Architecture): string[] {
  const read = (file: string) => {
    const full = path.join(projectRoot, file);
    return fs.existsSync(full) ? fs.readFileSync(full, "utf8") : undefined;
  };
  const stale: string[] = [];
  for (const [file, expected] of [
    [architecture.files.markdown, architecture.markdown],
    [architecture.files.dot, architecture.dot],
  ] as const) {
    const current = read(file);
    if (current === undefined) stale.push(`${file} (missing)`);
    else if (current !== expected) stale.push(file);
  }
  const svg = read(architecture.files.svg);
  if (svg === undefined) stale.push(`${architecture.files.svg} (missing)`);
  else if (JSON.stringify(svgTexts(svg).sort()) !== JSON.stringify(drawingTexts(architecture.drawing)))
    stale.push(`${architecture.files.svg} (its text differs from the drawing)`);
  return stale;
}
