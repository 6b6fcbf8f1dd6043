import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { synthesize, withHclSetting } from "../../src/synthesize";
import { unquoteReferenceLists } from "../../src/terraform/hcl-output";
import { PROJECT_ROOT } from "../support/stacks";

describe("HCL output", () => {
  it("replaces the JSON of an earlier synthesis instead of sitting beside it, and the reverse", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-formats-"));
    try {
      const variables = { INVENTORY_ENV: "default" };
      const [json] = synthesize({ projectRoot: PROJECT_ROOT, outdir, hcl: false, variables });
      // assets/: the app's archive and the rotation function's code, which the configuration names by path.
      expect(fs.readdirSync(json.directory).sort()).toEqual(["assets", "cdk.tf.json"]);
      const [hcl] = synthesize({ projectRoot: PROJECT_ROOT, outdir, hcl: true, variables });
      expect(fs.readdirSync(hcl.directory).sort()).toEqual(["assets", "cdk.tf", "metadata.json"]);
      const hclText = fs.readFileSync(path.join(hcl.directory, "cdk.tf"), "utf8");
      expect(hclText).toMatch(/^resource "aws_vpc" "network_vpc" \{$/m);
      // depends_on lists references, as Terraform wants them, not the quoted strings cdktf writes.
      expect(hclText).toContain(
        "depends_on = [\naws_route.network_public_default_route,\naws_route_table_association.network_public_subnet_1_routes,\n" +
          "aws_route_table_association.network_public_subnet_2_routes,\naws_s3_bucket_policy.access_logs_policy,\n]",
      );
      expect(hclText).not.toMatch(/^\s*"[a-z0-9_]+\.[a-z0-9_]+",?$/m);
      // The WAF rules' statements, which cdktf's bindings leave untyped, as the blocks Terraform wants, at every depth.
      expect(hclText).not.toContain("of an unexpected type");
      expect(hclText).not.toMatch(/^\s*(statement|rate_based_statement|scope_down_statement|byte_match_statement|managed_rule_group_statement) = \{$/m);
      expect(hclText).toMatch(/^\s*statement \{\n\s*rate_based_statement \{$/m);
      synthesize({ projectRoot: PROJECT_ROOT, outdir, hcl: false, variables });
      expect(fs.readdirSync(json.directory).sort()).toEqual(["assets", "cdk.tf.json"]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("is what main.ts writes when cdktf synth --hcl asks for it (SYNTH_HCL_OUTPUT)", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-cli-hcl-"));
    try {
      synthesize({ projectRoot: PROJECT_ROOT, outdir, variables: {} });
      // As the CLI's --hcl does: the variable alone, no option passed.
      const stacks = withHclSetting(true, () => synthesize({ projectRoot: PROJECT_ROOT, outdir, variables: {} }));
      expect(stacks.map((stack) => stack.stackName).sort()).toEqual(["inventory-default", "inventory-lab-start"]);
      for (const stack of stacks) expect(fs.readdirSync(stack.directory).sort()).toEqual(["assets", "cdk.tf", "metadata.json"]);
      expect(fs.readdirSync(path.join(outdir, "stacks", "inventory-state")).sort()).toEqual(["cdk.tf", "metadata.json"]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe("unquoteReferenceLists", () => {
  it("writes the entries of depends_on and ignore_changes as references, and leaves every other quoted string alone", () => {
    const hcl = [
      'resource "aws_autoscaling_group" "group" {',
      '  name = "launch_template"',
      "  tags = [",
      '    "aws_route.default",',
      "  ]",
      "  depends_on = [",
      '    "aws_iam_role_policy.read",',
      '    "data.aws_region.here"',
      "  ]",
      "  lifecycle {",
      "    ignore_changes = [",
      '      "launch_template",',
      "    ]",
      "  }",
      "}",
    ].join("\n");
    const before = hcl.split("\n");
    const changed = unquoteReferenceLists(hcl)
      .split("\n")
      .map((line, index) => [before[index], line])
      .filter(([original, line]) => original !== line);
    expect(changed).toEqual([
      ['    "aws_iam_role_policy.read",', "    aws_iam_role_policy.read,"],
      ['    "data.aws_region.here"', "    data.aws_region.here"],
      ['      "launch_template",', "      launch_template,"],
    ]);
  });
});
