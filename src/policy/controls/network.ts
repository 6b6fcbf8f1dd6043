import { type Finding, type Control, everyBlock } from "../control";
import { blockList, isFalse, pointsAt, resources, show } from "../../terraform/document";

/**
 * Controls of the network: flow logs, a default security group without rules, no public IPs on launch, described groups and rules, no
 * all-protocol egress.
 */

const ANYWHERE = ["0.0.0.0/0", "::/0"];

export const networkControls: Control[] = [
  {
    id: "CKV2_AWS_11",
    aliases: ["EC2.6"],
    title: "VPC records flow logs",
    scopes: ["inventory"],
    turnOn: "on by default; `network.flowLogs.enabled`",
    check: ({ document }) =>
      everyBlock(resources(document, "aws_vpc"), "VPC", true, (vpc) => {
        const logs = resources(document, "aws_flow_log").filter((log) => pointsAt(document, log.config.vpc_id, vpc));
        if (logs.length === 0) return "has no flow log";
        return logs.some((log) => ["ALL", "REJECT"].includes(log.config.traffic_type)) ? undefined : "no flow log records rejected traffic";
      }),
  },
  {
    id: "CKV2_AWS_12",
    aliases: ["EC2.2"],
    title: "VPC default security group has no rules",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(resources(document, "aws_vpc"), "VPC", true, (vpc) => {
        const [group, ...others] = resources(document, "aws_default_security_group").filter((candidate) => pointsAt(document, candidate.config.vpc_id, vpc));
        if (!group) return "leaves its default security group unmanaged, with AWS's allow rules";
        const problems = others.map((other) => `has a second default security group ${other.address}`);
        if (blockList(group.config.ingress).length > 0 || blockList(group.config.egress).length > 0)
          problems.push(`default security group ${group.address} has rules`);
        for (const type of ["aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"]) {
          for (const rule of resources(document, type).filter((candidate) => pointsAt(document, candidate.config.security_group_id, group)))
            problems.push(`${rule.address} adds a rule to the default security group`);
        }
        return problems;
      }),
  },
  {
    id: "CKV_AWS_130",
    aliases: ["EC2.15"],
    title: "No subnet assigns public IP addresses on launch",
    scopes: ["inventory"],
    check: ({ document }) =>
      everyBlock(resources(document, "aws_subnet"), "subnet", true, (subnet) =>
        isFalse(subnet.config.map_public_ip_on_launch) ? undefined : `map_public_ip_on_launch is ${show(subnet.config.map_public_ip_on_launch)}, not false`,
      ),
  },
  {
    id: "CKV_AWS_23",
    aliases: [],
    title: "Every security group and rule has a description",
    scopes: ["inventory"],
    check: ({ document }) => {
      const described = (value: unknown) => typeof value === "string" && value.trim() !== "" && value !== "Managed by Terraform";
      return [
        ...everyBlock(resources(document, "aws_security_group"), "security group", true, (group) => [
          ...(described(group.config.description) ? [] : [`description is ${show(group.config.description)}`]),
          ...[...blockList(group.config.ingress), ...blockList(group.config.egress)]
            .filter((rule) => !described(rule.description))
            .map(() => "an inline rule has no description"),
        ]),
        ...["aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"].flatMap((type) =>
          everyBlock(resources(document, type), type, false, (rule) => (described(rule.config.description) ? undefined : "has no description")),
        ),
      ];
    },
  },
  {
    id: "CKV_AWS_382",
    aliases: [],
    title: "No all-protocol egress; each egress rule names one protocol and port",
    scopes: ["inventory"],
    check: ({ document }) => {
      type Egress = { address: string; protocol: string; from: unknown; to: unknown; cidrs: string[] };
      const rules: Egress[] = [
        ...resources(document, "aws_vpc_security_group_egress_rule").map((rule) => ({
          address: rule.address,
          protocol: String(rule.config.ip_protocol),
          from: rule.config.from_port,
          to: rule.config.to_port,
          cidrs: [rule.config.cidr_ipv4, rule.config.cidr_ipv6].filter(Boolean),
        })),
        ...resources(document, "aws_security_group_rule")
          .filter((rule) => rule.config.type === "egress")
          .map((rule) => ({
            address: rule.address,
            protocol: String(rule.config.protocol),
            from: rule.config.from_port,
            to: rule.config.to_port,
            cidrs: [...blockList(rule.config.cidr_blocks), ...blockList(rule.config.ipv6_cidr_blocks)],
          })),
        ...resources(document, "aws_security_group").flatMap((group) =>
          blockList(group.config.egress).map((rule) => ({
            address: group.address,
            protocol: String(rule.protocol),
            from: rule.from_port,
            to: rule.to_port,
            cidrs: [...blockList(rule.cidr_blocks), ...blockList(rule.ipv6_cidr_blocks)],
          })),
        ),
      ];
      return rules.flatMap((rule): Finding[] => {
        if (["-1", "all"].includes(rule.protocol)) {
          const where = rule.cidrs.some((cidr) => ANYWHERE.includes(cidr)) ? " to anywhere" : "";
          return [{ address: rule.address, problem: `allows every protocol${where}` }];
        }
        if (!["tcp", "udp", "6", "17"].includes(rule.protocol)) {
          return [{ address: rule.address, problem: `allows protocol ${rule.protocol}, not one TCP or UDP port` }];
        }
        if (rule.from === undefined || Number(rule.from) !== Number(rule.to)) {
          return [{ address: rule.address, problem: `allows ${rule.protocol} ports ${show(rule.from)}-${show(rule.to)}, more than one port` }];
        }
        return [];
      });
    },
  },
];
