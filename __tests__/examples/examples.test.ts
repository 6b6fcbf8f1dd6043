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
  "app-tier-behind-a-load-balancer": {
    database_host: "inventory-db.abcdefghijkl.eu-central-1.rds.amazonaws.com",
    database_secret_arn: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:inventory-db-app-user-AbCdEf",
  },
  "monitoring-on-its-own": {
    load_balancer_arn_suffix: "app/example-lb/0123456789abcdef",
    target_group_arn_suffix: "targetgroup/example-app/0123456789abcdef",
    auto_scaling_group_name: "example-asg",
    database_identifier: "example-db",
    nat_gateway_ids: ["nat-0123456789abcdef0", "nat-0123456789abcdef1"],
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
    expect(EXAMPLES).toEqual(["app-tier-behind-a-load-balancer", "database-in-a-vpc", "monitoring-on-its-own", "network-and-load-balancer"]);
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
      expect(readable(validation.get(example))).toStrictEqual([]);
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

  it("app-tier-behind-a-load-balancer registers the servers with the load balancer, behind chained groups, booting against the given database", () => {
    const { document } = synthesized.get("app-tier-behind-a-load-balancer")!;
    expect(Object.keys(document.variable).sort()).toEqual(["database_host", "database_secret_arn"]);
    const [[targetGroupName]] = resourcesOf(document, "aws_lb_target_group");
    const [[, group]] = resourcesOf(document, "aws_autoscaling_group");
    expect(group).toMatchObject({ name: "example-asg", min_size: 2, max_size: 2 });
    expect(group.target_group_arns).toEqual([`\${aws_lb_target_group.${targetGroupName}.arn}`]);
    // The servers run in the private subnets, and take HTTP from the load balancer's group only.
    expect(group.vpc_zone_identifier.every((subnet: string) => /private/.test(subnet))).toBe(true);
    const fromLoadBalancer = resourcesOf(document, "aws_vpc_security_group_ingress_rule").filter(([, rule]) => rule.referenced_security_group_id);
    expect(fromLoadBalancer.map(([, rule]) => rule.from_port)).toContain(80);
    const [[, template]] = resourcesOf(document, "aws_launch_template");
    const boot = JSON.stringify(template.user_data);
    expect(boot).toContain("var.database_host");
    expect(boot).toContain("var.database_secret_arn");
    expect(resourcesOf(document, "aws_lambda_function").map(([, lambda]) => lambda.function_name)).toEqual(["example-app-release"]);
  });

  it("monitoring-on-its-own watches the resources it is given: an alarm per signal and NAT gateway, a topic, a dashboard", () => {
    const { document } = synthesized.get("monitoring-on-its-own")!;
    expect(Object.keys(document.variable).sort()).toEqual([
      "auto_scaling_group_name",
      "database_identifier",
      "load_balancer_arn_suffix",
      "nat_gateway_ids",
      "target_group_arn_suffix",
    ]);
    const alarms = resourcesOf(document, "aws_cloudwatch_metric_alarm").map(([, alarm]) => alarm);
    expect(alarms).toHaveLength(15);
    const [[topicName]] = resourcesOf(document, "aws_sns_topic");
    for (const alarm of alarms) expect(alarm.alarm_actions).toEqual([`\${aws_sns_topic.${topicName}.arn}`]);
    const watched = JSON.stringify(alarms);
    for (const variable of ["load_balancer_arn_suffix", "target_group_arn_suffix", "auto_scaling_group_name", "database_identifier", "nat_gateway_ids"])
      expect(watched).toContain(`var.${variable}`);
    const [[, dashboard]] = resourcesOf(document, "aws_cloudwatch_dashboard");
    expect(dashboard.dashboard_name).toBe("example-availability");
    expect(resourcesOf(document, "aws_sns_topic_subscription").map(([, subscription]) => subscription.endpoint)).toEqual(["ops@example.com"]);
  });
});
