import { type Control, everyBlock } from "../control";
import { type Block, blockList, firstBlock, pointsAt, resources, type TerraformDocument } from "../../terraform/document";

/**
 * Controls of the web application firewall: every internet-facing ALB has a
 * web ACL of the configuration (CKV2_AWS_28), each web ACL logs
 * (CKV2_AWS_31), blocks Log4j's message lookups with AWS's known bad inputs
 * rules (CKV_AWS_192), and applies AWS's common and SQL injection rules and a
 * rate limit per client IP (the project's INV-WAF-1).
 */

const webAcls = (document: TerraformDocument) => resources(document, "aws_wafv2_web_acl");

const TURN_ON = "on by default; `loadBalancer.waf.enabled`";

/** The statement of a rule, as cdktf writes it (an object, or a one-element list). */
const statementOf = (rule: any) => firstBlock(rule.statement) ?? {};

/** Managed rule groups a web ACL applies with their own actions (not overridden to count only). */
function blockingManagedGroups(acl: Block): string[] {
  return blockList(acl.config.rule)
    .filter((rule) => firstBlock(rule.override_action)?.count === undefined)
    .map((rule) => firstBlock(statementOf(rule).managed_rule_group_statement))
    .filter((group) => group?.vendor_name === "AWS")
    .map((group) => String(group.name));
}

/** Every web ACL, checked by `problem`; the inventory stack has one for its load balancer. */
function everyWebAcl(problem: (acl: Block, document: TerraformDocument) => string | string[] | undefined) {
  return ({ document }: { document: TerraformDocument }) => everyBlock(webAcls(document), "WAF web ACL", true, (acl) => problem(acl, document));
}

export const webAclControls: Control[] = [
  {
    id: "CKV2_AWS_28",
    aliases: [],
    title: "Internet-facing ALB is protected by a WAF web ACL",
    scopes: ["inventory"],
    turnOn: TURN_ON,
    check: ({ document }) =>
      everyBlock(
        [...resources(document, "aws_lb"), ...resources(document, "aws_alb")].filter(
          (lb) => (lb.config.load_balancer_type ?? "application") === "application" && lb.config.internal !== true,
        ),
        "internet-facing application load balancer",
        true,
        (lb) => {
          const association = resources(document, "aws_wafv2_web_acl_association").find((candidate) => pointsAt(document, candidate.config.resource_arn, lb));
          if (!association) return "has no aws_wafv2_web_acl_association";
          return webAcls(document).some((acl) => pointsAt(document, association.config.web_acl_arn, acl))
            ? undefined
            : `${association.address} names no web ACL of this configuration`;
        },
      ),
  },
  {
    id: "CKV2_AWS_31",
    aliases: [],
    title: "WAF web ACL logs to a log group of the configuration",
    scopes: ["inventory"],
    turnOn: TURN_ON,
    check: everyWebAcl((acl, document) => {
      const logging = resources(document, "aws_wafv2_web_acl_logging_configuration").find((candidate) =>
        pointsAt(document, candidate.config.resource_arn, acl),
      );
      if (!logging) return "has no aws_wafv2_web_acl_logging_configuration";
      const groups = resources(document, "aws_cloudwatch_log_group");
      const destinations = blockList(logging.config.log_destination_configs);
      return destinations.length > 0 && destinations.every((destination) => groups.some((group) => pointsAt(document, destination, group)))
        ? undefined
        : `${logging.address} logs to ${JSON.stringify(destinations)}, not a log group of this configuration`;
    }),
  },
  {
    id: "CKV_AWS_192",
    aliases: [],
    title: "WAF web ACL blocks Log4j message lookups (AWSManagedRulesKnownBadInputsRuleSet)",
    scopes: ["inventory"],
    turnOn: TURN_ON,
    check: everyWebAcl((acl) =>
      blockingManagedGroups(acl).includes("AWSManagedRulesKnownBadInputsRuleSet") ? undefined : "does not block with AWSManagedRulesKnownBadInputsRuleSet",
    ),
  },
  {
    id: "INV-WAF-1",
    aliases: [],
    title: "WAF web ACL blocks common attacks and SQL injection (AWS managed rules) and rate-limits each client IP",
    scopes: ["inventory"],
    turnOn: `${TURN_ON}; limits in \`loadBalancer.waf.rateLimits\``,
    check: everyWebAcl((acl) => {
      const groups = blockingManagedGroups(acl);
      const problems = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet"]
        .filter((group) => !groups.includes(group))
        .map((group) => `does not block with ${group}`);
      const rateLimited = blockList(acl.config.rule).some((rule) => {
        const rate = firstBlock(statementOf(rule).rate_based_statement);
        return rate && (rate.aggregate_key_type ?? "IP") === "IP" && firstBlock(rule.action)?.block !== undefined;
      });
      if (!rateLimited) problems.push("has no rate-based rule per client IP that blocks");
      return problems;
    }),
  },
];
