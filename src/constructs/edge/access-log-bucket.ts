import type { Construct } from "constructs";
import { Token } from "cdktf";
import { ELB_LOG_DELIVERY_ACCOUNTS, isKnownRegion } from "../../aws/aws-regions";
import { awsPartition, type PolicyPrincipal } from "../../aws/iam-policy";
import { PrivateBucket } from "../data/private-bucket";
import { integerProblem, refuseProblems } from "../../props/prop-problems";

/** The service principal of ELB log delivery in regions opened since August 2022. */
export const ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com";

/** Who writes a load balancer's access logs in `region`: the regional ELB account, or (in regions opened since August 2022) the log delivery service. */
export function elbLogDeliveryPrincipal(region: string): PolicyPrincipal {
  const account = ELB_LOG_DELIVERY_ACCOUNTS[region];
  return account
    ? { type: "AWS", identifiers: [`arn:${awsPartition(region)}:iam::${account}:root`] }
    : { type: "Service", identifiers: [ELB_LOG_DELIVERY_SERVICE] };
}

/** Days S3 keeps a log file after a newer write or the expiry replaced it (versioning keeps it otherwise). */
const NONCURRENT_DAYS = 7;

/** Days S3 may keep a log file, as [min, max]. */
export const ACCESS_LOG_RETENTION_DAYS = [1, 3650] as const;

/** What each optional prop is when left out (the settings schema reads these). */
export const ACCESS_LOG_BUCKET_DEFAULTS = {
  bucketPrefix: "inventory-lb-logs-",
  retentionDays: 90,
  forceDestroy: false,
  nameTag: "Inventory-LB access logs",
} as const satisfies Partial<AccessLogBucketProps>;

export interface AccessLogBucketProps {
  /** Region of the load balancer (ELB writes only to a bucket in its own region); one of `AWS_REGIONS`. */
  readonly region: string;
  /**
   * The account whose load balancers log here: ELB writes a load balancer's logs under
   * `AWSLogs/<its account>/`, and the bucket lets it write there only, so no other
   * account's load balancer can fill it. A Terraform reference (`Network.accountId`) or an account id.
   */
  readonly accountId: string;
  /** Exact bucket name. @default none: Terraform makes a unique name from `bucketPrefix` */
  readonly bucketName?: string;
  /** Start of the generated name when `bucketName` is unset (at most 37 characters). @default "inventory-lb-logs-" */
  readonly bucketPrefix?: string;
  /** Days before S3 deletes a log file (1 to 3650). @default 90 */
  readonly retentionDays?: number;
  /** Let `terraform destroy` delete the bucket with the logs in it. @default false */
  readonly forceDestroy?: boolean;
  /** Name tag of the bucket. @default "Inventory-LB access logs" */
  readonly nameTag?: string;
}

/**
 * The S3 bucket an Application Load Balancer writes its access logs to
 * (CKV_AWS_91 / ELB.5): versioned, SSE-S3 (the only encryption ALB log
 * delivery supports), all public access blocked, ACLs disabled, TLS-only, old
 * logs expired, and writable by the region's ELB log delivery principal only
 * under `AWSLogs/<account>/`, for load balancers of that account.
 */
export class AccessLogBucket extends PrivateBucket {
  constructor(scope: Construct, id: string, props: AccessLogBucketProps) {
    const retentionDays = props.retentionDays ?? ACCESS_LOG_BUCKET_DEFAULTS.retentionDays;
    super(scope, id, {
      bucketName: props.bucketName,
      bucketPrefix: props.bucketPrefix ?? ACCESS_LOG_BUCKET_DEFAULTS.bucketPrefix,
      forceDestroy: props.forceDestroy ?? ACCESS_LOG_BUCKET_DEFAULTS.forceDestroy,
      nameTag: props.nameTag ?? ACCESS_LOG_BUCKET_DEFAULTS.nameTag,
      lifecycleRules: [
        {
          id: "expire-access-logs",
          status: "Enabled",
          filter: [{}],
          expiration: [{ days: retentionDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: NONCURRENT_DAYS }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
      allow: (bucketArn) => [
        {
          sid: "ElbLogDelivery",
          principals: [elbLogDeliveryPrincipal(props.region)],
          actions: ["s3:PutObject"],
          // AWS documents no aws:SourceAccount or aws:SourceArn for ALB log delivery (neither for the regional ELB
          // account nor its service principal); the account's own prefix is what keeps other accounts' logs out.
          resources: [`${bucketArn}/AWSLogs/${props.accountId}/*`],
        },
      ],
    });
    // Checked once the bucket's own props are (the base class checks those first).
    refuseProblems(this, [
      Token.isUnresolved(props.region) || isKnownRegion(props.region)
        ? undefined
        : {
            prop: "region",
            message: `"${props.region}" is not an AWS region this project knows (src/aws/aws-regions.ts), so its ELB log delivery principal is unknown`,
          },
      integerProblem("retentionDays", retentionDays, ...ACCESS_LOG_RETENTION_DAYS),
      Token.isUnresolved(props.accountId) || /^\d{12}$/.test(props.accountId)
        ? undefined
        : { prop: "accountId", message: `"${props.accountId}" is not a 12-digit AWS account id` },
    ]);
  }
}
