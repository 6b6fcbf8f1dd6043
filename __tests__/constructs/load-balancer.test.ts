import { Testing } from "cdktf";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { LoadBalancer, type LoadBalancerProps } from "../../src/constructs/load-balancer";
import { resourcesOf } from "../support/stacks";

const CERTIFICATE = "arn:aws:acm:us-west-2:123456789012:certificate/8f3e9b1c-1d2e-4f50-9a6b-7c8d9e0f1a2b";

/** The lab's load balancer (docs/lab.md section 3). */
function synthLoadBalancer(overrides: Partial<LoadBalancerProps> = {}) {
  const json = Testing.synthScope(
    (scope) =>
      new LoadBalancer(scope, "load-balancer", {
        vpcId: "vpc-0123456789abcdef0",
        subnetIds: ["subnet-public1", "subnet-public2"],
        securityGroupId: "sg-lb",
        name: "Inventory-LB",
        targetGroupName: "Inventory-App",
        healthCheck: { path: "/health", healthyThreshold: 2, unhealthyThreshold: 2, intervalSeconds: 10, timeoutSeconds: 5, matcher: "200" },
        deregistrationDelaySeconds: 30,
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        deletionProtection: true,
        idleTimeoutSeconds: 60,
        ...overrides,
      }),
  );
  return { json, document: JSON.parse(json) };
}

describe("LoadBalancer", () => {
  const http = synthLoadBalancer();

  it("creates target group Inventory-App: instances on HTTP:80 in the VPC, healthy after 2 checks 10 s apart", () => {
    expect(http.json).toHaveResourceWithProperties(LbTargetGroup, {
      name: "Inventory-App",
      target_type: "instance",
      protocol: "HTTP",
      port: 80,
      vpc_id: "vpc-0123456789abcdef0",
      health_check: expect.objectContaining({ path: "/health", healthy_threshold: 2, interval: 10, matcher: "200" }),
    });
  });

  it("drains deregistering targets far faster than AWS's 300 s default", () => {
    expect(http.json).toHaveResourceWithProperties(LbTargetGroup, { deregistration_delay: "30" });
  });

  it("creates Inventory-LB: internet-facing, application type, both public subnets, its own group", () => {
    expect(http.json).toHaveResourceWithProperties(Lb, {
      name: "Inventory-LB",
      internal: false,
      load_balancer_type: "application",
      subnets: ["subnet-public1", "subnet-public2"],
      security_groups: ["sg-lb"],
    });
  });

  it("drops invalid headers, mitigates desync defensively and is protected from deletion", () => {
    expect(http.json).toHaveResourceWithProperties(Lb, {
      drop_invalid_header_fields: true,
      desync_mitigation_mode: "defensive",
      enable_deletion_protection: true,
    });
  });

  it("writes no access logs without a bucket, and logs every request to one when given", () => {
    expect(resourcesOf(http.document, "aws_lb")[0][1].access_logs).toBeUndefined();
    const logged = synthLoadBalancer({ accessLogBucket: { bucketName: "inventory-lb-logs-0123" } });
    expect(logged.json).toHaveResourceWithProperties(Lb, { access_logs: { bucket: "inventory-lb-logs-0123", enabled: true } });
  });

  it("without a certificate, forwards HTTP:80 to Inventory-App and has no other listener", () => {
    const listeners = resourcesOf(http.document, "aws_lb_listener").map(([, listener]) => listener);
    expect(listeners).toHaveLength(1);
    expect(listeners[0]).toMatchObject({
      port: 80,
      protocol: "HTTP",
      default_action: [{ type: "forward", target_group_arn: expect.stringContaining("aws_lb_target_group.") }],
    });
  });

  describe("with a certificate", () => {
    const https = synthLoadBalancer({ certificateArn: CERTIFICATE });

    it("serves HTTPS:443 with a TLS 1.2+/1.3 policy and forwards it to the app", () => {
      expect(https.json).toHaveResourceWithProperties(LbListener, {
        port: 443,
        protocol: "HTTPS",
        certificate_arn: CERTIFICATE,
        ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        default_action: [{ type: "forward", target_group_arn: expect.stringContaining("aws_lb_target_group.") }],
      });
    });

    it("redirects HTTP:80 to HTTPS permanently", () => {
      expect(https.json).toHaveResourceWithProperties(LbListener, {
        port: 80,
        protocol: "HTTP",
        default_action: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", status_code: "HTTP_301" } }],
      });
      expect(resourcesOf(https.document, "aws_lb_listener")).toHaveLength(2);
    });
  });
});
