import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import type { Diagnostic } from "../../src/terraform/terraform-cli";
import { validateStacks } from "../../src/terraform/validate-stacks";
import { PROJECT_ROOT, resourcesOf } from "../support/stacks";
import { readable, TERRAFORM_CACHE } from "../support/terraform";

// The stack examples in examples/ use the constructs on their own, outside
// the settings schema. Each is synthesized as its cdktf.json runs it (in its
// own folder), and all of them are validated by the real Terraform in one run.
// examples/ci/ holds the CI pipeline to copy, no stack (example-pipeline.test.ts).
const EXAMPLES = fs
  .readdirSync(path.join(PROJECT_ROOT, "examples"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(PROJECT_ROOT, "examples", entry.name, "cdktf.json")))
  .map((entry) => entry.name)
  .sort();

/** What each example's variables are given in the validation, as a user would in terraform.tfvars. */
const VARIABLES: Record<string, Record<string, unknown>> = {
  "database-in-a-vpc": {
    vpc_id: "vpc-0123456789abcdef0",
    private_subnet_ids: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    client_cidr: "10.0.0.0/16",
  },
};

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-examples-"));
const synthesized = new Map<string, { status: number | null; stderr: string; document?: any }>();
let validation: Map<string, Diagnostic[]> | Error;

beforeAll(async () => {
  for (const example of EXAMPLES) {
    const folder = path.join(PROJECT_ROOT, "examples", example);
    const appCommand = JSON.parse(fs.readFileSync(path.join(folder, "cdktf.json"), "utf8")).app as string;
    const result = spawnSync("sh", ["-c", appCommand], { cwd: folder, encoding: "utf8", env: { ...process.env, CDKTF_OUTDIR: path.join(outdir, example) } });
    const file = path.join(outdir, example, "stacks", example, "cdk.tf.json");
    synthesized.set(example, {
      status: result.status,
      stderr: result.stderr,
      document: fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined,
    });
  }
  const stacks = EXAMPLES.filter((example) => synthesized.get(example)?.document).map((example) => ({
    name: example,
    directory: path.join(outdir, example, "stacks", example),
    variables: VARIABLES[example],
  }));
  validation = await validateStacks(stacks, { cacheDirectory: TERRAFORM_CACHE }).catch((error: Error) => error);
});

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

describe("examples/", () => {
  it("holds the examples docs/stack.md points at", () => {
    expect(EXAMPLES).toEqual(["database-in-a-vpc", "network-and-load-balancer"]);
    // Every other folder is the CI pipeline's: a stack example without its cdktf.json is not left out unnoticed.
    const folders = fs.readdirSync(path.join(PROJECT_ROOT, "examples"), { withFileTypes: true }).filter((entry) => entry.isDirectory());
    expect(folders.map((entry) => entry.name).filter((name) => !EXAMPLES.includes(name))).toEqual(["ci"]);
    const page = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "stack.md"), "utf8");
    for (const example of EXAMPLES) expect(page).toContain(`examples/${example}/`);
  });

  describe.each(EXAMPLES)("%s", (example) => {
    it("synthesizes through its own cdktf.json, into one stack named after it", () => {
      const result = synthesized.get(example)!;
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect(fs.readdirSync(path.join(outdir, example, "stacks"))).toEqual([example]);
    });

    it("passes terraform validate without errors or warnings", () => {
      if (validation instanceof Error) throw validation;
      expect(readable(validation.get(example))).toEqual([]);
    });

    it("keeps its state in a file beside its cdktf.json, the same on every machine", () => {
      expect(synthesized.get(example)!.document.terraform.backend).toEqual({ local: { path: `../../../terraform.${example}.tfstate` } });
    });
  });

  it("network-and-load-balancer forwards to one fixed address, after the internet route and the log bucket's policy", () => {
    const { document } = synthesized.get("network-and-load-balancer")!;
    const [[, attachment]] = resourcesOf(document, "aws_lb_target_group_attachment");
    expect(attachment).toMatchObject({ target_id: "10.0.2.10", port: 80 });
    const [[, group]] = resourcesOf(document, "aws_lb_target_group");
    expect(group.target_type).toBe("ip");
    const [[, alb]] = resourcesOf(document, "aws_lb");
    expect(alb.depends_on.map((address: string) => address.split(".")[0])).toEqual([
      "aws_route",
      "aws_route_table_association",
      "aws_route_table_association",
      "aws_s3_bucket_policy",
    ]);
    expect(resourcesOf(document, "aws_nat_gateway")).toHaveLength(1);
  });

  it("database-in-a-vpc puts the database in the VPC and subnets it is given", () => {
    const { document } = synthesized.get("database-in-a-vpc")!;
    expect(Object.keys(document.variable).sort()).toEqual(["client_cidr", "private_subnet_ids", "vpc_id"]);
    const [[, subnetGroup]] = resourcesOf(document, "aws_db_subnet_group");
    expect(subnetGroup.subnet_ids).toBe("${var.private_subnet_ids}");
    const [[, group]] = resourcesOf(document, "aws_security_group");
    expect(group.vpc_id).toBe("${var.vpc_id}");
    const [[, instance]] = resourcesOf(document, "aws_db_instance");
    expect(instance).toMatchObject({ identifier: "example-db", multi_az: true, storage_encrypted: true, manage_master_user_password: true });
  });
});
