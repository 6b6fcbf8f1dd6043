import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { loadEnvironments } from "../../src/config/load";
import { inventoryStackName } from "../../src/config/names";
import { InventoryStack } from "../../src/stacks/inventory-stack";
import { copyOfApp } from "../support/app-folder";
import { jsonDifferences, jsonLeaves } from "../support/json-leaves";
import {
  dependenciesOf,
  passedOnReferences,
  referencedResource,
  PROJECT_ROOT,
  resourcesOf,
  settingsFor,
  synthStack,
  type SynthesizedDocument,
} from "../support/stacks";

const [defaultSettings, labStartSettings] = loadEnvironments({ directory: path.join(PROJECT_ROOT, "environments"), variables: {} });
const final = synthStack(defaultSettings);
const labStart = synthStack(labStartSettings);

/** The configuration of the resource a reference leads to. */
function resource(document: SynthesizedDocument, reference: string): any {
  return referencedResource(document, reference).config;
}

function ingressSources(document: SynthesizedDocument, groupName: string): string[] {
  return resourcesOf(document, "aws_vpc_security_group_ingress_rule")
    .map(([, rule]) => rule)
    .filter((rule) => resource(document, rule.security_group_id).name === groupName)
    .map((rule) => (rule.referenced_security_group_id ? `group ${resource(document, rule.referenced_security_group_id).name}` : `cidr ${rule.cidr_ipv4}`));
}

