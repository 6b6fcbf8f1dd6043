import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Architecture, architectureFiles, generateArchitecture, staleArchitectureFiles } from "../../src/diagram/architecture";
import { PROJECT_ROOT } from "../support/stacks";

// The CI check: the committed diagram of the default environment is what the code draws now.
// The Markdown and DOT are compared byte for byte, the SVG by its text (its coordinates vary with dot's version).
describe("docs/architecture.* (the committed diagram of the default environment)", () => {
  let architecture: Architecture;

  beforeAll(() => {
    architecture = generateArchitecture(PROJECT_ROOT, "default");
  });

  it("matches what npm run diagram generates from the current code", () => {
    expect(architecture.files).toEqual({ markdown: "docs/architecture.md", dot: "docs/architecture.dot", svg: "docs/architecture.svg" });
    expect(staleArchitectureFiles(PROJECT_ROOT, architecture)).toStrictEqual([]);
  });

  it("embeds the Mermaid diagram GitHub renders and links the SVG", () => {
    const page = fs.readFileSync(path.join(PROJECT_ROOT, "docs/architecture.md"), "utf8");
    expect(page).toMatch(/^```mermaid\n---\ntitle: "Inventory HA: environment default \(stack inventory-default\)"\n---\nflowchart TB\n/m);
    expect(page).toContain("[architecture.svg](architecture.svg)");
    expect(page).toContain(
      "| us-west-2b | Private Subnet 2 | private | 10.0.4.0/23 | Private Route Table 2 | 0.0.0.0/0 → NAT Gateway 2 in Public Subnet 2, us-west-2b |",
    );
    expect(page).toContain("| group Inventory-App | group Inventory-DB | MySQL 3306 | egress rule of Inventory-App and ingress rule of Inventory-DB |");
  });

  describe("the check", () => {
    let copy: string;

    beforeEach(() => {
      copy = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-diagram-check-"));
      fs.cpSync(path.join(PROJECT_ROOT, "docs"), path.join(copy, "docs"), { recursive: true });
    });

    afterEach(() => fs.rmSync(copy, { recursive: true, force: true }));

    it("names an edited page and a missing DOT file", () => {
      fs.appendFileSync(path.join(copy, "docs/architecture.md"), "\nhand edit\n");
      fs.rmSync(path.join(copy, "docs/architecture.dot"));
      expect(staleArchitectureFiles(copy, architecture)).toEqual(["docs/architecture.md", "docs/architecture.dot (missing)"]);
    });

    it("names an SVG whose text is not the drawing's, but not one laid out differently", () => {
      const svgFile = path.join(copy, "docs/architecture.svg");
      const svg = fs.readFileSync(svgFile, "utf8");
      fs.writeFileSync(
        svgFile,
        svg.replace(/ x="([\d.]+)"/g, (_, x: string) => ` x="${Number(x) + 7}"`),
      );
      expect(staleArchitectureFiles(copy, architecture)).toStrictEqual([]);
      fs.writeFileSync(svgFile, svg.replace(">NAT Gateway 2<", ">NAT Gateway 9<"));
      expect(staleArchitectureFiles(copy, architecture)).toEqual(["docs/architecture.svg (its text differs from the drawing)"]);
    });
  });

  it("gives other environments files of their own", () => {
    expect(architectureFiles("lab-start")).toEqual({
      markdown: "docs/architecture-lab-start.md",
      dot: "docs/architecture-lab-start.dot",
      svg: "docs/architecture-lab-start.svg",
    });
  });
});
