import { Testing } from "cdktf";
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { type AliasTarget, AppDomain, appDomainProblems, type AppDomainProps } from "../../src/constructs/edge/app-domain";
import { expectRefused, onlyResource, resourcesOf } from "../support/stacks";

const ZONE = "Z0123456789EXAMPLE0AB";
/** Four labels of 62 letters and `com`: 255 characters, each label within DNS's 63. */
const TOO_LONG = `${"a".repeat(62)}.`.repeat(4) + "com";
const LOAD_BALANCER = { dnsName: "Inventory-LB-123.us-west-2.elb.amazonaws.com", zoneId: "Z1H1FL5HABSF5" };

/** The app on inventory.example.com, pointed at a load balancer. */
function synthDomain(overrides: Partial<AppDomainProps> = {}, target: AliasTarget = LOAD_BALANCER) {
  let domain: AppDomain | undefined;
  const json = Testing.synthScope((scope) => {
    domain = new AppDomain(scope, "domain", { name: "inventory.example.com", hostedZoneId: ZONE, ...overrides });
    domain.pointAt(target);
  });
  return { json, document: JSON.parse(json), domain: domain! };
}

describe("AppDomain", () => {
  const { json, document, domain } = synthDomain();
  const records = resourcesOf(document, "aws_route53_record").map(([, record]) => record);

  it("requests an ACM certificate for the name, validated by DNS, made anew before an old one goes", () => {
    expect(json).toHaveResourceWithProperties(AcmCertificate, {
      domain_name: "inventory.example.com",
      validation_method: "DNS",
      key_algorithm: "RSA_2048",
      tags: { Name: "inventory.example.com" },
      lifecycle: { create_before_destroy: true },
    });
    expect(onlyResource(document, "aws_acm_certificate")[1].subject_alternative_names).toBeUndefined();
  });

  it("writes ACM's validation record into the zone and waits for the certificate to be issued", () => {
    const [certificate] = resourcesOf(document, "aws_acm_certificate").map(([name]) => name);
    const validation = records.find((record) => record.type !== "A")!;
    expect(validation).toEqual(
      expect.objectContaining({
        zone_id: ZONE,
        name: `\${tolist(aws_acm_certificate.${certificate}.domain_validation_options).0.resource_record_name}`,
        type: `\${tolist(aws_acm_certificate.${certificate}.domain_validation_options).0.resource_record_type}`,
        records: [`\${tolist(aws_acm_certificate.${certificate}.domain_validation_options).0.resource_record_value}`],
        ttl: 300,
      }),
    );
    const [validationName] = resourcesOf(document, "aws_route53_record").find(([, record]) => record === validation)!;
    expect(json).toHaveResourceWithProperties(AcmCertificateValidation, {
      certificate_arn: `\${aws_acm_certificate.${certificate}.arn}`,
      validation_record_fqdns: [`\${aws_route53_record.${validationName}.fqdn}`],
    });
    // What the listener gets is the validation's ARN: a reference, so it waits for the certificate to be issued.
    expect(domain.certificateArn).toMatch(/^\$\{TfToken\[TOKEN\.\d+\]\}$/);
  });

  it("points the name at a dual-stack load balancer with alias A and AAAA records", () => {
    const dualStack = synthDomain({}, { ...LOAD_BALANCER, ipAddressType: "dualstack" });
    for (const type of ["A", "AAAA"]) {
      expect(dualStack.json).toHaveResourceWithProperties(Route53Record, {
        zone_id: ZONE,
        name: "inventory.example.com",
        type,
        alias: { name: LOAD_BALANCER.dnsName, zone_id: LOAD_BALANCER.zoneId, evaluate_target_health: true },
      });
    }
  });

  it("points the name at the load balancer with an alias A record, and no AAAA: the load balancer is IPv4 only", () => {
    expect(json).toHaveResourceWithProperties(Route53Record, {
      zone_id: ZONE,
      name: "inventory.example.com",
      type: "A",
      alias: { name: LOAD_BALANCER.dnsName, zone_id: LOAD_BALANCER.zoneId, evaluate_target_health: true },
    });
    expect(records.map((record) => record.type).filter((type) => !type.startsWith("${"))).toEqual(["A"]);
    // The record's address in the state: renaming it would replace the record.
    expect(
      resourcesOf(document, "aws_route53_record")
        .filter(([, record]) => record.type === "A")
        .map(([name]) => name.split("_")[1]),
    ).toStrictEqual(["alias-a"]);
    expect(domain.url).toBe("https://inventory.example.com");
  });

  it("uses a certificate made elsewhere as it is, and then requests none", () => {
    const certificateArn = "arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-4000-8000-000000000000";
    const elsewhere = synthDomain({ certificateArn });
    expect(elsewhere.domain.certificateArn).toBe(certificateArn);
    expect(resourcesOf(elsewhere.document, "aws_acm_certificate")).toStrictEqual([]);
    expect(resourcesOf(elsewhere.document, "aws_acm_certificate_validation")).toStrictEqual([]);
    expect(resourcesOf(elsewhere.document, "aws_route53_record").map(([, record]) => record.type)).toEqual(["A"]);
  });

  it.each(["a.example.com", "inventory.example.io", "inventory.example.info", "inventory.example.x", "app-1.inventory.example.com"])(
    "accepts the name %s",
    (name) => {
      expect(appDomainProblems({ name, hostedZoneId: ZONE })).toStrictEqual([]);
    },
  );

  describe("refuses props it cannot build, naming its path and the prop", () => {
    it.each<[string, Partial<AppDomainProps>, string]>([
      ["a name with a path after it", { name: "inventory.example.com/app" }, 'name: "inventory.example.com/app" is not a DNS name'],
      ["a name over 253 characters", { name: TOO_LONG }, `name: "${TOO_LONG}" is not a DNS name`],
      ["a zone id with lower case after it", { hostedZoneId: `${ZONE}ab` }, `hostedZoneId: "${ZONE}ab" is not a Route 53 hosted zone id`],
      ["a wildcard", { name: "*.example.com" }, 'name: "*.example.com" is not a DNS name like inventory.example.com'],
      ["a single label", { name: "localhost" }, 'name: "localhost" is not a DNS name'],
      ["upper case", { name: "Inventory.Example.com" }, 'name: "Inventory.Example.com" is not a DNS name'],
      ["a label ending in a hyphen", { name: "inventory-.example.com" }, 'name: "inventory-.example.com" is not a DNS name'],
      ["a zone id with its path", { hostedZoneId: `/hostedzone/${ZONE}` }, `hostedZoneId: "/hostedzone/${ZONE}" is not a Route 53 hosted zone id`],
    ])("%s", (_kind, overrides, message) => {
      expectRefused(() => synthDomain(overrides), "AppDomain stack/domain", message);
    });
  });
});
