import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { StackWorkspace } from "../../src/terraform/stack-workspace";
import { readableDiagnostics, TerraformError, terraformBinary, terraformEnvironment, TerraformNotFoundError } from "../../src/terraform/terraform-cli";
import { synthesizeEnvironment, TERRAFORM_CACHE } from "../support/terraform";

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
    expect(() => terraformBinary({ PATH: scratch })).toThrow(/terraform is not on PATH\. Install Terraform 1\.10 or newer .*developer\.hashicorp\.com\/terraform\/install/);
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
      '│   on cdk.tf.json line 12, in resource.aws_vpc.network_vpc:',
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

  it("make a broken construct fail validation with Terraform's message and where it is", async () => {
    const stack = synthesizeEnvironment("default", "json");
    try {
      const file = path.join(stack.directory, "cdk.tf.json");
      const document = JSON.parse(fs.readFileSync(file, "utf8"));
      // A wrong attribute type, as a broken construct would write it.
      document.resource.aws_lb_target_group.load_balancer_target_group.health_check.healthy_threshold = { threshold: 2 };
      fs.writeFileSync(file, JSON.stringify(document, null, 2));

      const workspace = StackWorkspace.create(stack.directory, { cacheDirectory: TERRAFORM_CACHE });
      try {
        await workspace.init();
        const failure = await workspace.validate().then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(failure).toBeInstanceOf(TerraformError);
        const message = (failure as Error).message;
        expect(message).toMatch(/Error: Incorrect attribute value type: Inappropriate value for attribute "healthy_threshold": number required/);
        expect(message).toMatch(/\(cdk\.tf\.json line \d+, in resource\.aws_lb_target_group\.load_balancer_target_group\.health_check\)/);
      } finally {
        workspace.remove();
      }
      // The workspace was a copy: the synthesized folder has no Terraform working data.
      expect(fs.readdirSync(stack.directory).sort()).toEqual(["cdk.tf.json"]);
    } finally {
      fs.rmSync(stack.outdir, { recursive: true, force: true });
    }
  });
});
