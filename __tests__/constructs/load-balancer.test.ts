import { Testing } from "cdktf";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import {
  ACM_CERTIFICATE_ARN,
  HEALTH_CHECK_MATCHER,
  HEALTH_CHECK_PATH,
  healthCheckProblems,
  LOAD_BALANCER_DEFAULTS,
  LoadBalancer,
  loadBalancerNameProblems,
  type LoadBalancerProps,
  NO_CBC_SSL_POLICY,
  slowStartProblem,
} from "../../src/constructs/edge/load-balancer";
import { expectRefused, resourcesOf } from "../support/stacks";
import { expectPatternSplits } from "../support/patterns";

const CERTIFICATE = "arn:aws:acm:us-west-2:123456789012:certificate/8f3e9b1c-1d2e-4f50-9a6b-7c8d9e0f1a2b";

/** The lab's load balancer (docs/lab.md section 3), from the construct's defaults: only where it goes is given. */
function synthLoadBalancer(overrides: Partial<LoadBalancerProps> = {}) {
  const json = Testing.synthScope(
    (scope) =>
      new LoadBalancer(scope, "load-balancer", {
        vpcId: "vpc-0123456789abcdef0",
        subnetIds: ["subnet-public1", "subnet-public2"],
        securityGroupId: "sg-lb",
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

  it("answers on IPv4 only by default, and on IPv6 too when dual-stack", () => {
    expect(http.json).toHaveResourceWithProperties(Lb, { ip_address_type: "ipv4" });
    const dualStack = synthLoadBalancer({ ipAddressType: "dualstack" });
    expect(dualStack.json).toHaveResourceWithProperties(Lb, { ip_address_type: "dualstack" });
  });

  it("drops invalid headers, mitigates desync defensively and is protected from deletion", () => {
    expect(http.json).toHaveResourceWithProperties(Lb, {
      drop_invalid_header_fields: true,
      desync_mitigation_mode: "defensive",
      enable_deletion_protection: true,
    });
  });

  it("lets zonal shift move its traffic, states cross-zone spread and warms new targets up over 60 s, by default", () => {
    expect(http.json).toHaveResourceWithProperties(Lb, { enable_zonal_shift: true });
    expect(http.json).toHaveResourceWithProperties(LbTargetGroup, { load_balancing_cross_zone_enabled: "true", slow_start: 60, deregistration_delay: "30" });
  });

  it("leaves zonal shift, cross-zone and slow start unset when turned off (AWS's defaults: off, the load balancer's, none)", () => {
    const off = synthLoadBalancer({ zonalShift: false, crossZone: false, slowStartSeconds: 0 });
    const [[, alb]] = resourcesOf(off.document, "aws_lb");
    const [[, group]] = resourcesOf(off.document, "aws_lb_target_group");
    expect(alb.enable_zonal_shift).toBeUndefined();
    expect(group.load_balancing_cross_zone_enabled).toBeUndefined();
    expect(group.slow_start).toBeUndefined();
    expect(synthLoadBalancer({ slowStartSeconds: 900 }).json).toHaveResourceWithProperties(LbTargetGroup, { slow_start: 900 });
  });

  it("writes no access logs without a bucket, and logs every request to one when given", () => {
    expect(resourcesOf(http.document, "aws_lb")[0][1].access_logs).toBeUndefined();
    const logged = synthLoadBalancer({ accessLogBucket: { bucketName: "inventory-lb-logs-0123" } });
    expect(logged.json).toHaveResourceWithProperties(Lb, { access_logs: { bucket: "inventory-lb-logs-0123", enabled: true } });
  });

  it("waits for nothing by default, and for the internet connectivity and the log bucket's policy it is given", () => {
    expect(resourcesOf(http.document, "aws_lb")[0][1].depends_on).toBeUndefined();
    const document = JSON.parse(
      Testing.synthScope((scope) => {
        const gateway = new InternetGateway(scope, "gateway", { vpcId: "vpc-0123456789abcdef0" });
        const policy = new S3BucketPolicy(scope, "policy", { bucket: "inventory-lb-logs-0123", policy: "{}" });
        new LoadBalancer(scope, "load-balancer", {
          vpcId: "vpc-0123456789abcdef0",
          subnetIds: ["subnet-public1", "subnet-public2"],
          securityGroupId: "sg-lb",
          internetConnectivity: [gateway],
          accessLogBucket: { bucketName: "inventory-lb-logs-0123", policy },
        });
      }),
    );
    expect(resourcesOf(document, "aws_lb")[0][1].depends_on).toEqual(["aws_internet_gateway.gateway", "aws_s3_bucket_policy.policy"]);
  });

  it("registers IP addresses instead of instances when asked", () => {
    expect(synthLoadBalancer({ targetType: "ip" }).json).toHaveResourceWithProperties(LbTargetGroup, { target_type: "ip", name: "Inventory-App" });
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
        ssl_policy: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
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

  it("writes the target group's health check whole, and tags both by name", () => {
    const [[, group]] = resourcesOf(http.document, "aws_lb_target_group");
    expect(group.health_check).toEqual({
      enabled: true,
      protocol: "HTTP",
      port: "traffic-port",
      path: "/health",
      healthy_threshold: 2,
      unhealthy_threshold: 2,
      interval: 10,
      timeout: 5,
      matcher: "200",
    });
    expect(group.tags).toEqual({ Name: "Inventory-App" });
    expect(resourcesOf(http.document, "aws_lb").map(([, balancer]) => balancer.tags)).toEqual([{ Name: "Inventory-LB" }]);
  });

  it("gives the app's URL with the scheme its listeners serve", () => {
    const url = (overrides: Partial<LoadBalancerProps>) => {
      let built: LoadBalancer | undefined;
      Testing.synthScope((scope) => {
        built = new LoadBalancer(scope, "load-balancer", { vpcId: "vpc-0", subnetIds: ["subnet-1", "subnet-2"], securityGroupId: "sg-lb", ...overrides });
      });
      return built!.url.replace(/\$\{TfToken\[TOKEN\.\d+\]\}/, "<dns name>");
    };
    expect(url({})).toBe("http://<dns name>");
    expect(url({ certificateArn: CERTIFICATE })).toBe("https://<dns name>");
  });

  describe("the patterns the props are checked against", () => {
    it.each<[string, RegExp, string[], string[]]>([
      [
        "a health check path",
        HEALTH_CHECK_PATH,
        ["/", "/health", "/health/deep?x=1", `/${"a".repeat(1023)}`],
        ["health", "x/health", "/health page", "/health\n", `/${"a".repeat(1024)}`],
      ],
      [
        "a matcher",
        HEALTH_CHECK_MATCHER,
        ["200", "200-299", "200,302", "200-204,301-308"],
        ["20", "2000", "x200", "200-", "200-29", "200-2999", "200,", "200,30", "200,300-30", "200,abc", "200,300-abc", "200 "],
      ],
      [
        "an ELB policy without CBC suites",
        NO_CBC_SSL_POLICY,
        [
          "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
          "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
          "ELBSecurityPolicy-TLS13-1-3-2021-06",
          "ELBSecurityPolicy-FS-1-2-Res-2020-10",
        ],
        [
          "ELBSecurityPolicy-TLS13-1-2-Res-",
          "ELBSecurityPolicy-TLS13-1-3-",
          "xELBSecurityPolicy-TLS13-1-3-2021-06",
          "ELBSecurityPolicy-FS-1-2-Res-2020-10x",
          "ELBSecurityPolicy-TLS13-1-2-Res-2021_06",
        ],
      ],
      [
        "an ACM certificate ARN",
        ACM_CERTIFICATE_ARN,
        [CERTIFICATE, "arn:aws-us-gov:acm:us-gov-west-1:123456789012:certificate/8f3e9b1c-1d2e-4f50-9a6b-7c8d9e0f1a2b"],
        [`x${CERTIFICATE}`, `${CERTIFICATE}x`, CERTIFICATE.replace("arn:aws:", "arn:aws1:"), CERTIFICATE.replace(":acm:", ":iam:")],
      ],
    ])("%s: takes what AWS takes, refuses the rest", (_what, pattern, taken, refused) => {
      expectPatternSplits(pattern, taken, refused);
    });

    it("finds each problem of a health check, and compares timeout with interval only once the rest is right", () => {
      const healthCheck = { ...LOAD_BALANCER_DEFAULTS.healthCheck };
      expect(healthCheckProblems(healthCheck)).toStrictEqual([]);
      // A timeout of 20 s is in AWS's range but not below the 10 s interval: said only when nothing else is wrong.
      expect(healthCheckProblems({ ...healthCheck, matcher: "ok", timeoutSeconds: 20 })).toEqual([
        { prop: "healthCheck.matcher", message: '"ok" must be HTTP codes like 200 or 200-299' },
      ]);
      expect(healthCheckProblems({ ...healthCheck, timeoutSeconds: 20 })).toEqual([
        { prop: "healthCheck.timeoutSeconds", message: "20 must be below intervalSeconds 10" },
      ]);
      expect(healthCheckProblems({ ...healthCheck, timeoutSeconds: 9 })).toStrictEqual([]);
    });

    it("takes a slow start of 0 or 30 to 900 seconds only, and names of letters, digits and inner hyphens", () => {
      expect([0, 30, 900].map(slowStartProblem)).toEqual([undefined, undefined, undefined]);
      expect(slowStartProblem(29)?.message).toBe("29 is not 0 (off) or a whole number of seconds from 30 to 900");
      expect(loadBalancerNameProblems({ name: "a", targetGroupName: "A-1" })).toStrictEqual([]);
      expect(loadBalancerNameProblems({ name: "-lb", targetGroupName: "tg-" })).toEqual([
        {
          prop: "name",
          message: 'the load balancer name "-lb" must use letters, digits and hyphens, not starting or ending with a hyphen, nor with internal-',
        },
        { prop: "targetGroupName", message: 'the target group name "tg-" must use letters, digits and hyphens, not starting or ending with a hyphen' },
      ]);
    });
  });

  describe("refuses props it cannot build, naming its path and the prop", () => {
    it.each<[string, Partial<LoadBalancerProps>, string]>([
      ["a slow start below AWS's 30 s", { slowStartSeconds: 10 }, "slowStartSeconds: 10 is not 0 (off) or a whole number of seconds from 30 to 900"],
      ["a slow start above AWS's 900 s", { slowStartSeconds: 901 }, "slowStartSeconds: 901 is not 0 (off) or a whole number of seconds from 30 to 900"],
      ["one subnet", { subnetIds: ["subnet-public1"] }, "subnetIds: has 1; an Application Load Balancer needs subnets in two zones or more"],
      [
        "a name longer than AWS allows",
        { name: "Inventory-Load-Balancer-For-Production" },
        'name: the load balancer name "Inventory-Load-Balancer-For-Production" is 38 characters; AWS allows 32',
      ],
      [
        "a name AWS reserves",
        { name: "internal-inventory" },
        'name: the load balancer name "internal-inventory" must use letters, digits and hyphens, not starting or ending with a hyphen, nor with internal-',
      ],
      [
        "a target group name with a space",
        { targetGroupName: "Inventory App" },
        'targetGroupName: the target group name "Inventory App" must use letters, digits and hyphens',
      ],
      [
        "a healthy threshold above AWS's range",
        { healthCheck: { healthyThreshold: 11 } },
        "healthCheck.healthyThreshold: 11 is not a whole number from 2 to 10",
      ],
      ["a timeout not below the interval", { healthCheck: { timeoutSeconds: 10 } }, "healthCheck.timeoutSeconds: 10 must be below intervalSeconds 10"],
      ["a relative health check path", { healthCheck: { path: "health" } }, 'healthCheck.path: "health" must be an absolute URL path like /health'],
      ["a drain longer than AWS allows", { deregistrationDelaySeconds: 4000 }, "deregistrationDelaySeconds: 4000 is not a whole number from 0 to 3600"],
      [
        "a TLS 1.0 policy",
        { sslPolicy: "ELBSecurityPolicy-2016-08" },
        'sslPolicy: "ELBSecurityPolicy-2016-08" is not an ELB security policy with TLS 1.2 and newer and no CBC suites',
      ],
      [
        "a TLS 1.2 policy with CBC suites (the old default)",
        { sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" },
        'sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" is not an ELB security policy with TLS 1.2 and newer and no CBC suites, like',
      ],
      [
        "a forward-secrecy policy with CBC suites",
        { sslPolicy: "ELBSecurityPolicy-FS-1-2-Res-2019-08" },
        'sslPolicy: "ELBSecurityPolicy-FS-1-2-Res-2019-08" is not an ELB security policy with TLS 1.2 and newer and no CBC suites',
      ],
      ["a certificate that is not an ACM ARN", { certificateArn: "my-certificate" }, 'certificateArn: "my-certificate" is not an ACM certificate ARN'],
      ["an unknown target type", { targetType: "lambda" as never }, 'targetType: "lambda" is not one of "instance", "ip"'],
      ["an unknown address type", { ipAddressType: "ipv6" as never }, 'ipAddressType: "ipv6" is not one of "ipv4", "dualstack"'],
      ["a target port that is no port", { targetPort: 0 }, "targetPort: 0 is not a whole number from 1 to 65535"],
      ["an idle timeout above AWS's range", { idleTimeoutSeconds: 4001 }, "idleTimeoutSeconds: 4001 is not a whole number from 1 to 4000"],
      ["a matcher that is no HTTP code", { healthCheck: { matcher: "ok" } }, 'healthCheck.matcher: "ok" must be HTTP codes like 200 or 200-299'],
    ])("%s", (_kind, overrides, message) => {
      expectRefused(() => synthLoadBalancer(overrides), "LoadBalancer stack/load-balancer", message);
    });
  });
});
