import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ProjectCopy } from "../support/project-copy";
import { svgTexts } from "../../src/diagram/graphviz";

// `npm run diagram` as a user runs it on a fresh clone (no docs/architecture.* yet), in a throwaway copy of the project.
describe("npm run diagram", () => {
  let project: ProjectCopy;
  const diagram = (...args: string[]) => project.run(process.execPath, ["scripts/run.mjs", "scripts/diagram.ts", ...args]);

  beforeAll(() => {
    project = new ProjectCopy();
  });

  afterAll(() => project.remove());

  it("writes the page, the DOT source and the SVG of the default environment, which --check then accepts", () => {
    expect(project.exists("docs/architecture.md")).toBe(false);
    const result = diagram();
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("wrote docs/architecture.md\nwrote docs/architecture.dot\nwrote docs/architecture.svg\n");
    expect(project.read("docs/architecture.md")).toContain("```mermaid\n");
    expect(svgTexts(project.read("docs/architecture.svg"))).toContain("NAT Gateway 2");

    const check = diagram("--check");
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
  });

  it("writes the same files on every run", () => {
    const before = ["md", "dot", "svg"].map((extension) => project.read(`docs/architecture.${extension}`));
    expect(diagram().status).toBe(0);
    expect(["md", "dot", "svg"].map((extension) => project.read(`docs/architecture.${extension}`))).toEqual(before);
  });

  it("fails --check in one line when a committed file is out of date", () => {
    const page = project.read("docs/architecture.md");
    project.write("docs/architecture.md", page.replace("NAT Gateway 2", "NAT Gateway II"));
    try {
      const check = diagram("--check");
      expect(check.status).toBe(1);
      expect(check.stderr).toBe("out of date (run npm run diagram): docs/architecture.md\n");
    } finally {
      project.write("docs/architecture.md", page);
    }
  });

  it("draws another environment into files of its own, leaving the default's alone", () => {
    const page = project.read("docs/architecture.md");
    const result = diagram("--env", "lab-start");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("wrote docs/architecture-lab-start.md\nwrote docs/architecture-lab-start.dot\nwrote docs/architecture-lab-start.svg\n");
    expect(project.read("docs/architecture-lab-start.md")).toContain("1 NAT gateway: lab-start-NAT Gateway 1 in lab-start-Public Subnet 1, us-west-2a.");
    expect(project.read("docs/architecture.md")).toBe(page);
    expect(diagram("--env=lab-start", "--check").status).toBe(0);
  });

  it("refuses an unknown environment or argument in one line", () => {
    const unknown = diagram("--env", "prod");
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toBe('Invalid settings: INVENTORY_ENV: unknown environment "prod"; known: default, lab-start\n');
    const argument = diagram("--svg-only");
    expect(argument.status).toBe(1);
    expect(argument.stderr).toBe('Invalid settings: unknown argument "--svg-only"; usage: npm run diagram [-- --env NAME] [--check]\n');
  });

  it("needs no Graphviz on the machine: it renders with the WebAssembly build npm installs", () => {
    const emptyBin = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-no-dot-"));
    try {
      fs.rmSync(project.path("docs"), { recursive: true, force: true });
      // Node itself found by its full path; nothing else on PATH.
      const result = project.run(process.execPath, ["scripts/run.mjs", "scripts/diagram.ts"], { PATH: emptyBin });
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect(svgTexts(project.read("docs/architecture.svg"))).toContain("NAT Gateway 2");
    } finally {
      fs.rmSync(emptyBin, { recursive: true, force: true });
    }
  });
});
