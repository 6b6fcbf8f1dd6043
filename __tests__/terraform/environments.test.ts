import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadEnvironments } from "../../src/config/load";
import { App } from "cdktf";
import { InventoryStack } from "../../src/stacks/inventory-stack";
import { APP_DIRECTORY, PROJECT_ROOT, settingsFor } from "../support/stacks";
import type { Diagnostic } from "../../src/terraform/terraform-cli";
import { domainSettings, EXAMPLE_DOMAIN } from "../../src/policy/evaluate";
import { readSavedPlan } from "../../src/terraform/saved-plan";
import { StackWorkspace } from "../../src/terraform/stack-workspace";
import { type StackToValidate, validateStacks } from "../../src/terraform/validate-stacks";
import { readableChanges, referencedResources } from "../support/plan-json";
import { readable, synthesizeEnvironment, TERRAFORM_CACHE } from "../support/terraform";

// Every environment of the repository, and the state bootstrap stack, proven
// against the real terraform and AWS provider: the JSON and the HCL of each
// pass terraform validate, in one terraform run shared by the assertions
// below. Offline plans are npm run plan's test (the default environment, from
// JSON and from HCL, asserted equal) and the S3 backend's (lab-start, locked).
const environments = loadEnvironments({ directory: path.join(PROJECT_ROOT, "environments"), variables: {} }).map((settings) => settings.environment);

/**
 * A copy of a synthesized stack with a wrong attribute type, as a broken
 * construct would write it, validated in the same run as the real stacks.
 */
function brokenCopy(stack: { directory: string; outdir: string }): string {
  const directory = path.join(stack.outdir, "broken");
  fs.cpSync(stack.directory, directory, { recursive: true });
  const file = path.join(directory, "cdk.tf.json");
  const document = JSON.parse(fs.readFileSync(file, "utf8"));
  document.resource.aws_lb_target_group.load_balancer_target_group.health_check.healthy_threshold = { threshold: 2 };
  fs.writeFileSync(file, JSON.stringify(document, null, 2));
  return directory;
}

/**
 * The default environment with the monitoring and scaling options the
 * repository's environments leave off: a scaling policy, subscriptions, a
 * key of the owner's own.
 */
function optionsStack(): { directory: string; outdir: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-options-"));
  const app = new App({ outdir, stackTraces: false });
  const settings = settingsFor("options", {
    appTier: { maxSize: 4, scaling: { policy: "request-count-per-target" } },
    monitoring: {
      notifications: {
        kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        emailAddresses: ["ops@example.com"],
        httpsEndpoints: ["https://hooks.example.com/alarms"],
      },
    },
  });
  new InventoryStack(app, "inventory-options", { settings, appDirectory: APP_DIRECTORY });
  app.synth();
  return { directory: path.join(outdir, "stacks", "inventory-options"), outdir };
}

/** The default environment on a name of its own: its certificate, the validation, the records and the HTTPS listener. */
function domainStack(): { directory: string; outdir: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-domain-"));
  const app = new App({ outdir, stackTraces: false });
  new InventoryStack(app, "inventory-domain", { settings: domainSettings(PROJECT_ROOT), appDirectory: APP_DIRECTORY });
  app.synth();
  return { directory: path.join(outdir, "stacks", "inventory-domain"), outdir };
}

const TERRAFORM_FORMATS = ["json", "hcl"] as const;
const stacks: StackToValidate[] = [];
const folders: string[] = [];
let validation: Map<string, Diagnostic[]> | Error;

beforeAll(async () => {
  for (const environment of environments) {
    for (const format of TERRAFORM_FORMATS) {
      const stack = synthesizeEnvironment(environment, format);
      folders.push(stack.outdir);
      stacks.push({ name: `${environment}-${format}`, directory: stack.directory });
      // Every synthesis writes the state bootstrap stack beside the environment's; one of each format is enough.
      if (environment === "default") stacks.push({ name: `state-${format}`, directory: path.join(path.dirname(stack.directory), "inventory-state") });
      if (environment === "default" && format === "json") stacks.push({ name: "broken", directory: brokenCopy(stack) });
    }
  }
  const options = optionsStack();
  folders.push(options.outdir);
  stacks.push({ name: "options", directory: options.directory });
  const domain = domainStack();
  folders.push(domain.outdir);
  stacks.push({ name: "domain", directory: domain.directory });
  validation = await validateStacks(stacks, { cacheDirectory: TERRAFORM_CACHE }).catch((error: Error) => error);
});

