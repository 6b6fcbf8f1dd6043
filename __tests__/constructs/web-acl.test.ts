import { Lazy, Testing } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { WebAcl, type WebAclProps, webAclProblems } from "../../src/constructs/edge/web-acl";
import { expectRefused, onlyResource } from "../support/stacks";

const LOAD_BALANCER = "arn:aws:elasticloadbalancing:us-west-2:111122223333:loadbalancer/app/Inventory-LB/0123456789abcdef";

function synthWebAcl(overrides: Partial<WebAclProps> = {}) {
  const json = Testing.synthScope((scope) => {
    new WebAcl(scope, "web-acl", {
      name: "Inventory-LB-web-acl",
      loadBalancerArn: LOAD_BALANCER,
      region: "us-west-2",
      accountId: "111122223333",
      ...overrides,
    });
  });
  return { json, document: JSON.parse(json) };
}

describe("WebAcl", () => {
  const { json, document } = synthWebAcl();
  const [aclName, acl] = onlyResource(document, "aws_wafv2_web_acl");
  const rules = acl.rule as any[];

  it("protects the load balancer with a regional web ACL that allows what no rule blocks", () => {
    expect(acl).toMatchObject({ name: "Inventory-LB-web-acl", scope: "REGIONAL", default_action: { allow: {} } });
    expect(json).toHaveResourceWithProperties(Wafv2WebAclAssociation, { resource_arn: LOAD_BALANCER, web_acl_arn: `\${aws_wafv2_web_acl.${aclName}.arn}` });
  });

  it("limits each client IP to 1000 requests and 100 form posts per 5 minutes, answering 429 beyond, before anything else", () => {
    const [requests, writes] = rules;
    const tooMany = { block: { custom_response: { response_code: 429 } } };
    expect(requests).toMatchObject({
      priority: 0,
      action: tooMany,
      statement: { rate_based_statement: { limit: 1000, aggregate_key_type: "IP", evaluation_window_sec: 300 } },
    });
    expect(writes).toMatchObject({
      priority: 1,
      action: tooMany,
      statement: {
        rate_based_statement: {
          limit: 100,
          aggregate_key_type: "IP",
          evaluation_window_sec: 300,
          scope_down_statement: { byte_match_statement: { field_to_match: { method: {} }, positional_constraint: "EXACTLY", search_string: "POST" } },
        },
      },
    });
  });

  it("applies AWS's managed rules for common attacks, known bad inputs and SQL injection, with their own blocking actions", () => {
    expect(rules.slice(2).map((rule) => [rule.priority, rule.statement.managed_rule_group_statement, rule.override_action])).toEqual([
      [2, { name: "AWSManagedRulesCommonRuleSet", vendor_name: "AWS" }, { none: {} }],
      [3, { name: "AWSManagedRulesKnownBadInputsRuleSet", vendor_name: "AWS" }, { none: {} }],
      [4, { name: "AWSManagedRulesSQLiRuleSet", vendor_name: "AWS" }, { none: {} }],
    ]);
    for (const rule of [acl, ...rules]) expect(rule.visibility_config).toMatchObject({ cloudwatch_metrics_enabled: true, sampled_requests_enabled: true });
  });

  it("logs to aws-waf-logs-<name> kept 365 days, without the cookie header, once this account's log delivery may write it", () => {
    expect(json).toHaveResourceWithProperties(CloudwatchLogGroup, { name: "aws-waf-logs-inventory-lb-web-acl", retention_in_days: 365 });
    const [, logging] = onlyResource(document, "aws_wafv2_web_acl_logging_configuration");
    expect(logging).toMatchObject({
      resource_arn: `\${aws_wafv2_web_acl.${aclName}.arn}`,
      log_destination_configs: [expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.[^.]+\.arn\}$/)],
      redacted_fields: [{ single_header: { name: "cookie" } }],
      depends_on: [expect.stringMatching(/^aws_cloudwatch_log_resource_policy\./)],
    });
    const [, delivery] = onlyResource(document, "aws_cloudwatch_log_resource_policy");
    expect(JSON.parse(delivery.policy_document).Statement).toEqual([
      {
        Sid: "WafLogDeliveryOfThisAccount",
        Effect: "Allow",
        Principal: { Service: "delivery.logs.amazonaws.com" },
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.[^.]+\.arn\}:\*$/),
        Condition: {
          StringEquals: { "aws:SourceAccount": "111122223333" },
          ArnLike: { "aws:SourceArn": "arn:aws:logs:us-west-2:111122223333:*" },
        },
      },
    ]);
  });

  it("names each rule and its metrics after the ACL, and matches form posts by their exact method", () => {
    const visible = (metricName: string) => ({ cloudwatch_metrics_enabled: true, sampled_requests_enabled: true, metric_name: metricName });
    expect(rules.map((rule) => [rule.name, rule.visibility_config])).toStrictEqual([
      ["requests-per-client-ip", visible("Inventory-LB-web-acl-requests-per-client-ip")],
      ["writes-per-client-ip", visible("Inventory-LB-web-acl-writes-per-client-ip")],
      ["AWSManagedRulesCommonRuleSet", visible("Inventory-LB-web-acl-AWSManagedRulesCommonRuleSet")],
      ["AWSManagedRulesKnownBadInputsRuleSet", visible("Inventory-LB-web-acl-AWSManagedRulesKnownBadInputsRuleSet")],
      ["AWSManagedRulesSQLiRuleSet", visible("Inventory-LB-web-acl-AWSManagedRulesSQLiRuleSet")],
    ]);
    expect(acl.visibility_config).toStrictEqual(visible("Inventory-LB-web-acl"));
    expect(rules[1].statement.rate_based_statement.scope_down_statement).toStrictEqual({
      byte_match_statement: {
        field_to_match: { method: {} },
        positional_constraint: "EXACTLY",
        search_string: "POST",
        text_transformation: { priority: 0, type: "NONE" },
      },
    });
    expect(rules[0].statement.rate_based_statement.scope_down_statement).toBeUndefined();
  });

  it("says what it does in its description, naming the app when given, tags itself, and names its delivery policy after the log group", () => {
    expect([acl.description, acl.tags]).toStrictEqual([
      "Load balancer: rate limits per client IP, AWS managed rules for common attacks, known bad inputs and SQL injection",
      { Name: "Inventory-LB-web-acl" },
    ]);
    expect(onlyResource(synthWebAcl({ appName: "Inventory" }).document, "aws_wafv2_web_acl")[1].description).toBe(
      "Inventory load balancer: rate limits per client IP, AWS managed rules for common attacks, known bad inputs and SQL injection",
    );
    expect(onlyResource(document, "aws_cloudwatch_log_resource_policy")[1].policy_name).toBe("aws-waf-logs-inventory-lb-web-acl-delivery");
  });

  it("takes its limits and retention from its props", () => {
    const custom = synthWebAcl({ rateLimits: { requests: 5000, writes: 20, windowSeconds: 60 }, logRetentionDays: 30 });
    const [, customAcl] = onlyResource(custom.document, "aws_wafv2_web_acl");
    expect(
      customAcl.rule.slice(0, 2).map((rule: any) => [rule.statement.rate_based_statement.limit, rule.statement.rate_based_statement.evaluation_window_sec]),
    ).toEqual([
      [5000, 60],
      [20, 60],
    ]);
    expect(onlyResource(custom.document, "aws_cloudwatch_log_group")[1].retention_in_days).toBe(30);
  });

  describe("refuses props it cannot build, naming its path and the prop", () => {
    it.each<[string, Partial<WebAclProps>, string]>([
      ["a limit below WAF's", { rateLimits: { requests: 5 } }, "rateLimits.requests: 5 is not a whole number from 10 to 2000000000"],
      ["a window WAF does not count over", { rateLimits: { windowSeconds: 30 } }, "rateLimits.windowSeconds: 30 is not one of 60, 120, 300, 600"],
      ["a log group WAF cannot log to", { logGroupName: "/inventory/waf" }, 'logGroupName: "/inventory/waf" must start with aws-waf-logs-'],
      ["a retention CloudWatch refuses", { logRetentionDays: 2 }, "logRetentionDays: 2 is not one of"],
      ["a name WAF refuses", { name: "Inventory LB" }, 'name: the web ACL name "Inventory LB" must use'],
    ])("%s", (_kind, overrides, message) => {
      expectRefused(() => synthWebAcl(overrides), "WebAcl stack/web-acl", message);
    });
  });
});