describe("InventoryStack wiring (default environment: the lab's final state)", () => {
  const document = final.document;

  it("is named after its environment", () => {
    expect(inventoryStackName("default")).toBe("inventory-default");
  });

  it("lets the App group be reached from the LB group only", () => {
    expect(ingressSources(document, "Inventory-App")).toEqual(["group Inventory-LB"]);
  });

  it("lets the DB group be reached from the App group and the app user's rotation function only", () => {
    expect(ingressSources(document, "Inventory-DB")).toEqual(["group inventory-db-app-user-rotation", "group Inventory-App"]);
  });

  it("attaches each tier's security group to its tier", () => {
    const [, alb] = resourcesOf(document, "aws_lb")[0];
    const [, template] = resourcesOf(document, "aws_launch_template")[0];
    const [, database] = resourcesOf(document, "aws_db_instance")[0];
    expect(alb.security_groups.map((id: string) => resource(document, id).name)).toEqual(["Inventory-LB"]);
    expect(template.vpc_security_group_ids.map((id: string) => resource(document, id).name)).toEqual(["Inventory-App"]);
    expect(database.vpc_security_group_ids.map((id: string) => resource(document, id).name)).toEqual(["Inventory-DB"]);
  });

  it("runs the ASG in exactly the private subnets and the ALB in exactly the public ones", () => {
    const [, group] = resourcesOf(document, "aws_autoscaling_group")[0];
    const [, alb] = resourcesOf(document, "aws_lb")[0];
    const subnetNames = (ids: string[]) => ids.map((id) => resource(document, id).tags.Name).sort();
    expect(subnetNames(group.vpc_zone_identifier)).toEqual(["Private Subnet 1", "Private Subnet 2"]);
    expect(subnetNames(alb.subnets)).toEqual(["Public Subnet 1", "Public Subnet 2"]);
    const [, subnetGroup] = resourcesOf(document, "aws_db_subnet_group")[0];
    expect(subnetNames(subnetGroup.subnet_ids)).toEqual(["Private Subnet 1", "Private Subnet 2"]);
  });

  it("registers the ASG with the ALB's target group, which the HTTP listener forwards to", () => {
    const [, group] = resourcesOf(document, "aws_autoscaling_group")[0];
    const [, listener] = resourcesOf(document, "aws_lb_listener")[0];
    expect(group.target_group_arns).toEqual([listener.default_action[0].target_group_arn]);
    expect(resource(document, group.target_group_arns[0]).name).toBe("Inventory-App");
  });

  it("sends each private subnet's default route to the NAT gateway in its own zone", () => {
    const associations = resourcesOf(document, "aws_route_table_association").map(([, association]) => association);
    const routes = resourcesOf(document, "aws_route").map(([, route]) => route);
    const privateSubnets = resourcesOf(document, "aws_subnet").filter(([, subnet]) => subnet.tags.Tier === "private");
    expect(privateSubnets.map(([, subnet]) => subnet.tags.Name)).toStrictEqual(["Private Subnet 1", "Private Subnet 2"]);
    for (const [, subnet] of privateSubnets) {
      const association = associations.find((candidate) => resource(document, candidate.subnet_id) === subnet);
      const table = referencedResource(document, association.route_table_id).address;
      const route = routes.find(
        (candidate) => referencedResource(document, candidate.route_table_id).address === table && candidate.destination_cidr_block === "0.0.0.0/0",
      );
      const gatewaySubnet = resource(document, resource(document, route.nat_gateway_id).subnet_id);
      expect(gatewaySubnet.availability_zone).toBe(subnet.availability_zone);
    }
  });

  it("creates the internet-facing load balancer in the public subnets after their route to the internet gateway and its log bucket's policy", () => {
    const [[name, alb]] = resourcesOf(document, "aws_lb");
    expect(alb.subnets).toEqual(["${aws_subnet.network_public_subnet_1.id}", "${aws_subnet.network_public_subnet_2.id}"]);
    expect(alb.access_logs.bucket).toBe("${aws_s3_bucket.access_logs_bucket.bucket}");
    expect(alb.depends_on).toEqual([
      "aws_route.network_public_default_route",
      "aws_route_table_association.network_public_subnet_1_routes",
      "aws_route_table_association.network_public_subnet_2_routes",
      "aws_s3_bucket_policy.access_logs_policy",
    ]);
    expect([...dependenciesOf(document, `aws_lb.${name}`)]).toContain("aws_internet_gateway.network_internet_gateway");
  });

  it.each([
    ["default", final.document],
    ["lab-start", labStart.document],
  ])("has no attribute in %s that refers to another resource's attribute only to carry a value on (ordering is depends_on)", (_name, stackDocument) => {
    expect(passedOnReferences(stackDocument)).toStrictEqual([]);
  });

  it("gives the app servers the database's address and port and the app user's secret, and read access to that secret only", () => {
    const [, template] = resourcesOf(document, "aws_launch_template")[0];
    for (const attribute of ["address", "port"]) expect(template.user_data).toContain(`\${aws_db_instance.database_instance.${attribute}}`);
    expect(template.user_data).toContain("DB_SECRET_ARN='${aws_secretsmanager_secret.database_app_user_secret.arn}'");
    expect(template.user_data).not.toContain("master_user_secret");
    const permissions = JSON.parse(document.resource.aws_iam_role_policy.app_tier_read_database_secret.policy);
    expect(permissions.Statement.map((statement: any) => statement.Resource)).toEqual(["${aws_secretsmanager_secret.database_app_user_secret.arn}"]);
  });

  it.each([
    ["default", final.document],
    ["lab-start", labStart.document],
  ])("in %s, gives no policy of the app servers' role the master secret, and only the rotation function's role reads it", (_name, stackDocument) => {
    const master = "${aws_db_instance.database_instance.master_user_secret[0].secret_arn}";
    const readers = Object.entries<any>(stackDocument.resource.aws_iam_role_policy)
      .filter(([, policy]) => policy.policy.includes(master))
      .map(([, policy]) => policy.role);
    expect(readers).toEqual(["${aws_iam_role.database_app_user_role.id}"]);
    const appRolePolicies = Object.values<any>(stackDocument.resource.aws_iam_role_policy).filter((policy) =>
      policy.role.includes("aws_iam_role.app_tier_role."),
    );
    expect(appRolePolicies.map((policy) => policy.name).sort()).toEqual(["read-app-artifact", "read-database-secret", "session-manager"]);
    const appActions = appRolePolicies
      .flatMap((policy) => JSON.parse(policy.policy).Statement)
      .filter((statement: any) => /secretsmanager/.test(String(statement.Action)));
    expect(appActions.map((statement: any) => [statement.Action, statement.Resource])).toEqual([
      ["secretsmanager:GetSecretValue", "${aws_secretsmanager_secret.database_app_user_secret.arn}"],
    ]);
    // The only managed policies are AWS Backup's, on its own role (lab-start has no backups).
    expect(Object.values<any>(stackDocument.resource.aws_iam_role_policy_attachment ?? {}).map((attachment) => attachment.role)).toEqual(
      stackDocument.resource.aws_backup_vault ? ["${aws_iam_role.database_backups_role.name}", "${aws_iam_role.database_backups_role.name}"] : [],
    );
  });

  it("boots the servers from the app artifact: the uploaded object's version and hash in the user data, its prefix readable and nothing else", () => {
    const [, template] = resourcesOf(document, "aws_launch_template")[0];
    const object = document.resource.aws_s3_object.app_artifact_object;
    expect(template.user_data).toContain("APP_VERSION_ID='${aws_s3_object.app_artifact_object.version_id}'");
    expect(template.user_data).toContain(`APP_SHA256='${object.source_hash}'`);
    expect(template.user_data).toContain("APP_BUCKET='${aws_s3_bucket.app_artifact_bucket.bucket}'");
    expect(object.bucket).toBe("${aws_s3_bucket.app_artifact_bucket.bucket}");
    const permissions = JSON.parse(document.resource.aws_iam_role_policy.app_tier_read_app_artifact.policy);
    expect(permissions.Statement.map((statement: any) => statement.Resource)).toEqual(["${aws_s3_bucket.app_artifact_bucket.arn}/app/*"]);
    expect(document.output.app_artifact_sha256.value).toBe(object.source_hash);
    expect(document.output.app_artifact_version_id.value).toBe("${aws_s3_object.app_artifact_object.version_id}");
  });

  it("fails a release, and so rolls it back, when the load balancer's or the app's 5xx rate alarm fires", () => {
    const alarmsOf = (synthesized: any) => JSON.parse(resourcesOf(synthesized, "aws_lambda_invocation")[0][1].input).alarmNames;
    expect(alarmsOf(document)).toEqual([
      "${aws_cloudwatch_metric_alarm.monitoring_alarms_elb_5xx_rate.alarm_name}",
      "${aws_cloudwatch_metric_alarm.monitoring_alarms_target_5xx_rate.alarm_name}",
    ]);
    const chosen = synthStack(settingsFor("alarms", { appTier: { instanceRefresh: { alarms: ["unhealthyHosts", "natPacketsDropped"] } } }));
    expect(alarmsOf(chosen.document).sort()).toEqual([
      "${aws_cloudwatch_metric_alarm.monitoring_alarms_nat_gateway_1_dropped_packets.alarm_name}",
      "${aws_cloudwatch_metric_alarm.monitoring_alarms_nat_gateway_2_dropped_packets.alarm_name}",
      "${aws_cloudwatch_metric_alarm.monitoring_alarms_unhealthy_hosts.alarm_name}",
    ]);
    // A release no alarm can stop is refused by the settings, before the release function would refuse it.
    expect(() => settingsFor("no-alarms", { appTier: { instanceRefresh: { alarms: [] } } })).toThrow(/appTier\.instanceRefresh\.alarms: names no alarm/);
  });

  it("tags everything through the provider's default tags", () => {
    expect(final.json).toHaveProviderWithProperties(AwsProvider, {
      region: "us-west-2",
      default_tags: [{ tags: { Project: "inventory-ha", Environment: "default", ManagedBy: "cdktf" } }],
    });
  });

  it("keeps state in S3: encrypted, locked, under a key of its own", () => {
    expect(document.terraform.backend).toEqual({
      s3: {
        bucket: "inventory-ha-terraform-state",
        key: "default/inventory-ha.tfstate",
        region: "us-west-2",
        encrypt: true,
        // The state stack's key: without it Terraform asks S3 for SSE-S3 on each write, whatever the bucket's default.
        kms_key_id: "alias/inventory-terraform-state",
        use_lockfile: true,
      },
    });
    expect(labStart.document.terraform.backend.s3.key).toBe("lab-start/inventory-ha.tfstate");
  });

  it("outputs what a user needs: the app URL, ASG, DB endpoint, VPC and subnets", () => {
    expect(document.output.app_url.value).toBe("http://${aws_lb.load_balancer_alb.dns_name}");
    expect(document.output.autoscaling_group_name.value).toBe("${aws_autoscaling_group.app_tier_auto_scaling_group.name}");
    expect(document.output.db_endpoint.value).toBe("${aws_db_instance.database_instance.endpoint}");
    expect(document.output.vpc_id.value).toBe("${aws_vpc.network_vpc.id}");
    expect(document.output.private_subnet_ids.value).toEqual(["${aws_subnet.network_private_subnet_1.id}", "${aws_subnet.network_private_subnet_2.id}"]);
    expect(document.output.public_subnet_ids.value).toEqual(["${aws_subnet.network_public_subnet_1.id}", "${aws_subnet.network_public_subnet_2.id}"]);
    for (const output of Object.values(document.output)) expect(output.description).toMatch(/\w+/);
  });

  it("serves HTTPS on a domain of one's own: a certificate validated in its zone, the HTTPS listener, HTTP redirected, an alias", () => {
    const named = synthStack(settingsFor("named", { loadBalancer: { domain: { name: "inventory.example.com", hostedZoneId: "Z0123456789EXAMPLE0AB" } } }));
    const doc = named.document;
    expect(doc.output.app_url.value).toBe("https://inventory.example.com");
    const listeners = resourcesOf(doc, "aws_lb_listener").map(([, listener]) => listener);
    const https = listeners.find((listener) => listener.protocol === "HTTPS");
    expect(https).toMatchObject({
      port: 443,
      ssl_policy: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
      certificate_arn: "${aws_acm_certificate_validation.domain_certificate_validation.certificate_arn}",
    });
    expect(resource(doc, https.certificate_arn)).toMatchObject({ certificate_arn: "${aws_acm_certificate.domain_certificate.arn}" });
    expect(resource(doc, "${aws_acm_certificate.domain_certificate.arn}")).toMatchObject({ domain_name: "inventory.example.com", validation_method: "DNS" });
    const http = listeners.find((listener) => listener.protocol === "HTTP");
    expect(http.default_action).toEqual([expect.objectContaining({ type: "redirect", redirect: expect.objectContaining({ protocol: "HTTPS", port: "443" }) })]);
    const alias = resourcesOf(doc, "aws_route53_record").find(([, record]) => record.type === "A")![1];
    expect(alias).toMatchObject({
      zone_id: "Z0123456789EXAMPLE0AB",
      name: "inventory.example.com",
      alias: { name: "${aws_lb.load_balancer_alb.dns_name}", zone_id: "${aws_lb.load_balancer_alb.zone_id}", evaluate_target_health: true },
    });
    // The default environment requests no certificate and writes no record.
    expect(resourcesOf(document, "aws_acm_certificate")).toStrictEqual([]);
    expect(resourcesOf(document, "aws_route53_record")).toStrictEqual([]);
  });

  it("signs people in on a domain's HTTPS listener: a domain is HTTPS enough for sign-in, no certificateArn needed", () => {
    const named = synthStack(
      settingsFor("named", {
        loadBalancer: {
          domain: { name: "inventory.example.com", hostedZoneId: "Z0123456789EXAMPLE0AB" },
          authentication: { provider: "cognito", cognito: { domainPrefix: "inventory-sign-in", callbackHosts: ["inventory.example.com"] } },
        },
      }),
    );
    const https = resourcesOf(named.document, "aws_lb_listener").find(([, listener]) => listener.protocol === "HTTPS")![1];
    expect(https.default_action.map((action: { type: string }) => action.type)).toEqual(["authenticate-cognito", "forward"]);
  });

  it("answers a one-byte change in app/ with a new archive and its hash, in the object and the user data, and nothing else", () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-app-change-"));
    try {
      const app = copyOfApp(scratch, "app");
      fs.appendFileSync(path.join(app, "www", "style.css"), " ");
      const changed = new InventoryStack(Testing.app(), inventoryStackName("default"), { settings: defaultSettings, appDirectory: app });
      const differences = jsonDifferences(document, JSON.parse(Testing.synth(changed))).map((difference) => difference.path);
      expect(differences).toEqual([
        "output.app_artifact_sha256.value",
        "resource.aws_launch_template.app_tier_launch_template.user_data",
        "resource.aws_s3_object.app_artifact_object.metadata.sha256",
        "resource.aws_s3_object.app_artifact_object.source",
        "resource.aws_s3_object.app_artifact_object.source_hash",
      ]);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("puts https in the app URL when a certificate is configured", () => {
    const https = synthStack(
      settingsFor("tls", { loadBalancer: { certificateArn: "arn:aws:acm:us-west-2:123456789012:certificate/8f3e9b1c-1d2e-4f50-9a6b-7c8d9e0f1a2b" } }),
    );
    expect(https.document.output.app_url.value).toBe("https://${aws_lb.load_balancer_alb.dns_name}");
  });
});

/**
 * The arguments of aws_db_instance that force a new instance when they change (ForceNew in the AWS provider's
 * schema, internal/service/rds/instance.go): a new instance is an empty database under the same endpoint name.
 */
const DB_INSTANCE_FORCES_NEW = [
  "availability_zone",
  "character_set_name",
  "custom_iam_instance_profile",
  "db_name",
  "engine",
  "identifier",
  "identifier_prefix",
  "kms_key_id",
  "nchar_character_set_name",
  "restore_to_point_in_time",
  "s3_import",
  "snapshot_identifier",
  "storage_encrypted",
  "timezone",
  "username",
];

describe("the lab's upgrade (lab-start moved to the final settings) keeps its database", () => {
  // What the lab does: the same environment, under its own names, given the final settings.
  const upgraded = synthStack({
    ...defaultSettings,
    environment: labStartSettings.environment,
    namePrefix: labStartSettings.namePrefix,
    state: labStartSettings.state,
  });
  const before = labStart.document.resource.aws_db_instance.database_instance;
  const after = upgraded.document.resource.aws_db_instance.database_instance;

  it("sets the same value before and after for every argument that would replace the instance", () => {
    const set = DB_INSTANCE_FORCES_NEW.filter((argument) => before[argument] !== undefined || after[argument] !== undefined);
    expect(set).toStrictEqual(["db_name", "engine", "identifier", "storage_encrypted", "username"]);
    expect(set.filter((argument) => JSON.stringify(before[argument]) !== JSON.stringify(after[argument]))).toStrictEqual([]);
  });

  it("changes the instance where the challenges say, in place", () => {
    expect({ multi_az: [before.multi_az, after.multi_az], instance_class: [before.instance_class, after.instance_class] }).toStrictEqual({
      multi_az: [false, true],
      instance_class: ["db.t3.micro", "db.t3.small"],
    });
    expect(after.identifier).toBe("lab-start-inventory-db");
  });
});

describe("lab-start differs from the final state exactly where the lab's challenges change things", () => {
  /** Every leaf of the resources and outputs as `type.name.path = value`, with the environment's name and name prefix taken out. */
  function leaves(document: SynthesizedDocument, environment: string, prefix: string): Map<string, string> {
    const normalise = (value: string) => (value === environment ? "<env>" : prefix ? value.split(prefix).join("") : value);
    const all = jsonLeaves({ resource: document.resource, output: document.output }, { skipKey: (key) => key === "//" });
    return new Map([...all].map(([at, value]) => [at, normalise(String(value))]));
  }

  it("in NAT gateways (and their alarms), private route tables, Multi-AZ, the DB group's rule and the DB's size (and its alarms), and nowhere else", () => {
    const a = leaves(final.document, "default", "");
    const b = leaves(labStart.document, "lab-start", "lab-start-");
    const changed = new Set<string>();
    // AWS Backup is off at the lab's start: its resources are in the final state only, and in the alarm list.
    const backups = (keys: Iterable<string>) => new Set([...keys].filter((key) => key.split(".")[2]?.startsWith("database_backups")));
    expect(backups(b.keys()).size).toBe(0);
    expect(new Set([...backups(a.keys())].map((key) => key.split(".").slice(1, 3).join(".")))).toHaveProperty("size", 13);
    for (const key of new Set([...a.keys(), ...b.keys()])) {
      if (key.split(".")[2]?.startsWith("database_backups")) continue;
      if (a.get(key) !== b.get(key))
        changed.add(
          key
            .split(".")
            .slice(1, 4)
            .join(".")
            .replace(/\.\d+$/, ""),
        );
    }
    expect([...changed].sort()).toEqual(
      [
        // Challenge "highly available NAT gateway": the second NAT, its address, Private Route Table 2.
        "aws_eip.network_nat_address_2.domain",
        "aws_eip.network_nat_address_2.tags",
        "aws_nat_gateway.network_nat_gateway_2.allocation_id",
        "aws_nat_gateway.network_nat_gateway_2.connectivity_type",
        "aws_nat_gateway.network_nat_gateway_2.depends_on",
        "aws_nat_gateway.network_nat_gateway_2.subnet_id",
        "aws_nat_gateway.network_nat_gateway_2.tags",
        "aws_route.network_private_default_route_2.destination_cidr_block",
        "aws_route.network_private_default_route_2.nat_gateway_id",
        "aws_route.network_private_default_route_2.route_table_id",
        "aws_route_table.network_private_route_table_2.tags",
        "aws_route_table.network_private_route_table_2.vpc_id",
        "aws_route_table_association.network_private_subnet_2_routes.route_table_id",
        // The first rotation of the app user's secret waits for every private subnet's way out, the second's too.
        "aws_secretsmanager_secret_rotation.database_app_user_rotation.depends_on",
        // Challenge "make the database highly available" and "scale RDS".
        "aws_db_instance.database_instance.multi_az",
        "aws_db_instance.database_instance.instance_class",
        "aws_db_instance.database_instance.allocated_storage",
        // Task 4 "update security groups": MySQL from the App group instead of the whole VPC.
        "aws_vpc_security_group_ingress_rule.security_groups_database_from_app.cidr_ipv4",
        "aws_vpc_security_group_ingress_rule.security_groups_database_from_app.description",
        "aws_vpc_security_group_ingress_rule.security_groups_database_from_app.referenced_security_group_id",
        // The NAT gateway list output follows the NAT count.
        "nat_gateway_ids.value",
        // The second NAT gateway is watched like the first: its two alarms, its traffic on the dashboard, their names in the output.
        ...["port_allocation_errors", "dropped_packets"].flatMap((alarm) =>
          [
            "actions_enabled",
            "alarm_actions",
            "alarm_description",
            "alarm_name",
            "comparison_operator",
            "evaluation_periods",
            "ok_actions",
            "threshold",
            "treat_missing_data",
            ...(alarm === "dropped_packets" ? ["metric_query"] : ["dimensions", "metric_name", "namespace", "period", "statistic"]),
          ].map((attribute) => `aws_cloudwatch_metric_alarm.monitoring_alarms_nat_gateway_2_${alarm}.${attribute}`),
        ),
        "aws_cloudwatch_dashboard.monitoring_dashboard_dashboard.dashboard_body",
        "alarm_names.value",
        // The database's alarms are proportional to its class's memory and its storage.
        ...["database_connections", "database_free_storage", "database_freeable_memory"].flatMap((alarm) =>
          ["alarm_description", "threshold"].map((attribute) => `aws_cloudwatch_metric_alarm.monitoring_alarms_${alarm}.${attribute}`),
        ),
        // Losing a zone (zoneResilience), which the lab does not have: traffic leaves a sick zone, new servers warm up, replacements launch first.
        "aws_lb.load_balancer_alb.enable_zonal_shift",
        "aws_lb_target_group.load_balancer_target_group.load_balancing_cross_zone_enabled",
        "aws_lb_target_group.load_balancer_target_group.slow_start",
        "aws_autoscaling_group.app_tier_auto_scaling_group.instance_maintenance_policy",
        // ... and its rehearsal: a FIS template per zone and per smaller scenario, their role, their log group (which the log key names).
        ...["zone_1", "zone_2", "instance", "database"].flatMap((template) =>
          ["action", "depends_on", "description", "experiment_options", "log_configuration", "role_arn", "stop_condition", "tags", "target"].map(
            (attribute) => `aws_fis_experiment_template.zone_rehearsal_${template}.${attribute}`,
          ),
        ),
        ...["assume_role_policy", "description", "name"].map((attribute) => `aws_iam_role.zone_rehearsal_role.${attribute}`),
        ...["name", "policy", "role"].map((attribute) => `aws_iam_role_policy.zone_rehearsal_role_policy.${attribute}`),
        ...["depends_on", "kms_key_id", "name", "retention_in_days"].map((attribute) => `aws_cloudwatch_log_group.zone_rehearsal_log_group.${attribute}`),
        "aws_cloudwatch_log_resource_policy.zone_rehearsal_log_delivery_policy.policy_document",
        "aws_cloudwatch_log_resource_policy.zone_rehearsal_log_delivery_policy.policy_name",
        "aws_kms_key_policy.log_key_policy.policy",
        "rehearsal_templates.description",
        ...["database", "instance", "zone:us-west-2a", "zone:us-west-2b"].map((scenario) => `rehearsal_templates.value.${scenario}`),
      ].sort(),
    );
  });
});
