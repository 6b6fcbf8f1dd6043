// npm run diagram [-- --env NAME] [--check]: synthesizes one environment
// (default: default) and writes its architecture documents: the page with a
// Mermaid diagram (docs/architecture.md), the Graphviz source
// (docs/architecture.dot) and its SVG rendering (docs/architecture.svg); other
// environments get docs/architecture-<env>.*. --check writes nothing and
// exits 1 when the files in docs/ differ from what would be generated.
import * as fs from "node:fs";
import * as path from "node:path";
import { SettingsError, settingsErrorText } from "../src/config/load";
import { projectRoot } from "../src/config/project-root";
import { DEFAULT_ENVIRONMENT, generateArchitecture, staleArchitectureFiles } from "../src/diagram/architecture";
import { renderSvg } from "../src/diagram/graphviz";
import { TopologyError } from "../src/diagram/topology";

const USAGE = "usage: npm run diagram [-- --env NAME] [--check]";

function parseArguments(args: string[]): { environment: string; check: boolean } {
  let environment = DEFAULT_ENVIRONMENT;
  let check = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === "--env" && args[index + 1]) environment = args[++index];
    else if (arg.startsWith("--env=")) environment = arg.slice("--env=".length);
    else if (arg === "--check") check = true;
    else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new SettingsError(`unknown argument "${arg}"; ${USAGE}`);
  }
  return { environment, check };
}

async function main(): Promise<void> {
  const { environment, check } = parseArguments(process.argv.slice(2));
  const root = projectRoot();
  const architecture = generateArchitecture(root, environment);
  if (check) {
    const stale = staleArchitectureFiles(root, architecture);
    if (stale.length > 0) {
      console.error(`out of date (run npm run diagram${environment === DEFAULT_ENVIRONMENT ? "" : ` -- --env ${environment}`}): ${stale.join(", ")}`);
      process.exitCode = 1;
    }
    return;
  }
  // Rendered before anything is written, so a failure leaves the three files as they were.
  const svg = await renderSvg(architecture.dot);
  for (const [file, content] of [
    [architecture.files.markdown, architecture.markdown],
    [architecture.files.dot, architecture.dot],
    [architecture.files.svg, svg],
  ] as const) {
    fs.mkdirSync(path.join(root, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
    console.log(`wrote ${file}`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof SettingsError) console.error(settingsErrorText(error));
  else if (error instanceof TopologyError) console.error(`Cannot draw the diagram: ${error.message}`);
  else throw error;
  process.exitCode = 1;
});
