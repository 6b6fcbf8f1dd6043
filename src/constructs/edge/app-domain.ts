import { Construct } from "constructs";
import { Token } from "cdktf";
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { type PropProblem, refuseProblems } from "../../props/prop-problems";

/** A DNS name ACM and Route 53 take for one host: lower-case labels of letters, digits and inner hyphens, two or more, 253 characters at most. */
export const DOMAIN_NAME = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** A Route 53 hosted zone id, as the console shows it (`Z0123456789ABCDEFGHIJ`), without `/hostedzone/`. */
export const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;

/** Problems with the name and the zone. */
export function appDomainProblems(props: { readonly name: string; readonly hostedZoneId: string }): PropProblem[] {
  return [
    Token.isUnresolved(props.name) || DOMAIN_NAME.test(props.name)
      ? undefined
      : {
          prop: "name",
          message: `"${props.name}" is not a DNS name like inventory.example.com (lower-case letters, digits, hyphens and dots; no wildcard)`,
        },
    Token.isUnresolved(props.hostedZoneId) || HOSTED_ZONE_ID.test(props.hostedZoneId)
      ? undefined
      : { prop: "hostedZoneId", message: `"${props.hostedZoneId}" is not a Route 53 hosted zone id like Z0123456789ABCDEFGHIJ` },
  ].filter((problem) => problem !== undefined);
}

export interface AppDomainProps {
  /** The name users reach the app by, like `inventory.example.com`: in the hosted zone, one host (no wildcard). */
  readonly name: string;
  /** The public Route 53 hosted zone that holds the name (and answers ACM's validation). */
  readonly hostedZoneId: string;
  /** An ACM certificate for the name made elsewhere, in the load balancer's region. @default a new ACM certificate, validated by DNS in the zone */
  readonly certificateArn?: string;
}

/** What a name points at: a load balancer's DNS name and hosted zone, and whether it answers on IPv6. */
export interface AliasTarget {
  readonly dnsName: string;
  readonly zoneId: string;
  /** `dualstack`: an AAAA record too. @default "ipv4" */
  readonly ipAddressType?: "ipv4" | "dualstack";
}

/**
 * The app on a name of its owner's: an ACM certificate for the name,
 * validated by a DNS record Terraform writes into the Route 53 zone (and
 * waited for, so a listener gets an issued certificate), and, once pointed
 * at the load balancer, an alias A record for the name, and an alias AAAA
 * record when the load balancer is dual-stack (an AAAA alias to an IPv4-only
 * one would answer with no address).
 */
export class AppDomain extends Construct {
  readonly name: string;
  /** The certificate, once issued: the HTTPS listener takes it from here. */
  readonly certificateArn: string;
  /** `https://<name>`. */
  readonly url: string;
  private readonly hostedZoneId: string;

  constructor(scope: Construct, id: string, props: AppDomainProps) {
    super(scope, id);
    refuseProblems(this, appDomainProblems(props));
    this.name = props.name;
    this.hostedZoneId = props.hostedZoneId;
    this.url = `https://${props.name}`;

    if (props.certificateArn !== undefined) {
      this.certificateArn = props.certificateArn;
      return;
    }
    const certificate = new AcmCertificate(this, "certificate", {
      domainName: props.name,
      validationMethod: "DNS",
      keyAlgorithm: "RSA_2048",
      tags: { Name: props.name },
      // A replacement (another name) must be issued before the listener lets go of the old one.
      lifecycle: { createBeforeDestroy: true },
    });
    // One name, so one validation record: ACM's CNAME for it, in the zone.
    const option = certificate.domainValidationOptions.get(0);
    const validationRecord = new Route53Record(this, "validation-record", {
      zoneId: props.hostedZoneId,
      name: option.resourceRecordName,
      type: option.resourceRecordType,
      records: [option.resourceRecordValue],
      ttl: 300,
    });
    const validation = new AcmCertificateValidation(this, "certificate-validation", {
      certificateArn: certificate.arn,
      validationRecordFqdns: [validationRecord.fqdn],
    });
    this.certificateArn = validation.certificateArn;
  }

  /** Points the name at the load balancer: alias records (A, and AAAA when it is dual-stack) that follow its addresses and health. */
  pointAt(target: AliasTarget): void {
    for (const type of target.ipAddressType === "dualstack" ? (["A", "AAAA"] as const) : (["A"] as const)) {
      new Route53Record(this, `alias-${type.toLowerCase()}`, {
        zoneId: this.hostedZoneId,
        name: this.name,
        type,
        alias: { name: target.dnsName, zoneId: target.zoneId, evaluateTargetHealth: true },
      });
    }
  }
}
