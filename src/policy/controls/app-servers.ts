import { type Control, everyBlock } from "../control";
import {
  blockList,
  firstBlock,
  isFalse,
  isTrue,
  pointsAt,
  referencedBlock,
  resources,
  show,
  subnetZones,
  type TerraformDocument,
} from "../../terraform/document";

/**
 * Controls of the app servers: IMDSv2 and its hop limit, no public IPs, encrypted volumes, no secrets in user data, and an Auto Scaling group
 * that launches a pinned template version over two zones, heals on ELB checks, tags its instances and rolls by an instance refresh AWS can roll back.
 */

const launchTemplates = (document: TerraformDocument) => resources(document, "aws_launch_template");
const autoScalingGroups = (document: TerraformDocument) => resources(document, "aws_autoscaling_group");

/** Secrets that must never sit in user data: AWS keys, private keys, passwords. */
const USER_DATA_SECRETS: [string, RegExp][] = [
  ["an AWS access key id", /\b(AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b/],
  ["an AWS secret access key", /aws_secret_access_key|AWS_SECRET_ACCESS_KEY/],
  ["a private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  // A literal value after password=, not a variable, placeholder or command that fetches it at boot.
  ["a password", /(password|passwd|pwd)\w*['"]?\s*[=:]\s*['"]?(?![$%{(<])[^\s'"\\]{4,}/i],
];

export const appServerControls: Control[] = [
  {
    id: "CKV_AWS_79",
    aliases: ["EC2.170"],
    title: "Launch template requires IMDSv2",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(launchTemplates(document), "launch template", true, (template) => {
        const metadata = firstBlock(template.config.metadata_options);
        if (metadata?.http_endpoint === "disabled") return undefined;
        return metadata?.http_tokens === "required" ? undefined : `metadata_options.http_tokens is ${show(metadata?.http_tokens)}, not required`;
      }),
  },
  {
    id: "CKV_AWS_341",
    aliases: [],
    title: "Launch template keeps the metadata hop limit at 1",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(launchTemplates(document), "launch template", true, (template) => {
        const limit = firstBlock(template.config.metadata_options)?.http_put_response_hop_limit;
        return limit !== undefined && Number(limit) <= 1 ? undefined : `metadata_options.http_put_response_hop_limit is ${show(limit)}, not 1`;
      }),
  },
  {
    id: "CKV_AWS_88",
    aliases: ["EC2.25"],
    title: "App servers get no public IP address",
    scopes: ["inventory"],
    check: ({ document }) => [
      ...everyBlock(launchTemplates(document), "launch template", true, (template) =>
        blockList(template.config.network_interfaces)
          .filter((nic) => isTrue(nic.associate_public_ip_address))
          .map(() => "a network interface sets associate_public_ip_address"),
      ),
      ...everyBlock(resources(document, "aws_instance"), "instance", false, (instance) =>
        isTrue(instance.config.associate_public_ip_address) ? "sets associate_public_ip_address" : undefined,
      ),
      ...everyBlock(autoScalingGroups(document), "Auto Scaling group", true, (group) =>
        blockList(group.config.vpc_zone_identifier)
          .map((id) => referencedBlock(document, id))
          .filter((subnet) => subnet?.type === "aws_subnet" && !isFalse(subnet.config.map_public_ip_on_launch))
          .map((subnet) => `launches into ${subnet!.address}, which may give instances a public IP`),
      ),
    ],
  },
  {
    id: "EC2.181",
    aliases: [],
    title: "Launch template encrypts its EBS volumes",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(launchTemplates(document), "launch template", true, (template) => {
        const mappings = blockList(template.config.block_device_mappings).filter((mapping) => mapping.ebs !== undefined);
        if (mappings.length === 0) return "names no EBS volume, so the root volume is encrypted only if the AMI's is";
        return mappings
          .filter((mapping) => !isTrue(firstBlock(mapping.ebs).encrypted))
          .map((mapping) => `volume ${show(mapping.device_name)} is not encrypted`);
      }),
  },
  {
    id: "CKV_AWS_46",
    aliases: [],
    title: "No secrets in user data",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock([...launchTemplates(document), ...resources(document, "aws_instance")], "launch template", true, (block) => {
        const userData = String(block.config.user_data ?? "");
        return USER_DATA_SECRETS.filter(([, pattern]) => pattern.test(userData)).map(([what]) => `user_data holds ${what}`);
      }),
  },
  {
    id: "CKV_AWS_315",
    aliases: ["AutoScaling.9"],
    title: "ASG launches from a launch template at a pinned version",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(autoScalingGroups(document), "Auto Scaling group", true, (group) => {
        if (group.config.launch_configuration !== undefined) return "uses a launch configuration";
        const template = firstBlock(group.config.launch_template);
        if (!template) return "has no launch_template";
        const version = template.version;
        return version === undefined || version === "$Latest" || version === "$Default" ? `launch_template.version is ${show(version)}, not pinned` : undefined;
      }),
  },
  {
    id: "AutoScaling.1",
    aliases: [],
    title: "ASG replaces servers the load balancer finds unhealthy",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(autoScalingGroups(document), "Auto Scaling group", true, (group) => {
        const problems: string[] = [];
        if (group.config.health_check_type !== "ELB") problems.push(`health_check_type is ${show(group.config.health_check_type)}, not ELB`);
        if (blockList(group.config.target_group_arns).length === 0 && blockList(group.config.load_balancers).length === 0)
          problems.push("is attached to no load balancer");
        return problems;
      }),
  },
  {
    id: "AutoScaling.2",
    aliases: [],
    title: "ASG spans two or more availability zones",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(autoScalingGroups(document), "Auto Scaling group", true, (group) => {
        const { zones, problems } = subnetZones(document, group.config.vpc_zone_identifier);
        return zones.length >= 2 ? problems : [...problems, `is in ${zones.length} zone(s) (${zones.join(", ")})`];
      }),
  },
  {
    id: "CKV_AWS_153",
    aliases: [],
    title: "ASG tags the instances it launches",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(autoScalingGroups(document), "Auto Scaling group", true, (group) => {
        const tags = blockList(group.config.tag);
        if (tags.length === 0) return "has no tag blocks";
        const problems = tags.filter((tag) => !isTrue(tag.propagate_at_launch)).map((tag) => `tag ${show(tag.key)} does not propagate at launch`);
        if (!tags.some((tag) => tag.key === "Name")) problems.push("gives instances no Name tag");
        return problems;
      }),
  },
  {
    id: "INV-ASG-1",
    aliases: [],
    title: "ASG rolls a new launch template version through an instance refresh AWS can roll back",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(autoScalingGroups(document), "Auto Scaling group", true, (group) => {
        // The provider's own refresh sets the new version on the group first and gives AWS no desired configuration, so
        // AWS cannot roll it back: a release invocation rolls the group, and Terraform leaves its template version alone.
        const problems: string[] = [];
        const ignored = blockList(group.config.lifecycle).flatMap((lifecycle) => lifecycle.ignore_changes ?? []);
        if (!ignored.includes("launch_template")) problems.push("does not leave its launch template version to releases (lifecycle.ignore_changes)");
        const template = referencedBlock(document, firstBlock(group.config.launch_template)?.id);
        const released =
          template !== undefined &&
          resources(document, "aws_lambda_invocation").some(
            (invocation) =>
              pointsAt(document, invocation.config.input, group) && String(invocation.config.input).includes(`\${${template.address}.latest_version}`),
          );
        if (!released) problems.push("has no release invocation given its name and its launch template's latest_version");
        return problems;
      }),
  },
  {
    id: "INV-ASG-2",
    aliases: [],
    title: "ASG replaces an unhealthy server by launching first, never dropping below desired capacity",
    scopes: ["inventory"],
    turnOn: "on by default; `zoneResilience.launchBeforeTerminate`",
    check: ({ document }) =>
      everyBlock(autoScalingGroups(document), "Auto Scaling group", true, (group) => {
        const policy = firstBlock(group.config.instance_maintenance_policy);
        if (!policy) return "has no instance_maintenance_policy (AWS terminates before it launches)";
        return Number(policy.min_healthy_percentage) >= 100 && Number(policy.max_healthy_percentage) > 100
          ? undefined
          : `instance_maintenance_policy is ${show(policy.min_healthy_percentage)} to ${show(policy.max_healthy_percentage)} %, not 100 to above 100`;
      }),
  },
];