describe("webAclProblems", () => {
  const valid = {
    name: "Inventory-LB_web-acl",
    rateLimits: { requests: 10, writes: 2_000_000_000, windowSeconds: 600 },
    logGroupName: "aws-waf-logs-a#b/c.d_e-f",
    logRetentionDays: 365,
  };

  it("has nothing to say of valid props, or of a log group named at apply time", () => {
    expect(webAclProblems(valid)).toStrictEqual([]);
    expect(webAclProblems({ ...valid, logGroupName: Lazy.stringValue({ produce: () => "not-waf" }) })).toStrictEqual([]);
  });

  it("names each problem with what WAF or CloudWatch Logs allows", () => {
    expect(
      webAclProblems({
        name: "Inventory LB",
        rateLimits: { requests: 9, writes: 2_000_000_001, windowSeconds: 30 },
        logGroupName: "aws-waf-logs-a b",
        logRetentionDays: 2,
      }),
    ).toStrictEqual([
      { prop: "name", message: 'the web ACL name "Inventory LB" must use letters, digits, - and _' },
      { prop: "rateLimits.requests", message: "9 is not a whole number from 10 to 2000000000" },
      { prop: "rateLimits.writes", message: "2000000001 is not a whole number from 10 to 2000000000" },
      { prop: "rateLimits.windowSeconds", message: "30 is not one of 60, 120, 300, 600" },
      { prop: "logGroupName", message: 'the log group name "aws-waf-logs-a b" must use letters, digits and #/._-' },
      { prop: "logRetentionDays", message: expect.stringMatching(/^2 is not one of 1, 3, 5,/) },
    ]);
    expect(webAclProblems({ ...valid, logGroupName: "my aws-waf-logs-x" })).toStrictEqual([
      { prop: "logGroupName", message: '"my aws-waf-logs-x" must start with aws-waf-logs- (WAF logs to no other group)' },
    ]);
  });
});
