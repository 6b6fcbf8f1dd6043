import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readableDiagnostics, runTerraform, terraformBinary, terraformEnvironment, TerraformNotFoundError } from "../../src/terraform/terraform-cli";
import { validateStacks } from "../../src/terraform/validate-stacks";
import { TERRAFORM_CACHE } from "../support/terraform";

let scratch: string;

beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-runner-"));
});

afterEach(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe("finding terraform", () => {
  it("is found on this machine", () => {
    expect(fs.existsSync(terraformBinary())).toBe(true);
  });

  it("fails with how to install it when it is not on PATH", () => {
    expect(() => terraformBinary({ PATH: scratch })).toThrow(TerraformNotFoundError);
    expect(() => terraformBinary({ PATH: scratch })).toThrow(
      /terraform is not on PATH\. Install Terraform 1\.10 or newer .*developer\.hashicorp\.com\/terraform\/install/,
    );
  });

  it("names a TERRAFORM_BINARY that does not exist", () => {
    expect(() => terraformBinary({ TERRAFORM_BINARY: path.join(scratch, "nope") })).toThrow(/TERRAFORM_BINARY=.*nope is not an executable file/);
  });
});

describe("terraform's environment", () => {
  function mirror(): string {
    const directory = path.join(scratch, "mirror");
    fs.mkdirSync(path.join(directory, "registry.terraform.io"), { recursive: true });
    return directory;
  }

  it("points at the offline provider mirror through a CLI config of its own", () => {
    const environment = terraformEnvironment(path.join(scratch, "cache"), { TF_PROVIDER_MIRROR: mirror() });
    expect(environment).toMatchObject({ CHECKPOINT_DISABLE: "1", TF_INPUT: "0" });
    const config = fs.readFileSync(environment.TF_CLI_CONFIG_FILE!, "utf8");
    expect(config).toContain(`path    = ${JSON.stringify(mirror())}`);
    expect(config).toMatch(/direct \{\s+exclude = \["registry\.terraform\.io\/hashicorp\/aws"\]/);
  });

  it("leaves a machine without a mirror alone", () => {
    const environment = terraformEnvironment(path.join(scratch, "cache"), { TF_PROVIDER_MIRROR: path.join(scratch, "none") });
    expect(environment.TF_CLI_CONFIG_FILE).toBeUndefined();
  });

  it("keeps a user's own CLI config", () => {
    const own = path.join(scratch, "own.tfrc");
    fs.writeFileSync(own, "");
    expect(terraformEnvironment(path.join(scratch, "cache"), { TF_PROVIDER_MIRROR: mirror(), TF_CLI_CONFIG_FILE: own }).TF_CLI_CONFIG_FILE).toBe(own);
  });
});

describe("terraform's diagnostics", () => {
  it("keep Terraform's own message, without box drawing or CLI-config noise", () => {
    const stderr = [
      "There are some problems with the CLI configuration:",
      "╷",
      "│ Warning: Unable to open CLI configuration file",
      "╵",
      "╷",
      "│ Error: Unsupported argument",
      "│ ",
      "│   on cdk.tf.json line 12, in resource.aws_vpc.network_vpc:",
      '│   12:         "cidr_blok": "10.0.0.0/20",',
      "│ ",
      '│ An argument named "cidr_blok" is not expected here.',
      "╵",
    ].join("\n");
    const text = readableDiagnostics("", stderr);
    expect(text).toMatch(/^Error: Unsupported argument/);
    expect(text).toContain('An argument named "cidr_blok" is not expected here.');
    expect(text).not.toMatch(/CLI configuration|│|╷/);
  });
});

describe("a terraform command that never ends", () => {
  it("is interrupted as Ctrl-C would, after the time it was given, and fails saying so", async () => {
    // A stand-in for terraform that waits on a cloud API forever, and notes the signal it gets.
    const binary = path.join(scratch, "terraform");
    fs.writeFileSync(
      binary,
      `#!/bin/bash\ntrap 'echo interrupted > ${scratch}/signal; exit 130' INT\necho "Still creating..."\nwhile true; do sleep 0.1; done\n`,
      { mode: 0o755 },
    );
    const run = runTerraform(["apply", "-auto-approve"], { cwd: scratch, environment: { PATH: "/usr/bin:/bin" }, binary, timeoutMs: 500 });
    await expect(run).rejects.toThrow(/^terraform apply -auto-approve was stopped after 1 s in .*:\n[^]*Still creating\.\.\./);
    expect(fs.readFileSync(path.join(scratch, "signal"), "utf8")).toBe("interrupted\n");
  });
});

// A broken construct failing validation with Terraform's message, against its
// own stack, is proven in the environments suite's validate run.
describe("validating several stacks in one terraform run", () => {
  it("refuses a stack name Terraform's file names could not tell apart, before running anything", async () => {
    const options = { cacheDirectory: TERRAFORM_CACHE, variables: { PATH: scratch } };
    await expect(validateStacks([{ name: "Default_JSON", directory: scratch }], options)).rejects.toThrow(
      /stack name "Default_JSON" must be lower-case letters, digits and dashes/,
    );
    await expect(
      validateStacks(
        [
          { name: "default", directory: scratch },
          { name: "default", directory: scratch },
        ],
        options,
      ),
    ).rejects.toThrow(/stack name "default" is given twice/);
  });
});