afterAll(() => {
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

/** The diagnostics terraform validate reported for one stack, in Terraform's words; throws what stopped validation. */
function validationOf(name: string): string[] {
  if (validation instanceof Error) throw validation;
  return readable(validation.get(name));
}

describe.each(environments)("environment %s against terraform", (environment) => {
  it("JSON passes terraform validate without errors or warnings", () => {
    expect(validationOf(`${environment}-json`)).toStrictEqual([]);
  });

  it("HCL passes terraform validate without errors or warnings", () => {
    expect(validationOf(`${environment}-hcl`)).toStrictEqual([]);
  });
});

describe("the default environment with scaling, subscriptions and its own alarm key, against terraform", () => {
  it("JSON passes terraform validate without errors or warnings", () => {
    expect(validationOf("options")).toStrictEqual([]);
  });
});

describe("the default environment on a domain of its own (loadBalancer.domain) and dual-stack (network.ipv6), against terraform", () => {
  it("JSON passes terraform validate without errors or warnings", () => {
    expect(validationOf("domain")).toStrictEqual([]);
  });

  it("plans offline: the certificate, its validation record and validation, the alias A and AAAA records, HTTPS:443 and HTTP:80 redirected", async () => {
    const workspace = StackWorkspace.create(stacks.find(({ name }) => name === "domain")!.directory, { cacheDirectory: TERRAFORM_CACHE });
    try {
      await workspace.init();
      const { planFile, text } = await workspace.plan();
      const plan = await workspace.showJson(planFile);
      // The review reads the same from the plan file.
      const reading = readSavedPlan(planFile, await workspace.numberShapes());
      if (reading.unsupported !== undefined) throw new Error(reading.unsupported);
      expect(readableChanges(reading.plan)).toEqual(readableChanges(plan));
      expect(referencedResources(reading.plan)).toEqual(referencedResources(plan));
      const created = (plan.resource_changes ?? []).filter((change) => change.change.actions.join() === "create");
      expect(created).toHaveLength((plan.resource_changes ?? []).length);
      const planned = (address: string) => created.find((change) => change.address === address)!.change.after as Record<string, any>;
      expect(planned("aws_acm_certificate.domain_certificate")).toMatchObject({ domain_name: EXAMPLE_DOMAIN.name, validation_method: "DNS" });
      expect(created.map((change) => change.address)).toEqual(
        expect.arrayContaining(["aws_acm_certificate_validation.domain_certificate_validation", "aws_route53_record.domain_validation_record"]),
      );
      expect(planned("aws_route53_record.domain_alias_a")).toMatchObject({ name: EXAMPLE_DOMAIN.name, type: "A", zone_id: EXAMPLE_DOMAIN.hostedZoneId });
      // Dual-stack (network.ipv6): the AAAA alias to the same load balancer, which answers on IPv6 from public subnets with IPv6 blocks.
      expect(planned("aws_route53_record.domain_alias_aaaa")).toMatchObject({ name: EXAMPLE_DOMAIN.name, type: "AAAA", zone_id: EXAMPLE_DOMAIN.hostedZoneId });
      expect(planned("aws_lb.load_balancer_alb")).toMatchObject({ ip_address_type: "dualstack" });
      expect(planned("aws_vpc.network_vpc")).toMatchObject({ assign_generated_ipv6_cidr_block: true });
      expect(planned("aws_route.network_public_default_route_ipv6")).toMatchObject({ destination_ipv6_cidr_block: "::/0" });
      const ipv6Ingress = created
        .filter((change) => change.type === "aws_vpc_security_group_ingress_rule" && (change.change.after as Record<string, any>).cidr_ipv6)
        .map((change) => change.change.after as Record<string, any>);
      expect(ipv6Ingress.map((rule) => `${rule.cidr_ipv6} ${rule.from_port}`).sort()).toEqual(["::/0 443", "::/0 80"]);
      const listeners = created.filter((change) => change.type === "aws_lb_listener").map((change) => change.change.after as Record<string, any>);
      expect(listeners.map((listener) => `${listener.protocol}:${listener.port}`).sort()).toEqual(["HTTP:80", "HTTPS:443"]);
      expect(listeners.find((listener) => listener.protocol === "HTTP")!.default_action).toEqual([
        expect.objectContaining({ type: "redirect", redirect: [expect.objectContaining({ protocol: "HTTPS", port: "443", status_code: "HTTP_301" })] }),
      ]);
      expect(plan.planned_values?.outputs?.app_url?.value).toBe(`https://${EXAMPLE_DOMAIN.name}`);
      expect(text).toMatch(/^Plan: \d+ to add, 0 to change, 0 to destroy\.$/m);
    } finally {
      workspace.remove();
    }
  });
});

describe("the state bootstrap stack against terraform", () => {
  it("JSON passes terraform validate without errors or warnings", () => {
    expect(validationOf("state-json")).toStrictEqual([]);
  });

  it("HCL passes terraform validate without errors or warnings", () => {
    expect(validationOf("state-hcl")).toStrictEqual([]);
  });
});

describe("a broken construct in the same terraform validate run", () => {
  it("fails with Terraform's own message and where it is, against its own stack alone", () => {
    const reported = validationOf("broken");
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatch(/^Error: Incorrect attribute value type: Inappropriate value for attribute "healthy_threshold": number required/);
    expect(reported[0]).toMatch(/\(broken\/cdk\.tf\.json line \d+, in resource\.aws_lb_target_group\.load_balancer_target_group\.health_check\)/);
  });

  it("leaves the synthesized folders as they were: Terraform worked in copies", () => {
    for (const stack of stacks.filter(({ name }) => name !== "broken")) {
      expect(fs.readdirSync(stack.directory).filter((entry) => !["cdk.tf.json", "cdk.tf", "metadata.json", "assets"].includes(entry))).toStrictEqual([]);
    }
  });
});
