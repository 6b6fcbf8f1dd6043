import * as fs from "node:fs";
import { ProjectCopy } from "../support/project-copy";

// cdktf.json runs the app through scripts/run.mjs, which reuses a bundle of
// the sources while none of them changed. An edited source must be in the
// very next synthesis.
describe("the app command never runs stale code", () => {
  let project: ProjectCopy;

  beforeAll(() => {
    project = new ProjectCopy();
  });

  afterAll(() => project.remove());

  const synth = () => {
    const result = project.run("node", ["scripts/run.mjs", "main.ts"], { INVENTORY_ENV: "default" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    return JSON.parse(project.read("cdktf.out/stacks/inventory-default/cdk.tf.json"));
  };

  it("reuses the bundle in a copy of the project that kept its files' modification times", () => {
    const bundle = project.path(".cache/run/main.cjs");
    const builtAt = fs.statSync(bundle).mtimeMs;
    expect(synth().resource.aws_internet_gateway.network_internet_gateway.tags.Name).toBe("Lab Internet Gateway");
    expect(fs.statSync(bundle).mtimeMs).toBe(builtAt);
  });

  // Each edit costs a rebuild (seconds of CPU), so one edit proves both: an
  // edited source file, and a file that edit newly imports, are in the next run.
  it("synthesizes an edited source file, and a file the edit newly imports, on the next run", () => {
    project.write("src/constructs/network/gateway-name.ts", 'export const GATEWAY_NAME = "Imported Internet Gateway";\n');
    const networkFile = "src/constructs/network/network.ts";
    const edited = project.read(networkFile).replace('internetGateway: "Lab Internet Gateway"', "internetGateway: GATEWAY_NAME");
    expect(edited).not.toBe(project.read(networkFile));
    project.write(networkFile, `import { GATEWAY_NAME } from "./gateway-name";\n${edited}`);
    expect(synth().resource.aws_internet_gateway.network_internet_gateway.tags.Name).toBe("Imported Internet Gateway");
  });

  it("synthesizes the next edit of that newly imported file", () => {
    project.write("src/constructs/network/gateway-name.ts", 'export const GATEWAY_NAME = "Renamed Internet Gateway";\n');
    expect(synth().resource.aws_internet_gateway.network_internet_gateway.tags.Name).toBe("Renamed Internet Gateway");
  });
});
