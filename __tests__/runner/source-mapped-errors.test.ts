import { ProjectCopy } from "../support/project-copy";

// cdktf.json runs the app from a minified bundle (scripts/run.mjs). An error a
// construct throws must still point at the TypeScript line that threw it, as
// a user running `cdktf synth` reads it.
describe("errors point at the TypeScript source", () => {
  let project: ProjectCopy;

  beforeAll(() => {
    project = new ProjectCopy();
  });

  afterAll(() => project.remove());

  /** Inserts `statement` after the first line matching `after` in a file of the copy; returns the new line's number. */
  const insertAfter = (file: string, after: RegExp, statement: string): number => {
    const lines = project.read(file).split("\n");
    const index = lines.findIndex((line) => after.test(line));
    expect(index).toBeGreaterThanOrEqual(0);
    lines.splice(index + 1, 0, statement);
    project.write(file, lines.join("\n"));
    return index + 2;
  };

  it("names the construct's file and line when it throws a plain Error during synthesis, and writes nothing", () => {
    const line = insertAfter("src/constructs/network/network.ts", /^\s+super\(scope, id\);$/, '    throw new Error("the network refuses to be built");');
    const appCommand = JSON.parse(project.read("cdktf.json")).app as string;
    const result = project.run("sh", ["-c", appCommand], { CDKTF_OUTDIR: project.path("cdktf.out") });
    expect(result.status).toBe(1);
    const stderr = result.stderr.trim().split("\n");
    expect(stderr[0]).toBe("Error: the network refuses to be built");
    expect(stderr[1]).toBe(`    at new Network (${project.path("src", "constructs", "network", "network.ts")}:${line}:11)`);
    expect(stderr[2]).toMatch(/^ {4}at new InventoryStack \(.*\/src\/stacks\/inventory-stack\.ts:\d+:\d+\)$/);
    // Neither a position in the bundle nor a minified line of it.
    expect(result.stderr).not.toContain(".cache/run/");
    expect(Math.max(...stderr.map((text) => text.length))).toBeLessThan(200);
    expect(project.exists("cdktf.out")).toBe(false);
  });

  it("names the TypeScript line of an error in an async function nobody awaited", () => {
    project.write("failing-later.ts", 'async function later(): Promise<void> {\n  await Promise.resolve();\n  throw new Error("later");\n}\nvoid later();\n');
    const result = project.run("node", ["scripts/run.mjs", "failing-later.ts"]);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split("\n").slice(0, 2)).toEqual(["Error: later", `    at later (${project.path("failing-later.ts")}:3:9)`]);
  });
});
